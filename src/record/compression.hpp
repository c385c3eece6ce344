// zstd compression of application data before encryption (see DataPolicy::compress for
// the length-leak risk that keeps it off by default).
#pragma once

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::record {

[[nodiscard]] Result<Bytes> compress(ByteView data);
// One complete zstd frame that declares its size, at most `max_size` bytes decompressed
// (no decompression bombs); anything else is a decode_error or limit_exceeded.
[[nodiscard]] Result<Bytes> decompress(ByteView frame, std::size_t max_size);

}  // namespace mpsec::record
