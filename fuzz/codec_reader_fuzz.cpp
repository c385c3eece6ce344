// The TLS-syntax reader over arbitrary bytes: decoding never crashes, and whatever decodes
// re-encodes to exactly the input (the encoding is canonical: minimal varints, no slack).
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "codec/tls.hpp"
#include "codec/varint.hpp"

namespace {

using namespace mpsec;

struct Inner {
  std::uint16_t kind = 0;
  Bytes data;
  std::optional<std::uint32_t> maybe;
  MPSEC_TLS_FIELDS(kind, data, maybe)
};

struct Outer {
  std::uint8_t version = 0;
  std::array<std::uint8_t, 4> tag{};
  std::vector<Inner> items;
  std::vector<Bytes> blobs;
  std::optional<Inner> extra;
  std::uint64_t counter = 0;
  MPSEC_TLS_FIELDS(version, tag, items, blobs, extra, counter)
};

template <class T>
void round_trip(ByteView input) {
  auto decoded = codec::decode<T>(input);
  if (!decoded) return;
  auto encoded = codec::encode(*decoded);
  if (!encoded || !equal(*encoded, input)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  round_trip<Outer>(input);
  round_trip<Inner>(input);
  round_trip<std::vector<Bytes>>(input);
  if (auto v = codec::read_varint(input)) {
    Bytes again;
    if (!codec::write_varint(again, v->value) || !equal(again, input.first(v->size))) std::abort();
  }
  // A reader with a tiny vector bound must refuse, never overrun.
  codec::Reader small(input, 8);
  while (!small.empty()) {
    if (!small.opaque()) break;
  }
  return 0;
}
