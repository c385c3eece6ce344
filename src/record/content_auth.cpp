#include "record/content_auth.hpp"

namespace mpsec::record {

namespace {

constexpr std::string_view kTbsLabel = "FramedContentTBS";

bool has_group_context(SenderType t) {
  return t == SenderType::member || t == SenderType::new_member_commit;
}

void write_tbs(codec::Writer& w, WireFormat wire_format, const FramedContent& content,
               ByteView group_context) {
  w.u16(kProtocolVersionMls10);
  codec::encode(w, wire_format);
  content.encode(w);
  if (has_group_context(content.sender.sender_type)) w.raw(group_context);
}

}  // namespace

Result<Bytes> encode_tbs(WireFormat wire_format, const FramedContent& content,
                         ByteView group_context) {
  codec::Writer w;
  write_tbs(w, wire_format, content, group_context);
  return std::move(w).finish();
}

Result<Bytes> sign_content(const crypto::CipherSuite& suite, const crypto::SigningKey& key,
                           WireFormat wire_format, const FramedContent& content,
                           ByteView group_context) {
  auto tbs = MPSEC_TRY(encode_tbs(wire_format, content, group_context));
  return suite.sign_with_label(key, kTbsLabel, tbs);
}

Status verify_content(const crypto::CipherSuite& suite, const crypto::VerifyKey& key,
                      const AuthenticatedContent& content, ByteView group_context) {
  auto tbs = MPSEC_TRY(encode_tbs(content.wire_format, content.content, group_context));
  return suite.verify_with_label(key, kTbsLabel, tbs, content.auth.signature);
}

Result<Bytes> membership_tag(const crypto::CipherSuite& suite, const schedule::MembershipKey& key,
                             const AuthenticatedContent& content, ByteView group_context) {
  // AuthenticatedContentTBM = { FramedContentTBS content_tbs; FramedContentAuthData auth; }
  codec::Writer w;
  write_tbs(w, content.wire_format, content.content, group_context);
  content.auth.encode(w);
  auto tbm = MPSEC_TRY(std::move(w).finish());
  return suite.mac(key.view(), tbm);
}

Result<PublicMessage> protect_public(const crypto::CipherSuite& suite,
                                     const schedule::MembershipKey& key,
                                     const AuthenticatedContent& content, ByteView group_context) {
  MPSEC_ENSURE(content.wire_format == WireFormat::public_message, Errc::invalid_argument,
               "content was signed for another wire format");
  MPSEC_ENSURE(content.content.content_type != ContentType::application, Errc::policy_violation,
               "application data must not be sent as a PublicMessage");
  PublicMessage out{content.content, content.auth, std::nullopt};
  if (content.content.sender.sender_type == SenderType::member)
    out.membership_tag = MPSEC_TRY(membership_tag(suite, key, content, group_context));
  return out;
}

Result<AuthenticatedContent> unprotect_public(const crypto::CipherSuite& suite,
                                              const schedule::MembershipKey& key,
                                              const PublicMessage& message,
                                              ByteView group_context) {
  MPSEC_ENSURE(message.content.content_type != ContentType::application, Errc::policy_violation,
               "application data in a PublicMessage");
  AuthenticatedContent out{WireFormat::public_message, message.content, message.auth};
  if (message.content.sender.sender_type == SenderType::member) {
    MPSEC_ENSURE(message.membership_tag.has_value(), Errc::decode_error, "missing membership tag");
    auto expected = MPSEC_TRY(membership_tag(suite, key, out, group_context));
    MPSEC_ENSURE(ct_equal(expected, *message.membership_tag), Errc::authentication_failed,
                 "membership tag does not verify");
  }
  return out;
}

}  // namespace mpsec::record
