// The Wycheproof part of `mpsec vectors`: the hand-made fixtures of
// tests/data/wycheproof_fixtures (our own cases, in the Wycheproof format, for schemas
// ../shared/vectors lacks; staged under the file names the runner looks for), the real files of
// ../shared/vectors/wycheproof, and proof that the runner fails when a vector and mpsec disagree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "conformance/kinds.hpp"
#include "conformance/runner.hpp"

namespace mpsec::conformance {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(MPSEC_TEST_DATA_DIR) / "wycheproof_fixtures";

class TempDir {
 public:
  explicit TempDir(const std::string& tag = "") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("mpsec-wycheproof-" + std::string(info->name()) + tag);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const Json& doc) const {
    std::ofstream(path_ / name) << doc.dump(1);
  }

 private:
  fs::path path_;
};

// The fixtures under the names the runner discovers: NAME.fixture.json -> NAME_test.json.
void stage_fixtures(const TempDir& dir) {
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".fixture.json";
    ASSERT_TRUE(name.ends_with(suffix)) << name;
    fs::copy_file(entry.path(),
                  dir.path() / (name.substr(0, name.size() - suffix.size()) + "_test.json"));
  }
}

Json load(const fs::path& path) {
  return Json::parse(std::ifstream(path));
}

const FileReport* find_file(const RunSummary& summary, const std::string& name) {
  for (const auto& f : summary.files)
    if (f.file() == name) return &f;
  return nullptr;
}

void expect_no_failures(const RunSummary& summary) {
  for (const auto& f : summary.files)
    for (const auto& note : f.failures())
      ADD_FAILURE() << f.file() << " " << note.case_id << ": " << note.text;
  EXPECT_EQ(summary.failed, 0u);
}

// A one-test Wycheproof document of `schema`.
Json one_case(const std::string& algorithm, const std::string& schema, Json group, Json test) {
  test["tcId"] = 1;
  group["tests"] = Json::array({test});
  return Json{{"algorithm", algorithm},
              {"schema", schema},
              {"numberOfTests", 1},
              {"testGroups", Json::array({group})}};
}

const Json kX448Group = {{"type", "XdhComp"}, {"curve", "curve448"}};

// RFC 7748 §6.2: Alice's private key, Bob's public key and their shared secret.
Json x448_rfc_case() {
  return {{"flags", Json::array({"Ktv"})},
          {"private",
           "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382"
           "a6f127ab1d9ac2d8c0a598726b"},
          {"public",
           "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dc"
           "b57aec3dae07bdc1c67bf33609"},
          {"shared",
           "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24"
           "403085d59a449a5037514a879d"},
          {"result", "valid"}};
}

TEST(WycheproofRunner, ClaimsOnlyFilesOfImplementedAlgorithms) {
  for (const char* name :
       {"aes_gcm_test.json", "chacha20_poly1305_test.json", "xchacha20_poly1305_test.json",
        "x25519_test.json", "x448_test.json", "ecdh_secp256r1_ecpoint_test.json",
        "ecdh_secp521r1_ecpoint_test.json", "ed25519_test.json", "ed448_test.json",
        "ecdsa_secp256r1_sha256_test.json", "ecdsa_secp384r1_sha512_test.json",
        "ecdsa_secp521r1_sha512_p1363_test.json", "hkdf_sha384_test.json", "hmac_sha512_test.json"})
    EXPECT_TRUE(is_wycheproof_file(name)) << name;
  for (const char* name :
       {"aes_gcm_siv_test.json", "hkdf_sha1_test.json", "hmac_sha1_test.json",
        "hmac_sha512_224_test.json", "hmac_sha3_256_test.json", "ecdh_secp256r1_test.json",
        "ecdh_secp224r1_ecpoint_test.json", "ecdh_secp256k1_test.json",
        "ecdsa_secp256k1_sha256_test.json", "ecdsa_secp224r1_sha224_test.json",
        "ecdsa_secp256r1_sha3_256_test.json", "ecdsa_brainpoolP256r1_sha256_test.json",
        "ecdsa_secp256r1_sha256_bitcoin_test.json", "aes_ccm_test.json", "test-vectors.json"})
    EXPECT_FALSE(is_wycheproof_file(name)) << name;
}

