// Diffie-Hellman groups of the HPKE DHKEMs: key generation, (de)serialization, agreement and
// the validation of every peer key (RFC 9180 §7.1).
#include "crypto/dh.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

constexpr KemId kAllKems[] = {KemId::p256, KemId::p384, KemId::p521, KemId::x25519, KemId::x448};

// Bytes of a DH output: the x-coordinate for the NIST curves, the u-coordinate otherwise.
std::size_t dh_size(KemId k) {
  switch (k) {
    case KemId::p256:
      return 32;
    case KemId::p384:
      return 48;
    case KemId::p521:
      return 66;
    case KemId::x25519:
      return 32;
    case KemId::x448:
      return 56;
  }
  return 0;
}

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

DhPrivateKey derived(KemId kem, std::uint8_t fill) {
  auto k = DhPrivateKey::derive(kem, Bytes(kem_info(kem).private_size, fill));
  EXPECT_TRUE(IsOk(k));
  return *std::move(k);
}

class DhAll : public ::testing::TestWithParam<KemId> {};
INSTANTIATE_TEST_SUITE_P(AllKems, DhAll, ::testing::ValuesIn(kAllKems),
                         [](const auto& p) { return kem_label(p.param); });

TEST(KemInfo, SizesFollowRfc9180) {
  EXPECT_EQ(kem_info(KemId::p256).public_size, 65u);
  EXPECT_EQ(kem_info(KemId::p256).private_size, 32u);
  EXPECT_EQ(kem_info(KemId::p256).secret_size, 32u);
  EXPECT_EQ(kem_info(KemId::p384).public_size, 97u);
  EXPECT_EQ(kem_info(KemId::p384).private_size, 48u);
  EXPECT_EQ(kem_info(KemId::p521).public_size, 133u);
  EXPECT_EQ(kem_info(KemId::p521).private_size, 66u);
  EXPECT_EQ(kem_info(KemId::p521).secret_size, 64u);
  EXPECT_EQ(kem_info(KemId::x25519).public_size, 32u);
  EXPECT_EQ(kem_info(KemId::x448).public_size, 56u);
  EXPECT_EQ(kem_info(KemId::x448).kdf, HashAlg::sha512);
  for (KemId k : kAllKems) {
    EXPECT_EQ(kem_info(k).id, k);
    EXPECT_EQ(kem_info(k).enc_size, kem_info(k).public_size);
  }
}

TEST(KemFromCode, OfferedAndUnsupportedCodes) {
  for (KemId k : kAllKems) {
    auto r = kem_from_code(static_cast<std::uint16_t>(k));
    ASSERT_TRUE(IsOk(r));
    EXPECT_EQ(*r, k);
  }
  for (std::uint16_t bad : {0x0000, 0x000f, 0x0013, 0x001f, 0x0022, 0x0030, 0xffff})
    EXPECT_TRUE(FailsWith(kem_from_code(bad), Errc::unsupported)) << bad;
}

TEST_P(DhAll, Generate_SerializeParse_RoundTrip) {
  const KemId kem = GetParam();
  auto sk = DhPrivateKey::generate(kem, system_random());
  ASSERT_TRUE(IsOk(sk));
  EXPECT_EQ(sk->kem(), kem);
  EXPECT_EQ(sk->public_key().bytes().size(), kem_info(kem).public_size);
  auto ser = sk->serialize();
  ASSERT_TRUE(IsOk(ser));
  EXPECT_EQ(ser->size(), kem_info(kem).private_size);
  auto back = DhPrivateKey::parse(kem, ser->view());
  ASSERT_TRUE(IsOk(back));
  EXPECT_EQ(back->public_key().bytes(), sk->public_key().bytes());
  auto ser2 = back->serialize();
  ASSERT_TRUE(IsOk(ser2));
  EXPECT_TRUE(*ser2 == *ser);

  auto pub = DhPublicKey::parse(kem, sk->public_key().bytes());
  ASSERT_TRUE(IsOk(pub));
  EXPECT_EQ(pub->bytes(), sk->public_key().bytes());
  EXPECT_EQ(pub->kem(), kem);
}

