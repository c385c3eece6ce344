// RFC 9420 §6.3 PrivateMessage: the content is encrypted under the sender's next ratchet
// key (its nonce XORed with a fresh reuse guard), the sender data under a key sampled from
// the ciphertext. Messages are built and parsed in place: the content is copied once,
// straight into the message, and encrypted there; parsing takes views into the input.
//
// Decryption only stages the ratchet key. The caller commits it to the secret tree once the
// message has fully checked out (signature included), so a message that fails at any step
// changes nothing.
#pragma once

#include <span>

#include "crypto/cipher_suite.hpp"
#include "record/framing.hpp"
#include "schedule/secret_tree.hpp"

namespace mpsec::record {

struct PrivateKeys {
  const crypto::CipherSuite& suite;
  const crypto::HmacKey& sender_data;  // sender_data_secret, set up as a KDF key
};

// What goes into a PrivateMessage from a member. The content body (application_data<V>, a
// Proposal or a Commit, encoded) may come in pieces, written in order.
struct PrivateContent {
  ByteView group_id;
  std::uint64_t epoch = 0;
  std::uint32_t leaf = 0;
  ContentType content_type = ContentType::application;
  ByteView authenticated_data;
  std::span<const ByteView> body;
  const FramedContentAuthData* auth = nullptr;
};

// MLSMessage(PrivateMessage) bytes, with `padding` zero bytes after the content. Uses (and
// consumes) the sender's next key of the ratchet for the content type.
[[nodiscard]] Result<Bytes> protect_private(const PrivateKeys& keys, schedule::SecretTree& tree,
                                            const PrivateContent& content, std::size_t padding,
                                            Random& rng);
// The same for a signed AuthenticatedContent (wire_format private_message, member sender).
[[nodiscard]] Result<Bytes> protect_private(const PrivateKeys& keys, schedule::SecretTree& tree,
                                            const AuthenticatedContent& content,
                                            std::size_t padding, Random& rng);

// A parsed MLSMessage(PrivateMessage): views into the message bytes.
struct PrivateMessageView {
  ByteView group_id;
  std::uint64_t epoch = 0;
  ContentType content_type = ContentType::application;
  ByteView authenticated_data;
  ByteView encrypted_sender_data;
  ByteView ciphertext;
  ByteView sender_data_aad;  // SenderDataAAD: the encoded group_id, epoch, content_type
  ByteView content_aad;      // PrivateContentAAD: the same and authenticated_data

  // Strict: the version, the wire format, every length, no trailing bytes.
  [[nodiscard]] static Result<PrivateMessageView> parse(ByteView message);
};

// A decrypted PrivateMessageContent with its key staged.
struct DecryptedContent {
  std::uint32_t leaf = 0;
  std::uint32_t generation = 0;
  Bytes plaintext;            // body || auth || padding
  std::size_t body_size = 0;  // the body is plaintext[0, body_size)
  FramedContentAuthData auth;
  schedule::StagedKey key;

  ByteView body() const noexcept { return ByteView(plaintext).first(body_size); }
};
[[nodiscard]] Result<DecryptedContent> decrypt_private(const PrivateKeys& keys,
                                                       const schedule::SecretTree& tree,
                                                       const PrivateMessageView& message,
                                                       const ContentCodec& codec);

// The AuthenticatedContent of a PrivateMessage (for handshake messages and tests).
struct Decrypted {
  AuthenticatedContent content;  // wire_format private_message, sender member(leaf)
  std::uint32_t generation = 0;
  schedule::StagedKey key;  // commit to the tree once the signature verified
};
[[nodiscard]] Result<Decrypted> unprotect_private(const PrivateKeys& keys,
                                                  const schedule::SecretTree& tree,
                                                  const PrivateMessageView& message,
                                                  const ContentCodec& codec);

}  // namespace mpsec::record
