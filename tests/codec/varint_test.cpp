// RFC 9420 §2.1.2 variable-length integers: boundaries, minimal encoding, reserved prefix.
#include "codec/varint.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "codec/limits.hpp"

namespace mpsec::codec {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

Bytes enc_varint(std::uint64_t v) {
  Bytes out;
  EXPECT_TRUE(IsOk(write_varint(out, v))) << v;
  return out;
}

struct Boundary {
  std::uint64_t value;
  const char* encoding;
};

constexpr Boundary kBoundaries[] = {
    {0, "00"},
    {1, "01"},
    {37, "25"},
    {63, "3f"},
    {64, "4040"},
    {15293, "7bbd"},
    {16383, "7fff"},
    {16384, "80004000"},
    {494878333, "9d7f3e7d"},
    {(std::uint64_t{1} << 30) - 1, "bfffffff"},
};

TEST(Varint, Boundaries_EncodeToMinimalBytes) {
  for (const auto& b : kBoundaries) {
    EXPECT_EQ(to_hex(enc_varint(b.value)), b.encoding) << b.value;
    EXPECT_EQ(varint_size(b.value) * 2, std::string_view(b.encoding).size()) << b.value;
  }
}

TEST(Varint, Boundaries_DecodeBack) {
  for (const auto& b : kBoundaries) {
    const Bytes enc = hex(b.encoding);
    auto r = read_varint(enc);
    ASSERT_TRUE(IsOk(r)) << b.value;
    EXPECT_EQ(r->value, b.value);
    EXPECT_EQ(r->size, enc.size());
  }
}

TEST(Varint, MaxVarintConstant_Is2To30Minus1) {
  EXPECT_EQ(kMaxVarint, 1073741823u);
}

TEST(Varint, TwoTo30_IsRejectedAndWritesNothing) {
  Bytes out{0xaa};
  EXPECT_TRUE(FailsWith(write_varint(out, std::uint64_t{1} << 30), Errc::limit_exceeded));
  EXPECT_TRUE(FailsWith(write_varint(out, UINT64_MAX), Errc::limit_exceeded));
  EXPECT_EQ(out, Bytes{0xaa});
  EXPECT_EQ(varint_size(std::uint64_t{1} << 30), 0u);
  EXPECT_EQ(varint_size(UINT64_MAX), 0u);
}

TEST(Varint, WriteAppends) {
  Bytes out{0x01};
  ASSERT_TRUE(IsOk(write_varint(out, 64)));
  EXPECT_EQ(out, (Bytes{0x01, 0x40, 0x40}));
}

TEST(Varint, NonMinimalEncodings_Rejected) {
  for (const char* bad : {
           "4000",      // 0 in two bytes
           "4025",      // 37 in two bytes (QUIC accepts this, MLS must not)
           "403f",      // 63 in two bytes
           "80000000",  // 0 in four bytes
           "80000001",  // 1 in four bytes
           "8000003f",  // 63 in four bytes
           "80000040",  // 64 in four bytes
           "80003fff",  // 16383 in four bytes
       }) {
    EXPECT_TRUE(FailsWith(read_varint(hex(bad)), Errc::decode_error)) << bad;
  }
}

TEST(Varint, SmallestValueOfEachWidth_Accepted) {
  auto two = read_varint(hex("4040"));
  ASSERT_TRUE(IsOk(two));
  EXPECT_EQ(two->value, 64u);
  auto four = read_varint(hex("80004000"));
  ASSERT_TRUE(IsOk(four));
  EXPECT_EQ(four->value, 16384u);
}

TEST(Varint, ReservedPrefix11_Rejected) {
  for (const char* bad : {"c0", "c000000000000001", "ff", "ffffffffffffffff", "c000000000004000"})
    EXPECT_TRUE(FailsWith(read_varint(hex(bad)), Errc::decode_error)) << bad;
}

TEST(Varint, TruncatedInput_Rejected) {
  for (const char* bad : {"", "40", "7f", "80", "8000", "800040"})
    EXPECT_TRUE(FailsWith(read_varint(hex(bad)), Errc::decode_error)) << bad;
}

TEST(Varint, TrailingBytes_AreNotConsumed) {
  auto r = read_varint(hex("25ffff"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->value, 37u);
  EXPECT_EQ(r->size, 1u);
  auto r2 = read_varint(hex("7bbd00"));
  ASSERT_TRUE(IsOk(r2));
  EXPECT_EQ(r2->value, 15293u);
  EXPECT_EQ(r2->size, 2u);
}

TEST(Varint, EveryTwoByteEncoding_DecodesIffMinimal) {
  for (unsigned v = 0; v < (1u << 14); ++v) {
    const Bytes enc{static_cast<std::uint8_t>(0x40 | (v >> 8)), static_cast<std::uint8_t>(v)};
    auto r = read_varint(enc);
    if (v < 64) {
      ASSERT_TRUE(FailsWith(r, Errc::decode_error)) << v;
    } else {
      ASSERT_TRUE(IsOk(r)) << v;
      ASSERT_EQ(r->value, v);
    }
  }
}

TEST(Varint, RoundTrip_ManyValues) {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 0; v < 20000; ++v)
    values.push_back(v);
  for (std::uint64_t v = 20000; v <= kMaxVarint; v += 7919 * 13)
    values.push_back(v);
  for (std::uint64_t v = kMaxVarint - 100; v <= kMaxVarint; ++v)
    values.push_back(v);
  for (std::uint64_t v : values) {
    const Bytes enc = enc_varint(v);
    ASSERT_EQ(enc.size(), varint_size(v)) << v;
    auto r = read_varint(enc);
    ASSERT_TRUE(IsOk(r)) << v;
    ASSERT_EQ(r->value, v);
    ASSERT_EQ(r->size, enc.size());
  }
}

}  // namespace
}  // namespace mpsec::codec