TEST(WycheproofRunner, HandMadeFixturesPass) {
  TempDir fixtures;
  stage_fixtures(fixtures);
  const auto summary = run_vectors(fixtures.path());
  expect_no_failures(summary);
  const std::map<std::string, std::size_t> expected_passed = {
      {"ecdh_secp521r1_ecpoint_test.json", 9},
      {"ecdsa_secp384r1_sha384_test.json", 8},
      {"ecdsa_secp521r1_sha512_p1363_test.json", 7},
      {"ed25519_test.json", 25},
      {"ed448_test.json", 17},
      {"hkdf_sha384_test.json", 5},
      {"hmac_sha512_test.json", 9},
      {"x448_test.json", 11},
  };
  ASSERT_EQ(summary.files.size(), expected_passed.size());
  for (const auto& [name, passed] : expected_passed) {
    const FileReport* f = find_file(summary, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->passed(), passed) << name;
  }
  // The one skip: HMAC-SHA-512 with 128-bit tags, below the half-hash minimum mpsec offers.
  EXPECT_EQ(summary.skipped, 1u);
  const FileReport* hmac = find_file(summary, "hmac_sha512_test.json");
  ASSERT_NE(hmac, nullptr);
  ASSERT_EQ(hmac->skips().size(), 1u);
  EXPECT_NE(hmac->skips()[0].text.find("128-bit tags"), std::string::npos);
}

// Every expectation of every fixture turned around: each case that ran must now fail, so no
// case passes whatever mpsec does.
TEST(WycheproofRunner, InvertedExpectationsAllFail) {
  TempDir fixtures(".fixtures");
  stage_fixtures(fixtures);
  TempDir dir;
  for (const auto& entry : fs::directory_iterator(fixtures.path())) {
    Json doc = load(entry.path());
    for (auto& group : doc["testGroups"]) {
      for (auto& test : group["tests"]) {
        const auto result = test["result"].get<std::string>();
        const std::string flags = test["flags"].dump();
        const bool must_reject = flags.find("ZeroSharedSecret") != std::string::npos ||
                                 flags.find("CompressedPublic") != std::string::npos;
        if (result == "valid")
          test["result"] = "invalid";
        else if (result == "invalid")
          test["result"] = "valid";
        else
          test["result"] = must_reject ? "valid" : "invalid";
      }
    }
    dir.write(entry.path().filename().string(), doc);
  }
  const auto original = run_vectors(fixtures.path());
  const auto inverted = run_vectors(dir.path());
  EXPECT_EQ(inverted.passed, 0u);
  EXPECT_EQ(inverted.failed, original.passed);
  EXPECT_EQ(inverted.skipped, original.skipped);
}

TEST(WycheproofRunner, WrongOutputIsAFailure) {
  TempDir dir;
  Json test = x448_rfc_case();
  test["shared"] = std::string(112, '0');
  dir.write("x448_test.json", one_case("XDH", "xdh_comp_schema_v1.json", kX448Group, test));
  const auto summary = run_vectors(dir.path());
  EXPECT_EQ(summary.passed, 0u);
  ASSERT_EQ(summary.failed, 1u);
  const auto& note = summary.files[0].failures()[0];
  EXPECT_EQ(note.case_id, "tcId 1");
  EXPECT_NE(note.text.find("shared secret"), std::string::npos) << note.text;
}

TEST(WycheproofRunner, AcceptableCaseWithoutARuleFails) {
  TempDir dir;
  Json test = x448_rfc_case();
  test["result"] = "acceptable";
  test["flags"] = Json::array({"SomeFutureFlag"});
  dir.write("x448_test.json", one_case("XDH", "xdh_comp_schema_v1.json", kX448Group, test));
  const auto summary = run_vectors(dir.path());
  ASSERT_EQ(summary.failed, 1u);
  EXPECT_NE(summary.files[0].failures()[0].text.find("no rule"), std::string::npos);
}

