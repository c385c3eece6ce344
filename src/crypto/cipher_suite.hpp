// The MLS cipher suites (RFC 9420 §17.1) and the labelled operations built on them
// (RFC 9420 §5: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel /
// VerifyWithLabel, EncryptWithLabel / DecryptWithLabel).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/aead.hpp"
#include "crypto/dh.hpp"
#include "crypto/hash.hpp"
#include "crypto/hpke.hpp"
#include "crypto/signature.hpp"

namespace mpsec::crypto {

enum class CipherSuiteId : std::uint16_t {
  mls_128_dhkemx25519_aes128gcm_sha256_ed25519 = 0x0001,
  mls_128_dhkemp256_aes128gcm_sha256_p256 = 0x0002,
  mls_128_dhkemx25519_chacha20poly1305_sha256_ed25519 = 0x0003,
  mls_256_dhkemx448_aes256gcm_sha512_ed448 = 0x0004,
  mls_256_dhkemp521_aes256gcm_sha512_p521 = 0x0005,
  mls_256_dhkemx448_chacha20poly1305_sha512_ed448 = 0x0006,
  mls_256_dhkemp384_aes256gcm_sha384_p384 = 0x0007,
};

struct HpkeCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
};

class CipherSuite {
 public:
  // The suite with this wire identifier, or Errc::unsupported.
  [[nodiscard]] static Result<CipherSuite> from_code(std::uint16_t code);
  // All seven suites, in identifier order.
  static std::span<const CipherSuite> all() noexcept;

  CipherSuiteId id() const noexcept { return id_; }
  std::uint16_t code() const noexcept { return static_cast<std::uint16_t>(id_); }
  std::string_view name() const noexcept { return name_; }
  KemId kem() const noexcept { return kem_; }
  HashAlg hash() const noexcept { return hash_; }
  AeadAlg aead() const noexcept { return aead_; }
  SigAlg sig() const noexcept { return sig_; }
  HpkeSuite hpke() const noexcept;

  std::size_t hash_size() const noexcept { return crypto::hash_size(hash_); }  // KDF.Nh
  std::size_t key_size() const noexcept { return aead_key_size(aead_); }       // AEAD.Nk
  std::size_t nonce_size() const noexcept { return kAeadNonceSize; }           // AEAD.Nn

  [[nodiscard]] Result<Bytes> hash(ByteView data) const { return digest(hash_, data); }
  [[nodiscard]] Result<Bytes> mac(ByteView key, ByteView data) const {
    return hmac(hash_, key, data);
  }
  [[nodiscard]] Result<SecretBytes> kdf_extract(ByteView salt, ByteView ikm) const {
    return hkdf_extract(hash_, salt, ikm);
  }

  // RefHash(label, value) = Hash(RefHashInput{label, value})
  [[nodiscard]] Result<Bytes> ref_hash(std::string_view label, ByteView value) const;
  // ExpandWithLabel = KDF.Expand(secret, KDFLabel{length, "MLS 1.0 " + label, context}, length)
  [[nodiscard]] Result<SecretBytes> expand_with_label(ByteView secret, std::string_view label,
                                                      ByteView context, std::size_t length) const;
  // The same from a secret prepared as an HMAC key, for several derivations from one secret.
  [[nodiscard]] Result<HmacKey> kdf_key(ByteView secret) const {
    return HmacKey::create(hash_, secret);
  }
  [[nodiscard]] Result<SecretBytes> expand_with_label(const HmacKey& secret, std::string_view label,
                                                      ByteView context, std::size_t length) const;
  // DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh)
  [[nodiscard]] Result<SecretBytes> derive_secret(ByteView secret, std::string_view label) const;
  // DeriveTreeSecret = ExpandWithLabel(secret, label, uint32(generation), length)
  [[nodiscard]] Result<SecretBytes> derive_tree_secret(ByteView secret, std::string_view label,
                                                       std::uint32_t generation,
                                                       std::size_t length) const;
  [[nodiscard]] Result<SecretBytes> derive_tree_secret(const HmacKey& secret,
                                                       std::string_view label,
                                                       std::uint32_t generation,
                                                       std::size_t length) const;
  // Signature over SignContent{"MLS 1.0 " + label, content}.
  [[nodiscard]] Result<Bytes> sign_with_label(const SigningKey& key, std::string_view label,
                                              ByteView content) const;
  [[nodiscard]] Status verify_with_label(const VerifyKey& key, std::string_view label,
                                         ByteView content, ByteView signature) const;
  // HPKE base mode with info = EncryptContext{"MLS 1.0 " + label, context} and empty aad.
  [[nodiscard]] Result<HpkeCiphertext> encrypt_with_label(const DhPublicKey& key,
                                                          std::string_view label, ByteView context,
                                                          ByteView plaintext, Random& rng) const;
  [[nodiscard]] Result<SecretBytes> decrypt_with_label(const DhPrivateKey& key,
                                                       std::string_view label, ByteView context,
                                                       ByteView kem_output,
                                                       ByteView ciphertext) const;

  constexpr CipherSuite(CipherSuiteId id, std::string_view name, KemId kem, HashAlg hash,
                        AeadAlg aead, SigAlg sig)
      : id_(id), name_(name), kem_(kem), hash_(hash), aead_(aead), sig_(sig) {}

 private:
  CipherSuiteId id_;
  std::string_view name_;
  KemId kem_;
  HashAlg hash_;
  AeadAlg aead_;
  SigAlg sig_;
};

}  // namespace mpsec::crypto
