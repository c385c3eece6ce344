// RFC 9420 §6 message framing, shared by every mode: FramedContent, its authentication data,
// PublicMessage, PrivateMessage and the MLSMessage envelope around them.
//
// The record layer does not know what a Proposal or a Commit is: a FramedContent carries its
// content as the encoded body of the `select` (application_data<V>, a Proposal or a Commit),
// and a ContentCodec from the mode above tells where handshake content ends when decoding.
#pragma once

#include <cstdint>
#include <optional>

#include "codec/tls.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::record {

inline constexpr std::uint16_t kProtocolVersionMls10 = 1;

enum class ContentType : std::uint8_t { application = 1, proposal = 2, commit = 3 };
enum class SenderType : std::uint8_t {
  member = 1,
  external = 2,
  new_member_proposal = 3,
  new_member_commit = 4,
};

// uint16 WireFormat (RFC 9420 §17.2); mpsec's own modes use the private-use range 0xf000+.
enum class WireFormat : std::uint16_t {
  public_message = 0x0001,
  private_message = 0x0002,
  welcome = 0x0003,
  group_info = 0x0004,
  key_package = 0x0005,
};

// Finds where a Proposal or Commit encoded at the front of `data` ends. Provided by the
// mode that defines them (the MLS layer); other modes carry application data only.
class ContentCodec {
 public:
  virtual ~ContentCodec() = default;
  [[nodiscard]] virtual Result<std::size_t> handshake_content_size(ContentType type,
                                                                   ByteView data) const = 0;
};
// Application data only: proposal and commit content is refused as unsupported.
const ContentCodec& application_only();

// struct { SenderType sender_type; select { member: uint32 leaf_index;
//          external: uint32 sender_index; new_member_*: struct{}; } } Sender;
struct Sender {
  SenderType sender_type = SenderType::member;
  std::uint32_t index = 0;  // leaf_index or sender_index

  static Sender member(std::uint32_t leaf) { return {SenderType::member, leaf}; }
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const Sender&, const Sender&) = default;
};

// struct { opaque group_id<V>; uint64 epoch; Sender sender; opaque authenticated_data<V>;
//          ContentType content_type; select (content_type) { ... }; } FramedContent;
struct FramedContent {
  Bytes group_id;
  std::uint64_t epoch = 0;
  Sender sender;
  Bytes authenticated_data;
  ContentType content_type = ContentType::application;
  Bytes content;  // the encoded select body

  void encode(codec::Writer& w) const;
  [[nodiscard]] static Result<FramedContent> decode(codec::Reader& r, const ContentCodec& codec);
  friend bool operator==(const FramedContent&, const FramedContent&) = default;
};

// The select body of application content: opaque application_data<V>.
Bytes encode_application_data(ByteView data);
// The application data of a FramedContent whose content_type is application.
[[nodiscard]] Result<ByteView> application_data(const FramedContent& content);

// Reads one content body of `type` from `r`: application_data<V>, or a Proposal / Commit
// whose extent `codec` determines. Returns the encoded body.
[[nodiscard]] Result<ByteView> read_content_body(codec::Reader& r, ContentType type,
                                                 const ContentCodec& codec);

// struct { opaque signature<V>; select (content_type) { case commit: MAC confirmation_tag;
//          default: struct{}; } } FramedContentAuthData;
struct FramedContentAuthData {
  Bytes signature;
  std::optional<Bytes> confirmation_tag;  // present exactly for commits

  void encode(codec::Writer& w) const;
  [[nodiscard]] static Result<FramedContentAuthData> decode(codec::Reader& r, ContentType type);
  friend bool operator==(const FramedContentAuthData&, const FramedContentAuthData&) = default;
};

// struct { WireFormat wire_format; FramedContent content; FramedContentAuthData auth; }
struct AuthenticatedContent {
  WireFormat wire_format = WireFormat::private_message;
  FramedContent content;
  FramedContentAuthData auth;

  void encode(codec::Writer& w) const;
  [[nodiscard]] static Result<AuthenticatedContent> decode(codec::Reader& r,
                                                           const ContentCodec& codec);
  friend bool operator==(const AuthenticatedContent&, const AuthenticatedContent&) = default;
};

// struct { FramedContent content; FramedContentAuthData auth;
//          select (sender_type) { case member: MAC membership_tag; ... } } PublicMessage;
struct PublicMessage {
  FramedContent content;
  FramedContentAuthData auth;
  std::optional<Bytes> membership_tag;  // present exactly for member senders

  void encode(codec::Writer& w) const;
  [[nodiscard]] static Result<PublicMessage> decode(codec::Reader& r, const ContentCodec& codec);
  friend bool operator==(const PublicMessage&, const PublicMessage&) = default;
};

// struct { opaque group_id<V>; uint64 epoch; ContentType content_type;
//          opaque authenticated_data<V>; opaque encrypted_sender_data<V>;
//          opaque ciphertext<V>; } PrivateMessage;
struct PrivateMessage {
  Bytes group_id;
  std::uint64_t epoch = 0;
  ContentType content_type = ContentType::application;
  Bytes authenticated_data;
  Bytes encrypted_sender_data;
  Bytes ciphertext;

  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const PrivateMessage&, const PrivateMessage&) = default;
};

// struct { uint32 leaf_index; uint32 generation; opaque reuse_guard[4]; } SenderData;
struct SenderData {
  std::uint32_t leaf_index = 0;
  std::uint32_t generation = 0;
  std::array<std::uint8_t, 4> reuse_guard{};
  MPSEC_TLS_FIELDS(leaf_index, generation, reuse_guard)
};

// The MLSMessage envelope: version (mls10) and wire format, then the body.
void encode_header(codec::Writer& w, WireFormat wire_format);
// Reads and checks the version; the wire format is returned for dispatch.
[[nodiscard]] Result<WireFormat> decode_header(codec::Reader& r);

// Content types are validated on decode: anything else is a decode_error.
[[nodiscard]] Status check_content_type(ContentType type);

}  // namespace mpsec::record
