// Wycheproof (C2SP/wycheproof testvectors_v1): which files mpsec runs, the dispatch on each
// file's "schema", and the case loop every schema family shares.
#include "conformance/wycheproof.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tl/expected.hpp>

#include "conformance/kinds.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::conformance {

namespace wycheproof {

namespace {

using Expect = FlagRule::Expect;

std::string flags_text(const Json& test) {
  auto it = test.find("flags");
  return it == test.end() ? "[]" : it->dump();
}

// What a case demands of mpsec, and for an acceptable case the rule that decided it.
struct Expectation {
  Expect expect;
  const FlagRule* rule = nullptr;
};

// valid -> accept, invalid -> reject, acceptable -> the rules (see FlagRule).
tl::expected<Expectation, std::string> expectation(const Json& test,
                                                   std::span<const FlagRule> rules) {
  const std::string result = string_field(test, "result");
  if (result == "valid") return Expectation{Expect::accept};
  if (result == "invalid") return Expectation{Expect::reject};
  if (result != "acceptable") return tl::unexpected("unknown result '" + result + "'");
  for (Expect expect : {Expect::reject, Expect::accept}) {
    for (const FlagRule& rule : rules)
      if (rule.expect == expect && has_flag(test, rule.flag)) return Expectation{expect, &rule};
  }
  return tl::unexpected("acceptable case with flags " + flags_text(test) +
                        " has no rule in the runner");
}

std::string failure_text(const Json& test, const Expectation& e, const Outcome& out) {
  std::string what = string_field(test, "result") + " case " + flags_text(test);
  if (e.rule != nullptr)
    what += " (rule " + std::string(e.rule->flag) + ": " + std::string(e.rule->why) + ")";
  if (e.expect == Expect::reject) return what + " was not rejected";
  if (out.kind == Outcome::Kind::mismatch) return what + ": " + out.text;
  return what + " was rejected: " + out.text;
}

void run_one(const Json& group, const Json& test, FileReport& report,
             std::span<const FlagRule> rules, const CaseFn& run_case) {
  const std::string id = "tcId " + test.at("tcId").dump();
  const Outcome out = run_case(group, test);
  if (out.kind == Outcome::Kind::skipped) return report.skip(id, out.text);
  if (out.kind == Outcome::Kind::malformed) return report.fail(id, "malformed case: " + out.text);
  const auto e = expectation(test, rules);
  if (!e) return report.fail(id, e.error());
  const auto wanted =
      e->expect == Expect::accept ? Outcome::Kind::accepted : Outcome::Kind::rejected;
  report.check(out.kind == wanted, id, failure_text(test, *e, out));
}

// Shows at most the first 32 bytes of a value in a failure message.
std::string short_hex(ByteView v) {
  constexpr std::size_t kShown = 32;
  return v.size() <= kShown ? to_hex(v) : to_hex(v.first(kShown)) + "...";
}

}  // namespace

void run_cases(const Json& doc, FileReport& report, std::span<const FlagRule> rules,
               const CaseFn& run_case) {
  const Json& groups = doc.at("testGroups");
  if (!groups.is_array()) return report.fail("file", "testGroups is not an array");
  std::size_t seen = 0;
  for (const Json& group : groups) {
    for (const Json& test : group.at("tests")) {
      ++seen;
      run_one(group, test, report, rules, run_case);
    }
  }
  // Guards against a truncated file: every case the file announces must have been run.
  if (auto n = doc.find("numberOfTests");
      n != doc.end() && n->is_number_unsigned() && n->get<std::size_t>() != seen)
    report.fail("file", "numberOfTests is " + n->dump() + " but the file has " +
                            std::to_string(seen) + " tests");
}

void skip_all(const Json& doc, FileReport& report, const std::string& reason) {
  run_cases(doc, report, {}, [&](const Json&, const Json&) { return Outcome::skipped(reason); });
}

bool has_flag(const Json& test, std::string_view flag) {
  auto it = test.find("flags");
  if (it == test.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(),
                     [&](const Json& f) { return f.is_string() && f.get<std::string>() == flag; });
}

std::string read_hex(const Json& obj, std::initializer_list<HexField> fields) {
  for (const HexField& f : fields) {
    if (!hex_field(obj, f.key, f.out)) return std::string(f.key) + " is missing or not hex";
  }
  return {};
}

Outcome compare(std::string_view what, ByteView got, ByteView want) {
  if (equal(got, want)) return Outcome::accepted();
  return Outcome::mismatch(std::string(what) + " is " + short_hex(got) + ", expected " +
                           short_hex(want));
}

std::string string_field(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace wycheproof

namespace {

// Files of the algorithms mpsec implements. Not claimed: other hashes and curves (SHA-1, SHA-3,
// SHA-224, secp224r1, secp256k1, brainpool), other AEADs (AES-GCM-SIV, CCM, EAX ...), and the
// ecdh_secp*_test.json files, whose public keys are DER SubjectPublicKeyInfo: mpsec only takes
// raw points (RFC 9180 §7.1.1), and the ecpoint files cover the same curves.
const std::set<std::string, std::less<>>& claimed_files() {
  static const auto names = [] {
    std::set<std::string, std::less<>> n = {
        "aes_gcm_test.json",
        "chacha20_poly1305_test.json",
        "xchacha20_poly1305_test.json",
        "x25519_test.json",
        "x448_test.json",
        "ed25519_test.json",
        "ed448_test.json",
    };
    const std::string hashes[] = {"256", "384", "512"};
    for (const std::string c : {"256", "384", "521"}) {
      n.insert("ecdh_secp" + c + "r1_ecpoint_test.json");
      for (const std::string& h : hashes) {
        n.insert("ecdsa_secp" + c + "r1_sha" + h + "_test.json");
        n.insert("ecdsa_secp" + c + "r1_sha" + h + "_p1363_test.json");
      }
    }
    for (const std::string& h : hashes) {
      n.insert("hkdf_sha" + h + "_test.json");
      n.insert("hmac_sha" + h + "_test.json");
    }
    return n;
  }();
  return names;
}

using SchemaRunner = void (*)(const Json&, FileReport&);

void run_ecdsa_der(const Json& doc, FileReport& report) {
  wycheproof::run_ecdsa(doc, report, /*p1363=*/false);
}
void run_ecdsa_p1363(const Json& doc, FileReport& report) {
  wycheproof::run_ecdsa(doc, report, /*p1363=*/true);
}

const std::map<std::string, SchemaRunner, std::less<>>& schema_runners() {
  static const std::map<std::string, SchemaRunner, std::less<>> runners = {
      {"aead_test_schema_v1.json", wycheproof::run_aead},
      {"xdh_comp_schema_v1.json", wycheproof::run_xdh},
      {"ecdh_ecpoint_test_schema_v1.json", wycheproof::run_ecdh_ecpoint},
      {"eddsa_verify_schema_v1.json", wycheproof::run_eddsa},
      {"ecdsa_verify_schema_v1.json", run_ecdsa_der},
      {"ecdsa_p1363_verify_schema_v1.json", run_ecdsa_p1363},
      {"hkdf_test_schema_v1.json", wycheproof::run_hkdf},
      {"mac_test_schema_v1.json", wycheproof::run_mac},
  };
  return runners;
}

}  // namespace

bool is_wycheproof_file(std::string_view file_name) {
  return claimed_files().contains(file_name);
}

void run_wycheproof(const Json& doc, FileReport& report) {
  const std::string schema = wycheproof::string_field(doc, "schema");
  const auto& runners = schema_runners();
  auto it = runners.find(schema);
  if (it == runners.end()) return report.fail("file", "unsupported schema '" + schema + "'");
  it->second(doc, report);
}

}  // namespace mpsec::conformance