TEST(WycheproofRunner, AcceptableRulesDecideBothWays) {
  TempDir dir;
  // The RFC case marked acceptable for a Twist flag must succeed...
  Json twist = x448_rfc_case();
  twist["result"] = "acceptable";
  twist["flags"] = Json::array({"Twist"});
  dir.write("x448_test.json", one_case("XDH", "xdh_comp_schema_v1.json", kX448Group, twist));
  auto summary = run_vectors(dir.path());
  EXPECT_EQ(summary.passed, 1u);
  EXPECT_EQ(summary.failed, 0u);
  // ...and with a ZeroSharedSecret flag mpsec must have refused it, which it did not.
  twist["flags"] = Json::array({"Twist", "ZeroSharedSecret"});
  dir.write("x448_test.json", one_case("XDH", "xdh_comp_schema_v1.json", kX448Group, twist));
  summary = run_vectors(dir.path());
  EXPECT_EQ(summary.passed, 0u);
  EXPECT_EQ(summary.failed, 1u);
}

TEST(WycheproofRunner, UnknownSchemaAndWrongTestCountFail) {
  TempDir dir;
  dir.write("ed448_test.json", one_case("XDH", "xdh_schema_v9.json", kX448Group, x448_rfc_case()));
  Json short_file = one_case("XDH", "xdh_comp_schema_v1.json", kX448Group, x448_rfc_case());
  short_file["numberOfTests"] = 2;
  dir.write("x448_test.json", short_file);
  const auto summary = run_vectors(dir.path());
  ASSERT_EQ(summary.files.size(), 2u);
  const FileReport* unknown = find_file(summary, "ed448_test.json");
  ASSERT_NE(unknown, nullptr);
  ASSERT_EQ(unknown->failed(), 1u);
  EXPECT_NE(unknown->failures()[0].text.find("unsupported schema"), std::string::npos);
  const FileReport* truncated = find_file(summary, "x448_test.json");
  ASSERT_NE(truncated, nullptr);
  EXPECT_EQ(truncated->passed(), 1u);
  ASSERT_EQ(truncated->failed(), 1u);
  EXPECT_NE(truncated->failures()[0].text.find("numberOfTests"), std::string::npos);
}

TEST(WycheproofRunner, MalformedCaseFails) {
  TempDir dir;
  Json test = x448_rfc_case();
  test["public"] = "not hex";
  dir.write("x448_test.json", one_case("XDH", "xdh_comp_schema_v1.json", kX448Group, test));
  const auto summary = run_vectors(dir.path());
  ASSERT_EQ(summary.failed, 1u);
  EXPECT_NE(summary.files[0].failures()[0].text.find("public"), std::string::npos);
}

TEST(WycheproofRunner, SharedVectorsHaveNoFailuresAndEverySkipHasAReason) {
  const auto summary = run_vectors(fs::path(MPSEC_VECTORS_DIR) / "wycheproof");
  expect_no_failures(summary);
  EXPECT_GE(summary.files.size(), 10u);
  EXPECT_GT(summary.passed, 0u);
  for (const auto& f : summary.files) {
    for (const auto& note : f.skips())
      EXPECT_FALSE(note.text.empty()) << f.file();
    // Only AES-GCM (192-bit keys, nonces other than 96 bits) and XChaCha20-Poly1305 name
    // parameter sets mpsec does not offer; everything else must run.
    if (f.file() != "aes_gcm_test.json" && f.file() != "xchacha20_poly1305_test.json") {
      EXPECT_EQ(f.skipped(), 0u) << f.file();
    }
  }
  const FileReport* xchacha = find_file(summary, "xchacha20_poly1305_test.json");
  ASSERT_NE(xchacha, nullptr);
  EXPECT_EQ(xchacha->passed(), 0u);
  EXPECT_GT(xchacha->skipped(), 0u);
}

}  // namespace
}  // namespace mpsec::conformance
