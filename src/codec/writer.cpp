#include "codec/writer.hpp"

#include <algorithm>

#include "codec/varint.hpp"

namespace mpsec::codec {

void Writer::grow(std::size_t n) {
  Bytes next;
  next.reserve(std::max({buf_.capacity() * 2, buf_.size() + n, std::size_t{64}}));
  next.assign(buf_.begin(), buf_.end());
  secure_wipe(buf_.data(), buf_.capacity());
  buf_.swap(next);
}

void Writer::varint(std::uint64_t value) {
  ensure(8);
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
  ensure(header.size());
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

Result<SecretBytes> Writer::finish_secret() && {
  if (error_) return tl::unexpected(std::move(*error_));
  SecretBytes out(ByteView(buf_.data(), buf_.size()));
  secure_wipe(buf_.data(), buf_.capacity());
  buf_.clear();
  return out;
}

}  // namespace mpsec::codec
