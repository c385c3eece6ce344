// The MLS cipher suites (RFC 9420 §17.1) and the labelled operations of RFC 9420 §5.
#include "crypto/cipher_suite.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

struct Expected {
  std::uint16_t code;
  KemId kem;
  AeadAlg aead;
  HashAlg hash;
  SigAlg sig;
  KdfId kdf;
  const char* name;
};

// RFC 9420 §17.1, "MLS Cipher Suites".
constexpr Expected kRfc9420Suites[] = {
    {1, KemId::x25519, AeadAlg::aes128gcm, HashAlg::sha256, SigAlg::ed25519, KdfId::hkdf_sha256,
     "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519"},
    {2, KemId::p256, AeadAlg::aes128gcm, HashAlg::sha256, SigAlg::ecdsa_secp256r1_sha256,
     KdfId::hkdf_sha256, "MLS_128_DHKEMP256_AES128GCM_SHA256_P256"},
    {3, KemId::x25519, AeadAlg::chacha20poly1305, HashAlg::sha256, SigAlg::ed25519,
     KdfId::hkdf_sha256, "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519"},
    {4, KemId::x448, AeadAlg::aes256gcm, HashAlg::sha512, SigAlg::ed448, KdfId::hkdf_sha512,
     "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448"},
    {5, KemId::p521, AeadAlg::aes256gcm, HashAlg::sha512, SigAlg::ecdsa_secp521r1_sha512,
     KdfId::hkdf_sha512, "MLS_256_DHKEMP521_AES256GCM_SHA512_P521"},
    {6, KemId::x448, AeadAlg::chacha20poly1305, HashAlg::sha512, SigAlg::ed448, KdfId::hkdf_sha512,
     "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448"},
    {7, KemId::p384, AeadAlg::aes256gcm, HashAlg::sha384, SigAlg::ecdsa_secp384r1_sha384,
     KdfId::hkdf_sha384, "MLS_256_DHKEMP384_AES256GCM_SHA384_P384"},
};

TEST(CipherSuiteRegistry, AllHasSevenSuitesWithRfc9420Properties) {
  const auto all = CipherSuite::all();
  ASSERT_EQ(all.size(), 7u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Expected& e = kRfc9420Suites[i];
    const CipherSuite& s = all[i];
    SCOPED_TRACE(e.name);
    EXPECT_EQ(s.code(), e.code);
    EXPECT_EQ(static_cast<std::uint16_t>(s.id()), e.code);
    EXPECT_EQ(s.kem(), e.kem);
    EXPECT_EQ(s.aead(), e.aead);
    EXPECT_EQ(s.hash(), e.hash);
    EXPECT_EQ(s.sig(), e.sig);
    EXPECT_EQ(s.name(), e.name);
    const HpkeSuite h = s.hpke();
    EXPECT_EQ(h.kem, e.kem);
    EXPECT_EQ(h.kdf, e.kdf);
    ASSERT_TRUE(h.aead.has_value());
    EXPECT_EQ(*h.aead, e.aead);
    EXPECT_EQ(s.hash_size(), hash_size(e.hash));
    EXPECT_EQ(s.key_size(), aead_key_size(e.aead));
    EXPECT_EQ(s.nonce_size(), 12u);
  }
}

TEST(CipherSuiteRegistry, Suite2IsP256Aes128Sha256EcdsaP256) {
  auto s = CipherSuite::from_code(2);
  ASSERT_TRUE(IsOk(s));
  EXPECT_EQ(s->id(), CipherSuiteId::mls_128_dhkemp256_aes128gcm_sha256_p256);
  EXPECT_EQ(s->kem(), KemId::p256);
  EXPECT_EQ(s->aead(), AeadAlg::aes128gcm);
  EXPECT_EQ(s->hash(), HashAlg::sha256);
  EXPECT_EQ(s->sig(), SigAlg::ecdsa_secp256r1_sha256);
  EXPECT_EQ(s->hash_size(), 32u);
  EXPECT_EQ(s->key_size(), 16u);
}

TEST(CipherSuiteRegistry, FromCodeMatchesAll) {
  for (std::uint16_t code = 1; code <= 7; ++code) {
    auto s = CipherSuite::from_code(code);
    ASSERT_TRUE(IsOk(s)) << code;
    EXPECT_EQ(s->code(), code);
    EXPECT_EQ(s->name(), CipherSuite::all()[code - 1].name());
  }
}

TEST(CipherSuiteRegistry, UnknownCodes_AreUnsupported) {
  // 0 is reserved, 8 is the first unassigned, 0x0a0a a GREASE value, 0xf000 private use.
  for (std::uint16_t bad : {0x0000, 0x0008, 0x0a0a, 0xf000, 0xffff})
    EXPECT_TRUE(FailsWith(CipherSuite::from_code(bad), Errc::unsupported)) << bad;
}

// --- RFC 9420 test vectors, crypto-basics.json, cipher suite 1 ------------------------------

class Suite1Vectors : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = CipherSuite::from_code(1);
    ASSERT_TRUE(IsOk(s));
    suite_.emplace(*s);
  }
  const CipherSuite& suite() const { return *suite_; }
  std::optional<CipherSuite> suite_;
};

