// NIST prime curves P-256, P-384 and P-521 on OpenSSL 3: keys from raw scalars and
// uncompressed points, with the validation RFC 9180 §7.1.4 asks for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/openssl.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/random.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

enum class EcCurve : std::uint8_t { p256, p384, p521 };

struct EcCurveInfo {
  std::string_view name;    // OpenSSL group name, "P-256"
  std::size_t scalar_size;  // Nsk: bytes of a private scalar
  std::size_t point_size;   // Npk: bytes of an uncompressed point (0x04 || x || y)
  std::uint8_t top_mask;    // mask of the first scalar byte in DeriveKeyPair (RFC 9180 §7.1.3)
};
const EcCurveInfo& ec_curve_info(EcCurve curve) noexcept;

// Is the big-endian `scalar` (scalar_size bytes) in [1, n-1]?
[[nodiscard]] Result<bool> ec_scalar_in_range(EcCurve curve, ByteView scalar);
// A private key from a scalar in [1, n-1]; its public point is computed.
[[nodiscard]] Result<ossl::Pkey> ec_private_key(EcCurve curve, ByteView scalar);
// A public key from an uncompressed point; rejects off-curve points, the point at infinity
// and every other encoding.
[[nodiscard]] Result<ossl::Pkey> ec_public_key(EcCurve curve, ByteView point);
[[nodiscard]] Result<Bytes> ec_public_point(EcCurve curve, EVP_PKEY* key);
[[nodiscard]] Result<SecretBytes> ec_private_scalar(EcCurve curve, EVP_PKEY* key);
// A uniformly random scalar in [1, n-1] by rejection sampling.
[[nodiscard]] Result<SecretBytes> ec_random_scalar(EcCurve curve, Random& rng);

}  // namespace mpsec::crypto
