#include "crypto/dh.hpp"

#include <array>

#include "crypto/ec.hpp"
#include "crypto/hpke_labels.hpp"

namespace mpsec::crypto {

const KemInfo& kem_info(KemId kem) noexcept {
  static const std::array<KemInfo, 5> infos = {{
      {KemId::p256, "DHKEM(P-256, HKDF-SHA256)", HashAlg::sha256, 32, 65, 65, 32},
      {KemId::p384, "DHKEM(P-384, HKDF-SHA384)", HashAlg::sha384, 48, 97, 97, 48},
      {KemId::p521, "DHKEM(P-521, HKDF-SHA512)", HashAlg::sha512, 64, 133, 133, 66},
      {KemId::x25519, "DHKEM(X25519, HKDF-SHA256)", HashAlg::sha256, 32, 32, 32, 32},
      {KemId::x448, "DHKEM(X448, HKDF-SHA512)", HashAlg::sha512, 64, 56, 56, 56},
  }};
  switch (kem) {
    case KemId::p256:
      return infos[0];
    case KemId::p384:
      return infos[1];
    case KemId::p521:
      return infos[2];
    case KemId::x25519:
      return infos[3];
    case KemId::x448:
      return infos[4];
  }
  return infos[0];
}

Result<KemId> kem_from_code(std::uint16_t code) {
  switch (static_cast<KemId>(code)) {
    case KemId::p256:
    case KemId::p384:
    case KemId::p521:
    case KemId::x25519:
    case KemId::x448:
      return static_cast<KemId>(code);
  }
  return fail(Errc::unsupported, "KEM not offered");
}

namespace {

bool is_nist(KemId kem) {
  return kem == KemId::p256 || kem == KemId::p384 || kem == KemId::p521;
}

EcCurve curve_of(KemId kem) {
  switch (kem) {
    case KemId::p384:
      return EcCurve::p384;
    case KemId::p521:
      return EcCurve::p521;
    default:
      return EcCurve::p256;
  }
}

const char* xdh_name(KemId kem) {
  return kem == KemId::x25519 ? "X25519" : "X448";
}

Result<DhPublicKey> public_of(KemId kem, EVP_PKEY* key);

}  // namespace

Result<DhPublicKey> DhPublicKey::parse(KemId kem, ByteView data) {
  const auto& info = kem_info(kem);
  MPSEC_ENSURE(data.size() == info.public_size, Errc::invalid_key,
               "DH public key has the wrong size");
  if (is_nist(kem)) {
    auto key = MPSEC_TRY(ec_public_key(curve_of(kem), data));
    return DhPublicKey(kem, std::move(key), to_bytes(data));
  }
  // Every X25519/X448 string is a valid public key (RFC 7748 §5); low-order points show up
  // as an all-zero shared secret, which dh() rejects.
  EVP_PKEY* raw =
      EVP_PKEY_new_raw_public_key_ex(nullptr, xdh_name(kem), nullptr, data.data(), data.size());
  if (raw == nullptr) return ossl::fail(Errc::invalid_key, "X25519/X448 public key import");
  return DhPublicKey(kem, ossl::Pkey(ossl::PkeyPtr(raw)), to_bytes(data));
}

namespace {
Result<DhPublicKey> public_of(KemId kem, EVP_PKEY* key) {
  if (is_nist(kem)) return DhPublicKey::parse(kem, MPSEC_TRY(ec_public_point(curve_of(kem), key)));
  Bytes pub(kem_info(kem).public_size);
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key, pub.data(), &len) != 1 || len != pub.size())
    return ossl::fail(Errc::crypto_error, "X25519/X448 public key export");
  return DhPublicKey::parse(kem, pub);
}
}  // namespace

Result<DhPrivateKey> DhPrivateKey::parse(KemId kem, ByteView data) {
  const auto& info = kem_info(kem);
  MPSEC_ENSURE(data.size() == info.private_size, Errc::invalid_key,
               "DH private key has the wrong size");
  ossl::Pkey key;
  if (is_nist(kem)) {
    key = MPSEC_TRY(ec_private_key(curve_of(kem), data));
  } else {
    EVP_PKEY* raw =
        EVP_PKEY_new_raw_private_key_ex(nullptr, xdh_name(kem), nullptr, data.data(), data.size());
    if (raw == nullptr) return ossl::fail(Errc::invalid_key, "X25519/X448 private key import");
    key = ossl::Pkey(ossl::PkeyPtr(raw));
  }
  auto pub = MPSEC_TRY(public_of(kem, key.get()));
  return DhPrivateKey(std::move(key), std::move(pub));
}

Result<DhPrivateKey> DhPrivateKey::derive(KemId kem, ByteView ikm) {
  // RFC 9180 §7.1.3.
  const auto& info = kem_info(kem);
  const Bytes suite_id = kem_suite_id(static_cast<std::uint16_t>(kem));
  auto dkp_prk = MPSEC_TRY(labeled_extract(info.kdf, suite_id, {}, "dkp_prk", ikm));
  if (!is_nist(kem)) {
    auto sk =
        MPSEC_TRY(labeled_expand(info.kdf, suite_id, dkp_prk.view(), "sk", {}, info.private_size));
    return parse(kem, sk.view());
  }
  const EcCurve curve = curve_of(kem);
  for (unsigned counter = 0; counter < 256; ++counter) {
    const std::uint8_t ctr[1] = {static_cast<std::uint8_t>(counter)};
    auto bytes = MPSEC_TRY(labeled_expand(info.kdf, suite_id, dkp_prk.view(), "candidate",
                                          ByteView(ctr, 1), info.private_size));
    bytes.data()[0] &= ec_curve_info(curve).top_mask;
    if (MPSEC_TRY(ec_scalar_in_range(curve, bytes.view()))) return parse(kem, bytes.view());
  }
  return fail(Errc::crypto_error, "DeriveKeyPair found no valid scalar");
}

Result<DhPrivateKey> DhPrivateKey::generate(KemId kem, Random& rng) {
  SecretBytes ikm(kem_info(kem).private_size);
  MPSEC_TRY(rng.fill(ikm.mutable_view()));
  return derive(kem, ikm.view());
}

Result<SecretBytes> DhPrivateKey::serialize() const {
  if (is_nist(kem())) return ec_private_scalar(curve_of(kem()), key_.get());
  SecretBytes out(kem_info(kem()).private_size);
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), out.data(), &len) != 1 || len != out.size())
    return ossl::fail(Errc::crypto_error, "X25519/X448 private key export");
  return out;
}

Result<SecretBytes> DhPrivateKey::dh(const DhPublicKey& peer) const {
  MPSEC_ENSURE(peer.kem() == kem(), Errc::invalid_key, "DH peer key is from another group");
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.pkey(), 1) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
    return ossl::fail(Errc::invalid_key, "DH setup");
  SecretBytes out(len);
  // OpenSSL's X25519/X448 derive fails on an all-zero result (RFC 7748 §6.1).
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1)
    return ossl::fail(Errc::invalid_key, "DH derivation");
  out.resize(len);
  if (!is_nist(kem())) {
    // Belt and braces for RFC 9180 §7.1.4. (For the NIST curves an x-coordinate of zero is a
    // legitimate point on the curve, so no such check applies there.)
    std::uint8_t acc = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      acc |= out[i];
    MPSEC_ENSURE(acc != 0, Errc::invalid_key, "DH shared secret is all zero");
  }
  return out;
}

}  // namespace mpsec::crypto
