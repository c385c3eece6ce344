// Limits of the TLS presentation-language codec.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mpsec::codec {

// RFC 9420 §2.1.2: a variable-length vector's length is at most 2^30 - 1 bytes.
inline constexpr std::uint64_t kMaxVarint = (std::uint64_t{1} << 30) - 1;

// The longest vector a Reader accepts unless told otherwise. A length can never exceed
// the bytes actually present; this bound additionally caps what one field may claim.
inline constexpr std::size_t kDefaultMaxVector = std::size_t{1} << 24;  // 16 MiB

}  // namespace mpsec::codec
