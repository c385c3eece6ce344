// DHKEM (RFC 9180 §4.1): Encap/Decap and AuthEncap/AuthDecap.
#include "crypto/kem.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

constexpr KemId kAllKems[] = {KemId::p256, KemId::p384, KemId::p521, KemId::x25519, KemId::x448};

std::string kem_label(KemId k) {
  switch (k) {
    case KemId::p256:
      return "P256";
    case KemId::p384:
      return "P384";
    case KemId::p521:
      return "P521";
    case KemId::x25519:
      return "X25519";
    case KemId::x448:
      return "X448";
  }
  return "Unknown";
}

DhPrivateKey fresh(KemId kem) {
  auto k = DhPrivateKey::generate(kem, system_random());
  EXPECT_TRUE(IsOk(k));
  return *std::move(k);
}

class KemAll : public ::testing::TestWithParam<KemId> {};
INSTANTIATE_TEST_SUITE_P(AllKems, KemAll, ::testing::ValuesIn(kAllKems),
                         [](const auto& p) { return kem_label(p.param); });

TEST_P(KemAll, EncapDecap_AgreeOnSharedSecret) {
  const KemId kem = GetParam();
  const DhPrivateKey sk_r = fresh(kem);
  auto e = kem_encap(sk_r.public_key(), system_random());
  ASSERT_TRUE(IsOk(e));
  EXPECT_EQ(e->enc.size(), kem_info(kem).enc_size);
  EXPECT_EQ(e->shared_secret.size(), kem_info(kem).secret_size);
  auto d = kem_decap(e->enc, sk_r);
  ASSERT_TRUE(IsOk(d));
  EXPECT_TRUE(*d == e->shared_secret);
}

TEST_P(KemAll, EachEncapIsFresh) {
  const DhPrivateKey sk_r = fresh(GetParam());
  auto e1 = kem_encap(sk_r.public_key(), system_random());
  auto e2 = kem_encap(sk_r.public_key(), system_random());
  ASSERT_TRUE(IsOk(e1));
  ASSERT_TRUE(IsOk(e2));
  EXPECT_NE(e1->enc, e2->enc);
  EXPECT_FALSE(e1->shared_secret == e2->shared_secret);
}

TEST_P(KemAll, DecapWithWrongKey_GivesDifferentSecret) {
  const KemId kem = GetParam();
  const DhPrivateKey sk_r = fresh(kem);
  const DhPrivateKey other = fresh(kem);
  auto e = kem_encap(sk_r.public_key(), system_random());
  ASSERT_TRUE(IsOk(e));
  auto d = kem_decap(e->enc, other);
  ASSERT_TRUE(IsOk(d));
  EXPECT_FALSE(*d == e->shared_secret);
}

TEST_P(KemAll, AuthEncapDecap_AgreeAndBindTheSender) {
  const KemId kem = GetParam();
  const DhPrivateKey sk_r = fresh(kem);
  const DhPrivateKey sk_s = fresh(kem);
  const DhPrivateKey impostor = fresh(kem);
  auto e = kem_auth_encap(sk_r.public_key(), sk_s, system_random());
  ASSERT_TRUE(IsOk(e));
  EXPECT_EQ(e->enc.size(), kem_info(kem).enc_size);
  auto d = kem_auth_decap(e->enc, sk_r, sk_s.public_key());
  ASSERT_TRUE(IsOk(d));
  EXPECT_TRUE(*d == e->shared_secret);
  // The receiver expecting another sender derives another secret.
  auto wrong_sender = kem_auth_decap(e->enc, sk_r, impostor.public_key());
  ASSERT_TRUE(IsOk(wrong_sender));
  EXPECT_FALSE(*wrong_sender == e->shared_secret);
  // Base-mode decapsulation of an auth encapsulation does not match either.
  auto base = kem_decap(e->enc, sk_r);
  ASSERT_TRUE(IsOk(base));
  EXPECT_FALSE(*base == e->shared_secret);
}

