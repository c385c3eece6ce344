// Writer: encodes the TLS presentation language (RFC 8446 §3) with RFC 9420 §2.1.2
// variable-length vectors. Errors are sticky: the first one is kept and reported by
// status() / finish(), so encoders read as a plain list of fields.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::codec {

class Writer {
 public:
  Writer() = default;

  void u8(std::uint8_t v) { buf_.push_back(v); }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  // Fixed-size opaque: the bytes as they are, without a length.
  void raw(ByteView data) { append(buf_, data); }
  void varint(std::uint64_t value);
  // opaque data<V>: a varint length, then the bytes.
  void opaque(ByteView data);

  // A vector<V> whose content is written by body(*this); the length prefix is filled in
  // after the content is known.
  template <class Body>
  void vector(Body&& body) {
    const std::size_t start = buf_.size();
    std::forward<Body>(body)(*this);
    close_vector(start);
  }

  void set_error(Error error) {
    if (!error_) error_ = std::move(error);
  }
  Status status() const;
  Result<Bytes> finish() &&;
  const Bytes& bytes() const noexcept { return buf_; }
  std::size_t size() const noexcept { return buf_.size(); }

 private:
  void put_be(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i)
      buf_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void close_vector(std::size_t start);

  Bytes buf_;
  std::optional<Error> error_;
};

}  // namespace mpsec::codec
