// Diffie-Hellman groups of the HPKE DHKEMs (RFC 9180 §7.1): P-256, P-384, P-521, X25519 and
// X448. Keys are serialized as RFC 9180 §7.1.1 says (uncompressed points, raw X25519/X448
// strings, fixed-width big-endian scalars), and every peer key is validated on parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/hash.hpp"
#include "crypto/openssl.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/random.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

// Values are the HPKE KEM identifiers (RFC 9180 §7.1).
enum class KemId : std::uint16_t {
  p256 = 0x0010,
  p384 = 0x0011,
  p521 = 0x0012,
  x25519 = 0x0020,
  x448 = 0x0021,
};

struct KemInfo {
  KemId id;
  std::string_view name;     // "DHKEM(X25519, HKDF-SHA256)"
  HashAlg kdf;               // the KEM's own KDF
  std::size_t secret_size;   // Nsecret
  std::size_t enc_size;      // Nenc
  std::size_t public_size;   // Npk
  std::size_t private_size;  // Nsk
};
const KemInfo& kem_info(KemId kem) noexcept;
// Maps a wire identifier to a KEM mpsec offers, or Errc::unsupported.
[[nodiscard]] Result<KemId> kem_from_code(std::uint16_t code);

class DhPublicKey {
 public:
  // DeserializePublicKey with validation: the right length, a point on the curve (not at
  // infinity) for the NIST curves.
  [[nodiscard]] static Result<DhPublicKey> parse(KemId kem, ByteView data);

  KemId kem() const noexcept { return kem_; }
  // SerializePublicKey.
  const Bytes& bytes() const noexcept { return bytes_; }
  EVP_PKEY* pkey() const noexcept { return key_.get(); }

 private:
  friend class DhPrivateKey;
  DhPublicKey(KemId kem, ossl::Pkey key, Bytes bytes)
      : kem_(kem), key_(std::move(key)), bytes_(std::move(bytes)) {}

  KemId kem_;
  ossl::Pkey key_;
  Bytes bytes_;
};

class DhPrivateKey {
 public:
  // DeserializePrivateKey: Nsk bytes; for the NIST curves a scalar in [1, n-1].
  [[nodiscard]] static Result<DhPrivateKey> parse(KemId kem, ByteView data);
  // DeriveKeyPair(ikm) of RFC 9180 §7.1.3.
  [[nodiscard]] static Result<DhPrivateKey> derive(KemId kem, ByteView ikm);
  // GenerateKeyPair as DeriveKeyPair(random(Nsk)), so a deterministic Random reproduces the
  // RFC 9180 test vectors.
  [[nodiscard]] static Result<DhPrivateKey> generate(KemId kem, Random& rng);

  KemId kem() const noexcept { return public_.kem(); }
  const DhPublicKey& public_key() const noexcept { return public_; }
  // SerializePrivateKey.
  [[nodiscard]] Result<SecretBytes> serialize() const;
  // DH(sk, pk): the shared secret (x-coordinate for the NIST curves). Fails with invalid_key
  // for a peer of another group and for an all-zero X25519/X448 result (RFC 9180 §7.1.4).
  [[nodiscard]] Result<SecretBytes> dh(const DhPublicKey& peer) const;

 private:
  DhPrivateKey(ossl::Pkey key, DhPublicKey pub) : key_(std::move(key)), public_(std::move(pub)) {}

  ossl::Pkey key_;
  DhPublicKey public_;
};

}  // namespace mpsec::crypto
