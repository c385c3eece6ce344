// Signatures: Ed25519, Ed448 and ECDSA over P-256/P-384/P-521 (DER), key formats of the MLS
// vectors, and the P1363-to-DER conversion.
#include "crypto/signature.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

constexpr SigAlg kAllSigs[] = {SigAlg::ecdsa_secp256r1_sha256, SigAlg::ecdsa_secp384r1_sha384,
                               SigAlg::ecdsa_secp521r1_sha512, SigAlg::ed25519, SigAlg::ed448};

std::size_t scalar_size(SigAlg a) {
  switch (a) {
    case SigAlg::ecdsa_secp256r1_sha256:
      return 32;
    case SigAlg::ecdsa_secp384r1_sha384:
      return 48;
    case SigAlg::ecdsa_secp521r1_sha512:
      return 66;
    default:
      return 0;
  }
}

std::string sig_label(SigAlg a) {
  switch (a) {
    case SigAlg::ecdsa_secp256r1_sha256:
      return "EcdsaP256";
    case SigAlg::ecdsa_secp384r1_sha384:
      return "EcdsaP384";
    case SigAlg::ecdsa_secp521r1_sha512:
      return "EcdsaP521";
    case SigAlg::ed25519:
      return "Ed25519";
    case SigAlg::ed448:
      return "Ed448";
  }
  return "Unknown";
}

SigningKey fresh(SigAlg alg) {
  auto k = SigningKey::generate(alg, system_random());
  EXPECT_TRUE(IsOk(k));
  return *std::move(k);
}

// A minimal strict reader of Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, for the
// tests only: returns r and s as unsigned big-endian values left-padded to `size` bytes.
bool der_to_p1363(ByteView der, std::size_t size, Bytes& out) {
  std::size_t pos = 0;
  auto byte = [&](std::uint8_t& b) {
    if (pos >= der.size()) return false;
    b = der[pos++];
    return true;
  };
  auto length = [&](std::size_t& len) {
    std::uint8_t b = 0;
    if (!byte(b)) return false;
    if (b < 0x80) {
      len = b;
      return true;
    }
    if (b != 0x81 || !byte(b)) return false;
    len = b;
    return true;
  };
  std::uint8_t tag = 0;
  std::size_t seq_len = 0;
  if (!byte(tag) || tag != 0x30 || !length(seq_len) || pos + seq_len != der.size()) return false;
  out.clear();
  for (int i = 0; i < 2; ++i) {
    std::size_t len = 0;
    if (!byte(tag) || tag != 0x02 || !length(len) || pos + len > der.size()) return false;
    ByteView v = der.subspan(pos, len);
    pos += len;
    while (!v.empty() && v[0] == 0)
      v = v.subspan(1);
    if (v.size() > size) return false;
    Bytes padded(size - v.size(), 0);
    append(padded, v);
    append(out, padded);
  }
  return pos == der.size();
}

class SigAll : public ::testing::TestWithParam<SigAlg> {};
INSTANTIATE_TEST_SUITE_P(AllAlgorithms, SigAll, ::testing::ValuesIn(kAllSigs),
                         [](const auto& p) { return sig_label(p.param); });

class SigEcdsaKeys : public ::testing::TestWithParam<SigAlg> {};
INSTANTIATE_TEST_SUITE_P(EcdsaCurves, SigEcdsaKeys,
                         ::testing::Values(SigAlg::ecdsa_secp256r1_sha256,
                                           SigAlg::ecdsa_secp384r1_sha384,
                                           SigAlg::ecdsa_secp521r1_sha512),
                         [](const auto& p) { return sig_label(p.param); });

TEST_P(SigAll, SignVerify_RoundTrip) {
  const SigningKey key = fresh(GetParam());
  EXPECT_EQ(key.alg(), GetParam());
  for (const char* msg : {"", "hello", "a much longer message that spans more than one block..."}) {
    auto sig = key.sign(as_bytes(msg));
    ASSERT_TRUE(IsOk(sig));
    EXPECT_TRUE(IsOk(key.verify_key().verify(as_bytes(msg), *sig))) << msg;
  }
}

TEST_P(SigAll, FlippedBitInSignature_Fails) {
  const SigningKey key = fresh(GetParam());
  auto sig = key.sign(as_bytes("message"));
  ASSERT_TRUE(IsOk(sig));
  for (std::size_t i : {std::size_t{0}, sig->size() / 2, sig->size() - 1}) {
    Bytes bad = *sig;
    bad[i] ^= 0x01;
    EXPECT_TRUE(
        FailsWith(key.verify_key().verify(as_bytes("message"), bad), Errc::authentication_failed))
        << i;
  }
}