TEST_F(Suite1Vectors, RefHash) {
  auto out = suite().ref_hash(
      "RefHash", hex("40312db83f651883c05ab26fa12c6af61930015c81947cfd0f129e6d99210bb2"));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(to_hex(*out), "e8027fffc5f9bb469f29172538dc0f3a78f14f323495bbd2217eba7a77fb242a");
}

TEST_F(Suite1Vectors, ExpandWithLabel) {
  auto out = suite().expand_with_label(
      hex("1499360a561335f4ef51d0a1b0d586900dc8007ae405b1ab79bf4207bb3d67e4"), "ExpandWithLabel",
      hex("2ff8c1f9d9c1248f82e372ddb5791c771695e01882abca6a64097bd2f04c971f"), 16);
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(to_hex(out->view()), "c1e8eb360391526c0c64039f13e0c5b1");
}

TEST_F(Suite1Vectors, DeriveSecret) {
  auto out = suite().derive_secret(
      hex("1a9ce178a53f8752d2513c27efe9c85133f6c0a97f7b35ac200695024a77228e"), "DeriveSecret");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(to_hex(out->view()),
            "3b08c195a246c4ad469c1d11c10e62890d8fa6b684494ff925409efdb1ff0464");
}

TEST_F(Suite1Vectors, DeriveTreeSecret) {
  auto out = suite().derive_tree_secret(
      hex("5133c6f8bad297f5d3beacdf477f0c45ec51b02de659d305220c5f9385c6eb43"), "DeriveTreeSecret",
      2694881440u, 32);
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(to_hex(out->view()),
            "8461f3ccc603eae52149a23a4134d29c880a1ad1ba70441e5d586e3521ec7b25");
}

TEST_F(Suite1Vectors, SignWithLabel_IsTheVectorSignature) {
  auto key = SigningKey::parse(
      SigAlg::ed25519, hex("a2f640dd5005fcad6adb8e9bd8b60d70946bb802e1e788307929fdac81e1ec74"));
  ASSERT_TRUE(IsOk(key));
  EXPECT_EQ(to_hex(key->verify_key().bytes()),
            "85600e54e5c2919ccbd0742126e5d837cf7a2ba50d75a69b3f35dcfe4a50ffe2");
  const Bytes content = hex("cd289cc7ba2869f64f3c32ffd133f500d17abace919a5ffe7faa974200d81932");
  const std::string expected =
      "996bd223ddb4d55a2b57d85cb2944f21facc95696053ddf66d590060fdc719f4a26c6212ce605414e0d5e66a5592"
      "1dd99d11122218c35bc23408b0076e8bc40b";
  auto sig = suite().sign_with_label(*key, "SignWithLabel", content);
  ASSERT_TRUE(IsOk(sig));
  EXPECT_EQ(to_hex(*sig), expected);  // Ed25519 is deterministic
  EXPECT_TRUE(
      IsOk(suite().verify_with_label(key->verify_key(), "SignWithLabel", content, hex(expected))));
}

TEST_F(Suite1Vectors, DecryptWithLabel) {
  auto key = DhPrivateKey::parse(
      KemId::x25519, hex("fb1ade7939987ff12a9d620772b1f9f7caeba26f8a3ecea9617d9402cd862444"));
  ASSERT_TRUE(IsOk(key));
  EXPECT_EQ(to_hex(key->public_key().bytes()),
            "ecea6564da58d6c6cff6c733bd4ae0815b1f60bb911b73e4ef1d06263ec4ce58");
  auto pt = suite().decrypt_with_label(
      *key, "EncryptWithLabel",
      hex("26347dd7f218d1de8673d6a66646ce06ac5fd3aa8d5c33f65d86aeefdcf4a31e"),
      hex("0a144e8fbf2d6dcf6fe9d2e2b8aeca5461ff5b0ea9c0ede1040c3dc7ed1dfd1c"),
      hex("15c80ea2bc37db221baa530ef5aea88650f0ce0f262803d6f78f3a1392f7ccd960eff94ca081ee54efa4c3ac"
          "fa"
          "0eb591"));
  ASSERT_TRUE(IsOk(pt));
  EXPECT_EQ(to_hex(pt->view()), "8f55dd30f03d64335c22b53ea7670bb1becf49b04021f706368fe93eeb358f46");
}

// --- labelled operations over every suite --------------------------------------------------

class SuiteAll : public ::testing::TestWithParam<std::uint16_t> {
 protected:
  CipherSuite suite() const { return *CipherSuite::from_code(GetParam()); }
};
INSTANTIATE_TEST_SUITE_P(AllSuites, SuiteAll, ::testing::Range<std::uint16_t>(1, 8),
                         [](const auto& p) { return "Suite" + std::to_string(p.param); });

