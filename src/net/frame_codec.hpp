// Length-prefixed framing of TCP streams: each message is a 4-byte big-endian length, then
// that many bytes. Pure code (no I/O) so the decoder is tested and fuzzed on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::net {

inline constexpr std::size_t kFrameHeaderSize = 4;

// The frame for `payload` (header then payload). The caller bounds payload.size() to 2^32-1.
Bytes encode_frame(ByteView payload);

// Reassembles frames from stream chunks of any size. Holds at most one partial frame plus the
// last chunk, so a peer cannot make it buffer more than max_frame + header + one chunk.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame) : max_frame_(max_frame) {}

  void feed(ByteView chunk);

  // The next complete frame, or nullopt while more bytes are needed. limit_exceeded once a
  // header announces more than max_frame bytes: the stream cannot be resynchronised after
  // that, so the caller drops it.
  [[nodiscard]] Result<std::optional<Bytes>> next();

  // Bytes received but not yet returned as frames (a partial frame at the end of a stream).
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  void compact();

  std::size_t max_frame_;
  Bytes buf_;
  std::size_t pos_ = 0;  // start of the first unconsumed byte in buf_
};

}  // namespace mpsec::net
