// The runner behind `mpsec vectors`: discovery by file name, tallies, and failures.
#include "conformance/runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mpsec::conformance {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("mpsec-runner-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const fs::path& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel) << text;
  }

 private:
  fs::path path_;
};

TEST(ConformanceRunner, FindsKnownFilesInSubfoldersAndIgnoresOthers) {
  TempDir dir;
  dir.write("a/b/deserialization.json", R"([{"vlbytes_header":"4040","length":64}])");
  dir.write("unknown.json", "[]");
  const auto summary = run_vectors(dir.path());
  ASSERT_EQ(summary.files.size(), 1u);
  EXPECT_EQ(summary.files[0].file(), "a/b/deserialization.json");
  EXPECT_EQ(summary.passed, 1u);
  EXPECT_EQ(summary.failed, 0u);
}

TEST(ConformanceRunner, WrongExpectationIsCountedAsFailure) {
  TempDir dir;
  // 0x4040 encodes 64, not 65; 0x4000 is a non-minimal encoding of 0.
  dir.write("deserialization.json",
            R"([{"vlbytes_header":"4040","length":65},{"vlbytes_header":"4000","length":0}])");
  const auto summary = run_vectors(dir.path());
  EXPECT_EQ(summary.failed, 2u);
  const auto json = to_json(summary);
  EXPECT_EQ(json["failed"], 2);
  EXPECT_EQ(json["files"][0]["file"], "deserialization.json");
}

TEST(ConformanceRunner, MalformedJsonIsAFailureNotACrash) {
  TempDir dir;
  dir.write("tree-math.json", "{not json");
  dir.write("crypto-basics.json", R"([{"cipher_suite": "one"}])");
  const auto summary = run_vectors(dir.path());
  EXPECT_EQ(summary.files.size(), 2u);
  EXPECT_EQ(summary.failed, 2u);
}

// The whole of ../shared/vectors runs as the conformance.* tests (through the mpsec tool);
// here the runner reads one real set in-process.
TEST(ConformanceRunner, SharedWycheproofVectorsHaveNoFailures) {
  const auto summary = run_vectors(std::string(MPSEC_VECTORS_DIR) + "/wycheproof");
  for (const auto& f : summary.files)
    for (const auto& note : f.failures())
      ADD_FAILURE() << f.file() << " " << note.case_id << ": " << note.text;
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_GT(summary.passed, 0u);
  for (const auto& f : summary.files)
    for (const auto& note : f.skips())
      EXPECT_FALSE(note.text.empty()) << f.file();
}

}  // namespace
}  // namespace mpsec::conformance
