// Shared by the stateful fuzz targets: reading a libFuzzer input as a script of operations,
// and mutating recorded messages with it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "mpsec/bytes.hpp"

namespace mpsec::fuzz {

// A cursor over the input; reads past the end give zeros and empty views.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  bool empty() const { return n_ == 0; }
  std::uint8_t byte() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  ByteView take(std::size_t k) {
    k = std::min(k, n_);
    ByteView v(p_, k);
    p_ += k;
    n_ -= k;
    return v;
  }
  // A field with a 2-byte length.
  ByteView chunk() {
    const std::size_t len = std::size_t{byte()} << 8 | byte();
    return take(len);
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
};

// (offset, xor) pairs change `bytes` (offsets spread over the first ~1.8 KB); a single byte
// left over truncates there.
inline void overwrite(Bytes& bytes, ByteView edits) {
  std::size_t i = 0;
  for (; i + 2 <= edits.size() && !bytes.empty(); i += 2)
    bytes[(std::size_t{edits[i]} * 7) % bytes.size()] ^= edits[i + 1];
  if (i < edits.size() && !bytes.empty()) bytes.resize(edits[i] % bytes.size());
}

}  // namespace mpsec::fuzz
