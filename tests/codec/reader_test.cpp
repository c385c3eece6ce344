// Reader: strict decoding of fixed integers, fixed opaques and varint-prefixed vectors.
#include "codec/reader.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec::codec {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

TEST(Reader, Integers_AreBigEndian) {
  const Bytes in =
      hex("01"
          "0203"
          "04050607"
          "08090a0b0c0d0e0f");
  Reader r(in);
  auto a = r.u8();
  auto b = r.u16();
  auto c = r.u32();
  auto d = r.u64();
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  ASSERT_TRUE(IsOk(d));
  EXPECT_EQ(*a, 0x01);
  EXPECT_EQ(*b, 0x0203);
  EXPECT_EQ(*c, 0x04050607u);
  EXPECT_EQ(*d, 0x08090a0b0c0d0e0full);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(IsOk(r.finish()));
}

TEST(Reader, TruncatedInteger_FailsWithoutConsuming) {
  const Bytes in = hex("010203");
  Reader r(in);
  EXPECT_TRUE(FailsWith(r.u32(), Errc::decode_error));
  EXPECT_EQ(r.position(), 0u);
  EXPECT_TRUE(FailsWith(r.u64(), Errc::decode_error));
  auto s = r.u16();
  ASSERT_TRUE(IsOk(s));
  EXPECT_EQ(*s, 0x0102);
  EXPECT_TRUE(FailsWith(r.u16(), Errc::decode_error));
  EXPECT_EQ(r.position(), 2u);
  EXPECT_TRUE(IsOk(r.u8()));
  EXPECT_TRUE(FailsWith(r.u8(), Errc::decode_error));
}

TEST(Reader, EmptyInput) {
  Reader r(ByteView{});
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(IsOk(r.finish()));
  EXPECT_TRUE(FailsWith(r.u8(), Errc::decode_error));
  EXPECT_TRUE(FailsWith(r.varint(), Errc::decode_error));
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::decode_error));
  auto zero = r.raw(0);
  ASSERT_TRUE(IsOk(zero));
  EXPECT_TRUE(zero->empty());
}

TEST(Reader, Raw_ReturnsExactBytesOrFails) {
  const Bytes in = hex("aabbccdd");
  Reader r(in);
  auto first = r.raw(3);
  ASSERT_TRUE(IsOk(first));
  EXPECT_EQ(to_hex(*first), "aabbcc");
  EXPECT_TRUE(FailsWith(r.raw(2), Errc::decode_error));
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(Reader, Opaque_ReadsLengthPrefixedBytes) {
  const Bytes in =
      hex("03616263"
          "00"
          "4040" +
          std::string(128, 'e'));
  Reader r(in);
  auto abc = r.opaque();
  ASSERT_TRUE(IsOk(abc));
  EXPECT_EQ(to_hex(*abc), "616263");
  auto empty = r.opaque();
  ASSERT_TRUE(IsOk(empty));
  EXPECT_TRUE(empty->empty());
  auto long_one = r.opaque();
  ASSERT_TRUE(IsOk(long_one));
  EXPECT_EQ(long_one->size(), 64u);
  EXPECT_TRUE(IsOk(r.finish()));
}

TEST(Reader, OpaqueLengthBeyondRemaining_DecodeErrorAndNothingConsumed) {
  const Bytes in = hex("05aabbccdd");  // claims 5, holds 4
  Reader r(in);
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::decode_error));
  EXPECT_EQ(r.position(), 0u);
}

TEST(Reader, OpaqueHugeLengthWithLargeBound_IsDecodeErrorNotOverRead) {
  const Bytes in = hex("bfffffff00");  // claims 2^30 - 1 bytes
  Reader r(in, std::size_t{1} << 31);
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::decode_error));
  EXPECT_EQ(r.position(), 0u);
}

TEST(Reader, OpaqueLengthBeyondMaxVector_LimitExceeded) {
  const Bytes in = hex("05aabbccddee");  // five bytes are present
  Reader r(in, 4);
  EXPECT_EQ(r.max_vector(), 4u);
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::limit_exceeded));
  EXPECT_EQ(r.position(), 0u);
}

