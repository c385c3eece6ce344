// Writer: fixed integers, opaques, nested vectors and sticky errors.
#include "codec/writer.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "codec/reader.hpp"

namespace mpsec::codec {
namespace {

using testutil::FailsWith;
using testutil::IsOk;

Bytes finish(Writer&& w) {
  auto r = std::move(w).finish();
  EXPECT_TRUE(IsOk(r));
  return r ? *std::move(r) : Bytes{};
}

TEST(Writer, Integers_AreBigEndian) {
  Writer w;
  w.u8(0x01);
  w.u16(0x0203);
  w.u32(0x04050607);
  w.u64(0x08090a0b0c0d0e0f);
  EXPECT_EQ(w.size(), 15u);
  EXPECT_EQ(to_hex(finish(std::move(w))), "0102030405060708090a0b0c0d0e0f");
}

TEST(Writer, RawAndOpaque) {
  Writer w;
  w.raw(Bytes{0xaa, 0xbb});
  w.opaque(Bytes{0x01, 0x02, 0x03});
  w.opaque(Bytes{});
  EXPECT_EQ(to_hex(finish(std::move(w))),
            "aabb"
            "03010203"
            "00");
}

TEST(Writer, OpaqueLengthPrefix_UsesMinimalVarint) {
  for (std::size_t n : {std::size_t{63}, std::size_t{64}, std::size_t{16383}, std::size_t{16384}}) {
    Writer w;
    w.opaque(Bytes(n, 0x5a));
    const Bytes out = finish(std::move(w));
    const std::size_t prefix = n < 64 ? 1 : (n < 16384 ? 2 : 4);
    ASSERT_EQ(out.size(), n + prefix) << n;
    Reader r(out);
    auto back = r.opaque();
    ASSERT_TRUE(IsOk(back)) << n;
    EXPECT_EQ(back->size(), n);
    EXPECT_TRUE(IsOk(r.finish()));
  }
}

TEST(Writer, EmptyVector_IsSingleZeroByte) {
  Writer w;
  w.vector([](Writer&) {});
  EXPECT_EQ(to_hex(finish(std::move(w))), "00");
}

TEST(Writer, NestedVectors_PrefixEachLevel) {
  Writer w;
  w.u8(0xee);
  w.vector([](Writer& outer) {
    outer.u16(0x0102);
    outer.vector([](Writer& inner) { inner.u8(0x03); });
    outer.vector([](Writer& inner) {
      inner.vector([](Writer& innermost) { innermost.raw(Bytes{0x04, 0x05}); });
    });
  });
  w.u8(0xff);
  // outer content: 0102 | 01 03 | 03 (02 0405)  -> 8 bytes
  EXPECT_EQ(to_hex(finish(std::move(w))),
            "ee"
            "08"
            "0102"
            "0103"
            "03"
            "020405"
            "ff");
}

TEST(Writer, VectorContentOf64Bytes_GetsTwoBytePrefix) {
  Writer w;
  w.vector([](Writer& inner) {
    for (int i = 0; i < 64; ++i)
      inner.u8(static_cast<std::uint8_t>(i));
  });
  w.u8(0x99);
  const Bytes out = finish(std::move(w));
  ASSERT_EQ(out.size(), 2u + 64u + 1u);
  EXPECT_EQ(out[0], 0x40);
  EXPECT_EQ(out[1], 0x40);
  EXPECT_EQ(out[2], 0x00);
  EXPECT_EQ(out[65], 63);
  EXPECT_EQ(out[66], 0x99);
}

TEST(Writer, VectorContentOf16384Bytes_GetsFourBytePrefix) {
  Writer w;
  w.vector([](Writer& inner) { inner.raw(Bytes(16384, 0x11)); });
  const Bytes out = finish(std::move(w));
  ASSERT_EQ(out.size(), 4u + 16384u);
  EXPECT_EQ(to_hex(ByteView(out).first(4)), "80004000");
}

TEST(Writer, VarintAboveLimit_IsStickyError) {
  Writer w;
  w.u8(1);
  w.varint(std::uint64_t{1} << 30);
  EXPECT_TRUE(FailsWith(w.status(), Errc::limit_exceeded));
  w.u8(2);  // later writes do not clear the error
  EXPECT_TRUE(FailsWith(w.status(), Errc::limit_exceeded));
  EXPECT_TRUE(FailsWith(std::move(w).finish(), Errc::limit_exceeded));
}

TEST(Writer, FirstErrorWins) {
  Writer w;
  w.set_error(Error{Errc::invalid_argument, "first"});
  w.set_error(Error{Errc::internal, "second"});
  w.varint(UINT64_MAX);
  auto s = w.status();
  ASSERT_TRUE(FailsWith(s, Errc::invalid_argument));
  EXPECT_EQ(s.error().message, "first");
  auto f = std::move(w).finish();
  ASSERT_TRUE(FailsWith(f, Errc::invalid_argument));
  EXPECT_EQ(f.error().message, "first");
}

TEST(Writer, NoError_StatusOk) {
  Writer w;
  w.varint(kMaxVarint);
  EXPECT_TRUE(IsOk(w.status()));
  EXPECT_EQ(to_hex(w.bytes()), "bfffffff");
}

TEST(Writer, OutputReadsBackWithReader) {
  Writer w;
  w.u16(0xbeef);
  w.opaque(Bytes{1, 2, 3});
  w.vector([](Writer& v) {
    v.u32(7);
    v.u32(8);
  });
  w.u64(42);
  const Bytes out = finish(std::move(w));
  Reader r(out);
  auto a = r.u16();
  auto b = r.opaque();
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_EQ(*a, 0xbeef);
  EXPECT_EQ(to_hex(*b), "010203");
  auto v = r.vector();
  ASSERT_TRUE(IsOk(v));
  auto x = v->u32();
  auto y = v->u32();
  ASSERT_TRUE(IsOk(x));
  ASSERT_TRUE(IsOk(y));
  EXPECT_EQ(*x, 7u);
  EXPECT_EQ(*y, 8u);
  EXPECT_TRUE(IsOk(v->finish()));
  auto z = r.u64();
  ASSERT_TRUE(IsOk(z));
  EXPECT_EQ(*z, 42u);
  EXPECT_TRUE(IsOk(r.finish()));
}

}  // namespace
}  // namespace mpsec::codec
