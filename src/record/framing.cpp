#include "record/framing.hpp"

namespace mpsec::record {

namespace {
class ApplicationOnly final : public ContentCodec {
 public:
  Result<std::size_t> handshake_content_size(ContentType, ByteView) const override {
    return fail(Errc::unsupported, "handshake content is not supported in this mode");
  }
};
}  // namespace

const ContentCodec& application_only() {
  static const ApplicationOnly codec;
  return codec;
}

Status check_content_type(ContentType type) {
  switch (type) {
    case ContentType::application:
    case ContentType::proposal:
    case ContentType::commit:
      return ok();
  }
  return fail(Errc::decode_error, "unknown ContentType");
}

void Sender::tls_encode(codec::Writer& w) const {
  codec::encode(w, sender_type);
  if (sender_type == SenderType::member || sender_type == SenderType::external) w.u32(index);
}

Status Sender::tls_decode(codec::Reader& r) {
  MPSEC_TRY(codec::decode(r, sender_type));
  switch (sender_type) {
    case SenderType::member:
    case SenderType::external:
      index = MPSEC_TRY(r.u32());
      return ok();
    case SenderType::new_member_proposal:
    case SenderType::new_member_commit:
      index = 0;
      return ok();
  }
  return fail(Errc::decode_error, "unknown SenderType");
}

Bytes encode_application_data(ByteView data) {
  codec::Writer w;
  w.opaque(data);
  // A body over 2^30 - 1 bytes cannot be framed; the caller's size limit stops it earlier.
  return std::move(w).finish().value_or(Bytes{});
}

Result<ByteView> application_data(const FramedContent& content) {
  MPSEC_ENSURE(content.content_type == ContentType::application, Errc::invalid_argument,
               "not application content");
  codec::Reader r(content.content);
  ByteView data = MPSEC_TRY(r.opaque());
  MPSEC_TRY(r.finish());
  return data;
}

Result<ByteView> read_content_body(codec::Reader& r, ContentType type, const ContentCodec& codec) {
  MPSEC_TRY(check_content_type(type));
  const std::size_t start = r.position();
  if (type == ContentType::application) {
    MPSEC_TRY(r.opaque());
  } else {
    // The codec sees the rest of the input and says how much of it is the body.
    codec::Reader probe = r;
    const ByteView rest = MPSEC_TRY(probe.raw(probe.remaining()));
    const std::size_t size = MPSEC_TRY(codec.handshake_content_size(type, rest));
    MPSEC_ENSURE(size <= rest.size(), Errc::internal, "content codec overran its input");
    MPSEC_TRY(r.raw(size));
  }
  return r.consumed_since(start);
}

void FramedContent::encode(codec::Writer& w) const {
  w.opaque(group_id);
  w.u64(epoch);
  codec::encode(w, sender);
  w.opaque(authenticated_data);
  codec::encode(w, content_type);
  w.raw(content);
}

Result<FramedContent> FramedContent::decode(codec::Reader& r, const ContentCodec& codec) {
  FramedContent out;
  MPSEC_TRY(codec::decode(r, out.group_id));
  MPSEC_TRY(codec::decode(r, out.epoch));
  MPSEC_TRY(codec::decode(r, out.sender));
  MPSEC_TRY(codec::decode(r, out.authenticated_data));
  MPSEC_TRY(codec::decode(r, out.content_type));
  out.content = to_bytes(MPSEC_TRY(read_content_body(r, out.content_type, codec)));
  return out;
}

void FramedContentAuthData::encode(codec::Writer& w) const {
  w.opaque(signature);
  if (confirmation_tag) w.opaque(*confirmation_tag);
}

Result<FramedContentAuthData> FramedContentAuthData::decode(codec::Reader& r, ContentType type) {
  FramedContentAuthData out;
  MPSEC_TRY(codec::decode(r, out.signature));
  if (type == ContentType::commit) out.confirmation_tag = to_bytes(MPSEC_TRY(r.opaque()));
  return out;
}

void AuthenticatedContent::encode(codec::Writer& w) const {
  codec::encode(w, wire_format);
  content.encode(w);
  auth.encode(w);
}

Result<AuthenticatedContent> AuthenticatedContent::decode(codec::Reader& r,
                                                          const ContentCodec& codec) {
  AuthenticatedContent out;
  MPSEC_TRY(codec::decode(r, out.wire_format));
  out.content = MPSEC_TRY(FramedContent::decode(r, codec));
  out.auth = MPSEC_TRY(FramedContentAuthData::decode(r, out.content.content_type));
  return out;
}

void PublicMessage::encode(codec::Writer& w) const {
  content.encode(w);
  auth.encode(w);
  if (membership_tag) w.opaque(*membership_tag);
}

Result<PublicMessage> PublicMessage::decode(codec::Reader& r, const ContentCodec& codec) {
  PublicMessage out;
  out.content = MPSEC_TRY(FramedContent::decode(r, codec));
  out.auth = MPSEC_TRY(FramedContentAuthData::decode(r, out.content.content_type));
  if (out.content.sender.sender_type == SenderType::member)
    out.membership_tag = to_bytes(MPSEC_TRY(r.opaque()));
  return out;
}

void PrivateMessage::tls_encode(codec::Writer& w) const {
  w.opaque(group_id);
  w.u64(epoch);
  codec::encode(w, content_type);
  w.opaque(authenticated_data);
  w.opaque(encrypted_sender_data);
  w.opaque(ciphertext);
}

Status PrivateMessage::tls_decode(codec::Reader& r) {
  MPSEC_TRY(codec::decode(r, group_id));
  MPSEC_TRY(codec::decode(r, epoch));
  MPSEC_TRY(codec::decode(r, content_type));
  MPSEC_TRY(check_content_type(content_type));
  MPSEC_TRY(codec::decode(r, authenticated_data));
  MPSEC_TRY(codec::decode(r, encrypted_sender_data));
  return codec::decode(r, ciphertext);
}

void encode_header(codec::Writer& w, WireFormat wire_format) {
  w.u16(kProtocolVersionMls10);
  codec::encode(w, wire_format);
}

Result<WireFormat> decode_header(codec::Reader& r) {
  const std::uint16_t version = MPSEC_TRY(r.u16());
  MPSEC_ENSURE(version == kProtocolVersionMls10, Errc::decode_error,
               "unsupported protocol version");
  WireFormat wf{};
  MPSEC_TRY(codec::decode(r, wf));
  return wf;
}

}  // namespace mpsec::record
