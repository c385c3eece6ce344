// RFC 9420 §6 framing: every structure round-trips byte for byte, every truncation fails
// with a typed error, a trailing byte is trailing_data, and out-of-range enums are refused.
// Also the PrivateMessage parser, the application-only content codec, and zstd framing.
#include "record/framing.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <concepts>
#include <functional>

#include "base/test_support.hpp"
#include "mls/messages.hpp"
#include "record/compression.hpp"
#include "record/private_message.hpp"

namespace mpsec::record {
namespace {

using testutil::FailsWith;
using testutil::hex;
using testutil::IsOk;

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

// How one structure goes to and from bytes; decode must consume the whole input.
template <class T>
struct Wire {
  std::function<Bytes(const T&)> encode;
  std::function<Result<T>(ByteView)> decode;
};

template <class T>
Wire<T> tls_wire() {
  return {[](const T& v) { return *codec::encode(v); },
          [](ByteView b) { return codec::decode<T>(b); }};
}

template <class T, class Decode>
Wire<T> reader_wire(Decode decode) {
  return {[](const T& v) {
            codec::Writer w;
            v.encode(w);
            return *std::move(w).finish();
          },
          [decode](ByteView b) -> Result<T> {
            codec::Reader r(b);
            T out = MPSEC_TRY(decode(r));
            MPSEC_TRY(r.finish());
            return out;
          }};
}

Wire<FramedContent> framed_wire(const ContentCodec& cc) {
  return reader_wire<FramedContent>(
      [&cc](codec::Reader& r) { return FramedContent::decode(r, cc); });
}
Wire<FramedContentAuthData> auth_wire(ContentType type) {
  return reader_wire<FramedContentAuthData>(
      [type](codec::Reader& r) { return FramedContentAuthData::decode(r, type); });
}
Wire<AuthenticatedContent> authenticated_wire(const ContentCodec& cc) {
  return reader_wire<AuthenticatedContent>(
      [&cc](codec::Reader& r) { return AuthenticatedContent::decode(r, cc); });
}
Wire<PublicMessage> public_wire(const ContentCodec& cc) {
  return reader_wire<PublicMessage>(
      [&cc](codec::Reader& r) { return PublicMessage::decode(r, cc); });
}

// encode -> decode -> the same value -> the same bytes; every proper prefix fails with a
// decode_error; one extra byte is trailing_data. Returns the encoding.
template <class T>
Bytes ExpectStrictRoundTrip(const T& value, const Wire<T>& wire) {
  const Bytes bytes = wire.encode(value);
  auto back = wire.decode(bytes);
  EXPECT_TRUE(IsOk(back));
  if (!back) return bytes;
  if constexpr (std::equality_comparable<T>) {
    EXPECT_TRUE(*back == value);
  }
  EXPECT_EQ(wire.encode(*back), bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_TRUE(FailsWith(wire.decode(ByteView(bytes).first(n)), Errc::decode_error))
        << "truncated to " << n << " of " << bytes.size();
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(wire.decode(longer), Errc::trailing_data));
  return bytes;
}

// --- sample content ------------------------------------------------------------------------

Bytes proposal_body() {
  mls::Proposal p{mls::Remove{5}};
  return *codec::encode(p);
}

Bytes commit_body(bool with_path) {
  mls::Commit c;
  // Built in place: g++ 12 warns, wrongly, about copies of variant temporaries here.
  c.proposals.emplace_back().value.emplace<Bytes>(32, 0xab);
  c.proposals.emplace_back().value.emplace<mls::Proposal>(mls::Proposal{mls::Remove{2}});
  if (with_path) {
    mls::UpdatePath path;
    path.leaf_node.encryption_key = Bytes(32, 1);
    path.leaf_node.signature_key = Bytes(32, 2);
    path.leaf_node.credential = mls::Credential::basic(text("alice"));
    path.leaf_node.leaf_node_source = mls::LeafNodeSource::commit;
    path.leaf_node.parent_hash = Bytes(32, 3);
    path.leaf_node.signature = Bytes(64, 4);
    path.nodes.push_back(mls::UpdatePathNode{
        Bytes(32, 5),
        std::vector<mls::HpkeCiphertext>{mls::HpkeCiphertext{Bytes(32, 6), Bytes(48, 7)}}});
    c.path = path;
  }
  return *codec::encode(c);
}

FramedContent framed(Sender sender, ContentType type = ContentType::application) {
  FramedContent fc;
  fc.group_id = text("group");
  fc.epoch = 0x0102030405060708;
  fc.sender = sender;
  fc.authenticated_data = text("ad");
  fc.content_type = type;
  switch (type) {
    case ContentType::application:
      fc.content = encode_application_data(text("hello"));
      break;
    case ContentType::proposal:
      fc.content = proposal_body();
      break;
    case ContentType::commit:
      fc.content = commit_body(true);
      break;
  }
  return fc;
}

FramedContentAuthData auth_for(ContentType type) {
  FramedContentAuthData a;
  a.signature = Bytes(64, 0x5e);
  if (type == ContentType::commit) a.confirmation_tag = Bytes(32, 0xc7);
  return a;
}

const Sender kAllSenders[] = {
    Sender::member(7),
    Sender{SenderType::external, 3},
    Sender{SenderType::new_member_proposal, 0},
    Sender{SenderType::new_member_commit, 0},
};

// --- Sender ------------------------------------------------------------------------------

TEST(SenderCodec, AllFourSenderTypesRoundTripByteExact) {
  EXPECT_EQ(ExpectStrictRoundTrip(Sender::member(7), tls_wire<Sender>()), hex("0100000007"));
  EXPECT_EQ(ExpectStrictRoundTrip(Sender{SenderType::external, 3}, tls_wire<Sender>()),
            hex("0200000003"));
  EXPECT_EQ(ExpectStrictRoundTrip(Sender{SenderType::new_member_proposal, 0}, tls_wire<Sender>()),
            hex("03"));
  EXPECT_EQ(ExpectStrictRoundTrip(Sender{SenderType::new_member_commit, 0}, tls_wire<Sender>()),
            hex("04"));
}

TEST(SenderCodec, UnknownSenderTypeIsRejected) {
  for (std::uint8_t t : {0, 5, 0xff})
    EXPECT_TRUE(FailsWith(codec::decode<Sender>(Bytes{t, 0, 0, 0, 1}), Errc::decode_error))
        << int(t);
}

// --- FramedContent -------------------------------------------------------------------------

TEST(FramedContentCodec, ApplicationContentRoundTripsByteExact) {
  FramedContent fc;
  fc.group_id = text("g");
  fc.epoch = 1;
  fc.sender = Sender::member(2);
  fc.content_type = ContentType::application;
  fc.content = encode_application_data(text("hi"));
  // group_id<V> epoch sender authenticated_data<V> content_type application_data<V>
  EXPECT_EQ(ExpectStrictRoundTrip(fc, framed_wire(application_only())), hex("0167"
                                                                            "0000000000000001"
                                                                            "0100000002"
                                                                            "00"
                                                                            "01"
                                                                            "026869"));
}

TEST(FramedContentCodec, EveryContentTypeAndSenderRoundTrips) {
  for (const Sender& s : kAllSenders) {
    for (ContentType t : {ContentType::application, ContentType::proposal, ContentType::commit}) {
      SCOPED_TRACE(::testing::Message() << "sender " << int(s.sender_type) << " type " << int(t));
      ExpectStrictRoundTrip(framed(s, t), framed_wire(mls::content_codec()));
    }
  }
}

TEST(FramedContentCodec, CommitWithoutPathRoundTrips) {
  auto fc = framed(Sender::member(1), ContentType::commit);
  fc.content = commit_body(false);
  ExpectStrictRoundTrip(fc, framed_wire(mls::content_codec()));
}

Bytes framed_with_type(std::uint8_t type) {
  codec::Writer w;
  w.opaque(text("group"));
  w.u64(1);
  w.u8(1);  // member
  w.u32(0);
  w.opaque({});
  w.u8(type);
  w.opaque(text("hi"));
  return *std::move(w).finish();
}

TEST(FramedContentCodec, ContentTypeOutsideOneToThreeIsRejected) {
  const auto wire = framed_wire(mls::content_codec());
  EXPECT_TRUE(IsOk(wire.decode(framed_with_type(1))));  // the same bytes, valid type
  for (std::uint8_t t : {0, 4, 0xff})
    EXPECT_TRUE(FailsWith(wire.decode(framed_with_type(t)), Errc::decode_error)) << int(t);
}

TEST(FramedContentCodec, ApplicationOnlyCodecRefusesHandshakeContent) {
  for (ContentType t : {ContentType::proposal, ContentType::commit}) {
    codec::Writer w;
    framed(Sender::member(0), t).encode(w);
    const Bytes bytes = *std::move(w).finish();
    EXPECT_TRUE(FailsWith(framed_wire(application_only()).decode(bytes), Errc::unsupported));
    EXPECT_TRUE(IsOk(framed_wire(mls::content_codec()).decode(bytes)));
    EXPECT_TRUE(FailsWith(application_only().handshake_content_size(t, proposal_body()),
                          Errc::unsupported));
  }
}

// A content codec that claims more bytes than it was given.
class OverrunningCodec final : public ContentCodec {
 public:
  Result<std::size_t> handshake_content_size(ContentType, ByteView data) const override {
    return data.size() + 1;
  }
};

TEST(FramedContentCodec, ContentCodecClaimingBeyondInputIsCaught) {
  codec::Writer w;
  framed(Sender::member(0), ContentType::proposal).encode(w);
  const Bytes bytes = *std::move(w).finish();
  const OverrunningCodec liar;
  EXPECT_TRUE(FailsWith(framed_wire(liar).decode(bytes), Errc::internal));
}

TEST(FramedContentCodec, ApplicationDataAccessorIsStrict) {
  auto fc = framed(Sender::member(0));
  auto data = application_data(fc);
  ASSERT_TRUE(IsOk(data));
  EXPECT_TRUE(equal(*data, text("hello")));
  EXPECT_TRUE(FailsWith(application_data(framed(Sender::member(0), ContentType::proposal)),
                        Errc::invalid_argument));
  fc.content.push_back(0);
  EXPECT_TRUE(FailsWith(application_data(fc), Errc::trailing_data));
  fc.content = {0x05, 'a'};
  EXPECT_TRUE(FailsWith(application_data(fc), Errc::decode_error));
}

// --- FramedContentAuthData -------------------------------------------------------------------

TEST(FramedContentAuthDataCodec, WithAndWithoutConfirmationTagRoundTrip) {
  EXPECT_EQ(ExpectStrictRoundTrip(FramedContentAuthData{Bytes{0xaa}, std::nullopt},
                                  auth_wire(ContentType::application)),
            hex("01aa"));
  EXPECT_EQ(ExpectStrictRoundTrip(FramedContentAuthData{Bytes{0xaa}, std::nullopt},
                                  auth_wire(ContentType::proposal)),
            hex("01aa"));
  EXPECT_EQ(ExpectStrictRoundTrip(FramedContentAuthData{Bytes{0xaa}, Bytes{0xbb, 0xcc}},
                                  auth_wire(ContentType::commit)),
            hex("01aa02bbcc"));
}

TEST(FramedContentAuthDataCodec, ConfirmationTagPresenceFollowsContentType) {
  // A commit's auth data without its tag is truncated; a tag after an application's is extra.
  EXPECT_TRUE(FailsWith(auth_wire(ContentType::commit).decode(hex("01aa")), Errc::decode_error));
  EXPECT_TRUE(FailsWith(auth_wire(ContentType::application).decode(hex("01aa02bbcc")),
                        Errc::trailing_data));
}

// --- AuthenticatedContent ------------------------------------------------------------------

TEST(AuthenticatedContentCodec, RoundTripsForEveryContentType) {
  for (ContentType t : {ContentType::application, ContentType::proposal, ContentType::commit}) {
    for (WireFormat wf : {WireFormat::public_message, WireFormat::private_message}) {
      SCOPED_TRACE(::testing::Message() << "type " << int(t) << " wire format " << int(wf));
      const AuthenticatedContent ac{wf, framed(Sender::member(4), t), auth_for(t)};
      const Bytes bytes = ExpectStrictRoundTrip(ac, authenticated_wire(mls::content_codec()));
      EXPECT_EQ(bytes[0], 0x00);
      EXPECT_EQ(bytes[1], static_cast<std::uint8_t>(wf));
    }
  }
}

// --- PublicMessage ------------------------------------------------------------------------

TEST(PublicMessageCodec, MemberSenderWithMembershipTagRoundTrips) {
  for (ContentType t : {ContentType::proposal, ContentType::commit}) {
    const PublicMessage pm{framed(Sender::member(1), t), auth_for(t), Bytes(32, 0x3c)};
    ExpectStrictRoundTrip(pm, public_wire(mls::content_codec()));
  }
}

TEST(PublicMessageCodec, NonMemberSendersWithoutMembershipTagRoundTrip) {
  const PublicMessage external{framed(Sender{SenderType::external, 0}, ContentType::proposal),
                               auth_for(ContentType::proposal), std::nullopt};
  ExpectStrictRoundTrip(external, public_wire(mls::content_codec()));
  const PublicMessage joiner{
      framed(Sender{SenderType::new_member_proposal, 0}, ContentType::proposal),
      auth_for(ContentType::proposal), std::nullopt};
  ExpectStrictRoundTrip(joiner, public_wire(mls::content_codec()));
  const PublicMessage external_commit{
      framed(Sender{SenderType::new_member_commit, 0}, ContentType::commit),
      auth_for(ContentType::commit), std::nullopt};
  ExpectStrictRoundTrip(external_commit, public_wire(mls::content_codec()));
}

TEST(PublicMessageCodec, MembershipTagPresenceFollowsSenderType) {
  const auto wire = public_wire(mls::content_codec());
  // A member's message without its tag is truncated.
  const PublicMessage untagged{framed(Sender::member(1), ContentType::proposal),
                               auth_for(ContentType::proposal), std::nullopt};
  EXPECT_TRUE(FailsWith(wire.decode(wire.encode(untagged)), Errc::decode_error));
  // An external sender's message with a tag has trailing bytes.
  const PublicMessage tagged{framed(Sender{SenderType::external, 0}, ContentType::proposal),
                             auth_for(ContentType::proposal), Bytes(32, 1)};
  EXPECT_TRUE(FailsWith(wire.decode(wire.encode(tagged)), Errc::trailing_data));
}

TEST(PublicMessageCodec, HandshakeContentNeedsTheMlsCodec) {
  const PublicMessage pm{framed(Sender::member(1), ContentType::commit),
                         auth_for(ContentType::commit), Bytes(32, 0x3c)};
  const Bytes bytes = public_wire(mls::content_codec()).encode(pm);
  EXPECT_TRUE(FailsWith(public_wire(application_only()).decode(bytes), Errc::unsupported));
}

// --- PrivateMessage, SenderData, the MLSMessage header -------------------------------------

PrivateMessage private_message(ContentType t = ContentType::application) {
  PrivateMessage m;
  m.group_id = text("group");
  m.epoch = 9;
  m.content_type = t;
  m.authenticated_data = text("ad");
  m.encrypted_sender_data = Bytes(28, 0xe5);
  m.ciphertext = Bytes(40, 0xc1);
  return m;
}

TEST(PrivateMessageCodec, RoundTripsByteExact) {
  PrivateMessage m;
  m.group_id = {0x67};
  m.epoch = 2;
  m.content_type = ContentType::commit;
  m.authenticated_data = {};
  m.encrypted_sender_data = {0xee};
  m.ciphertext = {0xcc, 0xdd};
  EXPECT_EQ(ExpectStrictRoundTrip(m, tls_wire<PrivateMessage>()), hex("0167"
                                                                      "0000000000000002"
                                                                      "03"
                                                                      "00"
                                                                      "01ee"
                                                                      "02ccdd"));
  for (ContentType t : {ContentType::application, ContentType::proposal, ContentType::commit})
    ExpectStrictRoundTrip(private_message(t), tls_wire<PrivateMessage>());
}

TEST(PrivateMessageCodec, ContentTypeOutsideOneToThreeIsRejected) {
  Bytes bytes = *codec::encode(private_message());
  const std::size_t type_at = 1 + 5 + 8;  // group_id<V> ("group"), epoch
  ASSERT_EQ(bytes[type_at], 1);
  for (std::uint8_t t : {0, 4, 0xff}) {
    bytes[type_at] = t;
    EXPECT_TRUE(FailsWith(codec::decode<PrivateMessage>(bytes), Errc::decode_error)) << int(t);
  }
}

TEST(SenderDataCodec, RoundTripsByteExactAsTwelveBytes) {
  const SenderData sd{1, 2, {0xaa, 0xbb, 0xcc, 0xdd}};
  const Bytes bytes = ExpectStrictRoundTrip(sd, tls_wire<SenderData>());
  EXPECT_EQ(bytes, hex("00000001"
                       "00000002"
                       "aabbccdd"));
  auto back = codec::decode<SenderData>(bytes);
  ASSERT_TRUE(IsOk(back));
  EXPECT_EQ(back->leaf_index, 1u);
  EXPECT_EQ(back->generation, 2u);
  EXPECT_EQ(back->reuse_guard, sd.reuse_guard);
}

Wire<WireFormat> header_wire() {
  return {[](const WireFormat& wf) {
            codec::Writer w;
            encode_header(w, wf);
            return *std::move(w).finish();
          },
          [](ByteView b) -> Result<WireFormat> {
            codec::Reader r(b);
            auto wf = MPSEC_TRY(decode_header(r));
            MPSEC_TRY(r.finish());
            return wf;
          }};
}

TEST(MlsMessageHeader, RoundTripsEveryWireFormat) {
  EXPECT_EQ(ExpectStrictRoundTrip(WireFormat::private_message, header_wire()), hex("00010002"));
  for (auto wf : {WireFormat::public_message, WireFormat::welcome, WireFormat::group_info,
                  WireFormat::key_package, static_cast<WireFormat>(0xf001)})
    ExpectStrictRoundTrip(wf, header_wire());
}

TEST(MlsMessageHeader, WrongVersionIsRejected) {
  for (const char* h : {"00000002", "00020002", "01000002", "ffff0002"})
    EXPECT_TRUE(FailsWith(header_wire().decode(hex(h)), Errc::decode_error)) << h;
}

// --- PrivateMessageView::parse -------------------------------------------------------------

Bytes mls_private_message(const PrivateMessage& m, std::uint16_t version = 1,
                          WireFormat wf = WireFormat::private_message) {
  codec::Writer w;
  w.u16(version);
  codec::encode(w, wf);
  codec::encode(w, m);
  return *std::move(w).finish();
}

TEST(PrivateMessageView, ParsesEveryFieldAndBothAads) {
  const auto m = private_message(ContentType::proposal);
  const Bytes bytes = mls_private_message(m);
  auto v = PrivateMessageView::parse(bytes);
  ASSERT_TRUE(IsOk(v));
  EXPECT_TRUE(equal(v->group_id, m.group_id));
  EXPECT_EQ(v->epoch, m.epoch);
  EXPECT_EQ(v->content_type, m.content_type);
  EXPECT_TRUE(equal(v->authenticated_data, m.authenticated_data));
  EXPECT_TRUE(equal(v->encrypted_sender_data, m.encrypted_sender_data));
  EXPECT_TRUE(equal(v->ciphertext, m.ciphertext));
  // SenderDataAAD = group_id<V> epoch content_type; PrivateContentAAD adds authenticated_data.
  codec::Writer sd;
  sd.opaque(m.group_id);
  sd.u64(m.epoch);
  codec::encode(sd, m.content_type);
  const Bytes sender_aad = *std::move(sd).finish();
  EXPECT_TRUE(equal(v->sender_data_aad, sender_aad));
  Bytes content_aad = sender_aad;
  content_aad.insert(content_aad.end(), {0x02, 'a', 'd'});
  EXPECT_TRUE(equal(v->content_aad, content_aad));
  // Views point into the message: nothing was copied.
  EXPECT_EQ(v->ciphertext.data() + v->ciphertext.size(), bytes.data() + bytes.size());
}

TEST(PrivateMessageView, WrongVersionIsRejected) {
  for (std::uint16_t version : {0, 2, 0x0100, 0xffff})
    EXPECT_TRUE(
        FailsWith(PrivateMessageView::parse(mls_private_message(private_message(), version)),
                  Errc::decode_error))
        << version;
}

TEST(PrivateMessageView, WrongWireFormatIsRejected) {
  for (auto wf :
       {WireFormat::public_message, WireFormat::welcome, WireFormat::group_info,
        WireFormat::key_package, static_cast<WireFormat>(0), static_cast<WireFormat>(0xf002)})
    EXPECT_TRUE(FailsWith(PrivateMessageView::parse(mls_private_message(private_message(), 1, wf)),
                          Errc::decode_error))
        << int(wf);
}

TEST(PrivateMessageView, TrailingBytesAreRejected) {
  Bytes bytes = mls_private_message(private_message());
  ASSERT_TRUE(IsOk(PrivateMessageView::parse(bytes)));
  bytes.push_back(0);
  EXPECT_TRUE(FailsWith(PrivateMessageView::parse(bytes), Errc::trailing_data));
}

TEST(PrivateMessageView, EveryTruncationIsRejected) {
  const Bytes bytes = mls_private_message(private_message());
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_TRUE(FailsWith(PrivateMessageView::parse(ByteView(bytes).first(n)), Errc::decode_error))
        << n;
}

TEST(PrivateMessageView, ContentTypeOutsideOneToThreeIsRejected) {
  Bytes bytes = mls_private_message(private_message());
  const std::size_t type_at = 4 + 1 + 5 + 8;
  ASSERT_EQ(bytes[type_at], 1);
  for (std::uint8_t t : {0, 4}) {
    bytes[type_at] = t;
    EXPECT_TRUE(FailsWith(PrivateMessageView::parse(bytes), Errc::decode_error)) << int(t);
  }
}

// --- compression -----------------------------------------------------------------------------

TEST(Compression, RoundTripsSmallLargeAndEmpty) {
  Bytes mixed(100'000);
  for (std::size_t i = 0; i < mixed.size(); ++i)
    mixed[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  for (const Bytes& data : {Bytes{}, text("hello"), Bytes(100'000, 'z'), mixed}) {
    auto frame = compress(data);
    ASSERT_TRUE(IsOk(frame));
    auto back = decompress(*frame, data.size());
    ASSERT_TRUE(IsOk(back)) << data.size();
    EXPECT_EQ(*back, data);
  }
}

TEST(Compression, DecompressionBombIsRefusedBeforeInflating) {
  // Two MiB of zeros compress to a few dozen bytes; the receiver's limit is one MiB.
  const std::size_t limit = std::size_t{1} << 20;
  auto bomb = compress(Bytes(2 * limit, 0));
  ASSERT_TRUE(IsOk(bomb));
  EXPECT_LT(bomb->size(), 1000u);
  EXPECT_TRUE(FailsWith(decompress(*bomb, limit), Errc::limit_exceeded));
  // The limit is inclusive.
  auto exact = compress(Bytes(limit, 0));
  ASSERT_TRUE(IsOk(exact));
  EXPECT_TRUE(IsOk(decompress(*exact, limit)));
  EXPECT_TRUE(FailsWith(decompress(*exact, limit - 1), Errc::limit_exceeded));
}

// zstd frame: magic, frame header descriptor, [window descriptor], [content size], blocks.
// A block header is 3 bytes little-endian: last_block | block_type << 1 | block_size << 3.
Bytes zstd_block(bool last, int type, std::uint32_t size) {
  const std::uint32_t h = (last ? 1u : 0u) | (static_cast<std::uint32_t>(type) << 1) | (size << 3);
  return {static_cast<std::uint8_t>(h), static_cast<std::uint8_t>(h >> 8),
          static_cast<std::uint8_t>(h >> 16)};
}
const Bytes kZstdMagic = {0x28, 0xb5, 0x2f, 0xfd};

TEST(Compression, FrameClaimingHugeSizeIsRefusedWithoutAllocating) {
  // Single segment, 4-byte content size of 1 GiB, one RLE block: 12 bytes that would inflate
  // to a gigabyte if believed.
  Bytes frame = kZstdMagic;
  append(frame, Bytes{0xa0, 0x00, 0x00, 0x00, 0x40});
  append(frame, zstd_block(true, 1, 1 << 17));
  frame.push_back(0x00);
  EXPECT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), 1ull << 30);
  EXPECT_TRUE(FailsWith(decompress(frame, std::size_t{1} << 20), Errc::limit_exceeded));
}

TEST(Compression, FrameProducingMoreThanItDeclaresIsRejected) {
  // Declares 10 bytes, carries a 20-byte raw block: the declared size bounds the output.
  Bytes frame = kZstdMagic;
  append(frame, Bytes{0x20, 10});
  append(frame, zstd_block(true, 0, 20));
  append(frame, Bytes(20, 'a'));
  EXPECT_TRUE(FailsWith(decompress(frame, 1000), Errc::decode_error));
}

TEST(Compression, FrameProducingLessThanItDeclaresIsRejected) {
  Bytes frame = kZstdMagic;
  append(frame, Bytes{0x20, 10});
  append(frame, zstd_block(true, 0, 5));
  append(frame, text("hello"));
  EXPECT_TRUE(FailsWith(decompress(frame, 1000), Errc::decode_error));
  // Declaring the right size makes the same frame valid.
  frame[5] = 5;
  auto fixed = decompress(frame, 1000);
  ASSERT_TRUE(IsOk(fixed));
  EXPECT_EQ(*fixed, text("hello"));
}

TEST(Compression, FrameWithoutContentSizeIsRejected) {
  // A genuine zstd frame whose header omits the content size (as streaming compressors
  // write them): the receiver cannot bound the output in advance, so it is refused.
  const Bytes data = text("hello hello hello hello");
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_NE(cctx, nullptr);
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
  Bytes frame(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress2(cctx, frame.data(), frame.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(n));
  frame.resize(n);
  ASSERT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  EXPECT_TRUE(FailsWith(decompress(frame, 1000), Errc::decode_error));
}

// A skippable frame (magic 0x184D2A5?) holds no compressed data and declares no content
// size, yet decompress() accepts it as an empty plaintext, silently dropping its payload: an
// insider can append hidden bytes to what receivers see as an empty message. Enable once
// src/record/compression.cpp refuses skippable frames.
TEST(Compression, SkippableFrameIsRejected) {
  const Bytes frame = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
  EXPECT_TRUE(FailsWith(decompress(frame, 1000), Errc::decode_error));
}

TEST(Compression, TrailingGarbageAfterFrameIsRejected) {
  auto frame = compress(text("hello"));
  ASSERT_TRUE(IsOk(frame));
  Bytes longer = *frame;
  longer.push_back(0);
  EXPECT_TRUE(FailsWith(decompress(longer, 1000), Errc::decode_error));
  // Two complete frames are not one frame either.
  Bytes two = *frame;
  append(two, *frame);
  EXPECT_TRUE(FailsWith(decompress(two, 1000), Errc::decode_error));
}

TEST(Compression, TruncatedOrEmptyFrameIsRejected) {
  auto frame = compress(text("hello world"));
  ASSERT_TRUE(IsOk(frame));
  for (std::size_t n = 0; n < frame->size(); ++n)
    EXPECT_TRUE(FailsWith(decompress(ByteView(*frame).first(n), 1000), Errc::decode_error)) << n;
}

}  // namespace
}  // namespace mpsec::record
