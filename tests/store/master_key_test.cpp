// The storage master key file: created private and never overwritten, read in raw or hex
// form, refused when group or others may access it or when it is malformed.
#include "store/master_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/test_random.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::store {
namespace {

class MasterKeyFile : public ::testing::Test {
 protected:
  MasterKeyFile() {
    char tmpl[] = "/tmp/mpsec_store_XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    dir_ = p != nullptr ? p : "/tmp";
  }
  ~MasterKeyFile() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content, mode_t mode = 0600) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::string dir_;
};

TEST_F(MasterKeyFile, ACreatedKeyIsPrivateAndReadsBack) {
  crypto::SeededRandom rng(std::uint64_t{5});
  const std::string path = dir_ + "/master.key";
  ASSERT_TRUE(create_master_key(path, rng));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = read_master_key(path);
  ASSERT_TRUE(key.has_value()) << key.error().describe();
  EXPECT_EQ(key->size(), 32u);
  // Never overwritten.
  auto again = create_master_key(path, rng);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::io_error);
  auto same = read_master_key(path);
  ASSERT_TRUE(same.has_value());
  EXPECT_TRUE(*key == *same);
}

TEST_F(MasterKeyFile, RawAndHexFormsAreRead) {
  std::string raw(32, '\0');
  for (std::size_t i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<char>(i * 9);
  const std::string hex = to_hex(as_bytes(raw));
  for (const std::string& content : {raw, hex, hex + "\n", [&] {
                                       std::string upper = hex;
                                       for (char& c : upper)
                                         c = static_cast<char>(std::toupper(c));
                                       return upper;
                                     }()}) {
    auto key = read_master_key(write("k", content));
    ASSERT_TRUE(key.has_value()) << key.error().describe();
    EXPECT_EQ(to_bytes(key->view()), to_bytes(as_bytes(raw)));
  }
}

TEST_F(MasterKeyFile, MalformedKeysAreRefused) {
  const std::string hex(64, 'a');
  for (const std::string& content :
       {std::string(), std::string(31, 'x'), std::string(33, 'x'), hex.substr(0, 63), hex + "\n\n",
        hex + "0", std::string(63, 'a') + "g", hex + " "}) {
    auto key = read_master_key(write("k", content));
    ASSERT_FALSE(key.has_value()) << content.size();
    EXPECT_EQ(key.error().code, Errc::invalid_key) << content.size();
  }
  auto missing = read_master_key(dir_ + "/none");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::io_error);
  auto dir = read_master_key(dir_);
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().code, Errc::invalid_argument);
}

TEST_F(MasterKeyFile, AKeyOthersMayReadIsRefused) {
  const std::string hex(64, 'b');
  for (mode_t mode : {0640, 0604, 0644, 0620, 0601}) {
    auto key = read_master_key(write("k", hex, mode));
    ASSERT_FALSE(key.has_value()) << std::oct << mode;
    EXPECT_EQ(key.error().code, Errc::policy_violation);
    EXPECT_NE(key.error().message.find("group or others"), std::string::npos)
        << key.error().message;
  }
  EXPECT_TRUE(read_master_key(write("k", hex, 0400)).has_value());
}

}  // namespace
}  // namespace mpsec::store
