// Hash functions, HMAC and HKDF (RFC 5869) over OpenSSL 3 EVP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/openssl.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

enum class HashAlg : std::uint8_t { sha256, sha384, sha512 };

inline constexpr std::size_t kMaxHashSize = 64;

std::size_t hash_size(HashAlg alg) noexcept;
std::string_view hash_name(HashAlg alg) noexcept;  // "SHA-256" ...
// The fetched digest (fetched once per process; never freed).
const EVP_MD* evp_md(HashAlg alg);

[[nodiscard]] Result<Bytes> digest(HashAlg alg, ByteView data);

// Incremental hashing.
class Hasher {
 public:
  [[nodiscard]] static Result<Hasher> create(HashAlg alg);
  [[nodiscard]] Status update(ByteView data);
  // The digest; the Hasher may not be used afterwards.
  [[nodiscard]] Result<Bytes> finish();

 private:
  explicit Hasher(ossl::MdCtxPtr ctx) : ctx_(std::move(ctx)) {}
  ossl::MdCtxPtr ctx_;
};

// HMAC (RFC 2104). The output is a tag, not a secret; use hmac_secret for key derivation.
[[nodiscard]] Result<Bytes> hmac(HashAlg alg, ByteView key, ByteView data);
[[nodiscard]] Result<SecretBytes> hmac_secret(HashAlg alg, ByteView key, ByteView data);
// Compares the HMAC of `data` with `tag` in constant time. The tag must have exactly
// `tag_length` bytes: the full hash size by default; a protocol that truncates its tags says
// so here (at least half the hash), so a sender can never choose a shorter tag itself.
[[nodiscard]] Status hmac_verify(HashAlg alg, ByteView key, ByteView data, ByteView tag,
                                 std::size_t tag_length = 0);

// HKDF-Extract(salt, IKM): an empty salt stands for Nh zero bytes.
[[nodiscard]] Result<SecretBytes> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm);
// HKDF-Expand(PRK, info, L); fails with invalid_argument when L > 255 * Nh.
[[nodiscard]] Result<SecretBytes> hkdf_expand(HashAlg alg, ByteView prk, ByteView info,
                                              std::size_t length);

}  // namespace mpsec::crypto
