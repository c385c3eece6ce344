#include "crypto/cipher_suite.hpp"

#include <array>
#include <string>

#include "codec/varint.hpp"
#include "codec/writer.hpp"

namespace mpsec::crypto {

namespace {

using enum CipherSuiteId;

constexpr std::array<CipherSuite, 7> kSuites = {{
    {mls_128_dhkemx25519_aes128gcm_sha256_ed25519, "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
     KemId::x25519, HashAlg::sha256, AeadAlg::aes128gcm, SigAlg::ed25519},
    {mls_128_dhkemp256_aes128gcm_sha256_p256, "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
     KemId::p256, HashAlg::sha256, AeadAlg::aes128gcm, SigAlg::ecdsa_secp256r1_sha256},
    {mls_128_dhkemx25519_chacha20poly1305_sha256_ed25519,
     "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519", KemId::x25519, HashAlg::sha256,
     AeadAlg::chacha20poly1305, SigAlg::ed25519},
    {mls_256_dhkemx448_aes256gcm_sha512_ed448, "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
     KemId::x448, HashAlg::sha512, AeadAlg::aes256gcm, SigAlg::ed448},
    {mls_256_dhkemp521_aes256gcm_sha512_p521, "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
     KemId::p521, HashAlg::sha512, AeadAlg::aes256gcm, SigAlg::ecdsa_secp521r1_sha512},
    {mls_256_dhkemx448_chacha20poly1305_sha512_ed448,
     "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448", KemId::x448, HashAlg::sha512,
     AeadAlg::chacha20poly1305, SigAlg::ed448},
    {mls_256_dhkemp384_aes256gcm_sha384_p384, "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
     KemId::p384, HashAlg::sha384, AeadAlg::aes256gcm, SigAlg::ecdsa_secp384r1_sha384},
}};

constexpr std::string_view kMlsLabelPrefix = "MLS 1.0 ";

std::string mls_label(std::string_view label) {
  std::string out(kMlsLabelPrefix);
  out += label;
  return out;
}

// struct { opaque label<V>; opaque second<V>; }: the shape of RefHashInput, SignContent and
// EncryptContext.
Result<Bytes> two_vectors(std::string_view label, ByteView second) {
  codec::Writer w;
  w.opaque(as_bytes(label));
  w.opaque(second);
  return std::move(w).finish();
}

}  // namespace

Result<CipherSuite> CipherSuite::from_code(std::uint16_t code) {
  MPSEC_ENSURE(code >= 1 && code <= kSuites.size(), Errc::unsupported, "cipher suite not offered");
  return kSuites[code - 1];
}

std::span<const CipherSuite> CipherSuite::all() noexcept {
  return kSuites;
}

HpkeSuite CipherSuite::hpke() const noexcept {
  KdfId kdf = KdfId::hkdf_sha256;
  if (hash_ == HashAlg::sha384) kdf = KdfId::hkdf_sha384;
  if (hash_ == HashAlg::sha512) kdf = KdfId::hkdf_sha512;
  return HpkeSuite{kem_, kdf, aead_};
}

Result<Bytes> CipherSuite::ref_hash(std::string_view label, ByteView value) const {
  auto input = MPSEC_TRY(two_vectors(label, value));
  return digest(hash_, input);
}

namespace {
// KDFLabel { uint16 length; opaque label<V> = "MLS 1.0 " + label; opaque context<V>; }
Result<Bytes> kdf_label(std::string_view label, ByteView context, std::size_t length) {
  MPSEC_ENSURE(length <= 0xffff, Errc::invalid_argument, "ExpandWithLabel length above 2^16 - 1");
  // Built by hand into one allocation: this runs several times for every message.
  const std::size_t label_size = kMlsLabelPrefix.size() + label.size();
  Bytes out;
  out.reserve(2 + 4 + label_size + 4 + context.size());
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.push_back(static_cast<std::uint8_t>(length));
  MPSEC_TRY(codec::write_varint(out, label_size));
  append(out, as_bytes(kMlsLabelPrefix));
  append(out, as_bytes(label));
  MPSEC_TRY(codec::write_varint(out, context.size()));
  append(out, context);
  return out;
}

std::array<std::uint8_t, 4> uint32_be(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}
}  // namespace

Result<SecretBytes> CipherSuite::expand_with_label(ByteView secret, std::string_view label,
                                                   ByteView context, std::size_t length) const {
  auto info = MPSEC_TRY(kdf_label(label, context, length));
  return hkdf_expand(hash_, secret, info, length);
}

Result<SecretBytes> CipherSuite::expand_with_label(const HmacKey& secret, std::string_view label,
                                                   ByteView context, std::size_t length) const {
  MPSEC_ENSURE(secret.alg() == hash_, Errc::invalid_argument, "KDF key for another hash");
  auto info = MPSEC_TRY(kdf_label(label, context, length));
  return secret.expand(info, length);
}

Result<SecretBytes> CipherSuite::derive_secret(ByteView secret, std::string_view label) const {
  return expand_with_label(secret, label, {}, hash_size());
}

Result<SecretBytes> CipherSuite::derive_tree_secret(ByteView secret, std::string_view label,
                                                    std::uint32_t generation,
                                                    std::size_t length) const {
  const auto context = uint32_be(generation);
  return expand_with_label(secret, label, context, length);
}

Result<SecretBytes> CipherSuite::derive_tree_secret(const HmacKey& secret, std::string_view label,
                                                    std::uint32_t generation,
                                                    std::size_t length) const {
  const auto context = uint32_be(generation);
  return expand_with_label(secret, label, context, length);
}

Result<Bytes> CipherSuite::sign_with_label(const SigningKey& key, std::string_view label,
                                           ByteView content) const {
  MPSEC_ENSURE(key.alg() == sig_, Errc::invalid_key, "signing key is for another scheme");
  auto sign_content = MPSEC_TRY(two_vectors(mls_label(label), content));
  return key.sign(sign_content);
}

Status CipherSuite::verify_with_label(const VerifyKey& key, std::string_view label,
                                      ByteView content, ByteView signature) const {
  auto sign_content = MPSEC_TRY(two_vectors(mls_label(label), content));
  return key.verify(sign_content, signature);
}

Result<HpkeCiphertext> CipherSuite::encrypt_with_label(const DhPublicKey& key,
                                                       std::string_view label, ByteView context,
                                                       ByteView plaintext, Random& rng) const {
  auto info = MPSEC_TRY(two_vectors(mls_label(label), context));
  auto sealed =
      MPSEC_TRY(hpke_seal(hpke(), key, HpkeSenderOptions{info, {}, nullptr}, {}, plaintext, rng));
  return HpkeCiphertext{std::move(sealed.enc), std::move(sealed.ciphertext)};
}

Result<SecretBytes> CipherSuite::decrypt_with_label(const DhPrivateKey& key, std::string_view label,
                                                    ByteView context, ByteView kem_output,
                                                    ByteView ciphertext) const {
  auto info = MPSEC_TRY(two_vectors(mls_label(label), context));
  auto ctx = MPSEC_TRY(
      hpke_setup_receiver(hpke(), kem_output, key, HpkeReceiverOptions{info, {}, nullptr}));
  auto pt = MPSEC_TRY(ctx.open({}, ciphertext));
  SecretBytes out{ByteView(pt)};
  secure_wipe(pt.data(), pt.size());
  return out;
}

}  // namespace mpsec::crypto