TEST_P(DhAll, AgreementBothWays) {
  const KemId kem = GetParam();
  auto a = DhPrivateKey::generate(kem, system_random());
  auto b = DhPrivateKey::generate(kem, system_random());
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_NE(a->public_key().bytes(), b->public_key().bytes());
  auto ab = a->dh(b->public_key());
  auto ba = b->dh(a->public_key());
  ASSERT_TRUE(IsOk(ab));
  ASSERT_TRUE(IsOk(ba));
  EXPECT_EQ(ab->size(), dh_size(kem));
  EXPECT_TRUE(*ab == *ba);
  // Through parsed copies of the public keys as a peer would hold them.
  auto b_pub = DhPublicKey::parse(kem, b->public_key().bytes());
  ASSERT_TRUE(IsOk(b_pub));
  auto ab2 = a->dh(*b_pub);
  ASSERT_TRUE(IsOk(ab2));
  EXPECT_TRUE(*ab2 == *ab);
  // A third party gets something else.
  auto c = DhPrivateKey::generate(kem, system_random());
  ASSERT_TRUE(IsOk(c));
  auto cb = c->dh(b->public_key());
  ASSERT_TRUE(IsOk(cb));
  EXPECT_FALSE(*cb == *ab);
}

TEST_P(DhAll, Derive_IsDeterministic) {
  const KemId kem = GetParam();
  const DhPrivateKey a = derived(kem, 0x01);
  const DhPrivateKey b = derived(kem, 0x01);
  const DhPrivateKey c = derived(kem, 0x02);
  EXPECT_EQ(a.public_key().bytes(), b.public_key().bytes());
  EXPECT_NE(a.public_key().bytes(), c.public_key().bytes());
}

TEST_P(DhAll, Generate_WithSeededRandom_IsReproducible) {
  const KemId kem = GetParam();
  SeededRandom r1(std::uint64_t{99});
  SeededRandom r2(std::uint64_t{99});
  auto a = DhPrivateKey::generate(kem, r1);
  auto b = DhPrivateKey::generate(kem, r2);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_EQ(a->public_key().bytes(), b->public_key().bytes());
}

TEST_P(DhAll, Generate_WithExhaustedRandom_FailsWithRandomFailure) {
  FixedRandom empty(Bytes{});
  EXPECT_TRUE(FailsWith(DhPrivateKey::generate(GetParam(), empty), Errc::random_failure));
}

TEST_P(DhAll, PublicKeyWrongLength_IsInvalidKey) {
  const KemId kem = GetParam();
  const Bytes good = derived(kem, 0x03).public_key().bytes();
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, good.size() - 1, good.size() + 1}) {
    Bytes b = good;
    b.resize(n, 0x04);
    EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, b), Errc::invalid_key)) << n;
  }
}

TEST_P(DhAll, PrivateKeyWrongLength_IsInvalidKey) {
  const KemId kem = GetParam();
  const std::size_t nsk = kem_info(kem).private_size;
  for (std::size_t n : {std::size_t{0}, nsk - 1, nsk + 1})
    EXPECT_TRUE(FailsWith(DhPrivateKey::parse(kem, Bytes(n, 0x05)), Errc::invalid_key)) << n;
}

TEST_P(DhAll, PeerFromAnotherGroup_IsInvalidKey) {
  const KemId kem = GetParam();
  const DhPrivateKey mine = derived(kem, 0x06);
  for (KemId other : kAllKems) {
    if (other == kem) continue;
    const DhPrivateKey theirs = derived(other, 0x07);
    EXPECT_TRUE(FailsWith(mine.dh(theirs.public_key()), Errc::invalid_key)) << kem_label(other);
  }
}

// --- NIST curves: point and scalar validation ----------------------------------------------

class DhNist : public ::testing::TestWithParam<KemId> {};
INSTANTIATE_TEST_SUITE_P(NistCurves, DhNist,
                         ::testing::Values(KemId::p256, KemId::p384, KemId::p521),
                         [](const auto& p) { return kem_label(p.param); });

TEST_P(DhNist, OffCurvePoint_IsInvalidKey) {
  const KemId kem = GetParam();
  Bytes point = derived(kem, 0x08).public_key().bytes();
  ASSERT_TRUE(IsOk(DhPublicKey::parse(kem, point)));
  point.back() ^= 0x01;  // y changes, x stays: (x, y') is not on the curve
  EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, point), Errc::invalid_key));
  Bytes x_changed = derived(kem, 0x08).public_key().bytes();
  x_changed[1] ^= 0x40;
  EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, x_changed), Errc::invalid_key));
}

TEST_P(DhNist, CompressedPoint_IsInvalidKey) {
  const KemId kem = GetParam();
  const Bytes point = derived(kem, 0x09).public_key().bytes();
  const std::size_t coord = (point.size() - 1) / 2;
  // SEC1 compressed form: 0x02/0x03 || x.
  for (std::uint8_t prefix : {0x02, 0x03}) {
    Bytes compressed{prefix};
    compressed.insert(compressed.end(), point.begin() + 1,
                      point.begin() + 1 + static_cast<std::ptrdiff_t>(coord));
    EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, compressed), Errc::invalid_key));
  }
  // Right length but a compressed or hybrid prefix.
  for (std::uint8_t prefix : {0x00, 0x02, 0x03, 0x05, 0x06, 0x07}) {
    Bytes other = point;
    other[0] = prefix;
    EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, other), Errc::invalid_key)) << int{prefix};
  }
}

