// FixedRandom and SeededRandom: the deterministic Random sources for tests and simulations.
#include "crypto/test_random.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/hash.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

Bytes draw(Random& r, std::size_t n) {
  Bytes out(n, 0);
  EXPECT_TRUE(IsOk(r.fill(out)));
  return out;
}

TEST(FixedRandom, ReturnsTheBytesInOrder) {
  FixedRandom r(hex("0102030405060708"));
  EXPECT_EQ(r.remaining(), 8u);
  EXPECT_EQ(to_hex(draw(r, 3)), "010203");
  EXPECT_EQ(r.remaining(), 5u);
  EXPECT_EQ(to_hex(draw(r, 5)), "0405060708");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(FixedRandom, Exhaustion_FailsWithRandomFailure) {
  FixedRandom r(hex("aabbcc"));
  Bytes four(4, 0xee);
  EXPECT_TRUE(FailsWith(r.fill(four), Errc::random_failure));
  // A refused request consumes nothing, so the bytes are still there in order.
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_EQ(to_hex(draw(r, 3)), "aabbcc");
  Bytes one(1);
  EXPECT_TRUE(FailsWith(r.fill(one), Errc::random_failure));
}

TEST(FixedRandom, EmptyFill_SucceedsEvenWhenExhausted) {
  FixedRandom r(Bytes{});
  Bytes empty;
  EXPECT_TRUE(IsOk(r.fill(empty)));
  Bytes one(1);
  EXPECT_TRUE(FailsWith(r.fill(one), Errc::random_failure));
}

TEST(SeededRandom, SameSeed_SameStream) {
  SeededRandom a(std::uint64_t{1234});
  SeededRandom b(std::uint64_t{1234});
  EXPECT_EQ(draw(a, 100), draw(b, 100));
  EXPECT_EQ(draw(a, 7), draw(b, 7));
}

TEST(SeededRandom, DifferentSeeds_DifferentStreams) {
  SeededRandom a(std::uint64_t{1});
  SeededRandom b(std::uint64_t{2});
  EXPECT_NE(draw(a, 32), draw(b, 32));
  SeededRandom c(as_bytes("seed one"));
  SeededRandom d(as_bytes("seed two"));
  EXPECT_NE(draw(c, 32), draw(d, 32));
}

TEST(SeededRandom, StreamDoesNotDependOnHowItIsDrawn) {
  SeededRandom whole(std::uint64_t{42});
  const Bytes all = draw(whole, 100);
  SeededRandom pieces(std::uint64_t{42});
  Bytes joined;
  for (std::size_t n : {1, 31, 1, 32, 0, 35})
    append(joined, draw(pieces, n));
  EXPECT_EQ(joined, all);
}

TEST(SeededRandom, ConsecutiveDrawsDiffer) {
  SeededRandom r(std::uint64_t{5});
  EXPECT_NE(draw(r, 32), draw(r, 32));
}

TEST(SeededRandom, IntegerSeedIsItsBigEndianBytes) {
  SeededRandom from_int(std::uint64_t{0x0102030405060708});
  SeededRandom from_bytes(hex("0102030405060708"));
  EXPECT_EQ(draw(from_int, 80), draw(from_bytes, 80));
}

TEST(SeededRandom, BlocksAreHmacSha256OfTheCounter) {
  // Documented construction: block i = HMAC-SHA256(seed, uint64(i)).
  const Bytes seed = to_bytes(as_bytes("documented"));
  SeededRandom r(seed);
  const Bytes stream = draw(r, 64);
  auto b0 = hmac(HashAlg::sha256, seed, hex("0000000000000000"));
  auto b1 = hmac(HashAlg::sha256, seed, hex("0000000000000001"));
  ASSERT_TRUE(IsOk(b0));
  ASSERT_TRUE(IsOk(b1));
  Bytes expected = *b0;
  append(expected, *b1);
  EXPECT_EQ(stream, expected);
}

TEST(SeededRandom, LargeFill_Works) {
  SeededRandom r(std::uint64_t{9});
  const Bytes big = draw(r, 100000);
  EXPECT_EQ(big.size(), 100000u);
  EXPECT_FALSE(testutil::all_zero(ByteView(big).subspan(99968)));
}

}  // namespace
}  // namespace mpsec::crypto
