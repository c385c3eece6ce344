// AEAD: AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305 (RFC 5116 interface: the tag is
// appended to the ciphertext). Nonces are 12 bytes and tags 16 bytes for all three.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/openssl.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

// Values are the HPKE AEAD identifiers (RFC 9180 §7.3).
enum class AeadAlg : std::uint16_t {
  aes128gcm = 0x0001,
  aes256gcm = 0x0002,
  chacha20poly1305 = 0x0003
};

inline constexpr std::size_t kAeadNonceSize = 12;
inline constexpr std::size_t kAeadTagSize = 16;

std::size_t aead_key_size(AeadAlg alg) noexcept;
std::string_view aead_name(AeadAlg alg) noexcept;  // "AES-128-GCM" ...
const EVP_CIPHER* evp_cipher(AeadAlg alg);

// A key with its cipher context set up once; each seal/open only sets the nonce. The key
// lives inside OpenSSL's context, which cleanses it when freed. Not safe for concurrent use.
class AeadKey {
 public:
  [[nodiscard]] static Result<AeadKey> create(AeadAlg alg, ByteView key);

  AeadAlg alg() const noexcept { return alg_; }

  // Writes ciphertext || tag (plaintext.size() + 16 bytes) to `out`, which may be the same
  // memory as `plaintext` but must not otherwise overlap it.
  [[nodiscard]] Status seal(ByteView nonce, ByteView aad, ByteView plaintext,
                            MutableByteView out) const;
  [[nodiscard]] Result<Bytes> seal(ByteView nonce, ByteView aad, ByteView plaintext) const;

  // Verifies and decrypts ciphertext || tag into `out` (ciphertext.size() - 16 bytes). Fails
  // closed: when the tag does not verify, `out` is zeroed and authentication_failed returned.
  [[nodiscard]] Status open(ByteView nonce, ByteView aad, ByteView ciphertext,
                            MutableByteView out) const;
  [[nodiscard]] Result<Bytes> open(ByteView nonce, ByteView aad, ByteView ciphertext) const;
  [[nodiscard]] Result<SecretBytes> open_secret(ByteView nonce, ByteView aad,
                                                ByteView ciphertext) const;

 private:
  AeadKey(AeadAlg alg, ossl::CipherCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}

  AeadAlg alg_;
  ossl::CipherCtxPtr ctx_;
};

// One-shot forms for keys used once.
[[nodiscard]] Result<Bytes> aead_seal(AeadAlg alg, ByteView key, ByteView nonce, ByteView aad,
                                      ByteView plaintext);
[[nodiscard]] Result<Bytes> aead_open(AeadAlg alg, ByteView key, ByteView nonce, ByteView aad,
                                      ByteView ciphertext);

}  // namespace mpsec::crypto
