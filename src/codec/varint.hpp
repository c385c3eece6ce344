// RFC 9420 §2.1.2 variable-length integers (QUIC-style, 1, 2 or 4 bytes; the 8-byte
// prefix 0b11 is reserved), used as the length prefix of every vector.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::codec {

// Bytes needed to encode `value`, or 0 if it exceeds kMaxVarint.
std::size_t varint_size(std::uint64_t value) noexcept;

// Appends the minimal encoding of `value`; fails with limit_exceeded above kMaxVarint.
Status write_varint(Bytes& out, std::uint64_t value);

// Decodes a varint from the front of `in`: value and bytes consumed. Rejects the reserved
// prefix and non-minimal encodings (RFC 9420 §2.1.2).
struct VarintRead {
  std::uint64_t value;
  std::size_t size;
};
Result<VarintRead> read_varint(ByteView in);

}  // namespace mpsec::codec