TEST(Reader, OpaqueLengthBeyondMaxVectorAndRemaining_LimitExceeded) {
  const Bytes in = hex("4100");  // claims 256, has 0
  Reader r(in, 16);
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::limit_exceeded));
}

TEST(Reader, OpaqueExactlyAtMaxVector_Accepted) {
  const Bytes in = hex("04aabbccdd");
  Reader r(in, 4);
  auto v = r.opaque();
  ASSERT_TRUE(IsOk(v));
  EXPECT_EQ(v->size(), 4u);
}

TEST(Reader, OpaqueWithNonMinimalLength_Rejected) {
  const Bytes in = hex("4003616263");
  Reader r(in);
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::decode_error));
}

TEST(Reader, OpaqueWithReservedPrefix_Rejected) {
  const Bytes in = hex("c000000000000001ff");
  Reader r(in);
  EXPECT_TRUE(FailsWith(r.opaque(), Errc::decode_error));
}

TEST(Reader, Varint_AdvancesBySize) {
  const Bytes in =
      hex("25"
          "7bbd"
          "9d7f3e7d");
  Reader r(in);
  auto a = r.varint();
  auto b = r.varint();
  auto c = r.varint();
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_EQ(*a, 37u);
  EXPECT_EQ(*b, 15293u);
  EXPECT_EQ(*c, 494878333u);
  EXPECT_TRUE(r.empty());
}

TEST(Reader, Vector_IsBoundedToItsContent) {
  const Bytes in =
      hex("03"
          "0102"
          "03"
          "ff");
  Reader r(in, 100);
  auto inner = r.vector();
  ASSERT_TRUE(IsOk(inner));
  EXPECT_EQ(inner->remaining(), 3u);
  EXPECT_EQ(inner->max_vector(), 100u);
  auto a = inner->u16();
  ASSERT_TRUE(IsOk(a));
  EXPECT_EQ(*a, 0x0102);
  // A 2-byte read cannot run over the end of the vector into the outer bytes.
  EXPECT_TRUE(FailsWith(inner->u16(), Errc::decode_error));
  // The outer reader already moved past the whole vector.
  EXPECT_EQ(r.remaining(), 1u);
  auto tail = r.u8();
  ASSERT_TRUE(IsOk(tail));
  EXPECT_EQ(*tail, 0xff);
}

TEST(Reader, VectorInheritsMaxVector) {
  const Bytes in =
      hex("06"
          "05aabbccddee");
  for (std::size_t bound : {std::size_t{6}, std::size_t{7}, kDefaultMaxVector}) {
    Reader r(in, bound);
    auto inner = r.vector();
    ASSERT_TRUE(IsOk(inner));
    EXPECT_EQ(inner->max_vector(), bound);
  }
  Reader tight(in, 5);
  EXPECT_TRUE(FailsWith(tight.vector(), Errc::limit_exceeded));
}

TEST(Reader, DefaultMaxVector_Is16MiB) {
  Reader r(ByteView{});
  EXPECT_EQ(r.max_vector(), std::size_t{1} << 24);
}

TEST(Reader, Finish_WithTrailingBytes_IsTrailingData) {
  const Bytes in = hex("0102");
  Reader r(in);
  ASSERT_TRUE(IsOk(r.u8()));
  EXPECT_TRUE(FailsWith(r.finish(), Errc::trailing_data));
  ASSERT_TRUE(IsOk(r.u8()));
  EXPECT_TRUE(IsOk(r.finish()));
}

TEST(Reader, ConsumedSince_ReturnsTheBytesReadInBetween) {
  const Bytes in =
      hex("aa"
          "02bbcc"
          "dd");
  Reader r(in);
  ASSERT_TRUE(IsOk(r.u8()));
  const std::size_t start = r.position();
  ASSERT_TRUE(IsOk(r.opaque()));
  EXPECT_EQ(to_hex(r.consumed_since(start)), "02bbcc");
  EXPECT_EQ(to_hex(r.consumed_since(0)), "aa02bbcc");
}

}  // namespace
}  // namespace mpsec::codec
