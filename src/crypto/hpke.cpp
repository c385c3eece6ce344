#include "crypto/hpke.hpp"

#include "crypto/hpke_labels.hpp"
#include "crypto/kem.hpp"

namespace mpsec::crypto {

HashAlg kdf_hash(KdfId kdf) noexcept {
  switch (kdf) {
    case KdfId::hkdf_sha256:
      return HashAlg::sha256;
    case KdfId::hkdf_sha384:
      return HashAlg::sha384;
    case KdfId::hkdf_sha512:
      return HashAlg::sha512;
  }
  return HashAlg::sha256;
}

Result<HpkeSuite> HpkeSuite::from_codes(std::uint16_t kem, std::uint16_t kdf, std::uint16_t aead) {
  HpkeSuite suite;
  suite.kem = MPSEC_TRY(kem_from_code(kem));
  MPSEC_ENSURE(kdf >= 1 && kdf <= 3, Errc::unsupported, "HPKE KDF not offered");
  suite.kdf = static_cast<KdfId>(kdf);
  if (aead == kHpkeExportOnly) {
    suite.aead.reset();
  } else {
    MPSEC_ENSURE(aead >= 1 && aead <= 3, Errc::unsupported, "HPKE AEAD not offered");
    suite.aead = static_cast<AeadAlg>(aead);
  }
  return suite;
}

namespace {

Bytes suite_id(const HpkeSuite& s) {
  return hpke_suite_id(static_cast<std::uint16_t>(s.kem), static_cast<std::uint16_t>(s.kdf),
                       s.aead_code());
}

HpkeMode mode_of(bool has_psk, bool has_auth) {
  if (has_psk) return has_auth ? HpkeMode::auth_psk : HpkeMode::psk;
  return has_auth ? HpkeMode::auth : HpkeMode::base;
}

Status check_psk(const std::optional<HpkePsk>& psk) {
  // VerifyPSKInputs (RFC 9180 §5.1): a PSK and its id come together, both non-empty.
  if (psk) {
    MPSEC_ENSURE(!psk->psk.empty() && !psk->psk_id.empty(), Errc::invalid_argument,
                 "HPKE PSK and PSK id must both be non-empty");
    MPSEC_ENSURE(psk->psk.size() >= 32, Errc::invalid_argument,
                 "HPKE PSK must have at least 32 bytes of entropy");
  }
  return ok();
}

}  // namespace

Result<HpkeKeySchedule> hpke_key_schedule(const HpkeSuite& suite, HpkeMode mode,
                                          ByteView shared_secret, ByteView info, ByteView psk,
                                          ByteView psk_id) {
  const HashAlg h = kdf_hash(suite.kdf);
  const Bytes sid = suite_id(suite);
  HpkeKeySchedule ks;
  ks.mode = mode;
  auto psk_id_hash = MPSEC_TRY(labeled_extract(h, sid, {}, "psk_id_hash", psk_id));
  auto info_hash = MPSEC_TRY(labeled_extract(h, sid, {}, "info_hash", info));
  ks.key_schedule_context.push_back(static_cast<std::uint8_t>(mode));
  append(ks.key_schedule_context, psk_id_hash.view());
  append(ks.key_schedule_context, info_hash.view());
  ks.secret = MPSEC_TRY(labeled_extract(h, sid, shared_secret, "secret", psk));
  if (suite.aead) {
    ks.key = MPSEC_TRY(labeled_expand(h, sid, ks.secret.view(), "key", ks.key_schedule_context,
                                      aead_key_size(*suite.aead)));
    ks.base_nonce = MPSEC_TRY(labeled_expand(h, sid, ks.secret.view(), "base_nonce",
                                             ks.key_schedule_context, kAeadNonceSize));
  }
  ks.exporter_secret = MPSEC_TRY(
      labeled_expand(h, sid, ks.secret.view(), "exp", ks.key_schedule_context, hash_size(h)));
  return ks;
}

Result<HpkeContext> make_hpke_context(const HpkeSuite& suite, HpkeContext::Role role,
                                      HpkeKeySchedule schedule) {
  std::optional<AeadKey> aead;
  if (suite.aead) aead = MPSEC_TRY(AeadKey::create(*suite.aead, schedule.key.view()));
  return HpkeContext(suite, role, std::move(schedule), std::move(aead));
}

Status HpkeContext::nonce(SecretArray<kAeadNonceSize>& out) const {
  // ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn)
  MPSEC_ENSURE(seq_ != UINT64_MAX, Errc::limit_exceeded, "HPKE sequence number exhausted");
  std::copy_n(schedule_.base_nonce.data(), kAeadNonceSize, out.data());
  for (std::size_t i = 0; i < 8; ++i)
    out.data()[kAeadNonceSize - 1 - i] ^= static_cast<std::uint8_t>(seq_ >> (8 * i));
  return ok();
}

Result<Bytes> HpkeContext::seal(ByteView aad, ByteView plaintext) {
  MPSEC_ENSURE(role_ == Role::sender, Errc::invalid_state, "only the sender's context seals");
  MPSEC_ENSURE(aead_.has_value(), Errc::invalid_state, "export-only HPKE context cannot seal");
  SecretArray<kAeadNonceSize> n;
  MPSEC_TRY(nonce(n));
  auto ct = MPSEC_TRY(aead_->seal(n.view(), aad, plaintext));
  ++seq_;
  return ct;
}

Result<Bytes> HpkeContext::open(ByteView aad, ByteView ciphertext) {
  MPSEC_ENSURE(role_ == Role::receiver, Errc::invalid_state, "only the receiver's context opens");
  MPSEC_ENSURE(aead_.has_value(), Errc::invalid_state, "export-only HPKE context cannot open");
  SecretArray<kAeadNonceSize> n;
  MPSEC_TRY(nonce(n));
  auto pt = MPSEC_TRY(aead_->open(n.view(), aad, ciphertext));
  ++seq_;
  return pt;
}

Result<SecretBytes> HpkeContext::export_secret(ByteView exporter_context,
                                               std::size_t length) const {
  const HashAlg h = kdf_hash(suite_.kdf);
  MPSEC_ENSURE(length <= 255 * hash_size(h), Errc::invalid_argument,
               "HPKE export length above 255 * Nh");
  return labeled_expand(h, suite_id(suite_), schedule_.exporter_secret.view(), "sec",
                        exporter_context, length);
}

Result<HpkeSender> hpke_setup_sender(const HpkeSuite& suite, const DhPublicKey& pk_r,
                                     const HpkeSenderOptions& options, Random& rng) {
  MPSEC_ENSURE(pk_r.kem() == suite.kem, Errc::invalid_key, "recipient key is for another KEM");
  MPSEC_TRY(check_psk(options.psk));
  const HpkeMode mode = mode_of(options.psk.has_value(), options.sender_key != nullptr);
  Encapsulation encap = options.sender_key != nullptr
                            ? MPSEC_TRY(kem_auth_encap(pk_r, *options.sender_key, rng))
                            : MPSEC_TRY(kem_encap(pk_r, rng));
  const HpkePsk psk = options.psk.value_or(HpkePsk{});
  auto ks = MPSEC_TRY(hpke_key_schedule(suite, mode, encap.shared_secret.view(), options.info,
                                        psk.psk, psk.psk_id));
  auto ctx = MPSEC_TRY(make_hpke_context(suite, HpkeContext::Role::sender, std::move(ks)));
  return HpkeSender{std::move(encap.enc), std::move(ctx)};
}

Result<HpkeContext> hpke_setup_receiver(const HpkeSuite& suite, ByteView enc,
                                        const DhPrivateKey& sk_r,
                                        const HpkeReceiverOptions& options) {
  MPSEC_ENSURE(sk_r.kem() == suite.kem, Errc::invalid_key, "recipient key is for another KEM");
  MPSEC_TRY(check_psk(options.psk));
  const HpkeMode mode = mode_of(options.psk.has_value(), options.sender_public != nullptr);
  SecretBytes shared = options.sender_public != nullptr
                           ? MPSEC_TRY(kem_auth_decap(enc, sk_r, *options.sender_public))
                           : MPSEC_TRY(kem_decap(enc, sk_r));
  const HpkePsk psk = options.psk.value_or(HpkePsk{});
  auto ks =
      MPSEC_TRY(hpke_key_schedule(suite, mode, shared.view(), options.info, psk.psk, psk.psk_id));
  return make_hpke_context(suite, HpkeContext::Role::receiver, std::move(ks));
}

Result<HpkeSealed> hpke_seal(const HpkeSuite& suite, const DhPublicKey& pk_r,
                             const HpkeSenderOptions& options, ByteView aad, ByteView plaintext,
                             Random& rng) {
  auto sender = MPSEC_TRY(hpke_setup_sender(suite, pk_r, options, rng));
  auto ct = MPSEC_TRY(sender.context.seal(aad, plaintext));
  return HpkeSealed{std::move(sender.enc), std::move(ct)};
}

Result<Bytes> hpke_open(const HpkeSuite& suite, ByteView enc, const DhPrivateKey& sk_r,
                        const HpkeReceiverOptions& options, ByteView aad, ByteView ciphertext) {
  auto ctx = MPSEC_TRY(hpke_setup_receiver(suite, enc, sk_r, options));
  return ctx.open(aad, ciphertext);
}

Result<HpkeExported> hpke_send_export(const HpkeSuite& suite, const DhPublicKey& pk_r,
                                      const HpkeSenderOptions& options, ByteView exporter_context,
                                      std::size_t length, Random& rng) {
  auto sender = MPSEC_TRY(hpke_setup_sender(suite, pk_r, options, rng));
  auto secret = MPSEC_TRY(sender.context.export_secret(exporter_context, length));
  return HpkeExported{std::move(sender.enc), std::move(secret)};
}

Result<SecretBytes> hpke_receive_export(const HpkeSuite& suite, ByteView enc,
                                        const DhPrivateKey& sk_r,
                                        const HpkeReceiverOptions& options,
                                        ByteView exporter_context, std::size_t length) {
  auto ctx = MPSEC_TRY(hpke_setup_receiver(suite, enc, sk_r, options));
  return ctx.export_secret(exporter_context, length);
}

}  // namespace mpsec::crypto
