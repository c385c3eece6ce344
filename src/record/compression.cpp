#include "record/compression.hpp"

#include <zstd.h>

#include <algorithm>

namespace mpsec::record {

namespace {
constexpr int kLevel = 3;  // zstd's default: fast, and most of the gain
}

Result<Bytes> compress(ByteView data) {
  Bytes out(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), kLevel);
  MPSEC_ENSURE(!ZSTD_isError(n), Errc::internal, "zstd compression failed");
  out.resize(n);
  return out;
}

Result<Bytes> decompress(ByteView frame, std::size_t max_size) {
  // A standard zstd frame only: skippable frames (magic 0x184D2A5?) would let a sender hide
  // bytes behind an empty message.
  static constexpr std::uint8_t kMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
  MPSEC_ENSURE(frame.size() >= 4 && std::equal(frame.begin(), frame.begin() + 4, kMagic),
               Errc::decode_error, "not a standard zstd frame");
  const std::size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  MPSEC_ENSURE(!ZSTD_isError(frame_size) && frame_size == frame.size(), Errc::decode_error,
               "not exactly one zstd frame");
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  MPSEC_ENSURE(size != ZSTD_CONTENTSIZE_ERROR && size != ZSTD_CONTENTSIZE_UNKNOWN,
               Errc::decode_error, "zstd frame without a content size");
  MPSEC_ENSURE(size <= max_size, Errc::limit_exceeded, "decompressed data too large");
  Bytes out(static_cast<std::size_t>(size));
  const std::size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  MPSEC_ENSURE(!ZSTD_isError(n) && n == out.size(), Errc::decode_error, "corrupt zstd frame");
  return out;
}

}  // namespace mpsec::record
