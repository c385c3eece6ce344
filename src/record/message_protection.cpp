#include "record/message_protection.hpp"

#include "crypto/aead.hpp"

namespace mpsec::record {

using schedule::RatchetKind;

namespace {

constexpr std::string_view kTbsLabel = "FramedContentTBS";

bool has_group_context(SenderType t) {
  return t == SenderType::member || t == SenderType::new_member_commit;
}

RatchetKind ratchet_for(ContentType type) {
  return type == ContentType::application ? RatchetKind::application : RatchetKind::handshake;
}

void write_tbs(codec::Writer& w, WireFormat wire_format, const FramedContent& content,
               ByteView group_context) {
  w.u16(kProtocolVersionMls10);
  codec::encode(w, wire_format);
  content.encode(w);
  if (has_group_context(content.sender.sender_type)) w.raw(group_context);
}

// PrivateContentAAD = { group_id<V>; uint64 epoch; ContentType; authenticated_data<V> }, or
// without authenticated_data, SenderDataAAD.
Result<Bytes> private_aad(const PrivateMessage& m, bool with_authenticated_data) {
  codec::Writer w;
  w.opaque(m.group_id);
  w.u64(m.epoch);
  codec::encode(w, m.content_type);
  if (with_authenticated_data) w.opaque(m.authenticated_data);
  return std::move(w).finish();
}

void apply_reuse_guard(SecretBytes& nonce, const std::array<std::uint8_t, 4>& guard) {
  for (std::size_t i = 0; i < guard.size(); ++i)
    nonce.data()[i] ^= guard[i];
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

Result<PrivateMessage> protect_private(const PrivateKeys& keys, schedule::SecretTree& tree,
                                       const AuthenticatedContent& content, std::size_t padding,
                                       Random& rng) {
  const auto& fc = content.content;
  MPSEC_ENSURE(content.wire_format == WireFormat::private_message, Errc::invalid_argument,
               "content was signed for another wire format");
  MPSEC_ENSURE(fc.sender.sender_type == SenderType::member, Errc::invalid_argument,
               "only members send PrivateMessages");
  MPSEC_ENSURE(fc.content_type != ContentType::commit || content.auth.confirmation_tag,
               Errc::invalid_argument, "a commit needs its confirmation tag");

  // PrivateMessageContent = content || auth || zero padding
  codec::Writer body;
  body.raw(fc.content);
  content.auth.encode(body);
  auto plaintext = SecretBytes(MPSEC_TRY(std::move(body).finish()));
  plaintext.resize(plaintext.size() + padding);

  PrivateMessage out{fc.group_id, fc.epoch, fc.content_type, fc.authenticated_data, {}, {}};
  auto key =
      MPSEC_TRY(tree.next_key(tree::LeafIndex(fc.sender.index), ratchet_for(fc.content_type)));
  SenderData sender_data{fc.sender.index, key.generation, {}};
  MPSEC_TRY(rng.fill(sender_data.reuse_guard));
  apply_reuse_guard(key.nonce, sender_data.reuse_guard);

  const auto& suite = keys.suite;
  auto aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), key.key.view()));
  out.ciphertext =
      MPSEC_TRY(aead.seal(key.nonce.view(), MPSEC_TRY(private_aad(out, true)), plaintext.view()));

  auto sd_key =
      MPSEC_TRY(schedule::sender_data_key(suite, keys.sender_data_secret, out.ciphertext));
  auto sd_plain = MPSEC_TRY(codec::encode(sender_data));
  auto sd_aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), sd_key.key.view()));
  out.encrypted_sender_data =
      MPSEC_TRY(sd_aead.seal(sd_key.nonce.view(), MPSEC_TRY(private_aad(out, false)), sd_plain));
  return out;
}

Result<Decrypted> unprotect_private(const PrivateKeys& keys, const schedule::SecretTree& tree,
                                    const PrivateMessage& message, const ContentCodec& codec) {
  const auto& suite = keys.suite;
  // Sender data first: who sent it, which generation, which reuse guard.
  auto sd_key =
      MPSEC_TRY(schedule::sender_data_key(suite, keys.sender_data_secret, message.ciphertext));
  auto sd_aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), sd_key.key.view()));
  auto sd_plain = MPSEC_TRY(sd_aead.open(
      sd_key.nonce.view(), MPSEC_TRY(private_aad(message, false)), message.encrypted_sender_data));
  const auto sender_data = MPSEC_TRY(codec::decode<SenderData>(sd_plain));

  auto staged =
      MPSEC_TRY(tree.stage_key(tree::LeafIndex(sender_data.leaf_index),
                               ratchet_for(message.content_type), sender_data.generation));
  SecretBytes nonce = staged.key().nonce.clone();
  apply_reuse_guard(nonce, sender_data.reuse_guard);
  auto aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), staged.key().key.view()));
  auto plaintext = MPSEC_TRY(
      aead.open_secret(nonce.view(), MPSEC_TRY(private_aad(message, true)), message.ciphertext));

  // PrivateMessageContent: the body, the auth data, then zero padding only.
  codec::Reader r(plaintext.view());
  Decrypted out{{}, sender_data.generation, std::move(staged)};
  auto& ac = out.content;
  ac.wire_format = WireFormat::private_message;
  ac.content =
      FramedContent{message.group_id,
                    message.epoch,
                    Sender::member(sender_data.leaf_index),
                    message.authenticated_data,
                    message.content_type,
                    to_bytes(MPSEC_TRY(read_content_body(r, message.content_type, codec)))};
  ac.auth = MPSEC_TRY(FramedContentAuthData::decode(r, message.content_type));
  const ByteView padding = MPSEC_TRY(r.raw(r.remaining()));
  std::uint8_t nonzero = 0;
  for (std::uint8_t b : padding)
    nonzero |= b;
  MPSEC_ENSURE(nonzero == 0, Errc::decode_error, "non-zero padding");
  return out;
}

}  // namespace mpsec::record
