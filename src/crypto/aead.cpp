#include "crypto/aead.hpp"

#include <array>
#include <climits>

namespace mpsec::crypto {

std::size_t aead_key_size(AeadAlg alg) noexcept {
  switch (alg) {
    case AeadAlg::aes128gcm:
      return 16;
    case AeadAlg::aes256gcm:
      return 32;
    case AeadAlg::chacha20poly1305:
      return 32;
  }
  return 0;
}

std::string_view aead_name(AeadAlg alg) noexcept {
  switch (alg) {
    case AeadAlg::aes128gcm:
      return "AES-128-GCM";
    case AeadAlg::aes256gcm:
      return "AES-256-GCM";
    case AeadAlg::chacha20poly1305:
      return "ChaCha20-Poly1305";
  }
  return "";
}

const EVP_CIPHER* evp_cipher(AeadAlg alg) {
  static const std::array<EVP_CIPHER*, 3> ciphers = {
      EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr),
      EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr),
  };
  return ciphers[static_cast<std::size_t>(alg) - 1];
}

Result<AeadKey> AeadKey::create(AeadAlg alg, ByteView key) {
  MPSEC_ENSURE(
      alg == AeadAlg::aes128gcm || alg == AeadAlg::aes256gcm || alg == AeadAlg::chacha20poly1305,
      Errc::unsupported, "unknown AEAD");
  MPSEC_ENSURE(key.size() == aead_key_size(alg), Errc::invalid_key, "AEAD key has the wrong size");
  MPSEC_ENSURE(evp_cipher(alg) != nullptr, Errc::crypto_error, "AEAD unavailable in OpenSSL");
  ossl::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), evp_cipher(alg), key.data(), nullptr, 1, nullptr) != 1)
    return ossl::fail(Errc::crypto_error, "EVP_CipherInit_ex2");
  return AeadKey(alg, std::move(ctx));
}

namespace {
bool fits_int(std::size_t n) {
  return n <= static_cast<std::size_t>(INT_MAX) - 64;
}
}  // namespace

Status AeadKey::seal(ByteView nonce, ByteView aad, ByteView plaintext, MutableByteView out) const {
  MPSEC_ENSURE(nonce.size() == kAeadNonceSize, Errc::invalid_argument,
               "AEAD nonce must be 12 bytes");
  MPSEC_ENSURE(out.size() == plaintext.size() + kAeadTagSize, Errc::invalid_argument,
               "AEAD output buffer has the wrong size");
  MPSEC_ENSURE(fits_int(plaintext.size()) && fits_int(aad.size()), Errc::limit_exceeded,
               "AEAD input too long");
  EVP_CIPHER_CTX* c = ctx_.get();
  int len = 0;
  int fin = 0;
  if (EVP_CipherInit_ex2(c, nullptr, nullptr, nonce.data(), 1, nullptr) != 1 ||
      (!aad.empty() &&
       EVP_CipherUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() && EVP_CipherUpdate(c, out.data(), &len, plaintext.data(),
                                              static_cast<int>(plaintext.size())) != 1) ||
      EVP_CipherFinal_ex(c, out.data() + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagSize),
                          out.data() + plaintext.size()) != 1) {
    secure_wipe(out.data(), out.size());
    return ossl::fail(Errc::crypto_error, "AEAD seal");
  }
  return ok();
}

Result<Bytes> AeadKey::seal(ByteView nonce, ByteView aad, ByteView plaintext) const {
  Bytes out(plaintext.size() + kAeadTagSize);
  MPSEC_TRY(seal(nonce, aad, plaintext, out));
  return out;
}

Status AeadKey::open(ByteView nonce, ByteView aad, ByteView ciphertext, MutableByteView out) const {
  MPSEC_ENSURE(nonce.size() == kAeadNonceSize, Errc::invalid_argument,
               "AEAD nonce must be 12 bytes");
  MPSEC_ENSURE(ciphertext.size() >= kAeadTagSize, Errc::authentication_failed,
               "ciphertext shorter than the tag");
  const std::size_t pt_len = ciphertext.size() - kAeadTagSize;
  MPSEC_ENSURE(out.size() == pt_len, Errc::invalid_argument,
               "AEAD output buffer has the wrong size");
  MPSEC_ENSURE(fits_int(pt_len) && fits_int(aad.size()), Errc::limit_exceeded,
               "AEAD input too long");
  EVP_CIPHER_CTX* c = ctx_.get();
  // The tag is copied out first: `out` may be the ciphertext buffer itself.
  std::array<std::uint8_t, kAeadTagSize> tag;
  std::copy_n(ciphertext.data() + pt_len, kAeadTagSize, tag.data());
  int len = 0;
  int fin = 0;
  if (EVP_CipherInit_ex2(c, nullptr, nullptr, nonce.data(), 0, nullptr) != 1 ||
      (!aad.empty() &&
       EVP_CipherUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      (pt_len > 0 &&
       EVP_CipherUpdate(c, out.data(), &len, ciphertext.data(), static_cast<int>(pt_len)) != 1) ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagSize), tag.data()) !=
          1) {
    secure_wipe(out.data(), out.size());
    return ossl::fail(Errc::crypto_error, "AEAD open");
  }
  if (EVP_CipherFinal_ex(c, out.data() + len, &fin) != 1) {
    // Fail closed: nothing of the unauthenticated plaintext is released.
    secure_wipe(out.data(), out.size());
    ossl::clear_errors();
    return fail(Errc::authentication_failed, "AEAD tag does not verify");
  }
  return ok();
}

Result<Bytes> AeadKey::open(ByteView nonce, ByteView aad, ByteView ciphertext) const {
  MPSEC_ENSURE(ciphertext.size() >= kAeadTagSize, Errc::authentication_failed,
               "ciphertext shorter than the tag");
  Bytes out(ciphertext.size() - kAeadTagSize);
  MPSEC_TRY(open(nonce, aad, ciphertext, out));
  return out;
}

Result<SecretBytes> AeadKey::open_secret(ByteView nonce, ByteView aad, ByteView ciphertext) const {
  MPSEC_ENSURE(ciphertext.size() >= kAeadTagSize, Errc::authentication_failed,
               "ciphertext shorter than the tag");
  SecretBytes out(ciphertext.size() - kAeadTagSize);
  MPSEC_TRY(open(nonce, aad, ciphertext, out.mutable_view()));
  return out;
}

Result<Bytes> aead_seal(AeadAlg alg, ByteView key, ByteView nonce, ByteView aad,
                        ByteView plaintext) {
  auto k = MPSEC_TRY(AeadKey::create(alg, key));
  return k.seal(nonce, aad, plaintext);
}

Result<Bytes> aead_open(AeadAlg alg, ByteView key, ByteView nonce, ByteView aad,
                        ByteView ciphertext) {
  auto k = MPSEC_TRY(AeadKey::create(alg, key));
  return k.open(nonce, aad, ciphertext);
}

}  // namespace mpsec::crypto
