#include "codec/varint.hpp"

#include "codec/limits.hpp"

namespace mpsec::codec {

std::size_t varint_size(std::uint64_t value) noexcept {
  if (value < (1u << 6)) return 1;
  if (value < (1u << 14)) return 2;
  if (value <= kMaxVarint) return 4;
  return 0;
}

Status write_varint(Bytes& out, std::uint64_t value) {
  switch (varint_size(value)) {
    case 1:
      out.push_back(static_cast<std::uint8_t>(value));
      return ok();
    case 2:
      out.push_back(static_cast<std::uint8_t>(0x40 | (value >> 8)));
      out.push_back(static_cast<std::uint8_t>(value));
      return ok();
    case 4:
      out.push_back(static_cast<std::uint8_t>(0x80 | (value >> 24)));
      out.push_back(static_cast<std::uint8_t>(value >> 16));
      out.push_back(static_cast<std::uint8_t>(value >> 8));
      out.push_back(static_cast<std::uint8_t>(value));
      return ok();
    default:
      return fail(Errc::limit_exceeded, "vector length exceeds 2^30 - 1");
  }
}

Result<VarintRead> read_varint(ByteView in) {
  MPSEC_ENSURE(!in.empty(), Errc::decode_error, "truncated varint");
  const std::uint8_t prefix = in[0] >> 6;
  MPSEC_ENSURE(prefix != 3, Errc::decode_error, "reserved varint prefix 0b11");
  const std::size_t size = std::size_t{1} << prefix;
  MPSEC_ENSURE(in.size() >= size, Errc::decode_error, "truncated varint");
  std::uint64_t value = in[0] & 0x3f;
  for (std::size_t i = 1; i < size; ++i)
    value = (value << 8) | in[i];
  MPSEC_ENSURE(varint_size(value) == size, Errc::decode_error, "varint is not minimally encoded");
  return VarintRead{value, size};
}

}  // namespace mpsec::codec
