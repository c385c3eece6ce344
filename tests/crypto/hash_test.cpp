// SHA-2 digests (FIPS 180-4), HMAC (RFC 4231) and HKDF (RFC 5869).
#include "crypto/hash.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

constexpr HashAlg kAllHashes[] = {HashAlg::sha256, HashAlg::sha384, HashAlg::sha512};

std::string digest_hex(HashAlg alg, ByteView data) {
  auto d = digest(alg, data);
  EXPECT_TRUE(IsOk(d));
  return d ? to_hex(*d) : std::string();
}

TEST(HashSizes, MatchTheAlgorithms) {
  EXPECT_EQ(hash_size(HashAlg::sha256), 32u);
  EXPECT_EQ(hash_size(HashAlg::sha384), 48u);
  EXPECT_EQ(hash_size(HashAlg::sha512), 64u);
  EXPECT_LE(hash_size(HashAlg::sha512), kMaxHashSize);
  for (HashAlg alg : kAllHashes)
    EXPECT_NE(evp_md(alg), nullptr);
}

// FIPS 180-2 Appendix B/C/D: the message "abc".
TEST(Digest, Abc_KnownAnswers) {
  EXPECT_EQ(digest_hex(HashAlg::sha256, as_bytes("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest_hex(HashAlg::sha384, as_bytes("abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(digest_hex(HashAlg::sha512, as_bytes("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Digest, EmptyMessage_KnownAnswer) {
  EXPECT_EQ(digest_hex(HashAlg::sha256, {}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Hasher, IncrementalEqualsOneShot) {
  const Bytes msg(1000, 0x61);
  for (HashAlg alg : kAllHashes) {
    auto h = Hasher::create(alg);
    ASSERT_TRUE(IsOk(h));
    ASSERT_TRUE(IsOk(h->update(ByteView(msg).first(1))));
    ASSERT_TRUE(IsOk(h->update(ByteView(msg).subspan(1, 499))));
    ASSERT_TRUE(IsOk(h->update({})));
    ASSERT_TRUE(IsOk(h->update(ByteView(msg).subspan(500))));
    auto d = h->finish();
    ASSERT_TRUE(IsOk(d));
    EXPECT_EQ(to_hex(*d), digest_hex(alg, msg));
  }
}

TEST(Hasher, UseAfterFinish_IsInvalidState) {
  auto h = Hasher::create(HashAlg::sha256);
  ASSERT_TRUE(IsOk(h));
  ASSERT_TRUE(IsOk(h->update(as_bytes("abc"))));
  auto d = h->finish();
  ASSERT_TRUE(IsOk(d));
  EXPECT_EQ(to_hex(*d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(FailsWith(h->update(as_bytes("x")), Errc::invalid_state));
  EXPECT_TRUE(FailsWith(h->finish(), Errc::invalid_state));
}

// RFC 4231 test cases 1 and 2.
struct HmacCase {
  HashAlg alg;
  const char* case1;
  const char* case2;
};

constexpr HmacCase kRfc4231[] = {
    {HashAlg::sha256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {HashAlg::sha384,
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
     "faea9ea9076ede7f4af152e8b2fa9cb6",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
     "8e2240ca5e69e2c78b3239ecfab21649"},
    {HashAlg::sha512,
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
};

TEST(Hmac, Rfc4231Case1) {
  const Bytes key(20, 0x0b);
  for (const auto& c : kRfc4231) {
    auto tag = hmac(c.alg, key, as_bytes("Hi There"));
    ASSERT_TRUE(IsOk(tag));
    EXPECT_EQ(to_hex(*tag), c.case1) << hash_name(c.alg);
    auto secret = hmac_secret(c.alg, key, as_bytes("Hi There"));
    ASSERT_TRUE(IsOk(secret));
    EXPECT_EQ(to_hex(secret->view()), c.case1);
  }
}

TEST(Hmac, Rfc4231Case2) {
  for (const auto& c : kRfc4231) {
    auto tag = hmac(c.alg, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
    ASSERT_TRUE(IsOk(tag));
    EXPECT_EQ(to_hex(*tag), c.case2) << hash_name(c.alg);
  }
}

TEST(Hmac, EmptyKeyAndData_Work) {
  // HMAC-SHA256("", "") is a well-known value.
  auto tag = hmac(HashAlg::sha256, {}, {});
  ASSERT_TRUE(IsOk(tag));
  EXPECT_EQ(to_hex(*tag), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacVerify, CorrectTag_Verifies) {
  const Bytes key(20, 0x0b);
  const Bytes tag = hex(kRfc4231[0].case1);
  EXPECT_TRUE(IsOk(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), tag)));
}

TEST(HmacVerify, TruncatedTagWithoutDeclaredLength_Fails) {
  // By default the full tag is required: a sender cannot pick a shorter tag itself.
  const Bytes key(20, 0x0b);
  const Bytes tag = hex(kRfc4231[0].case1);
  EXPECT_TRUE(
      FailsWith(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), ByteView(tag).first(16)),
                Errc::authentication_failed));
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), {}),
                        Errc::authentication_failed));
}

TEST(HmacVerify, DeclaredTruncation_VerifiesOnlyThatLength) {
  const Bytes key(20, 0x0b);
  const Bytes tag = hex(kRfc4231[0].case1);
  EXPECT_TRUE(
      IsOk(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), ByteView(tag).first(16), 16)));
  EXPECT_TRUE(
      IsOk(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), ByteView(tag).first(20), 20)));
  // A tag of another length than the declared one is refused.
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), tag, 16),
                        Errc::authentication_failed));
  EXPECT_TRUE(FailsWith(
      hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), ByteView(tag).first(15), 16),
      Errc::authentication_failed));
  Bytes bad(tag.begin(), tag.begin() + 16);
  bad[15] ^= 0x01;
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), bad, 16),
                        Errc::authentication_failed));
}

