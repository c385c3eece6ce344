// RFC 9420 §6.1-6.2: the signature over FramedContentTBS, and the PublicMessage with its
// membership tag.
#pragma once

#include "crypto/cipher_suite.hpp"
#include "record/framing.hpp"
#include "schedule/secrets.hpp"

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

}  // namespace mpsec::record