TEST_P(DhNist, AllZeroPoint_IsInvalidKey) {
  const KemId kem = GetParam();
  Bytes zero(kem_info(kem).public_size, 0);
  EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, zero), Errc::invalid_key));
  zero[0] = 0x04;  // (0, 0) is not on any of these curves
  EXPECT_TRUE(FailsWith(DhPublicKey::parse(kem, zero), Errc::invalid_key));
}

TEST(DhP256, CoordinateNotBelowFieldPrime_IsInvalidKey) {
  // x = p is 0 mod p; a strict decoder rejects it rather than reducing.
  const Bytes p = hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  Bytes point{0x04};
  append(point, p);
  append(point, hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"));
  EXPECT_TRUE(FailsWith(DhPublicKey::parse(KemId::p256, point), Errc::invalid_key));
}

struct CurveOrder {
  KemId kem;
  const char* n;
};

constexpr CurveOrder kOrders[] = {
    {KemId::p256, "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"},
    {KemId::p384,
     "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52"
     "973"},
    {KemId::p521,
     "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"},
};

Bytes add_small(Bytes be, int delta) {
  // Big-endian add/subtract of a small number (no overflow past the top byte in these tests).
  int carry = delta;
  for (std::size_t i = be.size(); i-- > 0 && carry != 0;) {
    int v = be[i] + carry;
    carry = 0;
    while (v < 0) {
      v += 256;
      --carry;
    }
    while (v > 255) {
      v -= 256;
      ++carry;
    }
    be[i] = static_cast<std::uint8_t>(v);
  }
  return be;
}

TEST(DhNistScalars, ZeroAndOrderAndAbove_AreRejected) {
  for (const auto& c : kOrders) {
    SCOPED_TRACE(kem_label(c.kem));
    const Bytes n = hex(c.n);
    ASSERT_EQ(n.size(), kem_info(c.kem).private_size);
    EXPECT_TRUE(FailsWith(DhPrivateKey::parse(c.kem, Bytes(n.size(), 0)), Errc::invalid_key));
    EXPECT_TRUE(FailsWith(DhPrivateKey::parse(c.kem, n), Errc::invalid_key));
    EXPECT_TRUE(FailsWith(DhPrivateKey::parse(c.kem, add_small(n, 1)), Errc::invalid_key));
    EXPECT_TRUE(FailsWith(DhPrivateKey::parse(c.kem, Bytes(n.size(), 0xff)), Errc::invalid_key));
  }
}

TEST(DhNistScalars, OneAndOrderMinusOne_AreAccepted) {
  for (const auto& c : kOrders) {
    SCOPED_TRACE(kem_label(c.kem));
    const Bytes n = hex(c.n);
    Bytes one(n.size(), 0);
    one.back() = 1;
    EXPECT_TRUE(IsOk(DhPrivateKey::parse(c.kem, one)));
    EXPECT_TRUE(IsOk(DhPrivateKey::parse(c.kem, add_small(n, -1))));
  }
}

TEST(DhP256Scalars, OneAndMinusOne_GiveGeneratorAndItsNegation) {
  const std::string gx = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
  Bytes one(32, 0);
  one.back() = 1;
  auto g = DhPrivateKey::parse(KemId::p256, one);
  ASSERT_TRUE(IsOk(g));
  EXPECT_EQ(to_hex(g->public_key().bytes()),
            "04" + gx + "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
  auto minus_g = DhPrivateKey::parse(KemId::p256, add_small(hex(kOrders[0].n), -1));
  ASSERT_TRUE(IsOk(minus_g));
  EXPECT_EQ(to_hex(minus_g->public_key().bytes()),
            "04" + gx + "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a");
}

// --- X25519 / X448: low-order points --------------------------------------------------------

class DhXdh : public ::testing::TestWithParam<KemId> {};
INSTANTIATE_TEST_SUITE_P(XCurves, DhXdh, ::testing::Values(KemId::x25519, KemId::x448),
                         [](const auto& p) { return kem_label(p.param); });

TEST_P(DhXdh, AllZeroPublicKey_DhIsInvalidKey) {
  const KemId kem = GetParam();
  const DhPrivateKey sk = derived(kem, 0x0a);
  // Every string parses (RFC 7748 §5); the all-zero shared secret is what dh() must reject.
  auto zero = DhPublicKey::parse(kem, Bytes(kem_info(kem).public_size, 0));
  ASSERT_TRUE(IsOk(zero));
  EXPECT_TRUE(FailsWith(sk.dh(*zero), Errc::invalid_key));
}

TEST_P(DhXdh, LowOrderPointOne_DhIsInvalidKey) {
  const KemId kem = GetParam();
  const DhPrivateKey sk = derived(kem, 0x0b);
  Bytes u_one(kem_info(kem).public_size, 0);
  u_one[0] = 1;  // little-endian u = 1
  auto pk = DhPublicKey::parse(kem, u_one);
  ASSERT_TRUE(IsOk(pk));
  EXPECT_TRUE(FailsWith(sk.dh(*pk), Errc::invalid_key));
}

// RFC 7748 §6.1.
TEST(DhX25519, Rfc7748KnownAnswer) {
  auto alice = DhPrivateKey::parse(
      KemId::x25519, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = DhPrivateKey::parse(
      KemId::x25519, hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(IsOk(alice));
  ASSERT_TRUE(IsOk(bob));
  EXPECT_EQ(to_hex(alice->public_key().bytes()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(to_hex(bob->public_key().bytes()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto shared = alice->dh(bob->public_key());
  ASSERT_TRUE(IsOk(shared));
  EXPECT_EQ(to_hex(shared->view()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

// DeriveKeyPair(ikmR) of the RFC 9180 Appendix A vectors (A.1, A.3, A.6 and X448).
struct DeriveKat {
  KemId kem;
  const char* ikm;
  const char* sk;
  const char* pk;
};

constexpr DeriveKat kDeriveKats[] = {
    {KemId::x25519, "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
     "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
     "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d"},
    {KemId::p256, "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
     "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
     "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f6"
     "2fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0"},
    {KemId::p521,
     "39a28dc317c3e48b908948f99d608059f882d3d09c0541824bc25f94e6dee7aa0df1c644296b06fbb76e84aef500"
     "8f8a908e08fbabadf70658538d74753a85f8856a",
     "009227b4b91cf1eb6eecb6c0c0bae93a272d24e11c63bd4c34a581c49f9c3ca01c16bbd32a0a1fac22784f2ae985"
     "c85f183baad103b2d02aee787179dfc1a94fea11",
     "0400b81073b1612cf7fdb6db07b35cf4bc17bda5854f3d270ecd9ea99f6c07b46795b8014b66c523ceed6f4829c1"
     "8bc3886c891b63fa902500ce3ddeb1fbec7e608ac70050b76a0a7fc081dbf1cb30b005981113e635eb501a973aba"
     "662d7f16fcc12897dd752d657d37774bb16197c0d9724eecc1ed65349fb6ac1f280749e7669766f8cd"},
    {KemId::x448,
     "d45d1652df74920abf94a2883c83050f502ff512ffb56f07b6d833ec8dda74b6a1c1cc4d42a22641c0963d3c21ed"
     "8261f344dc9e0501a81c",
     "27a4354608f3bdd38f1f5af305f3e0682efe4e25808249d8fcb55927f6a9f446b8dc1d0a2c3b8cb133a5673b59a6"
     "d55ce754ec0c9a555401",
     "145d083ea7a6379dbb32dcbd8aff4c206ea5d069b75e96c6dd2a3e38f441471ac97adca641fdad66685a96f32b7c"
     "3e064635fab3cc89234e"},
};

TEST(DhDerive, Rfc9180DeriveKeyPairKnownAnswers) {
  for (const auto& k : kDeriveKats) {
    SCOPED_TRACE(kem_label(k.kem));
    auto sk = DhPrivateKey::derive(k.kem, hex(k.ikm));
    ASSERT_TRUE(IsOk(sk));
    auto ser = sk->serialize();
    ASSERT_TRUE(IsOk(ser));
    EXPECT_EQ(to_hex(ser->view()), k.sk);
    EXPECT_EQ(to_hex(sk->public_key().bytes()), k.pk);
    // GenerateKeyPair draws Nsk bytes and derives from them.
    FixedRandom fixed(hex(k.ikm));
    if (hex(k.ikm).size() == kem_info(k.kem).private_size) {
      auto gen = DhPrivateKey::generate(k.kem, fixed);
      ASSERT_TRUE(IsOk(gen));
      EXPECT_EQ(to_hex(gen->public_key().bytes()), k.pk);
    }
  }
}

}  // namespace
}  // namespace mpsec::crypto
