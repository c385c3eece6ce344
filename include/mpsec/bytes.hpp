// Byte buffers and views used throughout mpsec.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mpsec {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline Bytes to_bytes(ByteView v) {
  return Bytes(v.begin(), v.end());
}

inline void append(Bytes& out, ByteView v) {
  out.insert(out.end(), v.begin(), v.end());
}

inline bool equal(ByteView a, ByteView b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace mpsec
