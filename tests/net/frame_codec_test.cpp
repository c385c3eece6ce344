// The TCP frame codec on its own: frames split at every byte boundary reassemble, a zero-byte
// frame is a frame, and a header over max_frame is refused before its body is buffered.
#include "net/frame_codec.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec::net {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

TEST(NetFrameDecoder, EncodesBigEndianLengthPrefix) {
  EXPECT_EQ(encode_frame(hex("")), hex("00000000"));
  EXPECT_EQ(encode_frame(hex("abcd")), hex("00000002abcd"));
  EXPECT_EQ(encode_frame(Bytes(0x01020304 & 0xffff, 7)).size(), 4u + 0x0304);
}

TEST(NetFrameDecoder, ReassemblesFramesFedOneByteAtATime) {
  const std::vector<Bytes> messages = {hex(""), hex("01"), hex("0203"), Bytes(300, 9), hex("")};
  Bytes stream;
  for (const auto& m : messages)
    append(stream, encode_frame(m));
  FrameDecoder decoder(1024);
  std::vector<Bytes> out;
  for (std::uint8_t b : stream) {
    decoder.feed(ByteView(&b, 1));
    for (;;) {
      auto frame = decoder.next();
      ASSERT_TRUE(IsOk(frame));
      if (!*frame) break;
      out.push_back(**frame);
    }
  }
  EXPECT_EQ(out, messages);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(NetFrameDecoder, ManyFramesInOneChunk) {
  Bytes stream;
  for (int i = 0; i < 100; ++i)
    append(stream, encode_frame(Bytes(static_cast<std::size_t>(i), 1)));
  FrameDecoder decoder(1024);
  decoder.feed(stream);
  for (int i = 0; i < 100; ++i) {
    auto frame = decoder.next();
    ASSERT_TRUE(IsOk(frame));
    ASSERT_TRUE(frame->has_value());
    EXPECT_EQ((*frame)->size(), static_cast<std::size_t>(i));
  }
  auto end = decoder.next();
  ASSERT_TRUE(IsOk(end));
  EXPECT_FALSE(end->has_value());
}

TEST(NetFrameDecoder, FrameAtLimitPassesOneOverFails) {
  FrameDecoder at(16);
  at.feed(encode_frame(Bytes(16, 3)));
  auto frame = at.next();
  ASSERT_TRUE(IsOk(frame));
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ(**frame, Bytes(16, 3));

  // Refused on the header alone: the 17 body bytes are never awaited.
  FrameDecoder over(16);
  over.feed(hex("00000011"));
  EXPECT_TRUE(FailsWith(over.next(), Errc::limit_exceeded));
  FrameDecoder huge(1 << 20);
  huge.feed(hex("ffffffff"));
  EXPECT_TRUE(FailsWith(huge.next(), Errc::limit_exceeded));
}

TEST(NetFrameDecoder, TruncatedFrameStaysBuffered) {
  FrameDecoder decoder(1024);
  decoder.feed(hex("0000000a0102"));
  auto frame = decoder.next();
  ASSERT_TRUE(IsOk(frame));
  EXPECT_FALSE(frame->has_value());
  EXPECT_EQ(decoder.buffered(), 6u);
}

}  // namespace
}  // namespace mpsec::net
