#include "codec/reader.hpp"

#include "codec/varint.hpp"

namespace mpsec::codec {

Result<std::uint64_t> Reader::read_be(std::size_t n) {
  MPSEC_ENSURE(remaining() >= n, Errc::decode_error, "truncated integer");
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i)
    v = (v << 8) | data_[pos_ + i];
  pos_ += n;
  return v;
}

Result<std::uint8_t> Reader::u8() {
  return static_cast<std::uint8_t>(MPSEC_TRY(read_be(1)));
}
Result<std::uint16_t> Reader::u16() {
  return static_cast<std::uint16_t>(MPSEC_TRY(read_be(2)));
}
Result<std::uint32_t> Reader::u32() {
  return static_cast<std::uint32_t>(MPSEC_TRY(read_be(4)));
}
Result<std::uint64_t> Reader::u64() {
  return read_be(8);
}

Result<ByteView> Reader::raw(std::size_t n) {
  MPSEC_ENSURE(remaining() >= n, Errc::decode_error, "truncated fixed-size field");
  ByteView out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<std::uint64_t> Reader::varint() {
  auto v = MPSEC_TRY(read_varint(data_.subspan(pos_)));
  pos_ += v.size;
  return v.value;
}

Result<ByteView> Reader::opaque() {
  const std::size_t start = pos_;
  const std::uint64_t len = MPSEC_TRY(varint());
  if (len > max_vector_) {
    pos_ = start;
    return fail(Errc::limit_exceeded, "vector longer than the configured bound");
  }
  if (len > remaining()) {
    pos_ = start;
    return fail(Errc::decode_error, "vector length exceeds the remaining input");
  }
  return raw(static_cast<std::size_t>(len));
}

Result<Reader> Reader::vector() {
  ByteView content = MPSEC_TRY(opaque());
  return Reader(content, max_vector_);
}

Status Reader::finish() const {
  MPSEC_ENSURE(empty(), Errc::trailing_data, "trailing bytes after the structure");
  return ok();
}

}  // namespace mpsec::codec
