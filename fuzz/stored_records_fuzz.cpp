// The decoders of what the GCKS reads back from its store (GroupConfig, MemberRecord, a whole
// key graph) and of the TCP framing every GCKS connection goes through: decoding never
// crashes, whatever decodes re-encodes to exactly the input, and the frame decoder neither
// loses nor invents bytes. The first input byte picks the decoder.
#include <cstdint>
#include <cstdlib>

#include "central/group_config.hpp"
#include "codec/reader.hpp"
#include "codec/tls.hpp"
#include "codec/writer.hpp"
#include "crypto/cipher_suite.hpp"
#include "net/frame_codec.hpp"
#include "tree/key_graph.hpp"

namespace {

using namespace mpsec;

template <class T>
void round_trip(ByteView input) {
  auto decoded = codec::decode<T>(input);
  if (!decoded) return;
  auto encoded = codec::encode(*decoded);
  if (!encoded || !equal(*encoded, input)) std::abort();
}

void key_graph(ByteView input) {
  static const crypto::CipherSuite suite = *crypto::CipherSuite::from_code(1);
  codec::Reader r(input);
  auto graph = tree::decode_key_graph(suite, r);
  if (!graph || !r.empty()) return;
  codec::Writer w;
  (*graph)->encode(w);
  auto again = std::move(w).finish();
  if (!again || !equal(*again, input)) std::abort();
}

// Chunk sizes come from the input itself; every byte fed ends up in a frame (with its
// header), still buffered, or behind a refused header.
void frames(ByteView input) {
  constexpr std::size_t kMaxFrame = 512;
  net::FrameDecoder d(kMaxFrame);
  std::size_t fed = 0;
  std::size_t out = 0;
  std::size_t pos = 0;
  while (pos < input.size()) {
    const std::size_t n = std::min<std::size_t>(1 + input[pos] % 64, input.size() - pos);
    d.feed(input.subspan(pos, n));
    fed += n;
    pos += n;
    for (;;) {
      auto f = d.next();
      if (!f) return;  // an oversize header: the stream is dropped
      if (!*f) break;
      if ((*f)->size() > kMaxFrame) std::abort();
      out += net::kFrameHeaderSize + (*f)->size();
    }
    if (out + d.buffered() != fed) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      frames(input);
      break;
    case 1:
      round_trip<central::GroupConfig>(input);
      break;
    case 2:
      round_trip<central::MemberRecord>(input);
      break;
    default:
      key_graph(input);
      break;
  }
  return 0;
}