TEST_P(SigAll, FlippedBitInMessage_Fails) {
  const SigningKey key = fresh(GetParam());
  auto sig = key.sign(as_bytes("message"));
  ASSERT_TRUE(IsOk(sig));
  EXPECT_TRUE(
      FailsWith(key.verify_key().verify(as_bytes("messagf"), *sig), Errc::authentication_failed));
  EXPECT_TRUE(
      FailsWith(key.verify_key().verify(as_bytes("message "), *sig), Errc::authentication_failed));
}

TEST_P(SigAll, WrongKey_Fails) {
  const SigningKey key = fresh(GetParam());
  const SigningKey other = fresh(GetParam());
  auto sig = key.sign(as_bytes("message"));
  ASSERT_TRUE(IsOk(sig));
  EXPECT_TRUE(
      FailsWith(other.verify_key().verify(as_bytes("message"), *sig), Errc::authentication_failed));
}

TEST_P(SigAll, EmptyOrTruncatedSignature_Fails) {
  const SigningKey key = fresh(GetParam());
  auto sig = key.sign(as_bytes("message"));
  ASSERT_TRUE(IsOk(sig));
  EXPECT_TRUE(
      FailsWith(key.verify_key().verify(as_bytes("message"), {}), Errc::authentication_failed));
  EXPECT_TRUE(
      FailsWith(key.verify_key().verify(as_bytes("message"), ByteView(*sig).first(sig->size() - 1)),
                Errc::authentication_failed));
  Bytes longer = *sig;
  longer.push_back(0);
  EXPECT_TRUE(
      FailsWith(key.verify_key().verify(as_bytes("message"), longer), Errc::authentication_failed));
}

TEST_P(SigAll, SerializeParse_RoundTrip) {
  const SigningKey key = fresh(GetParam());
  auto priv = key.serialize();
  ASSERT_TRUE(IsOk(priv));
  auto parsed = SigningKey::parse(GetParam(), priv->view());
  ASSERT_TRUE(IsOk(parsed));
  EXPECT_EQ(parsed->verify_key().bytes(), key.verify_key().bytes());
  auto priv2 = parsed->serialize();
  ASSERT_TRUE(IsOk(priv2));
  EXPECT_TRUE(*priv2 == *priv);

  auto pub = VerifyKey::parse(GetParam(), key.verify_key().bytes());
  ASSERT_TRUE(IsOk(pub));
  EXPECT_EQ(pub->bytes(), key.verify_key().bytes());
  // A signature by the parsed private key verifies under the parsed public key.
  auto sig = parsed->sign(as_bytes("round trip"));
  ASSERT_TRUE(IsOk(sig));
  EXPECT_TRUE(IsOk(pub->verify(as_bytes("round trip"), *sig)));
}

TEST_P(SigAll, GenerateFromSeededRandom_IsReproducible) {
  SeededRandom r1(std::uint64_t{7});
  SeededRandom r2(std::uint64_t{7});
  SeededRandom r3(std::uint64_t{8});
  auto a = SigningKey::generate(GetParam(), r1);
  auto b = SigningKey::generate(GetParam(), r2);
  auto c = SigningKey::generate(GetParam(), r3);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_EQ(a->verify_key().bytes(), b->verify_key().bytes());
  EXPECT_NE(a->verify_key().bytes(), c->verify_key().bytes());
}

TEST_P(SigAll, GenerateWithExhaustedRandom_IsRandomFailure) {
  FixedRandom empty(Bytes{});
  EXPECT_TRUE(FailsWith(SigningKey::generate(GetParam(), empty), Errc::random_failure));
}