TEST_P(KemAll, DecapOfWrongLengthEnc_IsInvalidKey) {
  const KemId kem = GetParam();
  const DhPrivateKey sk_r = fresh(kem);
  auto e = kem_encap(sk_r.public_key(), system_random());
  ASSERT_TRUE(IsOk(e));
  Bytes shorter(e->enc.begin(), e->enc.end() - 1);
  Bytes longer = e->enc;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(kem_decap(shorter, sk_r), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(kem_decap(longer, sk_r), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(kem_decap({}, sk_r), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(kem_auth_decap(shorter, sk_r, sk_r.public_key()), Errc::invalid_key));
}

TEST_P(KemAll, AllZeroEnc_IsInvalidKey) {
  // An invalid point for the NIST curves; a low-order point (zero shared secret) for X25519/X448.
  const KemId kem = GetParam();
  const DhPrivateKey sk_r = fresh(kem);
  const Bytes zero(kem_info(kem).enc_size, 0);
  EXPECT_TRUE(FailsWith(kem_decap(zero, sk_r), Errc::invalid_key));
}

TEST_P(KemAll, SenderKeyOfAnotherKem_IsInvalidKey) {
  const KemId kem = GetParam();
  const KemId other = kem == KemId::x25519 ? KemId::p256 : KemId::x25519;
  const DhPrivateKey sk_r = fresh(kem);
  const DhPrivateKey sk_s_other = fresh(other);
  EXPECT_TRUE(
      FailsWith(kem_auth_encap(sk_r.public_key(), sk_s_other, system_random()), Errc::invalid_key));
  auto e = kem_encap(sk_r.public_key(), system_random());
  ASSERT_TRUE(IsOk(e));
  EXPECT_TRUE(FailsWith(kem_auth_decap(e->enc, sk_r, sk_s_other.public_key()), Errc::invalid_key));
}

TEST_P(KemAll, ExhaustedRandomness_IsRandomFailure) {
  const DhPrivateKey sk_r = fresh(GetParam());
  FixedRandom few(Bytes(3, 0x01));
  EXPECT_TRUE(FailsWith(kem_encap(sk_r.public_key(), few), Errc::random_failure));
}

// RFC 9180 A.1.1 (DHKEM(X25519), base) and A.1.3 (auth): with FixedRandom(ikmE), encap draws
// exactly the ephemeral key of the vector.
TEST(KemKnownAnswers, X25519Base) {
  auto sk_r = DhPrivateKey::derive(
      KemId::x25519, hex("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"));
  ASSERT_TRUE(IsOk(sk_r));
  FixedRandom ikm_e(hex("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"));
  auto e = kem_encap(sk_r->public_key(), ikm_e);
  ASSERT_TRUE(IsOk(e));
  EXPECT_EQ(ikm_e.remaining(), 0u);
  EXPECT_EQ(to_hex(e->enc), "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  EXPECT_EQ(to_hex(e->shared_secret.view()),
            "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc");
  auto d = kem_decap(e->enc, *sk_r);
  ASSERT_TRUE(IsOk(d));
  EXPECT_TRUE(*d == e->shared_secret);
}

TEST(KemKnownAnswers, X25519Auth) {
  auto sk_r = DhPrivateKey::derive(
      KemId::x25519, hex("f1d4a30a4cef8d6d4e3b016e6fd3799ea057db4f345472ed302a67ce1c20cdec"));
  auto sk_s = DhPrivateKey::derive(
      KemId::x25519, hex("94b020ce91d73fca4649006c7e7329a67b40c55e9e93cc907d282bbbff386f58"));
  ASSERT_TRUE(IsOk(sk_r));
  ASSERT_TRUE(IsOk(sk_s));
  EXPECT_EQ(to_hex(sk_s->public_key().bytes()),
            "8b0c70873dc5aecb7f9ee4e62406a397b350e57012be45cf53b7105ae731790b");
  FixedRandom ikm_e(hex("6e6d8f200ea2fb20c30b003a8b4f433d2f4ed4c2658d5bc8ce2fef718059c9f7"));
  auto e = kem_auth_encap(sk_r->public_key(), *sk_s, ikm_e);
  ASSERT_TRUE(IsOk(e));
  EXPECT_EQ(to_hex(e->enc), "23fb952571a14a25e3d678140cd0e5eb47a0961bb18afcf85896e5453c312e76");
  EXPECT_EQ(to_hex(e->shared_secret.view()),
            "2d6db4cf719dc7293fcbf3fa64690708e44e2bebc81f84608677958c0d4448a7");
  auto d = kem_auth_decap(e->enc, *sk_r, sk_s->public_key());
  ASSERT_TRUE(IsOk(d));
  EXPECT_TRUE(*d == e->shared_secret);
}

// RFC 9180 A.3.1 (DHKEM(P-256), base).
TEST(KemKnownAnswers, P256Base) {
  auto sk_r = DhPrivateKey::derive(
      KemId::p256, hex("668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550"));
  ASSERT_TRUE(IsOk(sk_r));
  FixedRandom ikm_e(hex("4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e"));
  auto e = kem_encap(sk_r->public_key(), ikm_e);
  ASSERT_TRUE(IsOk(e));
  EXPECT_EQ(
      to_hex(e->enc),
      "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f"
      "951c0900be863c403ce65c9bfcb9382657222d18c4");
  EXPECT_EQ(to_hex(e->shared_secret.view()),
            "c0d26aeab536609a572b07695d933b589dcf363ff9d93c93adea537aeabb8cb8");
}

}  // namespace
}  // namespace mpsec::crypto
