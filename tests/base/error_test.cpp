// Errc names and Error::describe.
#include "mpsec/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mpsec {
namespace {

TEST(ErrorDescribe, WithMessage_IsCodeColonMessage) {
  Error e{Errc::decode_error, "vector length is not minimally encoded"};
  EXPECT_EQ(e.describe(), "decode_error: vector length is not minimally encoded");
}

TEST(ErrorDescribe, WithoutMessage_IsCodeOnly) {
  Error e{Errc::authentication_failed, ""};
  EXPECT_EQ(e.describe(), "authentication_failed");
}

TEST(ErrcToString, EveryCodeHasItsOwnName) {
  std::set<std::string> names;
  const auto first = static_cast<std::uint16_t>(Errc::invalid_argument);
  const auto last = static_cast<std::uint16_t>(Errc::internal);
  for (std::uint16_t c = first; c <= last; ++c) {
    const std::string name(to_string(static_cast<Errc>(c)));
    EXPECT_NE(name, "unknown_error") << "code " << c;
    EXPECT_FALSE(name.empty()) << "code " << c;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(last - first + 1));
}

TEST(ErrcToString, SpotChecks) {
  EXPECT_EQ(to_string(Errc::invalid_argument), "invalid_argument");
  EXPECT_EQ(to_string(Errc::trailing_data), "trailing_data");
  EXPECT_EQ(to_string(Errc::limit_exceeded), "limit_exceeded");
  EXPECT_EQ(to_string(Errc::invalid_key), "invalid_key");
  EXPECT_EQ(to_string(Errc::internal), "internal");
}

TEST(ErrcToString, ValueOutsideTheEnum_IsUnknownError) {
  EXPECT_EQ(to_string(static_cast<Errc>(0)), "unknown_error");
  EXPECT_EQ(to_string(static_cast<Errc>(0xffff)), "unknown_error");
}

}  // namespace
}  // namespace mpsec
