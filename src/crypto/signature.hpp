// Signatures: Ed25519, Ed448 (RFC 8032) and ECDSA over P-256/P-384/P-521 with DER-encoded
// signatures, as MLS uses them (RFC 9420 §5.1.2). Key formats are those of the MLS test
// vectors: raw EdDSA keys, uncompressed points and big-endian ECDSA scalars.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/ec.hpp"
#include "crypto/hash.hpp"
#include "crypto/openssl.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/random.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

// Values are the TLS SignatureScheme codes MLS uses.
enum class SigAlg : std::uint16_t {
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  ecdsa_secp521r1_sha512 = 0x0603,
  ed25519 = 0x0807,
  ed448 = 0x0808,
};

std::string_view sig_name(SigAlg alg) noexcept;
[[nodiscard]] Result<SigAlg> sig_from_code(std::uint16_t code);

class VerifyKey {
 public:
  // A public key in the MLS format for `alg`, validated.
  [[nodiscard]] static Result<VerifyKey> parse(SigAlg alg, ByteView data);
  // ECDSA with any of our curves and hashes (for test suites beyond the MLS pairs).
  [[nodiscard]] static Result<VerifyKey> ecdsa(EcCurve curve, HashAlg hash, ByteView point);

  // authentication_failed unless `signature` is a valid signature of `message`. ECDSA
  // signatures must be strict DER.
  [[nodiscard]] Status verify(ByteView message, ByteView signature) const;

  const Bytes& bytes() const noexcept { return bytes_; }

 private:
  friend class SigningKey;
  VerifyKey(ossl::Pkey key, const EVP_MD* md, Bytes bytes)
      : key_(std::move(key)), md_(md), bytes_(std::move(bytes)) {}

  ossl::Pkey key_;
  const EVP_MD* md_;  // null for EdDSA, which hashes internally
  Bytes bytes_;
};

class SigningKey {
 public:
  [[nodiscard]] static Result<SigningKey> generate(SigAlg alg, Random& rng);
  // A private key in the MLS vector format for `alg`.
  [[nodiscard]] static Result<SigningKey> parse(SigAlg alg, ByteView data);

  SigAlg alg() const noexcept { return alg_; }
  const VerifyKey& verify_key() const noexcept { return public_; }
  [[nodiscard]] Result<SecretBytes> serialize() const;
  // EdDSA is deterministic; ECDSA draws its nonce from OpenSSL's DRBG.
  [[nodiscard]] Result<Bytes> sign(ByteView message) const;

 private:
  SigningKey(SigAlg alg, ossl::Pkey key, VerifyKey pub)
      : alg_(alg), key_(std::move(key)), public_(std::move(pub)) {}

  SigAlg alg_;
  ossl::Pkey key_;
  VerifyKey public_;
};

// IEEE P1363 (r || s, each `scalar_size` bytes) to DER; decode_error if malformed.
[[nodiscard]] Result<Bytes> ecdsa_p1363_to_der(ByteView signature, std::size_t scalar_size);

}  // namespace mpsec::crypto
