// Wycheproof aead_test_schema_v1: AES-GCM and ChaCha20-Poly1305 through crypto::aead_seal and
// crypto::aead_open. A valid case must seal to ct || tag and open to msg; an invalid one must
// not open. The AEAD files have no "acceptable" cases, so no flag rules.
#include <tl/expected.hpp>

#include "conformance/wycheproof.hpp"
#include "crypto/aead.hpp"

namespace mpsec::conformance::wycheproof {

namespace {

using crypto::AeadAlg;

// The parameter set of a group, or why mpsec does not offer it: the RFC 9180 AEADs only, with
// 128-bit tags (RFC 5116 interface).
tl::expected<AeadAlg, std::string> group_alg(std::string_view algorithm, const Json& group) {
  const int key_bits = group.at("keySize").get<int>();
  const int tag_bits = group.at("tagSize").get<int>();
  if (tag_bits != 128)
    return tl::unexpected(std::to_string(tag_bits) + "-bit AEAD tags are not offered by mpsec");
  if (algorithm == "CHACHA20-POLY1305" && key_bits == 256) return AeadAlg::chacha20poly1305;
  if (algorithm == "AES-GCM" && key_bits == 128) return AeadAlg::aes128gcm;
  if (algorithm == "AES-GCM" && key_bits == 256) return AeadAlg::aes256gcm;
  return tl::unexpected(std::string(algorithm) + " with a " + std::to_string(key_bits) +
                        "-bit key is not offered by mpsec");
}

// mpsec's AEAD API takes 96-bit nonces only. A case that is invalid *because of* its nonce
// size still runs (the API must refuse it); any other case with another nonce size tests a
// parameter set mpsec does not offer.
bool nonce_is_the_fault(const Json& test) {
  return string_field(test, "result") == "invalid" &&
         (has_flag(test, "InvalidNonceSize") || has_flag(test, "ZeroLengthIv"));
}

Outcome run_case(AeadAlg alg, const Json& test) {
  Bytes key, iv, aad, msg, ct, tag;
  if (auto bad = read_hex(
          test, {{"key", key}, {"iv", iv}, {"aad", aad}, {"msg", msg}, {"ct", ct}, {"tag", tag}});
      !bad.empty())
    return Outcome::malformed(bad);
  Bytes ct_tag = ct;
  append(ct_tag, tag);
  auto opened = crypto::aead_open(alg, key, iv, aad, ct_tag);
  if (!opened) return Outcome::rejected("open", opened.error());
  // It opened, so from here on a problem is a mismatch, never a rejection.
  auto sealed = crypto::aead_seal(alg, key, iv, aad, msg);
  if (!sealed) return Outcome::mismatch("opened, but seal failed: " + sealed.error().describe());
  if (auto out = compare("opened plaintext", *opened, msg); out.kind != Outcome::Kind::accepted)
    return out;
  return compare("sealed ct || tag", *sealed, ct_tag);
}

}  // namespace

void run_aead(const Json& doc, FileReport& report) {
  const std::string algorithm = string_field(doc, "algorithm");
  if (algorithm == "XCHACHA20-POLY1305")
    return skip_all(doc, report, "XChaCha20-Poly1305 is not offered by mpsec");
  if (algorithm != "AES-GCM" && algorithm != "CHACHA20-POLY1305")
    return skip_all(doc, report, "AEAD '" + algorithm + "' is not offered by mpsec");
  run_cases(doc, report, {}, [&](const Json& group, const Json& test) {
    auto alg = group_alg(algorithm, group);
    if (!alg) return Outcome::skipped(alg.error());
    const int iv_bits = group.at("ivSize").get<int>();
    if (iv_bits != 8 * static_cast<int>(crypto::kAeadNonceSize) && !nonce_is_the_fault(test))
      return Outcome::skipped(algorithm + " with a " + std::to_string(iv_bits) +
                              "-bit nonce is not offered by mpsec (96-bit nonces only)");
    return run_case(*alg, test);
  });
}

}  // namespace mpsec::conformance::wycheproof
