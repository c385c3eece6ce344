// Generates passive-client scenarios in the mlswg/mls-implementations format with mpsec's own
// MLS implementation, so the passive-client runner can be exercised without the upstream
// files: `mpsec vectors --generate passive-client-{welcome,handling-commit,random} --out F`.
#pragma once

#include <string_view>

#include "conformance/runner.hpp"
#include "mpsec/random.hpp"

namespace mpsec::conformance {

// The names --generate accepts.
bool is_generatable(std::string_view kind);
[[nodiscard]] Result<Json> generate_vectors(std::string_view kind, Random& rng);

}  // namespace mpsec::conformance
