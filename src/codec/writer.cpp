#include "codec/writer.hpp"

#include "codec/varint.hpp"

namespace mpsec::codec {

void Writer::varint(std::uint64_t value) {
  if (auto s = write_varint(buf_, value); !s) set_error(std::move(s).error());
}

void Writer::opaque(ByteView data) {
  varint(data.size());
  raw(data);
}

void Writer::close_vector(std::size_t start) {
  const std::size_t len = buf_.size() - start;
  Bytes header;
  if (auto s = write_varint(header, len); !s) {
    set_error(std::move(s).error());
    return;
  }
  buf_.insert(buf_.begin() + static_cast<std::ptrdiff_t>(start), header.begin(), header.end());
}

Status Writer::status() const {
  if (error_) return tl::unexpected(*error_);
  return ok();
}

Result<Bytes> Writer::finish() && {
  if (error_) return tl::unexpected(std::move(*error_));
  return std::move(buf_);
}

}  // namespace mpsec::codec
