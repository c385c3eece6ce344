// AEAD: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 through AeadKey and the one-shot forms.
#include "crypto/aead.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/test_support.hpp"

namespace mpsec::crypto {
namespace {

using testutil::all_zero;
using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

constexpr AeadAlg kAllAeads[] = {AeadAlg::aes128gcm, AeadAlg::aes256gcm, AeadAlg::chacha20poly1305};

Bytes key_for(AeadAlg alg, std::uint8_t fill = 0x11) {
  Bytes k(aead_key_size(alg));
  for (std::size_t i = 0; i < k.size(); ++i)
    k[i] = static_cast<std::uint8_t>(fill + i);
  return k;
}

Bytes nonce_n(std::uint8_t n) {
  Bytes out(kAeadNonceSize, 0);
  out[kAeadNonceSize - 1] = n;
  return out;
}

class AeadAll : public ::testing::TestWithParam<AeadAlg> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, AeadAll, ::testing::ValuesIn(kAllAeads), [](const auto& p) {
  switch (p.param) {
    case AeadAlg::aes128gcm:
      return std::string("Aes128Gcm");
    case AeadAlg::aes256gcm:
      return std::string("Aes256Gcm");
    case AeadAlg::chacha20poly1305:
      return std::string("ChaCha20Poly1305");
  }
  return std::string("Unknown");
});

TEST(AeadInfo, SizesAndNames) {
  EXPECT_EQ(aead_key_size(AeadAlg::aes128gcm), 16u);
  EXPECT_EQ(aead_key_size(AeadAlg::aes256gcm), 32u);
  EXPECT_EQ(aead_key_size(AeadAlg::chacha20poly1305), 32u);
  EXPECT_EQ(aead_name(AeadAlg::aes128gcm), "AES-128-GCM");
  EXPECT_EQ(aead_name(AeadAlg::chacha20poly1305), "ChaCha20-Poly1305");
  EXPECT_EQ(static_cast<std::uint16_t>(AeadAlg::chacha20poly1305), 0x0003);
}

// Known answers: Wycheproof aes_gcm_test tcId 2 and 100, chacha20_poly1305_test tcId 1
// (the RFC 8439 §2.8.2 example).
struct AeadKat {
  AeadAlg alg;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* pt;
  const char* ct_and_tag;
};

constexpr AeadKat kKats[] = {
    {AeadAlg::aes128gcm, "5b9604fe14eadba931b0ccf34843dab9", "921d2507fa8007b7bd067d34",
     "00112233445566778899aabbccddeeff", "001d0c231287c1182784554ca3a21908",
     "49d8b9783e911913d87094d1f63cc765"
     "1e348ba07cca2cf04c618cb4d43a5b92"},
    {AeadAlg::aes256gcm, "b279f57e19c8f53f2f963f5f2519fdb7c1779be2ca2b3ae8e1128b7d6c627fc4",
     "98bc2c7438d5cd7665d76f6e", "c0", "fcc515b294408c8645c9183e3f4ecee5127846d1",
     "eb5500e3825952866d911253f8de860c00831c81"
     "ecb660e1fb0541ec41e8d68a64141b3a"},
    {AeadAlg::chacha20poly1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20496620"
     "4920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572"
     "652c2073756e73637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da"
     "92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad67594558580"
     "8b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
     "1ae10b594f09e26a7e902ecbd0600691"},
};

TEST(AeadKnownAnswers, SealAndOpenMatchPublishedVectors) {
  for (const auto& k : kKats) {
    SCOPED_TRACE(aead_name(k.alg));
    auto ct = aead_seal(k.alg, hex(k.key), hex(k.nonce), hex(k.aad), hex(k.pt));
    ASSERT_TRUE(IsOk(ct));
    EXPECT_EQ(to_hex(*ct), k.ct_and_tag);
    auto pt = aead_open(k.alg, hex(k.key), hex(k.nonce), hex(k.aad), hex(k.ct_and_tag));
    ASSERT_TRUE(IsOk(pt));
    EXPECT_EQ(to_hex(*pt), k.pt);
  }
}

TEST_P(AeadAll, RoundTrip_VariousLengths) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  EXPECT_EQ(key->alg(), GetParam());
  std::uint8_t n = 0;
  for (std::size_t len : {0, 1, 15, 16, 17, 63, 64, 1000, 65537}) {
    Bytes pt(len);
    for (std::size_t i = 0; i < len; ++i)
      pt[i] = static_cast<std::uint8_t>(i * 7);
    const Bytes nonce = nonce_n(n++);
    auto ct = key->seal(nonce, as_bytes("header"), pt);
    ASSERT_TRUE(IsOk(ct)) << len;
    ASSERT_EQ(ct->size(), len + kAeadTagSize);
    if (len >= 16) {
      EXPECT_NE(Bytes(ct->begin(), ct->begin() + 16), Bytes(pt.begin(), pt.begin() + 16));
    }
    auto back = key->open(nonce, as_bytes("header"), *ct);
    ASSERT_TRUE(IsOk(back)) << len;
    EXPECT_EQ(*back, pt);
  }
}