TEST_P(SigAll, WrongLengthKeys_AreInvalidKey) {
  const SigningKey key = fresh(GetParam());
  const Bytes pub = key.verify_key().bytes();
  Bytes shorter(pub.begin(), pub.end() - 1);
  Bytes longer = pub;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(VerifyKey::parse(GetParam(), shorter), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(VerifyKey::parse(GetParam(), longer), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(VerifyKey::parse(GetParam(), {}), Errc::invalid_key));
  auto priv = key.serialize();
  ASSERT_TRUE(IsOk(priv));
  Bytes priv_longer = to_bytes(priv->view());
  priv_longer.insert(priv_longer.begin(), 0x00);
  EXPECT_TRUE(FailsWith(SigningKey::parse(GetParam(), priv_longer), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(SigningKey::parse(GetParam(), {}), Errc::invalid_key));
  if (scalar_size(GetParam()) == 0) {
    // EdDSA private keys are fixed-size strings.
    EXPECT_TRUE(FailsWith(SigningKey::parse(GetParam(), priv->view().first(priv->size() - 1)),
                          Errc::invalid_key));
  }
}

TEST_P(SigEcdsaKeys, ShortScalarEncoding_IsLeftPaddedBigEndian) {
  // Encoders may drop leading zero bytes of an ECDSA scalar: {0x01} is the scalar 1.
  Bytes one(scalar_size(GetParam()), 0);
  one.back() = 0x01;
  auto full = SigningKey::parse(GetParam(), one);
  auto minimal = SigningKey::parse(GetParam(), Bytes{0x01});
  ASSERT_TRUE(IsOk(full));
  ASSERT_TRUE(IsOk(minimal));
  EXPECT_EQ(minimal->verify_key().bytes(), full->verify_key().bytes());
  auto ser = minimal->serialize();
  ASSERT_TRUE(IsOk(ser));
  EXPECT_TRUE(equal(ser->view(), one));  // serialized at full width again
  EXPECT_TRUE(FailsWith(SigningKey::parse(GetParam(), Bytes{0x00}), Errc::invalid_key));
}

TEST(SignatureDeterminism, EdDsaIsDeterministicEcdsaIsRandomized) {
  const SigningKey ed = fresh(SigAlg::ed25519);
  auto s1 = ed.sign(as_bytes("m"));
  auto s2 = ed.sign(as_bytes("m"));
  ASSERT_TRUE(IsOk(s1));
  ASSERT_TRUE(IsOk(s2));
  EXPECT_EQ(*s1, *s2);
  const SigningKey ec = fresh(SigAlg::ecdsa_secp256r1_sha256);
  auto e1 = ec.sign(as_bytes("m"));
  auto e2 = ec.sign(as_bytes("m"));
  ASSERT_TRUE(IsOk(e1));
  ASSERT_TRUE(IsOk(e2));
  EXPECT_NE(*e1, *e2);
  EXPECT_TRUE(IsOk(ec.verify_key().verify(as_bytes("m"), *e1)));
  EXPECT_TRUE(IsOk(ec.verify_key().verify(as_bytes("m"), *e2)));
}

TEST(SignatureCrossAlgorithm, SignatureUnderOtherSchemeFails) {
  const SigningKey ed25519 = fresh(SigAlg::ed25519);
  const SigningKey p256 = fresh(SigAlg::ecdsa_secp256r1_sha256);
  const SigningKey p384 = fresh(SigAlg::ecdsa_secp384r1_sha384);
  auto s = ed25519.sign(as_bytes("m"));
  auto e = p256.sign(as_bytes("m"));
  ASSERT_TRUE(IsOk(s));
  ASSERT_TRUE(IsOk(e));
  EXPECT_TRUE(FailsWith(p256.verify_key().verify(as_bytes("m"), *s), Errc::authentication_failed));
  EXPECT_TRUE(FailsWith(p384.verify_key().verify(as_bytes("m"), *e), Errc::authentication_failed));
  EXPECT_TRUE(
      FailsWith(ed25519.verify_key().verify(as_bytes("m"), *e), Errc::authentication_failed));
}

// RFC 8032 §7.1 TEST 1 and §7.4 "Blank": the empty message.
TEST(SignatureKnownAnswers, Rfc8032EmptyMessage) {
  struct Kat {
    SigAlg alg;
    const char* sk;
    const char* pk;
    const char* sig;
  };
  const Kat kats[] = {
      {SigAlg::ed25519, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf"
       "9"
       "b46bd25bf5f0595bbe24655141438e7a100b"},
      {SigAlg::ed448,
       "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b944"
       "9"
       "2f8f032e7549a20098f95b",
       "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e"
       "5"
       "0f6cd1fa1abeafe8256180",
       "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22dd"
       "d47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda85"
       "30a113a0f4dbb61149f05a7363268c71d95808ff2e652600"},
  };
  for (const auto& k : kats) {
    SCOPED_TRACE(sig_label(k.alg));
    auto key = SigningKey::parse(k.alg, hex(k.sk));
    ASSERT_TRUE(IsOk(key));
    EXPECT_EQ(to_hex(key->verify_key().bytes()), k.pk);
    auto sig = key->sign({});
    ASSERT_TRUE(IsOk(sig));
    EXPECT_EQ(to_hex(*sig), k.sig);
    auto vk = VerifyKey::parse(k.alg, hex(k.pk));
    ASSERT_TRUE(IsOk(vk));
    EXPECT_TRUE(IsOk(vk->verify({}, hex(k.sig))));
  }
}

// RFC 8032 §5.1.7: S must be below the group order L. The RFC 8032 TEST 1 signature with
// S replaced by S + L satisfies the verification equation but is a malleated copy.
TEST(SignatureKnownAnswers, Ed25519NonCanonicalS_IsRejected) {
  auto vk = VerifyKey::parse(
      SigAlg::ed25519, hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  ASSERT_TRUE(IsOk(vk));
  const Bytes s_plus_l = hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901554c8c7872aa064e049dbb3013fb"
      "f29380d25bf5f0595bbe24655141438e7a101b");
  EXPECT_TRUE(FailsWith(vk->verify({}, s_plus_l), Errc::authentication_failed));
}

TEST(SigFromCode, OfferedAndUnsupportedCodes) {
  for (SigAlg a : kAllSigs) {
    auto r = sig_from_code(static_cast<std::uint16_t>(a));
    ASSERT_TRUE(IsOk(r));
    EXPECT_EQ(*r, a);
    EXPECT_FALSE(sig_name(a).empty());
  }
  // rsa_pkcs1_sha256, rsa_pss_rsae_sha256, ecdsa_sha1, 0.
  for (std::uint16_t bad : {0x0401, 0x0804, 0x0203, 0x0000, 0x0809})
    EXPECT_TRUE(FailsWith(sig_from_code(bad), Errc::unsupported)) << bad;
}

// --- ECDSA specifics -----------------------------------------------------------------------

class SigEcdsa : public ::testing::TestWithParam<SigAlg> {};
INSTANTIATE_TEST_SUITE_P(EcdsaCurves, SigEcdsa,
                         ::testing::Values(SigAlg::ecdsa_secp256r1_sha256,
                                           SigAlg::ecdsa_secp384r1_sha384,
                                           SigAlg::ecdsa_secp521r1_sha512),
                         [](const auto& p) { return sig_label(p.param); });

TEST_P(SigEcdsa, P1363ToDer_RoundTripsOpenSslSignatures) {
  const SigningKey key = fresh(GetParam());
  // Several signatures, so that r and s with and without a high bit and with leading zero
  // bytes are likely to occur.
  for (int i = 0; i < 16; ++i) {
    auto der = key.sign(as_bytes("p1363"));
    ASSERT_TRUE(IsOk(der));
    Bytes p1363;
    ASSERT_TRUE(der_to_p1363(*der, scalar_size(GetParam()), p1363)) << to_hex(*der);
    ASSERT_EQ(p1363.size(), 2 * scalar_size(GetParam()));
    auto back = ecdsa_p1363_to_der(p1363, scalar_size(GetParam()));
    ASSERT_TRUE(IsOk(back));
    EXPECT_EQ(to_hex(*back), to_hex(*der));
    EXPECT_TRUE(IsOk(key.verify_key().verify(as_bytes("p1363"), *back)));
  }
}

TEST_P(SigEcdsa, NonStrictDer_IsRejected) {
  const SigningKey key = fresh(GetParam());
  auto der = key.sign(as_bytes("strict"));
  ASSERT_TRUE(IsOk(der));
  ASSERT_EQ((*der)[0], 0x30);
  // Trailing garbage after the SEQUENCE.
  Bytes trailing = *der;
  trailing.push_back(0x00);
  EXPECT_TRUE(FailsWith(key.verify_key().verify(as_bytes("strict"), trailing),
                        Errc::authentication_failed));
  if ((*der)[1] < 0x80) {
    // The same SEQUENCE with a needless long-form length (BER, not DER).
    Bytes long_form{0x30, 0x81, (*der)[1]};
    long_form.insert(long_form.end(), der->begin() + 2, der->end());
    EXPECT_TRUE(FailsWith(key.verify_key().verify(as_bytes("strict"), long_form),
                          Errc::authentication_failed));
  }
}

TEST_P(SigEcdsa, P1363SignatureWithoutConversion_IsRejected) {
  const SigningKey key = fresh(GetParam());
  auto der = key.sign(as_bytes("format"));
  ASSERT_TRUE(IsOk(der));
  Bytes p1363;
  ASSERT_TRUE(der_to_p1363(*der, scalar_size(GetParam()), p1363));
  EXPECT_TRUE(
      FailsWith(key.verify_key().verify(as_bytes("format"), p1363), Errc::authentication_failed));
}

TEST_P(SigEcdsa, OffCurveOrCompressedPublicKey_IsInvalidKey) {
  const SigningKey key = fresh(GetParam());
  Bytes point = key.verify_key().bytes();
  ASSERT_EQ(point[0], 0x04);
  Bytes off = point;
  off.back() ^= 0x01;
  EXPECT_TRUE(FailsWith(VerifyKey::parse(GetParam(), off), Errc::invalid_key));
  Bytes compressed{static_cast<std::uint8_t>(0x02 | (point.back() & 1))};
  compressed.insert(compressed.end(), point.begin() + 1,
                    point.begin() + 1 + static_cast<std::ptrdiff_t>((point.size() - 1) / 2));
  EXPECT_TRUE(FailsWith(VerifyKey::parse(GetParam(), compressed), Errc::invalid_key));
}

TEST_P(SigEcdsa, ZeroScalar_IsInvalidKey) {
  EXPECT_TRUE(FailsWith(SigningKey::parse(GetParam(), Bytes(scalar_size(GetParam()), 0)),
                        Errc::invalid_key));
  EXPECT_TRUE(FailsWith(SigningKey::parse(GetParam(), Bytes(scalar_size(GetParam()), 0xff)),
                        Errc::invalid_key));
}

TEST(EcdsaP1363ToDer, ExactEncodings) {
  // r = 1, s = 0x80 00 .. 00: r is minimal (one byte), s needs a 0x00 pad.
  Bytes sig(64, 0);
  sig[31] = 0x01;
  sig[32] = 0x80;
  auto der = ecdsa_p1363_to_der(sig, 32);
  ASSERT_TRUE(IsOk(der));
  EXPECT_EQ(to_hex(*der),
            "3026"
            "020101"
            "022100"
            "80" +
                std::string(62, '0'));

  // r = 0, s = 0x7f ff .. ff: zero encodes as one 0x00 byte, s needs no pad.
  Bytes sig2(64, 0xff);
  std::fill(sig2.begin(), sig2.begin() + 32, 0x00);
  sig2[32] = 0x7f;
  auto der2 = ecdsa_p1363_to_der(sig2, 32);
  ASSERT_TRUE(IsOk(der2));
  EXPECT_EQ(to_hex(*der2),
            "3025"
            "020100"
            "0220"
            "7f" +
                std::string(62, 'f'));
}

TEST(EcdsaP1363ToDer, LongSequenceUsesLongFormLength) {
  // P-521 sized, both integers with the top bit set: 2 * (2 + 67) = 138 bytes of content.
  const Bytes sig(132, 0xff);
  auto der = ecdsa_p1363_to_der(sig, 66);
  ASSERT_TRUE(IsOk(der));
  ASSERT_EQ(der->size(), 3u + 138u);
  EXPECT_EQ(to_hex(ByteView(*der).first(6)), "30818a024300");
  Bytes decoded;
  ASSERT_TRUE(der_to_p1363(*der, 66, decoded));
  EXPECT_EQ(decoded, sig);
}

TEST(EcdsaP1363ToDer, WrongLength_IsDecodeError) {
  EXPECT_TRUE(FailsWith(ecdsa_p1363_to_der(Bytes(63, 1), 32), Errc::decode_error));
  EXPECT_TRUE(FailsWith(ecdsa_p1363_to_der(Bytes(65, 1), 32), Errc::decode_error));
  EXPECT_TRUE(FailsWith(ecdsa_p1363_to_der({}, 32), Errc::decode_error));
}

TEST(VerifyKeyEcdsa, AnyCurveWithAnyHash) {
  // VerifyKey::ecdsa pairs a curve with a hash outside the MLS pairs (P-256 with SHA-512):
  // a SHA-256 signature from the same key must not verify under it.
  const SigningKey key = fresh(SigAlg::ecdsa_secp256r1_sha256);
  auto vk = VerifyKey::ecdsa(EcCurve::p256, HashAlg::sha512, key.verify_key().bytes());
  ASSERT_TRUE(IsOk(vk));
  auto sig = key.sign(as_bytes("m"));
  ASSERT_TRUE(IsOk(sig));
  EXPECT_TRUE(FailsWith(vk->verify(as_bytes("m"), *sig), Errc::authentication_failed));
  auto same = VerifyKey::ecdsa(EcCurve::p256, HashAlg::sha256, key.verify_key().bytes());
  ASSERT_TRUE(IsOk(same));
  EXPECT_TRUE(IsOk(same->verify(as_bytes("m"), *sig)));
}

}  // namespace
}  // namespace mpsec::crypto
