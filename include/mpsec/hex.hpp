// Hex encoding, for tests, vectors and diagnostics (never for secrets in logs).
#pragma once

#include <string>
#include <string_view>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec {

std::string to_hex(ByteView data);
// Accepts upper and lower case; rejects odd lengths and non-hex characters.
Result<Bytes> from_hex(std::string_view hex);

}  // namespace mpsec
