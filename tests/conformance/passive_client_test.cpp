// The passive-client runner, exercised on scenarios mpsec generates itself (../shared holds
// no upstream passive-client files), and shown able to fail.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "conformance/mls_passive_generate.hpp"
#include "conformance/runner.hpp"
#include "crypto/test_random.hpp"

namespace mpsec::conformance {
namespace {

namespace fs = std::filesystem;

class PassiveClient : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mpsec-passive-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Generated once per kind for the whole suite: generation runs whole groups.
  static Json generate(const std::string& kind) {
    static std::map<std::string, Json> cache;
    auto it = cache.find(kind);
    if (it == cache.end()) {
      crypto::SeededRandom rng(77);
      auto doc = generate_vectors(kind, rng);
      EXPECT_TRUE(doc.has_value()) << (doc ? "" : doc.error().describe());
      it = cache.emplace(kind, doc ? *doc : Json::array()).first;
    }
    return it->second;
  }
  RunSummary run(const std::string& file, const Json& doc) {
    std::ofstream(dir_ / file) << doc.dump();
    return run_vectors(dir_);
  }
  fs::path dir_;
};

TEST_F(PassiveClient, GeneratedWelcomeScenariosPass) {
  const auto doc = generate("passive-client-welcome");
  ASSERT_EQ(doc.size(), 21u);  // 7 suites x (tree in Welcome, tree out of band + PSK, encrypted)
  const auto s = run("passive-client-welcome.json", doc);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.passed, doc.size());
}

TEST_F(PassiveClient, GeneratedCommitScenariosPass) {
  const auto doc = generate("passive-client-handling-commit");
  ASSERT_EQ(doc.size(), 14u);
  for (const auto& t : doc)
    EXPECT_EQ(t["epochs"].size(), 6u);
  const auto s = run("passive-client-handling-commit.json", doc);
  for (const auto& f : s.files)
    for (const auto& n : f.failures())
      ADD_FAILURE() << n.case_id << ": " << n.text;
  EXPECT_EQ(s.passed, doc.size());
}

TEST_F(PassiveClient, GeneratedRandomScenariosPass) {
  const auto doc = generate("passive-client-random");
  const auto s = run("passive-client-random.json", doc);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.passed, doc.size());
}

TEST_F(PassiveClient, WrongEpochAuthenticatorFails) {
  auto doc = generate("passive-client-handling-commit");
  auto& epoch = doc[0]["epochs"][2];
  std::string a = epoch["epoch_authenticator"];
  a[0] = a[0] == '0' ? '1' : '0';
  epoch["epoch_authenticator"] = a;
  const auto s = run("passive-client-handling-commit.json", doc);
  EXPECT_EQ(s.failed, 1u);
}

TEST_F(PassiveClient, MissingPskFails) {
  auto doc = generate("passive-client-handling-commit");
  doc[1]["external_psks"] = Json::array();
  const auto s = run("passive-client-handling-commit.json", doc);
  EXPECT_EQ(s.failed, 1u);
}

TEST_F(PassiveClient, TamperedCommitFails) {
  auto doc = generate("passive-client-random");
  std::string c = doc[0]["epochs"][0]["commit"];
  c[c.size() - 3] = c[c.size() - 3] == 'a' ? 'b' : 'a';
  doc[0]["epochs"][0]["commit"] = c;
  const auto s = run("passive-client-random.json", doc);
  EXPECT_EQ(s.failed, 1u);
}

}  // namespace
}  // namespace mpsec::conformance
