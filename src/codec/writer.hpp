// Writer: encodes the TLS presentation language (RFC 8446 §3) with RFC 9420 §2.1.2
// variable-length vectors. Errors are sticky: the first one is kept and reported by
// status() / finish(), so encoders read as a plain list of fields.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::codec {

class Writer {
 public:
  Writer() = default;
  // A writer for encodings that hold secrets: its buffer is wiped whenever it grows and when
  // the writer is destroyed, so no copy of a secret is left behind in freed memory.
  static Writer for_secrets() {
    Writer w;
    w.wipe_ = true;
    return w;
  }
  Writer(Writer&& other) noexcept
      : buf_(std::move(other.buf_)), error_(std::move(other.error_)), wipe_(other.wipe_) {}
  Writer& operator=(Writer&&) = delete;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    if (wipe_) secure_wipe(buf_.data(), buf_.capacity());
  }

  void u8(std::uint8_t v) {
    ensure(1);
    buf_.push_back(v);
  }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  // Fixed-size opaque: the bytes as they are, without a length.
  void raw(ByteView data) {
    ensure(data.size());
    append(buf_, data);
  }
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
  // The encoding as SecretBytes; the writer's own buffer is wiped.
  Result<SecretBytes> finish_secret() &&;
  const Bytes& bytes() const noexcept { return buf_; }
  std::size_t size() const noexcept { return buf_.size(); }

 private:
  void put_be(std::uint64_t v, int n) {
    ensure(static_cast<std::size_t>(n));
    for (int i = n - 1; i >= 0; --i)
      buf_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void close_vector(std::size_t start);
  // Makes room for n more bytes; a secret writer moves to a larger buffer itself and wipes
  // the old one (std::vector would free it unwiped).
  void ensure(std::size_t n) {
    if (wipe_ && buf_.size() + n > buf_.capacity()) grow(n);
  }
  void grow(std::size_t n);

  Bytes buf_;
  std::optional<Error> error_;
  bool wipe_ = false;
};

}  // namespace mpsec::codec
