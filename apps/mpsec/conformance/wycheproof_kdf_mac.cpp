// Wycheproof hkdf_test_schema_v1 (HKDF, RFC 5869) and mac_test_schema_v1 (HMAC, RFC 2104)
// with SHA-256, SHA-384 and SHA-512, through crypto::hkdf_extract/hkdf_expand and
// crypto::hmac_verify. Neither schema has "acceptable" cases, so no flag rules.
#include <optional>

#include "conformance/wycheproof.hpp"
#include "crypto/hash.hpp"

namespace mpsec::conformance::wycheproof {

namespace {

using crypto::HashAlg;

// "HKDF-SHA-256" / "HMACSHA256" ... -> the hash, when mpsec offers it.
std::optional<HashAlg> hash_of(std::string_view algorithm, std::string_view prefix) {
  if (!algorithm.starts_with(prefix)) return std::nullopt;
  const std::string_view hash = algorithm.substr(prefix.size());
  if (hash == "256") return HashAlg::sha256;
  if (hash == "384") return HashAlg::sha384;
  if (hash == "512") return HashAlg::sha512;
  return std::nullopt;
}

Outcome hkdf_case(HashAlg alg, const Json& test) {
  Bytes ikm, salt, info, okm;
  if (auto bad = read_hex(test, {{"ikm", ikm}, {"salt", salt}, {"info", info}, {"okm", okm}});
      !bad.empty())
    return Outcome::malformed(bad);
  const auto size = test.at("size").get<std::size_t>();
  auto prk = crypto::hkdf_extract(alg, salt, ikm);
  if (!prk) return Outcome::rejected("extract", prk.error());
  auto out = crypto::hkdf_expand(alg, prk->view(), info, size);
  if (!out) return Outcome::rejected("expand", out.error());
  return compare("okm", out->view(), okm);
}

// The group's tagSize is the tag length the verifier expects, as a protocol would fix it.
Outcome mac_case(HashAlg alg, std::size_t tag_len, const Json& test) {
  Bytes key, msg, tag;
  if (auto bad = read_hex(test, {{"key", key}, {"msg", msg}, {"tag", tag}}); !bad.empty())
    return Outcome::malformed(bad);
  if (auto ok = crypto::hmac_verify(alg, key, msg, tag, tag_len); !ok)
    return Outcome::rejected("hmac_verify", ok.error());
  return Outcome::accepted();
}

}  // namespace

void run_hkdf(const Json& doc, FileReport& report) {
  const std::string algorithm = string_field(doc, "algorithm");
  auto alg = hash_of(algorithm, "HKDF-SHA-");
  if (!alg) return skip_all(doc, report, "'" + algorithm + "' is not offered by mpsec");
  run_cases(doc, report, {}, [&](const Json&, const Json& test) { return hkdf_case(*alg, test); });
}

void run_mac(const Json& doc, FileReport& report) {
  const std::string algorithm = string_field(doc, "algorithm");
  auto alg = hash_of(algorithm, "HMACSHA");
  if (!alg) return skip_all(doc, report, "'" + algorithm + "' is not offered by mpsec");
  const std::size_t hash_len = crypto::hash_size(*alg);
  run_cases(doc, report, {}, [&](const Json& group, const Json& test) {
    const auto tag_bits = group.at("tagSize").get<std::size_t>();
    // mpsec offers HMAC tags from half the hash length to the full length (hash.hpp).
    if (tag_bits % 8 != 0 || tag_bits / 8 < hash_len / 2 || tag_bits / 8 > hash_len)
      return Outcome::skipped(algorithm + " with " + std::to_string(tag_bits) +
                              "-bit tags is not offered by mpsec (half to full hash length)");
    return mac_case(*alg, tag_bits / 8, test);
  });
}

}  // namespace mpsec::conformance::wycheproof
