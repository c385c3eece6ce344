// Hash functions, HMAC and HKDF (RFC 5869) over OpenSSL 3 EVP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
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

// An HMAC key set up once, for many MACs under it: the shape of the MLS key schedule, where
// one secret yields a key, a nonce and the next secret by HKDF-Expand. OpenSSL keeps the
// key's inner and outer pad states, so each further MAC skips two hash compressions and
// the context allocation. Not safe for concurrent use.
class HmacKey {
 public:
  [[nodiscard]] static Result<HmacKey> create(HashAlg alg, ByteView key);

  HashAlg alg() const noexcept { return alg_; }
  // HMAC(key, parts[0] || parts[1] || ...) into `out` (exactly hash_size(alg) bytes).
  [[nodiscard]] Status mac(std::initializer_list<ByteView> parts, MutableByteView out) const;
  // HKDF-Expand with this key as the PRK; fails with invalid_argument when L > 255 * Nh.
  [[nodiscard]] Result<SecretBytes> expand(ByteView info, std::size_t length) const;

 private:
  HmacKey(HashAlg alg, ossl::MacCtxPtr ctx) : alg_(alg), ctx_(std::move(ctx)) {}
  HashAlg alg_;
  ossl::MacCtxPtr ctx_;
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