TEST_P(SuiteAll, SignVerifyWithLabel_RoundTripAndLabelBinding) {
  const CipherSuite s = suite();
  auto key = SigningKey::generate(s.sig(), system_random());
  ASSERT_TRUE(IsOk(key));
  auto sig = s.sign_with_label(*key, "LeafNodeTBS", as_bytes("content"));
  ASSERT_TRUE(IsOk(sig));
  EXPECT_TRUE(
      IsOk(s.verify_with_label(key->verify_key(), "LeafNodeTBS", as_bytes("content"), *sig)));
  EXPECT_TRUE(
      FailsWith(s.verify_with_label(key->verify_key(), "GroupInfoTBS", as_bytes("content"), *sig),
                Errc::authentication_failed));
  EXPECT_TRUE(
      FailsWith(s.verify_with_label(key->verify_key(), "LeafNodeTBS", as_bytes("contenu"), *sig),
                Errc::authentication_failed));
  // The label is part of what is signed: a plain signature of the content does not verify.
  auto plain = key->sign(as_bytes("content"));
  ASSERT_TRUE(IsOk(plain));
  EXPECT_TRUE(
      FailsWith(s.verify_with_label(key->verify_key(), "LeafNodeTBS", as_bytes("content"), *plain),
                Errc::authentication_failed));
}

TEST_P(SuiteAll, SignWithLabel_KeyOfOtherScheme_IsInvalidKey) {
  const CipherSuite s = suite();
  const SigAlg other = s.sig() == SigAlg::ed25519 ? SigAlg::ed448 : SigAlg::ed25519;
  auto key = SigningKey::generate(other, system_random());
  ASSERT_TRUE(IsOk(key));
  EXPECT_TRUE(FailsWith(s.sign_with_label(*key, "L", as_bytes("c")), Errc::invalid_key));
}

TEST_P(SuiteAll, EncryptDecryptWithLabel_RoundTripAndContextBinding) {
  const CipherSuite s = suite();
  auto key = DhPrivateKey::generate(s.kem(), system_random());
  ASSERT_TRUE(IsOk(key));
  auto ct = s.encrypt_with_label(key->public_key(), "UpdatePathNode", as_bytes("group context"),
                                 as_bytes("path secret"), system_random());
  ASSERT_TRUE(IsOk(ct));
  EXPECT_EQ(ct->kem_output.size(), kem_info(s.kem()).enc_size);
  auto pt = s.decrypt_with_label(*key, "UpdatePathNode", as_bytes("group context"), ct->kem_output,
                                 ct->ciphertext);
  ASSERT_TRUE(IsOk(pt));
  EXPECT_TRUE(equal(pt->view(), as_bytes("path secret")));

  EXPECT_TRUE(FailsWith(s.decrypt_with_label(*key, "UpdatePathNode", as_bytes("other context"),
                                             ct->kem_output, ct->ciphertext),
                        Errc::authentication_failed));
  EXPECT_TRUE(FailsWith(s.decrypt_with_label(*key, "Welcome", as_bytes("group context"),
                                             ct->kem_output, ct->ciphertext),
                        Errc::authentication_failed));
  auto other = DhPrivateKey::generate(s.kem(), system_random());
  ASSERT_TRUE(IsOk(other));
  EXPECT_TRUE(FailsWith(s.decrypt_with_label(*other, "UpdatePathNode", as_bytes("group context"),
                                             ct->kem_output, ct->ciphertext),
                        Errc::authentication_failed));
}

TEST_P(SuiteAll, DeriveSecretIsExpandWithEmptyContextAndNh) {
  const CipherSuite s = suite();
  const Bytes secret(s.hash_size(), 0x3c);
  auto a = s.derive_secret(secret, "label");
  auto b = s.expand_with_label(secret, "label", {}, s.hash_size());
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_EQ(a->size(), s.hash_size());
  EXPECT_TRUE(*a == *b);
}

TEST_P(SuiteAll, DeriveTreeSecretUsesBigEndianGeneration) {
  const CipherSuite s = suite();
  const Bytes secret(s.hash_size(), 0x3d);
  auto a = s.derive_tree_secret(secret, "nonce", 0x01020304, 12);
  auto b = s.expand_with_label(secret, "nonce", Bytes{1, 2, 3, 4}, 12);
  auto c = s.derive_tree_secret(secret, "nonce", 0x04030201, 12);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_TRUE(*a == *b);
  EXPECT_FALSE(*a == *c);
}

TEST_P(SuiteAll, ExpandWithLabel_LengthAbove16Bits_IsInvalidArgument) {
  const CipherSuite s = suite();
  const Bytes secret(s.hash_size(), 0x01);
  EXPECT_TRUE(FailsWith(s.expand_with_label(secret, "x", {}, 0x10000), Errc::invalid_argument));
}

TEST_P(SuiteAll, HashAndMacUseTheSuiteHash) {
  const CipherSuite s = suite();
  auto h = s.hash(as_bytes("abc"));
  ASSERT_TRUE(IsOk(h));
  EXPECT_EQ(*h, *digest(s.hash(), as_bytes("abc")));
  auto m = s.mac(as_bytes("key"), as_bytes("data"));
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(*m, *hmac(s.hash(), as_bytes("key"), as_bytes("data")));
  EXPECT_EQ(m->size(), s.hash_size());
}

}  // namespace
}  // namespace mpsec::crypto
