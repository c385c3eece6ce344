#include "record/private_message.hpp"

#include <cstring>

#include "codec/varint.hpp"
#include "crypto/aead.hpp"

namespace mpsec::record {

using schedule::RatchetKind;

namespace {

// SenderData is 12 bytes; encrypted, 12 + the AEAD tag.
constexpr std::size_t kSenderDataSize = 12;
constexpr std::size_t kEncryptedSenderDataSize = kSenderDataSize + crypto::kAeadTagSize;

RatchetKind ratchet_for(ContentType type) {
  return type == ContentType::application ? RatchetKind::application : RatchetKind::handshake;
}

void apply_reuse_guard(SecretBytes& nonce, const std::array<std::uint8_t, 4>& guard) {
  for (std::size_t i = 0; i < guard.size(); ++i)
    nonce.data()[i] ^= guard[i];
}

Result<SenderData> open_sender_data(const PrivateKeys& keys, const PrivateMessageView& m) {
  auto key = MPSEC_TRY(schedule::sender_data_key(keys.suite, keys.sender_data, m.ciphertext));
  auto aead = MPSEC_TRY(crypto::AeadKey::create(keys.suite.aead(), key.key.view()));
  MPSEC_ENSURE(m.encrypted_sender_data.size() == kEncryptedSenderDataSize,
               Errc::authentication_failed, "encrypted sender data has the wrong size");
  std::array<std::uint8_t, kSenderDataSize> plain;
  MPSEC_TRY(aead.open(key.nonce.view(), m.sender_data_aad, m.encrypted_sender_data, plain));
  return codec::decode<SenderData>(plain);
}

}  // namespace

Result<Bytes> protect_private(const PrivateKeys& keys, schedule::SecretTree& tree,
                              const PrivateContent& c, std::size_t padding, Random& rng) {
  MPSEC_TRY(check_content_type(c.content_type));
  MPSEC_ENSURE(c.auth != nullptr, Errc::invalid_argument, "missing authentication data");
  MPSEC_ENSURE((c.content_type == ContentType::commit) == c.auth->confirmation_tag.has_value(),
               Errc::invalid_argument, "a confirmation tag goes with commits, and only with them");
  codec::Writer auth;
  c.auth->encode(auth);
  const Bytes auth_bytes = MPSEC_TRY(std::move(auth).finish());
  std::size_t body_size = 0;
  for (ByteView part : c.body)
    body_size += part.size();
  const std::size_t pt_size = body_size + auth_bytes.size() + padding;
  const std::size_t ct_size = pt_size + crypto::kAeadTagSize;

  // The message up to the ciphertext is written first: its encoding doubles as both AADs.
  codec::Writer w;
  encode_header(w, WireFormat::private_message);
  const std::size_t aad_start = w.size();
  w.opaque(c.group_id);
  w.u64(c.epoch);
  codec::encode(w, c.content_type);
  const std::size_t sender_aad_end = w.size();
  w.opaque(c.authenticated_data);
  const std::size_t content_aad_end = w.size();
  w.varint(kEncryptedSenderDataSize);
  const std::size_t esd_at = w.size();
  w.raw(std::array<std::uint8_t, kEncryptedSenderDataSize>{});
  w.varint(ct_size);
  Bytes out = MPSEC_TRY(std::move(w).finish());
  const std::size_t ct_at = out.size();
  out.resize(ct_at + ct_size);
  std::uint8_t* p = out.data() + ct_at;
  for (ByteView part : c.body) {
    if (!part.empty()) std::memcpy(p, part.data(), part.size());
    p += part.size();
  }
  std::memcpy(p, auth_bytes.data(), auth_bytes.size());  // padding and tag room stay zero

  auto key = MPSEC_TRY(tree.next_key(tree::LeafIndex(c.leaf), ratchet_for(c.content_type)));
  SenderData sender_data{c.leaf, key.generation, {}};
  MPSEC_TRY(rng.fill(sender_data.reuse_guard));
  apply_reuse_guard(key.nonce, sender_data.reuse_guard);

  const ByteView all(out);
  const MutableByteView ct(out.data() + ct_at, ct_size);
  auto aead = MPSEC_TRY(crypto::AeadKey::create(keys.suite.aead(), key.key.view()));
  // Encrypted in place: no copy of the plaintext outlives this call.
  MPSEC_TRY(aead.seal(key.nonce.view(), all.subspan(aad_start, content_aad_end - aad_start),
                      ct.first(pt_size), ct));

  auto sd_key = MPSEC_TRY(schedule::sender_data_key(keys.suite, keys.sender_data, ct));
  auto sd_aead = MPSEC_TRY(crypto::AeadKey::create(keys.suite.aead(), sd_key.key.view()));
  const auto sd_plain = MPSEC_TRY(codec::encode(sender_data));
  MPSEC_TRY(sd_aead.seal(sd_key.nonce.view(), all.subspan(aad_start, sender_aad_end - aad_start),
                         sd_plain, MutableByteView(out.data() + esd_at, kEncryptedSenderDataSize)));
  return out;
}

Result<Bytes> protect_private(const PrivateKeys& keys, schedule::SecretTree& tree,
                              const AuthenticatedContent& content, std::size_t padding,
                              Random& rng) {
  const auto& fc = content.content;
  MPSEC_ENSURE(content.wire_format == WireFormat::private_message, Errc::invalid_argument,
               "content was signed for another wire format");
  MPSEC_ENSURE(fc.sender.sender_type == SenderType::member, Errc::invalid_argument,
               "only members send PrivateMessages");
  const ByteView body[] = {fc.content};
  return protect_private(keys, tree,
                         PrivateContent{fc.group_id, fc.epoch, fc.sender.index, fc.content_type,
                                        fc.authenticated_data, body, &content.auth},
                         padding, rng);
}

Result<PrivateMessageView> PrivateMessageView::parse(ByteView message) {
  codec::Reader r(message);
  MPSEC_ENSURE(MPSEC_TRY(decode_header(r)) == WireFormat::private_message, Errc::decode_error,
               "not a PrivateMessage");
  PrivateMessageView v;
  const std::size_t aad_start = r.position();
  v.group_id = MPSEC_TRY(r.opaque());
  v.epoch = MPSEC_TRY(r.u64());
  v.content_type = static_cast<ContentType>(MPSEC_TRY(r.u8()));
  MPSEC_TRY(check_content_type(v.content_type));
  v.sender_data_aad = r.consumed_since(aad_start);
  v.authenticated_data = MPSEC_TRY(r.opaque());
  v.content_aad = r.consumed_since(aad_start);
  v.encrypted_sender_data = MPSEC_TRY(r.opaque());
  v.ciphertext = MPSEC_TRY(r.opaque());
  MPSEC_TRY(r.finish());
  return v;
}

Result<DecryptedContent> decrypt_private(const PrivateKeys& keys, const schedule::SecretTree& tree,
                                         const PrivateMessageView& m, const ContentCodec& codec) {
  // Sender data first: who sent it, which generation, which reuse guard.
  const SenderData sd = MPSEC_TRY(open_sender_data(keys, m));
  auto staged = MPSEC_TRY(
      tree.stage_key(tree::LeafIndex(sd.leaf_index), ratchet_for(m.content_type), sd.generation));
  SecretBytes nonce = staged.key().nonce.clone();
  apply_reuse_guard(nonce, sd.reuse_guard);
  auto aead = MPSEC_TRY(crypto::AeadKey::create(keys.suite.aead(), staged.key().key.view()));
  MPSEC_ENSURE(m.ciphertext.size() >= crypto::kAeadTagSize, Errc::authentication_failed,
               "ciphertext shorter than the tag");
  DecryptedContent out{
      sd.leaf_index,    sd.generation, Bytes(m.ciphertext.size() - crypto::kAeadTagSize), 0, {},
      std::move(staged)};
  MPSEC_TRY(aead.open(nonce.view(), m.content_aad, m.ciphertext, out.plaintext));

  // PrivateMessageContent: the body, the auth data, then zero padding only.
  codec::Reader r(out.plaintext);
  out.body_size = MPSEC_TRY(read_content_body(r, m.content_type, codec)).size();
  out.auth = MPSEC_TRY(FramedContentAuthData::decode(r, m.content_type));
  const ByteView padding = MPSEC_TRY(r.raw(r.remaining()));
  std::uint8_t nonzero = 0;
  for (std::uint8_t b : padding)
    nonzero |= b;
  MPSEC_ENSURE(nonzero == 0, Errc::decode_error, "non-zero padding");
  return out;
}

Result<Decrypted> unprotect_private(const PrivateKeys& keys, const schedule::SecretTree& tree,
                                    const PrivateMessageView& m, const ContentCodec& codec) {
  auto d = MPSEC_TRY(decrypt_private(keys, tree, m, codec));
  AuthenticatedContent ac{
      WireFormat::private_message,
      FramedContent{to_bytes(m.group_id), m.epoch, Sender::member(d.leaf),
                    to_bytes(m.authenticated_data), m.content_type, to_bytes(d.body())},
      std::move(d.auth)};
  return Decrypted{std::move(ac), d.generation, std::move(d.key)};
}

}  // namespace mpsec::record
