// Proposals from outside the group (RFC 9420 §12.1.8).
#include "mls/group.hpp"
#include "record/content_auth.hpp"

namespace mpsec::mls {

namespace {

Result<Bytes> outside_proposal(const crypto::CipherSuite& suite, const crypto::SigningKey& signer,
                               record::Sender sender, ByteView group_id, std::uint64_t epoch,
                               const Proposal& proposal) {
  auto body = MPSEC_TRY(codec::encode(proposal));
  record::AuthenticatedContent ac;
  ac.wire_format = record::WireFormat::public_message;
  ac.content = record::FramedContent{
      to_bytes(group_id), epoch, sender, {}, record::ContentType::proposal, std::move(body)};
  // Outsiders sign without the group context (FramedContentTBS has none for them).
  ac.auth.signature =
      MPSEC_TRY(record::sign_content(suite, signer, ac.wire_format, ac.content, {}));
  const record::PublicMessage msg{ac.content, ac.auth, std::nullopt};
  codec::Writer w;
  record::encode_header(w, record::WireFormat::public_message);
  msg.encode(w);
  return std::move(w).finish();
}

}  // namespace

Result<Bytes> external_proposal(const crypto::CipherSuite& suite, const crypto::SigningKey& signer,
                                std::uint32_t sender_index, ByteView group_id, std::uint64_t epoch,
                                const Proposal& proposal) {
  const auto t = proposal.type();
  MPSEC_ENSURE(t == ProposalType::add || t == ProposalType::remove || t == ProposalType::psk ||
                   t == ProposalType::reinit || t == ProposalType::group_context_extensions,
               Errc::invalid_argument, "an external sender may not send this proposal type");
  return outside_proposal(suite, signer, {record::SenderType::external, sender_index}, group_id,
                          epoch, proposal);
}

Result<Bytes> new_member_proposal(const crypto::CipherSuite& suite,
                                  const crypto::SigningKey& signer, const KeyPackage& key_package,
                                  ByteView group_id, std::uint64_t epoch) {
  MPSEC_ENSURE(key_package.leaf_node.signature_key == signer.verify_key().bytes(),
               Errc::invalid_key, "a new member signs with its key package's key");
  return outside_proposal(suite, signer, {record::SenderType::new_member_proposal, 0}, group_id,
                          epoch, Proposal{Add{key_package}});
}

}  // namespace mpsec::mls
