#include "crypto/kem.hpp"

#include "crypto/hpke_labels.hpp"

namespace mpsec::crypto {

namespace {

// ExtractAndExpand(dh, kem_context)
Result<SecretBytes> extract_and_expand(KemId kem, ByteView dh, ByteView kem_context) {
  const auto& info = kem_info(kem);
  const Bytes suite_id = kem_suite_id(static_cast<std::uint16_t>(kem));
  auto eae_prk = MPSEC_TRY(labeled_extract(info.kdf, suite_id, {}, "eae_prk", dh));
  return labeled_expand(info.kdf, suite_id, eae_prk.view(), "shared_secret", kem_context,
                        info.secret_size);
}

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts)
    append(out, p);
  return out;
}

}  // namespace

Result<Encapsulation> kem_encap(const DhPublicKey& pk_r, Random& rng) {
  auto sk_e = MPSEC_TRY(DhPrivateKey::generate(pk_r.kem(), rng));
  auto dh = MPSEC_TRY(sk_e.dh(pk_r));
  Bytes enc = sk_e.public_key().bytes();
  const Bytes kem_context = concat({enc, pk_r.bytes()});
  auto shared = MPSEC_TRY(extract_and_expand(pk_r.kem(), dh.view(), kem_context));
  return Encapsulation{std::move(shared), std::move(enc)};
}

Result<SecretBytes> kem_decap(ByteView enc, const DhPrivateKey& sk_r) {
  auto pk_e = MPSEC_TRY(DhPublicKey::parse(sk_r.kem(), enc));
  auto dh = MPSEC_TRY(sk_r.dh(pk_e));
  const Bytes kem_context = concat({enc, sk_r.public_key().bytes()});
  return extract_and_expand(sk_r.kem(), dh.view(), kem_context);
}

Result<Encapsulation> kem_auth_encap(const DhPublicKey& pk_r, const DhPrivateKey& sk_s,
                                     Random& rng) {
  MPSEC_ENSURE(sk_s.kem() == pk_r.kem(), Errc::invalid_key, "sender key is from another KEM");
  auto sk_e = MPSEC_TRY(DhPrivateKey::generate(pk_r.kem(), rng));
  SecretBytes dh = MPSEC_TRY(sk_e.dh(pk_r));
  dh.append(MPSEC_TRY(sk_s.dh(pk_r)).view());
  Bytes enc = sk_e.public_key().bytes();
  const Bytes kem_context = concat({enc, pk_r.bytes(), sk_s.public_key().bytes()});
  auto shared = MPSEC_TRY(extract_and_expand(pk_r.kem(), dh.view(), kem_context));
  return Encapsulation{std::move(shared), std::move(enc)};
}

Result<SecretBytes> kem_auth_decap(ByteView enc, const DhPrivateKey& sk_r,
                                   const DhPublicKey& pk_s) {
  MPSEC_ENSURE(pk_s.kem() == sk_r.kem(), Errc::invalid_key, "sender key is from another KEM");
  auto pk_e = MPSEC_TRY(DhPublicKey::parse(sk_r.kem(), enc));
  SecretBytes dh = MPSEC_TRY(sk_r.dh(pk_e));
  dh.append(MPSEC_TRY(sk_r.dh(pk_s)).view());
  const Bytes kem_context = concat({enc, sk_r.public_key().bytes(), pk_s.bytes()});
  return extract_and_expand(sk_r.kem(), dh.view(), kem_context);
}

}  // namespace mpsec::crypto
