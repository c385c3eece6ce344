// The internals of Group (src/mls only): what one epoch holds, and the state around it.
#pragma once

#include "mls/group.hpp"

namespace mpsec::mls {

// What the group keeps of an epoch's key schedule. The encryption secret is not among
// them: it is consumed into the secret tree at once (RFC 9420 §9.2).
struct HeldSecrets {
  schedule::SenderDataSecret sender_data;
  schedule::ExporterSecret exporter;
  schedule::ExternalSecret external;
  schedule::ConfirmationKey confirmation_key;
  schedule::MembershipKey membership_key;
  schedule::ResumptionPsk resumption_psk;
  schedule::EpochAuthenticator epoch_authenticator;
  schedule::InitSecret init_secret;  // for the next epoch
};

// One epoch as a member sees it.
struct EpochState {
  schedule::GroupContext context;
  Bytes context_bytes;
  RatchetTree tree;
  TreePrivateKeys keys;
  LeafIndex own;
  HeldSecrets secrets;
  crypto::HmacKey sender_data_kdf;
  schedule::SecretTree secret_tree;
  Bytes interim_transcript_hash;
  Bytes confirmation_tag;

  // Builds an epoch from the key schedule's output (consuming the encryption secret).
  [[nodiscard]] static Result<EpochState> make(const crypto::CipherSuite& suite,
                                               const GroupConfig& config,
                                               schedule::GroupContext context, RatchetTree tree,
                                               TreePrivateKeys keys, LeafIndex own,
                                               schedule::EpochSecrets secrets,
                                               Bytes confirmation_tag);
};

// A past epoch kept for late application messages.
struct PastEpoch {
  std::uint64_t epoch = 0;
  Bytes context_bytes;
  std::shared_ptr<const RatchetTree> tree;  // the signature keys of that epoch's members
  schedule::SenderDataSecret sender_data;
  crypto::HmacKey sender_data_kdf;
  schedule::SecretTree secret_tree;
};

struct Group::State {
  crypto::CipherSuite suite;
  GroupConfig config;
  crypto::SigningKey signer;
  EpochState current;
  std::map<Bytes, ProposalMessage> proposals;  // this epoch's, by ProposalRef
  // Leaf private keys of this member's own pending Update proposals, by encryption key.
  std::map<Bytes, crypto::DhPrivateKey> pending_update_keys;
  std::deque<PastEpoch> past;
  std::deque<std::pair<std::uint64_t, schedule::ResumptionPsk>> resumption_psks;
  std::unique_ptr<StagedCommit> pending_commit;  // this member's own, awaiting the DS
  bool active = true;
  std::optional<ReInit> reinit;
};

struct StagedCommit::State {
  std::optional<EpochState> next;  // empty when this member was removed
  record::Sender committer;
  std::vector<Proposal> proposals;
  std::vector<LeafIndex> added;
  std::vector<LeafIndex> removed;
  std::optional<ReInit> reinit;
  std::optional<schedule::StagedKey> handshake_key;  // of the old epoch's tree
  std::uint64_t epoch = 0;
};

// RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent)
[[nodiscard]] Result<Bytes> proposal_ref(const crypto::CipherSuite& suite,
                                         const record::AuthenticatedContent& content);

}  // namespace mpsec::mls
