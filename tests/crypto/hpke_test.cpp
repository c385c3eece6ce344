// HPKE (RFC 9180): the four modes, context sequencing, export-only suites, negative cases and
// known answers from Appendix A.
#include "crypto/hpke.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/test_support.hpp"
#include "crypto/test_random.hpp"

namespace mpsec::crypto {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

const Bytes kPsk(32, 0x50);
const Bytes kPskId = to_bytes(as_bytes("psk id"));
const Bytes kInfo = to_bytes(as_bytes("application info"));

struct SuiteCase {
  const char* name;
  HpkeSuite suite;
};

const SuiteCase kSuites[] = {
    {"X25519_Sha256_Aes128", {KemId::x25519, KdfId::hkdf_sha256, AeadAlg::aes128gcm}},
    {"P256_Sha256_ChaCha", {KemId::p256, KdfId::hkdf_sha256, AeadAlg::chacha20poly1305}},
    {"P384_Sha384_Aes256", {KemId::p384, KdfId::hkdf_sha384, AeadAlg::aes256gcm}},
    {"P521_Sha512_Aes256", {KemId::p521, KdfId::hkdf_sha512, AeadAlg::aes256gcm}},
    {"X448_Sha512_ChaCha", {KemId::x448, KdfId::hkdf_sha512, AeadAlg::chacha20poly1305}},
};

enum class Mode { base, psk, auth, auth_psk };
constexpr Mode kModes[] = {Mode::base, Mode::psk, Mode::auth, Mode::auth_psk};

std::string mode_name(Mode m) {
  switch (m) {
    case Mode::base:
      return "Base";
    case Mode::psk:
      return "Psk";
    case Mode::auth:
      return "Auth";
    case Mode::auth_psk:
      return "AuthPsk";
  }
  return "Unknown";
}

HpkeMode hpke_mode(Mode m) {
  switch (m) {
    case Mode::base:
      return HpkeMode::base;
    case Mode::psk:
      return HpkeMode::psk;
    case Mode::auth:
      return HpkeMode::auth;
    case Mode::auth_psk:
      return HpkeMode::auth_psk;
  }
  return HpkeMode::base;
}

bool uses_psk(Mode m) {
  return m == Mode::psk || m == Mode::auth_psk;
}
bool uses_auth(Mode m) {
  return m == Mode::auth || m == Mode::auth_psk;
}

DhPrivateKey fresh(KemId kem) {
  auto k = DhPrivateKey::generate(kem, system_random());
  EXPECT_TRUE(IsOk(k));
  return *std::move(k);
}

// A recipient, a sender key and the options of one mode, set up for one suite.
struct Parties {
  HpkeSuite suite;
  Mode mode;
  DhPrivateKey sk_r;
  DhPrivateKey sk_s;

  Parties(const HpkeSuite& s, Mode m) : suite(s), mode(m), sk_r(fresh(s.kem)), sk_s(fresh(s.kem)) {}

  HpkeSenderOptions sender_options() const {
    HpkeSenderOptions o;
    o.info = kInfo;
    if (uses_psk(mode)) o.psk = HpkePsk{kPsk, kPskId};
    if (uses_auth(mode)) o.sender_key = &sk_s;
    return o;
  }
  HpkeReceiverOptions receiver_options() const {
    HpkeReceiverOptions o;
    o.info = kInfo;
    if (uses_psk(mode)) o.psk = HpkePsk{kPsk, kPskId};
    if (uses_auth(mode)) o.sender_public = &sk_s.public_key();
    return o;
  }