TEST_P(AeadAll, OpenSecret_ReturnsPlaintextInSecretBytes) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  auto ct = key->seal(nonce_n(1), {}, as_bytes("secret stuff"));
  ASSERT_TRUE(IsOk(ct));
  auto pt = key->open_secret(nonce_n(1), {}, *ct);
  ASSERT_TRUE(IsOk(pt));
  EXPECT_TRUE(equal(pt->view(), as_bytes("secret stuff")));
}

TEST_P(AeadAll, SealIsDeterministicForKeyNonceAadPlaintext) {
  auto k1 = AeadKey::create(GetParam(), key_for(GetParam()));
  auto k2 = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(k1));
  ASSERT_TRUE(IsOk(k2));
  auto a = k1->seal(nonce_n(9), as_bytes("aad"), as_bytes("message"));
  auto b = k2->seal(nonce_n(9), as_bytes("aad"), as_bytes("message"));
  auto c = k1->seal(nonce_n(10), as_bytes("aad"), as_bytes("message"));
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

TEST_P(AeadAll, InPlaceSealAndOpen_MatchOutOfPlace) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  const Bytes pt = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021");
  auto reference = key->seal(nonce_n(3), as_bytes("aad"), pt);
  ASSERT_TRUE(IsOk(reference));

  Bytes buf = pt;
  buf.resize(pt.size() + kAeadTagSize);
  MutableByteView all(buf);
  ASSERT_TRUE(IsOk(key->seal(nonce_n(3), as_bytes("aad"), all.first(pt.size()), all)));
  EXPECT_EQ(buf, *reference);

  ASSERT_TRUE(IsOk(key->open(nonce_n(3), as_bytes("aad"), all, all.first(pt.size()))));
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pt.size())), pt);
}

TEST_P(AeadAll, WrongKeySize_IsInvalidKey) {
  const std::size_t right = aead_key_size(GetParam());
  for (std::size_t n : {std::size_t{0}, right - 1, right + 1, std::size_t{24}}) {
    EXPECT_TRUE(FailsWith(AeadKey::create(GetParam(), Bytes(n, 1)), Errc::invalid_key)) << n;
    EXPECT_TRUE(
        FailsWith(aead_seal(GetParam(), Bytes(n, 1), nonce_n(0), {}, {}), Errc::invalid_key));
  }
}

TEST(AeadKeyCreate, UnknownAlgorithm_IsUnsupported) {
  EXPECT_TRUE(FailsWith(AeadKey::create(static_cast<AeadAlg>(0), Bytes(16, 0)), Errc::unsupported));
  EXPECT_TRUE(FailsWith(AeadKey::create(static_cast<AeadAlg>(4), Bytes(32, 0)), Errc::unsupported));
  EXPECT_TRUE(
      FailsWith(AeadKey::create(static_cast<AeadAlg>(0xffff), Bytes(32, 0)), Errc::unsupported));
}

TEST_P(AeadAll, WrongNonceSize_IsInvalidArgument) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  auto ct = key->seal(nonce_n(0), {}, as_bytes("x"));
  ASSERT_TRUE(IsOk(ct));
  for (std::size_t n : {0, 8, 11, 13, 16, 24}) {
    const Bytes nonce(n, 0);
    EXPECT_TRUE(FailsWith(key->seal(nonce, {}, as_bytes("x")), Errc::invalid_argument)) << n;
    EXPECT_TRUE(FailsWith(key->open(nonce, {}, *ct), Errc::invalid_argument)) << n;
  }
}

