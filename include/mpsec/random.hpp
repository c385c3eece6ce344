// Randomness is injected: protocol code draws from a Random it is given, so tests and
// simulations can substitute a deterministic source.
#pragma once

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` entirely, or fails with Errc::random_failure.
  [[nodiscard]] virtual Status fill(MutableByteView out) = 0;
};

// The operating system's CSPRNG (getrandom(2)). Thread-safe and fork-safe.
Random& system_random();

}  // namespace mpsec
