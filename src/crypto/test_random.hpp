// Deterministic randomness for tests, simulations and vector generation. Never for keys
// that protect anything.
#pragma once

#include <cstdint>

#include "mpsec/bytes.hpp"
#include "mpsec/random.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

// Returns the given bytes in order, then fails with random_failure.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  Status fill(MutableByteView out) override;
  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }

 private:
  Bytes bytes_;
  std::size_t pos_ = 0;
};

// An endless stream: block i = HMAC-SHA256(seed, uint64(i)).
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(ByteView seed) : seed_(seed) {}
  explicit SeededRandom(std::uint64_t seed);
  Status fill(MutableByteView out) override;

 private:
  SecretBytes seed_;
  std::uint64_t counter_ = 0;
  SecretBytes block_;
  std::size_t block_pos_ = 0;
};

}  // namespace mpsec::crypto