TEST_P(AeadAll, WrongOutputBufferSize_IsInvalidArgument) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  const Bytes pt(10, 0x33);
  Bytes small(pt.size() + kAeadTagSize - 1);
  Bytes big(pt.size() + kAeadTagSize + 1);
  EXPECT_TRUE(FailsWith(key->seal(nonce_n(0), {}, pt, small), Errc::invalid_argument));
  EXPECT_TRUE(FailsWith(key->seal(nonce_n(0), {}, pt, big), Errc::invalid_argument));
  auto ct = key->seal(nonce_n(0), {}, pt);
  ASSERT_TRUE(IsOk(ct));
  Bytes out_small(pt.size() - 1);
  EXPECT_TRUE(FailsWith(key->open(nonce_n(0), {}, *ct, out_small), Errc::invalid_argument));
}

// The tamper tests open into a caller buffer pre-filled with a marker, so they can see that
// nothing of the unauthenticated plaintext is released on failure.
struct Tampered {
  Status status;
  Bytes out;
};

Tampered open_into_marked(const AeadKey& key, ByteView nonce, ByteView aad, ByteView ct) {
  Bytes out(ct.size() - kAeadTagSize, 0xa5);
  Status s = key.open(nonce, aad, ct, out);
  return {std::move(s), std::move(out)};
}

TEST_P(AeadAll, AeadOpen_FlippedCiphertextBit_FailsAndZeroesOutput) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  const Bytes pt(48, 0x42);
  auto ct = key->seal(nonce_n(1), as_bytes("aad"), pt);
  ASSERT_TRUE(IsOk(ct));
  for (std::size_t i : {std::size_t{0}, std::size_t{17}, pt.size() - 1}) {
    Bytes bad = *ct;
    bad[i] ^= 0x01;
    auto t = open_into_marked(*key, nonce_n(1), as_bytes("aad"), bad);
    EXPECT_TRUE(FailsWith(t.status, Errc::authentication_failed)) << i;
    EXPECT_TRUE(all_zero(t.out)) << i;
  }
}

TEST_P(AeadAll, AeadOpen_FlippedTagBit_FailsAndZeroesOutput) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  const Bytes pt(20, 0x42);
  auto ct = key->seal(nonce_n(1), as_bytes("aad"), pt);
  ASSERT_TRUE(IsOk(ct));
  for (std::size_t i = pt.size(); i < ct->size(); ++i) {
    Bytes bad = *ct;
    bad[i] ^= 0x80;
    auto t = open_into_marked(*key, nonce_n(1), as_bytes("aad"), bad);
    EXPECT_TRUE(FailsWith(t.status, Errc::authentication_failed)) << i;
    EXPECT_TRUE(all_zero(t.out)) << i;
  }
}

TEST_P(AeadAll, AeadOpen_FlippedAadBit_FailsAndZeroesOutput) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  auto ct = key->seal(nonce_n(1), as_bytes("associated"), Bytes(32, 0x42));
  ASSERT_TRUE(IsOk(ct));
  Bytes aad = to_bytes(as_bytes("associated"));
  aad[3] ^= 0x04;
  auto t = open_into_marked(*key, nonce_n(1), aad, *ct);
  EXPECT_TRUE(FailsWith(t.status, Errc::authentication_failed));
  EXPECT_TRUE(all_zero(t.out));
  // Dropping the AAD altogether fails too.
  auto t2 = open_into_marked(*key, nonce_n(1), {}, *ct);
  EXPECT_TRUE(FailsWith(t2.status, Errc::authentication_failed));
  EXPECT_TRUE(all_zero(t2.out));
}

TEST_P(AeadAll, AeadOpen_WrongNonceOrKey_Fails) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  auto other = AeadKey::create(GetParam(), key_for(GetParam(), 0x12));
  ASSERT_TRUE(IsOk(key));
  ASSERT_TRUE(IsOk(other));
  auto ct = key->seal(nonce_n(1), {}, as_bytes("hello"));
  ASSERT_TRUE(IsOk(ct));
  EXPECT_TRUE(FailsWith(key->open(nonce_n(2), {}, *ct), Errc::authentication_failed));
  EXPECT_TRUE(FailsWith(other->open(nonce_n(1), {}, *ct), Errc::authentication_failed));
}

