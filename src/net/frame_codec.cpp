#include "net/frame_codec.hpp"

#include <cstring>

namespace mpsec::net {

Bytes encode_frame(ByteView payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  Bytes out;
  out.reserve(kFrameHeaderSize + payload.size());
  out.push_back(static_cast<std::uint8_t>(n >> 24));
  out.push_back(static_cast<std::uint8_t>(n >> 16));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
  append(out, payload);
  return out;
}

void FrameDecoder::feed(ByteView chunk) {
  append(buf_, chunk);
}

Result<std::optional<Bytes>> FrameDecoder::next() {
  const std::size_t avail = buf_.size() - pos_;
  if (avail < kFrameHeaderSize) {
    compact();
    return std::optional<Bytes>{};
  }
  const std::uint8_t* h = buf_.data() + pos_;
  const std::size_t len = (std::size_t{h[0]} << 24) | (std::size_t{h[1]} << 16) |
                          (std::size_t{h[2]} << 8) | std::size_t{h[3]};
  if (len > max_frame_)
    return fail(Errc::limit_exceeded, "frame of " + std::to_string(len) +
                                          " bytes exceeds max_frame " + std::to_string(max_frame_));
  if (avail < kFrameHeaderSize + len) {
    // No reserve for the announced length: memory follows the bytes actually received, so a
    // header alone does not make the server allocate max_frame.
    compact();
    return std::optional<Bytes>{};
  }
  const auto first = buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + kFrameHeaderSize);
  Bytes frame(first, first + static_cast<std::ptrdiff_t>(len));
  pos_ += kFrameHeaderSize + len;
  return std::optional<Bytes>{std::move(frame)};
}

// Moves the unconsumed tail to the front; called only when waiting for more input, so at most
// once per received chunk.
void FrameDecoder::compact() {
  if (pos_ == 0) return;
  const std::size_t rest = buf_.size() - pos_;
  if (rest > 0) std::memmove(buf_.data(), buf_.data() + pos_, rest);
  buf_.resize(rest);
  pos_ = 0;
}

}  // namespace mpsec::net
