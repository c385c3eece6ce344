// Wycheproof xdh_comp_schema_v1 (X25519, X448) and ecdh_ecpoint_test_schema_v1 (P-256, P-384,
// P-521) through crypto::DhPrivateKey::dh: keys in the RFC 9180 §7.1.1 formats, the shared
// secret compared with the vector's.
#include <optional>

#include "conformance/wycheproof.hpp"
#include "crypto/dh.hpp"

namespace mpsec::conformance::wycheproof {

namespace {

using crypto::DhPrivateKey;
using crypto::DhPublicKey;
using crypto::KemId;
using Expect = FlagRule::Expect;

// "acceptable" X25519/X448 cases. RFC 7748 leaves two choices to the implementation; mpsec:
// - refuses an all-zero shared secret in dh() (RFC 9180 §7.1.4 requires the check, and
//   OpenSSL's derive makes it too, RFC 7748 §6.1). Every low-order public key yields that
//   all-zero secret, so those cases must be rejected;
// - takes every other 32/56-byte string as a public key, as RFC 7748 §5 defines: points on
//   the twist and non-canonical u >= p (reduced mod p) must give the vector's shared secret.
constexpr FlagRule kXdhRules[] = {
    {"ZeroSharedSecret", Expect::reject, "dh() refuses an all-zero shared secret"},
    {"LowOrderPublic", Expect::reject, "a low-order point gives the all-zero shared secret"},
    {"Twist", Expect::accept, "twist points are computed as RFC 7748 defines"},
    {"NonCanonicalPublic", Expect::accept, "u >= p is taken mod p (RFC 7748 §5)"},
};

// "acceptable" ECDH cases: a compressed point is a legal X9.62 encoding, but mpsec takes peer
// keys as uncompressed points only (RFC 9180 §7.1.1 SerializePublicKey), so it must refuse it.
constexpr FlagRule kEcdhRules[] = {
    {"CompressedPublic", Expect::reject, "mpsec takes uncompressed points only"},
    {"CompressedPoint", Expect::reject, "mpsec takes uncompressed points only"},
};

std::optional<KemId> xdh_kem(std::string_view curve) {
  if (curve == "curve25519") return KemId::x25519;
  if (curve == "curve448") return KemId::x448;
  return std::nullopt;
}

std::optional<KemId> ecdh_kem(std::string_view curve) {
  if (curve == "secp256r1") return KemId::p256;
  if (curve == "secp384r1") return KemId::p384;
  if (curve == "secp521r1") return KemId::p521;
  return std::nullopt;
}

// Wycheproof writes an ECDH private scalar as a big-endian integer, sometimes with a leading
// 00 byte (ASN.1 style), sometimes shorter than the field; mpsec takes exactly Nsk bytes.
std::optional<Bytes> fixed_width(ByteView scalar, std::size_t width) {
  while (scalar.size() > width && scalar[0] == 0)
    scalar = scalar.subspan(1);
  if (scalar.size() > width) return std::nullopt;
  Bytes out(width - scalar.size(), 0);
  append(out, scalar);
  return out;
}

Outcome run_case(KemId kem, const Json& test, bool integer_scalar) {
  Bytes priv, pub, shared;
  if (auto bad = read_hex(test, {{"private", priv}, {"public", pub}, {"shared", shared}});
      !bad.empty())
    return Outcome::malformed(bad);
  if (integer_scalar) {
    auto scalar = fixed_width(priv, crypto::kem_info(kem).private_size);
    if (!scalar) return Outcome::rejected("private scalar is wider than the curve's order");
    priv = std::move(*scalar);
  }
  auto sk = DhPrivateKey::parse(kem, priv);
  if (!sk) return Outcome::rejected("private key", sk.error());
  auto pk = DhPublicKey::parse(kem, pub);
  if (!pk) return Outcome::rejected("public key", pk.error());
  auto secret = sk->dh(*pk);
  if (!secret) return Outcome::rejected("dh", secret.error());
  return compare("shared secret", secret->view(), shared);
}

}  // namespace

void run_xdh(const Json& doc, FileReport& report) {
  run_cases(doc, report, kXdhRules, [](const Json& group, const Json& test) {
    const std::string curve = string_field(group, "curve");
    auto kem = xdh_kem(curve);
    if (!kem) return Outcome::skipped("XDH over '" + curve + "' is not offered by mpsec");
    return run_case(*kem, test, /*integer_scalar=*/false);
  });
}

void run_ecdh_ecpoint(const Json& doc, FileReport& report) {
  run_cases(doc, report, kEcdhRules, [](const Json& group, const Json& test) {
    const std::string curve = string_field(group, "curve");
    auto kem = ecdh_kem(curve);
    if (!kem) return Outcome::skipped("ECDH over '" + curve + "' is not offered by mpsec");
    return run_case(*kem, test, /*integer_scalar=*/true);
  });
}

}  // namespace mpsec::conformance::wycheproof
