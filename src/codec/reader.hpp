// Reader: strict decoding of the TLS presentation language with RFC 9420 §2.1.2 vectors.
// Every length is checked against the bytes present and a configurable bound, varints must
// be minimal, and finish() turns leftover bytes into Errc::trailing_data.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/limits.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::codec {

class Reader {
 public:
  explicit Reader(ByteView data, std::size_t max_vector = kDefaultMaxVector) noexcept
      : data_(data), max_vector_(max_vector) {}

  [[nodiscard]] Result<std::uint8_t> u8();
  [[nodiscard]] Result<std::uint16_t> u16();
  [[nodiscard]] Result<std::uint32_t> u32();
  [[nodiscard]] Result<std::uint64_t> u64();
  // Fixed-size opaque of exactly n bytes.
  [[nodiscard]] Result<ByteView> raw(std::size_t n);
  [[nodiscard]] Result<std::uint64_t> varint();
  // opaque data<V>: the bytes of a varint-prefixed vector.
  [[nodiscard]] Result<ByteView> opaque();
  // A reader over the content of a varint-prefixed vector; this reader moves past it.
  [[nodiscard]] Result<Reader> vector();

  bool empty() const noexcept { return pos_ == data_.size(); }
  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  std::size_t position() const noexcept { return pos_; }
  std::size_t max_vector() const noexcept { return max_vector_; }
  // What has been consumed since `start` (a position() taken earlier).
  ByteView consumed_since(std::size_t start) const noexcept {
    return data_.subspan(start, pos_ - start);
  }
  // Errc::trailing_data unless every byte was consumed.
  [[nodiscard]] Status finish() const;

 private:
  Result<std::uint64_t> read_be(std::size_t n);

  ByteView data_;
  std::size_t pos_ = 0;
  std::size_t max_vector_;
};

}  // namespace mpsec::codec
