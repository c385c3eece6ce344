// Wycheproof eddsa_verify_schema_v1 (Ed25519, Ed448), ecdsa_verify_schema_v1 (DER signatures)
// and ecdsa_p1363_verify_schema_v1 (r || s) through crypto::VerifyKey. A public key that mpsec
// refuses makes every case of its group a rejection, which is right for invalid cases only.
#include <optional>

#include "conformance/wycheproof.hpp"
#include "crypto/signature.hpp"

namespace mpsec::conformance::wycheproof {

namespace {

using crypto::EcCurve;
using crypto::HashAlg;
using crypto::SigAlg;
using crypto::VerifyKey;
using Expect = FlagRule::Expect;

// The v1 signature files have no "acceptable" cases. Older releases had BER-encoded ECDSA
// signatures as acceptable; mpsec verifies strict DER only (crypto/signature.hpp), so should
// one come back it must be rejected.
constexpr FlagRule kEcdsaRules[] = {
    {"BerEncodedSignature", Expect::reject, "ECDSA signatures must be strict DER"},
    {"MissingZero", Expect::reject, "ECDSA signatures must be strict DER"},
};

Outcome verify(const Result<VerifyKey>& key, ByteView msg, ByteView sig) {
  if (!key) return Outcome::rejected("public key", key.error());
  if (auto ok = key->verify(msg, sig); !ok) return Outcome::rejected("verify", ok.error());
  return Outcome::accepted();
}

std::optional<SigAlg> eddsa_alg(std::string_view curve) {
  if (curve == "edwards25519") return SigAlg::ed25519;
  if (curve == "edwards448") return SigAlg::ed448;
  return std::nullopt;
}

std::optional<EcCurve> ecdsa_curve(std::string_view curve) {
  if (curve == "secp256r1") return EcCurve::p256;
  if (curve == "secp384r1") return EcCurve::p384;
  if (curve == "secp521r1") return EcCurve::p521;
  return std::nullopt;
}

std::optional<HashAlg> ecdsa_hash(std::string_view sha) {
  if (sha == "SHA-256") return HashAlg::sha256;
  if (sha == "SHA-384") return HashAlg::sha384;
  if (sha == "SHA-512") return HashAlg::sha512;
  return std::nullopt;
}

Outcome eddsa_case(const Json& group, const Json& test) {
  const Json& public_key = group.at("publicKey");
  const std::string curve = string_field(public_key, "curve");
  auto alg = eddsa_alg(curve);
  if (!alg) return Outcome::skipped("EdDSA over '" + curve + "' is not offered by mpsec");
  Bytes pk, msg, sig;
  if (auto bad = read_hex(public_key, {{"pk", pk}}); !bad.empty()) return Outcome::malformed(bad);
  if (auto bad = read_hex(test, {{"msg", msg}, {"sig", sig}}); !bad.empty())
    return Outcome::malformed(bad);
  return verify(VerifyKey::parse(*alg, pk), msg, sig);
}

Outcome ecdsa_case(const Json& group, const Json& test, bool p1363) {
  const Json& public_key = group.at("publicKey");
  const std::string curve_name = string_field(public_key, "curve");
  const std::string sha = string_field(group, "sha");
  auto curve = ecdsa_curve(curve_name);
  auto hash = ecdsa_hash(sha);
  if (!curve || !hash)
    return Outcome::skipped("ECDSA over '" + curve_name + "' with '" + sha +
                            "' is not offered by mpsec");
  Bytes point, msg, sig;
  if (auto bad = read_hex(public_key, {{"uncompressed", point}}); !bad.empty())
    return Outcome::malformed(bad);
  if (auto bad = read_hex(test, {{"msg", msg}, {"sig", sig}}); !bad.empty())
    return Outcome::malformed(bad);
  if (p1363) {
    // r || s of the wrong length cannot be a signature: that is a rejection.
    auto der = crypto::ecdsa_p1363_to_der(sig, crypto::ec_curve_info(*curve).scalar_size);
    if (!der) return Outcome::rejected("P1363 signature", der.error());
    sig = std::move(*der);
  }
  return verify(VerifyKey::ecdsa(*curve, *hash, point), msg, sig);
}

}  // namespace

void run_eddsa(const Json& doc, FileReport& report) {
  run_cases(doc, report, {}, eddsa_case);
}

void run_ecdsa(const Json& doc, FileReport& report, bool p1363) {
  run_cases(doc, report, kEcdsaRules, [p1363](const Json& group, const Json& test) {
    return ecdsa_case(group, test, p1363);
  });
}

}  // namespace mpsec::conformance::wycheproof
