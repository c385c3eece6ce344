// to_hex / from_hex.
#include "mpsec/hex.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec {
namespace {

using testutil::FailsWith;
using testutil::IsOk;

TEST(Hex, EncodesLowerCase) {
  const Bytes b{0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(to_hex(b), "00017f80abff");
}

TEST(Hex, EmptyRoundTrips) {
  EXPECT_EQ(to_hex({}), "");
  auto r = from_hex("");
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(r->empty());
}

TEST(Hex, AllByteValues_RoundTrip) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i)
    all[i] = static_cast<std::uint8_t>(i);
  const std::string h = to_hex(all);
  ASSERT_EQ(h.size(), 512u);
  auto back = from_hex(h);
  ASSERT_TRUE(IsOk(back));
  EXPECT_EQ(*back, all);
}

TEST(Hex, UpperAndMixedCase_Accepted) {
  auto upper = from_hex("ABCDEF0123");
  ASSERT_TRUE(IsOk(upper));
  EXPECT_EQ(*upper, (Bytes{0xab, 0xcd, 0xef, 0x01, 0x23}));
  auto mixed = from_hex("aBcD");
  ASSERT_TRUE(IsOk(mixed));
  EXPECT_EQ(*mixed, (Bytes{0xab, 0xcd}));
}

TEST(Hex, OddLength_Rejected) {
  EXPECT_TRUE(FailsWith(from_hex("abc"), Errc::decode_error));
  EXPECT_TRUE(FailsWith(from_hex("0"), Errc::decode_error));
}

TEST(Hex, NonHexCharacters_Rejected) {
  for (const char* bad : {"0g", "g0", "zz", "0x00", " 0", "0 ", "-1", "1:", "@0", "`0", "G0", "/0"})
    EXPECT_TRUE(FailsWith(from_hex(bad), Errc::decode_error)) << bad;
}

TEST(Hex, NonHexInLaterByte_Rejected) {
  EXPECT_TRUE(FailsWith(from_hex("0011223x"), Errc::decode_error));
}

TEST(Hex, EmbeddedNul_Rejected) {
  const std::string with_nul(
      "00\0"
      "0",
      4);
  EXPECT_TRUE(FailsWith(from_hex(with_nul), Errc::decode_error));
}

}  // namespace
}  // namespace mpsec