TEST_P(AeadAll, AeadOpen_TruncatedBelowTagSize_Fails) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  auto ct = key->seal(nonce_n(1), {}, Bytes{});
  ASSERT_TRUE(IsOk(ct));
  ASSERT_EQ(ct->size(), kAeadTagSize);
  EXPECT_TRUE(IsOk(key->open(nonce_n(1), {}, *ct)));
  for (std::size_t n = 0; n < kAeadTagSize; ++n) {
    ByteView shorter = ByteView(*ct).first(n);
    EXPECT_TRUE(FailsWith(key->open(nonce_n(1), {}, shorter), Errc::authentication_failed)) << n;
    EXPECT_TRUE(FailsWith(key->open_secret(nonce_n(1), {}, shorter), Errc::authentication_failed));
    Bytes empty_out;
    EXPECT_TRUE(
        FailsWith(key->open(nonce_n(1), {}, shorter, empty_out), Errc::authentication_failed));
  }
}

TEST_P(AeadAll, AeadOpen_TruncatedCiphertext_Fails) {
  auto key = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(key));
  auto ct = key->seal(nonce_n(1), {}, Bytes(40, 1));
  ASSERT_TRUE(IsOk(ct));
  EXPECT_TRUE(FailsWith(key->open(nonce_n(1), {}, ByteView(*ct).first(ct->size() - 1)),
                        Errc::authentication_failed));
}

TEST_P(AeadAll, OneKeyManyMessages_InterleavedSealOpenAndFailures) {
  auto sender = AeadKey::create(GetParam(), key_for(GetParam()));
  auto receiver = AeadKey::create(GetParam(), key_for(GetParam()));
  ASSERT_TRUE(IsOk(sender));
  ASSERT_TRUE(IsOk(receiver));
  std::vector<Bytes> cts;
  for (int i = 0; i < 200; ++i) {
    const Bytes pt(static_cast<std::size_t>(i), static_cast<std::uint8_t>(i));
    auto ct = sender->seal(nonce_n(static_cast<std::uint8_t>(i)), as_bytes("aad"), pt);
    ASSERT_TRUE(IsOk(ct)) << i;
    // The sender's own key opens too: the context switches direction cleanly.
    auto self = sender->open(nonce_n(static_cast<std::uint8_t>(i)), as_bytes("aad"), *ct);
    ASSERT_TRUE(IsOk(self)) << i;
    EXPECT_EQ(*self, pt);
    cts.push_back(*ct);
  }
  for (int i = 199; i >= 0; --i) {
    // A failed open in between must not disturb the next one.
    Bytes bad = cts[static_cast<std::size_t>(i)];
    bad.back() ^= 1;
    EXPECT_TRUE(
        FailsWith(receiver->open(nonce_n(static_cast<std::uint8_t>(i)), as_bytes("aad"), bad),
                  Errc::authentication_failed));
    auto pt = receiver->open(nonce_n(static_cast<std::uint8_t>(i)), as_bytes("aad"),
                             cts[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(IsOk(pt)) << i;
    EXPECT_EQ(*pt, Bytes(static_cast<std::size_t>(i), static_cast<std::uint8_t>(i)));
  }
}

TEST_P(AeadAll, OneShotFormsInteroperateWithAeadKey) {
  const Bytes k = key_for(GetParam());
  auto ct = aead_seal(GetParam(), k, nonce_n(5), as_bytes("a"), as_bytes("b"));
  ASSERT_TRUE(IsOk(ct));
  auto key = AeadKey::create(GetParam(), k);
  ASSERT_TRUE(IsOk(key));
  auto pt = key->open(nonce_n(5), as_bytes("a"), *ct);
  ASSERT_TRUE(IsOk(pt));
  EXPECT_EQ(*pt, to_bytes(as_bytes("b")));
  Bytes bad = *ct;
  bad[0] ^= 1;
  EXPECT_TRUE(FailsWith(aead_open(GetParam(), k, nonce_n(5), as_bytes("a"), bad),
                        Errc::authentication_failed));
}

TEST(AeadCrossAlgorithm, CiphertextOfOneAlgorithmDoesNotOpenUnderAnother) {
  const Bytes k(32, 0x44);
  auto ct = aead_seal(AeadAlg::aes256gcm, k, nonce_n(1), {}, as_bytes("msg"));
  ASSERT_TRUE(IsOk(ct));
  EXPECT_TRUE(FailsWith(aead_open(AeadAlg::chacha20poly1305, k, nonce_n(1), {}, *ct),
                        Errc::authentication_failed));
}

}  // namespace
}  // namespace mpsec::crypto