  Result<HpkeSender> sender() const {
    return hpke_setup_sender(suite, sk_r.public_key(), sender_options(), system_random());
  }
  Result<HpkeContext> receiver(ByteView enc, const HpkeReceiverOptions& o) const {
    return hpke_setup_receiver(suite, enc, sk_r, o);
  }
  Result<HpkeContext> receiver(ByteView enc) const { return receiver(enc, receiver_options()); }
};

class HpkeModes : public ::testing::TestWithParam<std::tuple<SuiteCase, Mode>> {
 protected:
  const HpkeSuite& suite() const { return std::get<0>(GetParam()).suite; }
  Mode mode() const { return std::get<1>(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(SuitesAndModes, HpkeModes,
                         ::testing::Combine(::testing::ValuesIn(kSuites),
                                            ::testing::ValuesIn(kModes)),
                         [](const auto& p) {
                           return std::string(std::get<0>(p.param).name) + "_" +
                                  mode_name(std::get<1>(p.param));
                         });

TEST_P(HpkeModes, SealOpenSeveralMessages_RoundTrip) {
  Parties parties(suite(), mode());
  auto s = parties.sender();
  ASSERT_TRUE(IsOk(s));
  EXPECT_EQ(s->enc.size(), kem_info(suite().kem).enc_size);
  EXPECT_EQ(s->context.schedule().mode, hpke_mode(mode()));
  EXPECT_EQ(s->context.role(), HpkeContext::Role::sender);
  auto r = parties.receiver(s->enc);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r->role(), HpkeContext::Role::receiver);
  EXPECT_TRUE(r->schedule().key == s->context.schedule().key);
  EXPECT_TRUE(r->schedule().base_nonce == s->context.schedule().base_nonce);

  for (std::uint64_t i = 0; i < 5; ++i) {
    const Bytes pt(static_cast<std::size_t>(10 * i), static_cast<std::uint8_t>(i));
    const Bytes aad{static_cast<std::uint8_t>(i)};
    auto ct = s->context.seal(aad, pt);
    ASSERT_TRUE(IsOk(ct)) << i;
    EXPECT_EQ(s->context.sequence(), i + 1);
    auto back = r->open(aad, *ct);
    ASSERT_TRUE(IsOk(back)) << i;
    EXPECT_EQ(*back, pt);
    EXPECT_EQ(r->sequence(), i + 1);
  }
}

TEST_P(HpkeModes, ExportsAgree) {
  Parties parties(suite(), mode());
  auto s = parties.sender();
  ASSERT_TRUE(IsOk(s));
  auto r = parties.receiver(s->enc);
  ASSERT_TRUE(IsOk(r));
  auto a = s->context.export_secret(as_bytes("ctx"), 42);
  auto b = r->export_secret(as_bytes("ctx"), 42);
  auto c = r->export_secret(as_bytes("other ctx"), 42);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_EQ(a->size(), 42u);
  EXPECT_TRUE(*a == *b);
  EXPECT_FALSE(*a == *c);
}

TEST_P(HpkeModes, SingleShotSealOpen_RoundTrip) {
  Parties parties(suite(), mode());
  auto sealed = hpke_seal(suite(), parties.sk_r.public_key(), parties.sender_options(),
                          as_bytes("aad"), as_bytes("single shot"), system_random());
  ASSERT_TRUE(IsOk(sealed));
  auto pt = hpke_open(suite(), sealed->enc, parties.sk_r, parties.receiver_options(),
                      as_bytes("aad"), sealed->ciphertext);
  ASSERT_TRUE(IsOk(pt));
  EXPECT_EQ(*pt, to_bytes(as_bytes("single shot")));
}

TEST_P(HpkeModes, OpenWithWrongRecipientKey_Fails) {
  Parties parties(suite(), mode());
  auto sealed = hpke_seal(suite(), parties.sk_r.public_key(), parties.sender_options(), {},
                          as_bytes("m"), system_random());
  ASSERT_TRUE(IsOk(sealed));
  const DhPrivateKey other = fresh(suite().kem);
  EXPECT_TRUE(FailsWith(
      hpke_open(suite(), sealed->enc, other, parties.receiver_options(), {}, sealed->ciphertext),
      Errc::authentication_failed));
}

TEST_P(HpkeModes, OpenWithWrongInfo_Fails) {
  Parties parties(suite(), mode());
  auto sealed = hpke_seal(suite(), parties.sk_r.public_key(), parties.sender_options(), {},
                          as_bytes("m"), system_random());
  ASSERT_TRUE(IsOk(sealed));
  HpkeReceiverOptions o = parties.receiver_options();
  o.info = as_bytes("another info");
  EXPECT_TRUE(FailsWith(hpke_open(suite(), sealed->enc, parties.sk_r, o, {}, sealed->ciphertext),
                        Errc::authentication_failed));
}

TEST_P(HpkeModes, OpenWithWrongAad_Fails) {
  Parties parties(suite(), mode());
  auto sealed = hpke_seal(suite(), parties.sk_r.public_key(), parties.sender_options(),
                          as_bytes("aad"), as_bytes("m"), system_random());
  ASSERT_TRUE(IsOk(sealed));
  EXPECT_TRUE(FailsWith(hpke_open(suite(), sealed->enc, parties.sk_r, parties.receiver_options(),
                                  as_bytes("aae"), sealed->ciphertext),
                        Errc::authentication_failed));
}

TEST_P(HpkeModes, OpenWithMismatchedPsk_Fails) {
  Parties parties(suite(), mode());
  auto sealed = hpke_seal(suite(), parties.sk_r.public_key(), parties.sender_options(), {},
                          as_bytes("m"), system_random());
  ASSERT_TRUE(IsOk(sealed));
  const Bytes other_psk(32, 0x51);
  const Bytes other_id = to_bytes(as_bytes("psk id 2"));
  std::vector<HpkeReceiverOptions> wrong;
  if (uses_psk(mode())) {
    HpkeReceiverOptions o = parties.receiver_options();
    o.psk = HpkePsk{other_psk, kPskId};  // wrong PSK
    wrong.push_back(o);
    o.psk = HpkePsk{kPsk, other_id};  // wrong PSK id
    wrong.push_back(o);
    o.psk.reset();  // receiver without the PSK
    wrong.push_back(o);
  } else {
    HpkeReceiverOptions o = parties.receiver_options();
    o.psk = HpkePsk{kPsk, kPskId};  // receiver expecting a PSK the sender did not use
    wrong.push_back(o);
  }
  for (const auto& o : wrong)
    EXPECT_TRUE(FailsWith(hpke_open(suite(), sealed->enc, parties.sk_r, o, {}, sealed->ciphertext),
                          Errc::authentication_failed));
}

TEST_P(HpkeModes, OpenWithMismatchedSenderAuthentication_Fails) {
  Parties parties(suite(), mode());
  auto sealed = hpke_seal(suite(), parties.sk_r.public_key(), parties.sender_options(), {},
                          as_bytes("m"), system_random());
  ASSERT_TRUE(IsOk(sealed));
  const DhPrivateKey impostor = fresh(suite().kem);
  HpkeReceiverOptions o = parties.receiver_options();
  if (uses_auth(mode())) {
    o.sender_public = &impostor.public_key();
    EXPECT_TRUE(FailsWith(hpke_open(suite(), sealed->enc, parties.sk_r, o, {}, sealed->ciphertext),
                          Errc::authentication_failed));
    o.sender_public = nullptr;  // receiver not authenticating the sender
  } else {
    o.sender_public = &parties.sk_s.public_key();  // receiver expecting an auth mode
  }
  EXPECT_TRUE(FailsWith(hpke_open(suite(), sealed->enc, parties.sk_r, o, {}, sealed->ciphertext),
                        Errc::authentication_failed));
}

TEST_P(HpkeModes, SealOnReceiverContext_AndOpenOnSenderContext_AreInvalidState) {
  Parties parties(suite(), mode());
  auto s = parties.sender();
  ASSERT_TRUE(IsOk(s));
  auto r = parties.receiver(s->enc);
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(FailsWith(r->seal({}, as_bytes("x")), Errc::invalid_state));
  EXPECT_EQ(r->sequence(), 0u);
  auto ct = s->context.seal({}, as_bytes("x"));
  ASSERT_TRUE(IsOk(ct));
  EXPECT_TRUE(FailsWith(s->context.open({}, *ct), Errc::invalid_state));
  EXPECT_EQ(s->context.sequence(), 1u);
}

TEST_P(HpkeModes, FailedOpenDoesNotAdvanceSequence) {
  Parties parties(suite(), mode());
  auto s = parties.sender();
  ASSERT_TRUE(IsOk(s));
  auto r = parties.receiver(s->enc);
  ASSERT_TRUE(IsOk(r));
  auto ct0 = s->context.seal(as_bytes("0"), as_bytes("first"));
  auto ct1 = s->context.seal(as_bytes("1"), as_bytes("second"));
  ASSERT_TRUE(IsOk(ct0));
  ASSERT_TRUE(IsOk(ct1));

  Bytes tampered = *ct0;
  tampered[0] ^= 0x01;
  EXPECT_TRUE(FailsWith(r->open(as_bytes("0"), tampered), Errc::authentication_failed));
  EXPECT_EQ(r->sequence(), 0u);
  // Out of order: message 1 under sequence 0 fails and does not advance either.
  EXPECT_TRUE(FailsWith(r->open(as_bytes("1"), *ct1), Errc::authentication_failed));
  EXPECT_EQ(r->sequence(), 0u);

  auto pt0 = r->open(as_bytes("0"), *ct0);
  ASSERT_TRUE(IsOk(pt0));
  EXPECT_EQ(*pt0, to_bytes(as_bytes("first")));
  EXPECT_EQ(r->sequence(), 1u);
  // Replaying message 0 now fails: its nonce is used up.
  EXPECT_TRUE(FailsWith(r->open(as_bytes("0"), *ct0), Errc::authentication_failed));
  auto pt1 = r->open(as_bytes("1"), *ct1);
  ASSERT_TRUE(IsOk(pt1));
  EXPECT_EQ(*pt1, to_bytes(as_bytes("second")));
  EXPECT_EQ(r->sequence(), 2u);
}

// --- setup validation ----------------------------------------------------------------------

TEST(HpkeSetup, PskWithoutIdOrIdWithoutPsk_IsInvalidArgument) {
  const HpkeSuite suite;
  const DhPrivateKey sk_r = fresh(suite.kem);
  for (const HpkePsk& bad : {HpkePsk{kPsk, {}}, HpkePsk{{}, kPskId}, HpkePsk{{}, {}}}) {
    HpkeSenderOptions so;
    so.psk = bad;
    EXPECT_TRUE(FailsWith(hpke_setup_sender(suite, sk_r.public_key(), so, system_random()),
                          Errc::invalid_argument));
    HpkeReceiverOptions ro;
    ro.psk = bad;
    EXPECT_TRUE(FailsWith(hpke_setup_receiver(suite, sk_r.public_key().bytes(), sk_r, ro),
                          Errc::invalid_argument));
  }
}

TEST(HpkeSetup, PskShorterThan32Bytes_IsInvalidArgument) {
  const HpkeSuite suite;
  const DhPrivateKey sk_r = fresh(suite.kem);
  const Bytes short_psk(31, 0x50);
  HpkeSenderOptions so;
  so.psk = HpkePsk{short_psk, kPskId};
  EXPECT_TRUE(FailsWith(hpke_setup_sender(suite, sk_r.public_key(), so, system_random()),
                        Errc::invalid_argument));
}

TEST(HpkeSetup, RecipientKeyOfAnotherKem_IsInvalidKey) {
  const HpkeSuite suite{KemId::p256, KdfId::hkdf_sha256, AeadAlg::aes128gcm};
  const DhPrivateKey x = fresh(KemId::x25519);
  EXPECT_TRUE(
      FailsWith(hpke_setup_sender(suite, x.public_key(), {}, system_random()), Errc::invalid_key));
  EXPECT_TRUE(
      FailsWith(hpke_setup_receiver(suite, x.public_key().bytes(), x, {}), Errc::invalid_key));
}

TEST(HpkeSetup, MalformedEnc_IsInvalidKey) {
  const HpkeSuite suite{KemId::p256, KdfId::hkdf_sha256, AeadAlg::aes128gcm};
  const DhPrivateKey sk_r = fresh(suite.kem);
  auto s = hpke_setup_sender(suite, sk_r.public_key(), {}, system_random());
  ASSERT_TRUE(IsOk(s));
  Bytes bad = s->enc;
  bad.back() ^= 0x01;  // off the curve
  EXPECT_TRUE(FailsWith(hpke_setup_receiver(suite, bad, sk_r, {}), Errc::invalid_key));
  EXPECT_TRUE(FailsWith(hpke_setup_receiver(suite, ByteView(s->enc).first(33), sk_r, {}),
                        Errc::invalid_key));
}

TEST(HpkeSuiteCodes, FromCodes_AcceptsOfferedAndRejectsOthers) {
  auto s = HpkeSuite::from_codes(0x0020, 0x0001, 0x0003);
  ASSERT_TRUE(IsOk(s));
  EXPECT_EQ(s->kem, KemId::x25519);
  EXPECT_EQ(s->kdf, KdfId::hkdf_sha256);
  ASSERT_TRUE(s->aead.has_value());
  EXPECT_EQ(*s->aead, AeadAlg::chacha20poly1305);
  EXPECT_EQ(s->aead_code(), 0x0003);

  auto export_only = HpkeSuite::from_codes(0x0012, 0x0003, 0xffff);
  ASSERT_TRUE(IsOk(export_only));
  EXPECT_FALSE(export_only->aead.has_value());
  EXPECT_EQ(export_only->aead_code(), kHpkeExportOnly);

  EXPECT_TRUE(FailsWith(HpkeSuite::from_codes(0x0030, 1, 1), Errc::unsupported));
  EXPECT_TRUE(FailsWith(HpkeSuite::from_codes(0x0020, 0, 1), Errc::unsupported));
  EXPECT_TRUE(FailsWith(HpkeSuite::from_codes(0x0020, 4, 1), Errc::unsupported));
  EXPECT_TRUE(FailsWith(HpkeSuite::from_codes(0x0020, 1, 0), Errc::unsupported));
  EXPECT_TRUE(FailsWith(HpkeSuite::from_codes(0x0020, 1, 4), Errc::unsupported));
  EXPECT_TRUE(FailsWith(HpkeSuite::from_codes(0x0020, 1, 0xfffe), Errc::unsupported));
}

TEST(HpkeKdf, KdfHashMapping) {
  EXPECT_EQ(kdf_hash(KdfId::hkdf_sha256), HashAlg::sha256);
  EXPECT_EQ(kdf_hash(KdfId::hkdf_sha384), HashAlg::sha384);
  EXPECT_EQ(kdf_hash(KdfId::hkdf_sha512), HashAlg::sha512);
}

// --- export-only ---------------------------------------------------------------------------

TEST(HpkeExportOnly, CannotSealButExportsAgree) {
  const HpkeSuite suite{KemId::x25519, KdfId::hkdf_sha256, std::nullopt};
  const DhPrivateKey sk_r = fresh(suite.kem);
  auto s = hpke_setup_sender(suite, sk_r.public_key(), {}, system_random());
  ASSERT_TRUE(IsOk(s));
  EXPECT_TRUE(FailsWith(s->context.seal({}, as_bytes("x")), Errc::invalid_state));
  EXPECT_EQ(s->context.sequence(), 0u);
  auto r = hpke_setup_receiver(suite, s->enc, sk_r, {});
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(FailsWith(r->open({}, Bytes(16, 0)), Errc::invalid_state));
  auto a = s->context.export_secret(as_bytes("label"), 64);
  auto b = r->export_secret(as_bytes("label"), 64);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  EXPECT_TRUE(*a == *b);
  EXPECT_TRUE(s->context.schedule().key.empty());
  EXPECT_TRUE(s->context.schedule().base_nonce.empty());
}

TEST(HpkeExportOnly, SingleShotExportsAgree) {
  const HpkeSuite suite{KemId::p256, KdfId::hkdf_sha512, std::nullopt};
  const DhPrivateKey sk_r = fresh(suite.kem);
  auto sent = hpke_send_export(suite, sk_r.public_key(), {}, as_bytes("ctx"), 32, system_random());
  ASSERT_TRUE(IsOk(sent));
  auto received = hpke_receive_export(suite, sent->enc, sk_r, {}, as_bytes("ctx"), 32);
  ASSERT_TRUE(IsOk(received));
  EXPECT_TRUE(*received == sent->secret);
  EXPECT_TRUE(
      FailsWith(hpke_open(suite, sent->enc, sk_r, {}, {}, Bytes(16, 0)), Errc::invalid_state));
}

TEST(HpkeExport, LengthAbove255TimesNh_IsInvalidArgument) {
  const HpkeSuite suite;  // HKDF-SHA256
  const DhPrivateKey sk_r = fresh(suite.kem);
  auto s = hpke_setup_sender(suite, sk_r.public_key(), {}, system_random());
  ASSERT_TRUE(IsOk(s));
  EXPECT_TRUE(IsOk(s->context.export_secret({}, 255 * 32)));
  EXPECT_TRUE(FailsWith(s->context.export_secret({}, 255 * 32 + 1), Errc::invalid_argument));
}

// --- RFC 9180 Appendix A known answers ----------------------------------------------------

struct HpkeKat {
  const char* name;
  HpkeSuite suite;
  HpkeMode mode;
  const char* ikm_r;
  const char* ikm_s;  // auth modes
  const char* ikm_e;
  const char* psk;  // psk modes
  const char* psk_id;
  const char* enc;
  const char* key;
  const char* base_nonce;
  const char* exporter_secret;
  const char* ct0;      // seal(aad = "Count-0", pt) at sequence 0
  const char* ct1;      // seal(aad = "Count-1", pt) at sequence 1
  const char* export0;  // Export("", 32)
  const char* export1;  // Export("00", 32)
};

constexpr const char* kKatInfo = "4f6465206f6e2061204772656369616e2055726e";
constexpr const char* kKatPt = "4265617574792069732074727574682c20747275746820626561757479";

const HpkeKat kKats[] = {
    {"A.1.1 X25519 base",
     {KemId::x25519, KdfId::hkdf_sha256, AeadAlg::aes128gcm},
     HpkeMode::base,
     "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
     nullptr,
     "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
     nullptr,
     nullptr,
     "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
     "4531685d41d65f03dc48f6b8302c05b0",
     "56d890e5accaaf011cff4b7d",
     "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
     "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
     nullptr,
     "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee",
     nullptr},
    {"A.1.3 X25519 auth",
     {KemId::x25519, KdfId::hkdf_sha256, AeadAlg::aes128gcm},
     HpkeMode::auth,
     "f1d4a30a4cef8d6d4e3b016e6fd3799ea057db4f345472ed302a67ce1c20cdec",
     "94b020ce91d73fca4649006c7e7329a67b40c55e9e93cc907d282bbbff386f58",
     "6e6d8f200ea2fb20c30b003a8b4f433d2f4ed4c2658d5bc8ce2fef718059c9f7",
     nullptr,
     nullptr,
     "23fb952571a14a25e3d678140cd0e5eb47a0961bb18afcf85896e5453c312e76",
     "b062cb2c4dd4bca0ad7c7a12bbc341e6",
     "a1bc314c1942ade7051ffed0",
     "ee1a093e6e1c393c162ea98fdf20560c75909653550540a2700511b65c88c6f1",
     "5fd92cc9d46dbf8943e72a07e42f363ed5f721212cd90bcfd072bfd9f44e06b80fd17824947496e21b680c141b",
     "d3736bb256c19bfa93d79e8f80b7971262cb7c887e35c26370cfed62254369a1b52e3d505b79dd699f002bc8ed",
     nullptr,
     "25dfc004b0892be1888c3914977aa9c9bbaf2c7471708a49e1195af48a6f29ce"},
    {"A.1.4 X25519 auth_psk",
     {KemId::x25519, KdfId::hkdf_sha256, AeadAlg::aes128gcm},
     HpkeMode::auth_psk,
     "4b16221f3b269a88e207270b5e1de28cb01f847841b344b8314d6a622fe5ee90",
     "62f77dcf5df0dd7eac54eac9f654f426d4161ec850cc65c54f8b65d2e0b4e345",
     "4303619085a20ebcf18edd22782952b8a7161e1dbae6e46e143a52a96127cf84",
     "0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82",
     "456e6e796e20447572696e206172616e204d6f726961",
     "820818d3c23993492cc5623ab437a48a0a7ca3e9639c140fe1e33811eb844b7c",
     "1364ead92c47aa7becfa95203037b19a",
     "99d8b5c54669807e9fc70df1",
     "f048d55eacbf60f9c6154bd4021774d1075ebf963c6adc71fa846f183ab2dde6",
     "a84c64df1e11d8fd11450039d4fe64ff0c8a99fca0bd72c2d4c3e0400bc14a40f27e45e141a24001697737533e",
     "4d19303b848f424fc3c3beca249b2c6de0a34083b8e909b6aa4c3688505c05ffe0c8f57a0a4c5ab9da127435d9",
     nullptr,
     "52e51ff7d436557ced5265ff8b94ce69cf7583f49cdb374e6aad801fc063b010"},
    {"A.3.1 P-256 base",
     {KemId::p256, KdfId::hkdf_sha256, AeadAlg::aes128gcm},
     HpkeMode::base,
     "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
     nullptr,
     "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
     nullptr,
     nullptr,
     "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0"
     "900be863c403ce65c9bfcb9382657222d18c4",
     "868c066ef58aae6dc589b6cfdd18f97e",
     "4e0bc5018beba4bf004cca59",
     "14ad94af484a7ad3ef40e9f3be99ecc6fa9036df9d4920548424df127ee0d99f",
     "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
     nullptr,
     "5e9bc3d236e1911d95e65b576a8a86d478fb827e8bdfe77b741b289890490d4d",
     nullptr},
    {"A.7.1 X25519 export-only",
     {KemId::x25519, KdfId::hkdf_sha256, std::nullopt},
     HpkeMode::base,
     "683ae0da1d22181e74ed2e503ebf82840deb1d5e872cade20f4b458d99783e31",
     nullptr,
     "55bc245ee4efda25d38f2d54d5bb6665291b99f8108a8c4b686c2b14893ea5d9",
     nullptr,
     nullptr,
     "e5e8f9bfff6c2f29791fc351d2c25ce1299aa5eaca78a757c0b4fb4bcd830918",
     "",
     "",
     "79dc8e0509cf4a3364ca027e5a0138235281611ca910e435e8ed58167c72f79b",
     nullptr,
     nullptr,
     "7a36221bd56d50fb51ee65edfd98d06a23c4dc87085aa5866cb7087244bd2a36",
     "d5535b87099c6c3ce80dc112a2671c6ec8e811a2f284f948cec6dd1708ee33f0"},
};

TEST(HpkeKnownAnswers, Rfc9180AppendixA) {
  for (const auto& k : kKats) {
    SCOPED_TRACE(k.name);
    auto sk_r = DhPrivateKey::derive(k.suite.kem, hex(k.ikm_r));
    ASSERT_TRUE(IsOk(sk_r));
    std::optional<DhPrivateKey> sk_s;
    if (k.ikm_s != nullptr) {
      auto s = DhPrivateKey::derive(k.suite.kem, hex(k.ikm_s));
      ASSERT_TRUE(IsOk(s));
      sk_s.emplace(*std::move(s));
    }
    const Bytes info = hex(kKatInfo);
    const Bytes psk = k.psk != nullptr ? hex(k.psk) : Bytes{};
    const Bytes psk_id = k.psk_id != nullptr ? hex(k.psk_id) : Bytes{};

    HpkeSenderOptions so;
    so.info = info;
    HpkeReceiverOptions ro;
    ro.info = info;
    if (k.psk != nullptr) {
      so.psk = HpkePsk{psk, psk_id};
      ro.psk = HpkePsk{psk, psk_id};
    }
    if (sk_s) {
      so.sender_key = &*sk_s;
      ro.sender_public = &sk_s->public_key();
    }

    FixedRandom ikm_e(hex(k.ikm_e));
    auto sender = hpke_setup_sender(k.suite, sk_r->public_key(), so, ikm_e);
    ASSERT_TRUE(IsOk(sender));
    EXPECT_EQ(to_hex(sender->enc), k.enc);
    const auto& ks = sender->context.schedule();
    EXPECT_EQ(ks.mode, k.mode);
    EXPECT_EQ(to_hex(ks.key.view()), k.key);
    EXPECT_EQ(to_hex(ks.base_nonce.view()), k.base_nonce);
    EXPECT_EQ(to_hex(ks.exporter_secret.view()), k.exporter_secret);

    auto receiver = hpke_setup_receiver(k.suite, sender->enc, *sk_r, ro);
    ASSERT_TRUE(IsOk(receiver));

    if (k.ct0 != nullptr) {
      auto ct0 = sender->context.seal(as_bytes("Count-0"), hex(kKatPt));
      ASSERT_TRUE(IsOk(ct0));
      EXPECT_EQ(to_hex(*ct0), k.ct0);
      auto pt0 = receiver->open(as_bytes("Count-0"), *ct0);
      ASSERT_TRUE(IsOk(pt0));
      EXPECT_EQ(to_hex(*pt0), kKatPt);
    }
    if (k.ct1 != nullptr) {
      auto ct1 = sender->context.seal(as_bytes("Count-1"), hex(kKatPt));
      ASSERT_TRUE(IsOk(ct1));
      EXPECT_EQ(to_hex(*ct1), k.ct1);
      auto pt1 = receiver->open(as_bytes("Count-1"), *ct1);
      ASSERT_TRUE(IsOk(pt1));
    }
    if (k.export0 != nullptr) {
      auto e = receiver->export_secret({}, 32);
      ASSERT_TRUE(IsOk(e));
      EXPECT_EQ(to_hex(e->view()), k.export0);
    }
    if (k.export1 != nullptr) {
      auto e = receiver->export_secret(hex("00"), 32);
      ASSERT_TRUE(IsOk(e));
      EXPECT_EQ(to_hex(e->view()), k.export1);
    }
  }
}

}  // namespace
}  // namespace mpsec::crypto
