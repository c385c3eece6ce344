#include "crypto/self_test.hpp"

namespace mpsec::crypto {

namespace {

Status expect_rejected(bool accepted, const char* what) {
  MPSEC_ENSURE(!accepted, Errc::internal, what);
  return ok();
}

Status test_aead(const CipherSuite& suite, Random& rng) {
  SecretBytes key(suite.key_size());
  Bytes nonce(suite.nonce_size());
  Bytes msg(100);
  MPSEC_TRY(rng.fill(key.mutable_view()));
  MPSEC_TRY(rng.fill(nonce));
  MPSEC_TRY(rng.fill(msg));
  const Bytes aad = {'s', 'e', 'l', 'f'};
  auto aead = MPSEC_TRY(AeadKey::create(suite.aead(), key.view()));
  auto ct = MPSEC_TRY(aead.seal(nonce, aad, msg));
  auto pt = MPSEC_TRY(aead.open(nonce, aad, ct));
  MPSEC_ENSURE(pt == msg, Errc::internal, "AEAD round trip changed the message");
  ct[7] ^= 0x01;
  return expect_rejected(aead.open(nonce, aad, ct).has_value(),
                         "AEAD accepted a tampered ciphertext");
}

Status test_signature(const CipherSuite& suite, Random& rng) {
  auto key = MPSEC_TRY(SigningKey::generate(suite.sig(), rng));
  const Bytes content = {'m', 'p', 's', 'e', 'c'};
  auto sig = MPSEC_TRY(suite.sign_with_label(key, "SelfTest", content));
  MPSEC_TRY(suite.verify_with_label(key.verify_key(), "SelfTest", content, sig));
  return expect_rejected(
      suite.verify_with_label(key.verify_key(), "Other", content, sig).has_value(),
      "signature verified under another label");
}

Status test_hpke(const CipherSuite& suite, Random& rng) {
  auto key = MPSEC_TRY(DhPrivateKey::generate(suite.kem(), rng));
  const Bytes context = {1, 2, 3};
  const Bytes msg = {'g', 'r', 'o', 'u', 'p'};
  auto ct = MPSEC_TRY(suite.encrypt_with_label(key.public_key(), "SelfTest", context, msg, rng));
  auto pt =
      MPSEC_TRY(suite.decrypt_with_label(key, "SelfTest", context, ct.kem_output, ct.ciphertext));
  MPSEC_ENSURE(equal(pt.view(), msg), Errc::internal, "HPKE round trip changed the message");
  const Bytes other = {9};
  return expect_rejected(
      suite.decrypt_with_label(key, "SelfTest", other, ct.kem_output, ct.ciphertext).has_value(),
      "HPKE opened under another context");
}

}  // namespace

SuiteSelfTest self_test(const CipherSuite& suite, Random& rng) {
  return SuiteSelfTest{test_aead(suite, rng), test_signature(suite, rng), test_hpke(suite, rng)};
}

}  // namespace mpsec::crypto