TEST(HmacVerify, DeclaredLengthOutsideHalfToFull_IsInvalidArgument) {
  const Bytes key(20, 0x0b);
  const Bytes tag = hex(kRfc4231[0].case1);
  EXPECT_TRUE(FailsWith(
      hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), ByteView(tag).first(15), 15),
      Errc::invalid_argument));
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), tag, 33),
                        Errc::invalid_argument));
}

TEST(HmacVerify, FlippedBitInTag_Fails) {
  const Bytes key(20, 0x0b);
  for (std::size_t i : {std::size_t{0}, std::size_t{31}}) {
    Bytes tag = hex(kRfc4231[0].case1);
    tag[i] ^= 0x01;
    EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, key, as_bytes("Hi There"), tag),
                          Errc::authentication_failed));
  }
}

TEST(HmacVerify, WrongKeyOrData_Fails) {
  const Bytes tag = hex(kRfc4231[0].case1);
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, Bytes(20, 0x0c), as_bytes("Hi There"), tag),
                        Errc::authentication_failed));
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, Bytes(20, 0x0b), as_bytes("Hi there"), tag),
                        Errc::authentication_failed));
}

TEST(HmacVerify, TagLongerThanHash_Fails) {
  Bytes tag = hex(kRfc4231[0].case1);
  tag.push_back(0);
  EXPECT_TRUE(FailsWith(hmac_verify(HashAlg::sha256, Bytes(20, 0x0b), as_bytes("Hi There"), tag),
                        Errc::authentication_failed));
}

// RFC 5869 test case 1 (SHA-256, with salt and info).
TEST(Hkdf, Rfc5869Case1) {
  const Bytes ikm(22, 0x0b);
  const Bytes salt = hex("000102030405060708090a0b0c");
  const Bytes info = hex("f0f1f2f3f4f5f6f7f8f9");
  auto prk = hkdf_extract(HashAlg::sha256, salt, ikm);
  ASSERT_TRUE(IsOk(prk));
  EXPECT_EQ(to_hex(prk->view()),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  auto okm = hkdf_expand(HashAlg::sha256, prk->view(), info, 42);
  ASSERT_TRUE(IsOk(okm));
  EXPECT_EQ(to_hex(okm->view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 test case 3: an empty salt stands for HashLen zero bytes.
TEST(Hkdf, Rfc5869Case3_EmptySaltAndInfo) {
  const Bytes ikm(22, 0x0b);
  auto prk = hkdf_extract(HashAlg::sha256, {}, ikm);
  ASSERT_TRUE(IsOk(prk));
  EXPECT_EQ(to_hex(prk->view()),
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
  auto explicit_zeros = hkdf_extract(HashAlg::sha256, Bytes(32, 0), ikm);
  ASSERT_TRUE(IsOk(explicit_zeros));
  EXPECT_TRUE(*prk == *explicit_zeros);
  auto okm = hkdf_expand(HashAlg::sha256, prk->view(), {}, 42);
  ASSERT_TRUE(IsOk(okm));
  EXPECT_EQ(to_hex(okm->view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(Hkdf, ExpandAt255TimesNh_SucceedsAndAboveIsRejected) {
  const Bytes prk(64, 0x42);
  for (HashAlg alg : kAllHashes) {
    const std::size_t max = 255 * hash_size(alg);
    auto at_max = hkdf_expand(alg, prk, as_bytes("info"), max);
    ASSERT_TRUE(IsOk(at_max)) << hash_name(alg);
    EXPECT_EQ(at_max->size(), max);
    EXPECT_TRUE(FailsWith(hkdf_expand(alg, prk, as_bytes("info"), max + 1), Errc::invalid_argument))
        << hash_name(alg);
  }
}

TEST(Hkdf, ShorterOutputIsPrefixOfLonger) {
  const Bytes prk(32, 0x01);
  auto shorter = hkdf_expand(HashAlg::sha384, prk, as_bytes("ctx"), 50);
  auto longer = hkdf_expand(HashAlg::sha384, prk, as_bytes("ctx"), 200);
  ASSERT_TRUE(IsOk(shorter));
  ASSERT_TRUE(IsOk(longer));
  EXPECT_TRUE(equal(shorter->view(), longer->view().first(50)));
}

TEST(Hkdf, ZeroLength_IsEmpty) {
  auto out = hkdf_expand(HashAlg::sha256, Bytes(32, 1), {}, 0);
  ASSERT_TRUE(IsOk(out));
  EXPECT_TRUE(out->empty());
}

TEST(Hkdf, DifferentInfo_GivesDifferentOutput) {
  const Bytes prk(32, 0x07);
  auto a = hkdf_expand(HashAlg::sha256, prk, as_bytes("a"), 32);
  auto b = hkdf_expand(HashAlg::sha256, prk, as_bytes("b"), 32);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_FALSE(*a == *b);
}

}  // namespace
}  // namespace mpsec::crypto
