// Secrets at rest: each secret blob is sealed with AES-256-GCM under a key derived from the
// storage master key, with a fresh random nonce, and associated data naming the place it is
// stored (group, table, row), so a blob copied to another row or group does not open. Data
// kept in clear for inspection (group configurations) carries an HMAC under another derived
// key, so that whoever can write the file still cannot, say, add a key to an allow-list.
#pragma once

#include <string_view>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "mpsec/random.hpp"

namespace mpsec::store {

inline constexpr std::size_t kMasterKeySize = 32;
// nonce || ciphertext || tag
inline constexpr std::size_t kSealOverhead = crypto::kAeadNonceSize + crypto::kAeadTagSize;

// Where a blob lives. `row` names the row within the table (a slot, "graph" and its seq).
struct BlobPlace {
  ByteView group_id;
  std::string_view table;
  ByteView row;
};

class Sealer {
 public:
  // `rng` draws the nonces and must outlive the Sealer.
  [[nodiscard]] static Result<Sealer> create(ByteView master_key, Random& rng);

  [[nodiscard]] Result<Bytes> seal(const BlobPlace& place, ByteView plaintext) const;
  // authentication_failed for a blob that was altered, moved, or sealed under another key.
  [[nodiscard]] Result<SecretBytes> open(const BlobPlace& place, ByteView blob) const;

  [[nodiscard]] Result<Bytes> mac(const BlobPlace& place, ByteView data) const;
  [[nodiscard]] Status verify(const BlobPlace& place, ByteView data, ByteView tag) const;

 private:
  Sealer(crypto::AeadKey aead, crypto::HmacKey hmac, Random& rng)
      : aead_(std::move(aead)), hmac_(std::move(hmac)), rng_(&rng) {}

  crypto::AeadKey aead_;
  crypto::HmacKey hmac_;
  Random* rng_;
};

}  // namespace mpsec::store
