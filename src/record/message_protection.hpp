// RFC 9420 §6.1-6.3: content signing, PublicMessage membership tags, and PrivateMessage
// encryption (content under the sender's ratchet key with a reuse guard, sender data under
// a key sampled from the ciphertext). Decryption stages the ratchet key; the caller commits
// it to the secret tree only after the content's signature verified, so a message that
// fails at any step changes nothing.
#pragma once

#include "crypto/cipher_suite.hpp"
#include "record/framing.hpp"
#include "schedule/secret_tree.hpp"

namespace mpsec::record {

// FramedContentTBS: version, wire format, content, and the GroupContext for member and
// new_member_commit senders.
[[nodiscard]] Result<Bytes> encode_tbs(WireFormat wire_format, const FramedContent& content,
                                       ByteView group_context);

// SignWithLabel(key, "FramedContentTBS", FramedContentTBS)
[[nodiscard]] Result<Bytes> sign_content(const crypto::CipherSuite& suite,
                                         const crypto::SigningKey& key, WireFormat wire_format,
                                         const FramedContent& content, ByteView group_context);
[[nodiscard]] Status verify_content(const crypto::CipherSuite& suite, const crypto::VerifyKey& key,
                                    const AuthenticatedContent& content, ByteView group_context);

// membership_tag = MAC(membership_key, AuthenticatedContentTBM)
[[nodiscard]] Result<Bytes> membership_tag(const crypto::CipherSuite& suite,
                                           const schedule::MembershipKey& key,
                                           const AuthenticatedContent& content,
                                           ByteView group_context);

// An AuthenticatedContent (wire_format public_message) as a PublicMessage; member senders
// get a membership tag. Application content may never be sent in the clear.
[[nodiscard]] Result<PublicMessage> protect_public(const crypto::CipherSuite& suite,
                                                   const schedule::MembershipKey& key,
                                                   const AuthenticatedContent& content,
                                                   ByteView group_context);
// Checks the membership tag of a member's PublicMessage (in constant time) and returns its
// AuthenticatedContent. The signature is the caller's to verify: only it knows the key.
[[nodiscard]] Result<AuthenticatedContent> unprotect_public(const crypto::CipherSuite& suite,
                                                            const schedule::MembershipKey& key,
                                                            const PublicMessage& message,
                                                            ByteView group_context);

struct PrivateKeys {
  const crypto::CipherSuite& suite;
  const schedule::SenderDataSecret& sender_data_secret;
};

// Encrypts an AuthenticatedContent (wire_format private_message, member sender) with the
// sender's next ratchet key; `padding` zero bytes are appended to the content.
[[nodiscard]] Result<PrivateMessage> protect_private(const PrivateKeys& keys,
                                                     schedule::SecretTree& tree,
                                                     const AuthenticatedContent& content,
                                                     std::size_t padding, Random& rng);

struct Decrypted {
  AuthenticatedContent content;  // wire_format private_message, sender member(leaf)
  std::uint32_t generation = 0;
  schedule::StagedKey key;  // commit to the tree once the signature verified
};
// Decrypts sender data and content. Nothing changes until the caller commits `key`.
[[nodiscard]] Result<Decrypted> unprotect_private(const PrivateKeys& keys,
                                                  const schedule::SecretTree& tree,
                                                  const PrivateMessage& message,
                                                  const ContentCodec& codec);

}  // namespace mpsec::record
