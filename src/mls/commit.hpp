// The commit machinery behind Group (src/mls only): proposal list validation and
// application (RFC 9420 §12.2-12.3), and creating and staging commits (§12.4).
#pragma once

#include "mls/group_state.hpp"

namespace mpsec::mls {

struct ProposalEntry {
  Proposal proposal;
  record::Sender sender;
  std::optional<Bytes> ref;  // set when the commit covers it by reference
};

struct AppliedProposals {
  RatchetTree tree;
  std::vector<Extension> extensions;
  std::vector<LeafIndex> added;
  std::vector<const KeyPackage*> added_key_packages;  // into the entries
  std::vector<LeafIndex> removed;
  std::vector<schedule::PreSharedKeyId> psks;
  std::optional<Bytes> external_init;  // kem_output
  std::optional<ReInit> reinit;
  bool path_required = false;
};

// Validates the list for a commit by `committer` (RFC 9420 §12.2) and applies it to a copy
// of the current tree and extensions (§12.3).
[[nodiscard]] Result<AppliedProposals> apply_proposals(const Group& group, const Group::State& s,
                                                       std::span<const ProposalEntry> list,
                                                       const record::Sender& committer,
                                                       std::optional<LeafIndex> committer_leaf);

// psk_secret for the listed PSKs, from this group's resumption PSKs and the PSK store.
[[nodiscard]] Result<schedule::PskSecret> resolve_psk_secret(
    const Group::State& s, std::span<const schedule::PreSharedKeyId> ids);

// The signature key of a proposal's sender (member, external sender, or new member).
[[nodiscard]] Result<crypto::VerifyKey> proposal_signer(const Group::State& s,
                                                        const record::AuthenticatedContent& ac);
// Caches a verified proposal of the current epoch.
[[nodiscard]] Result<ProposalMessage> receive_proposal(Group::State& s,
                                                       const record::AuthenticatedContent& ac);
// Verifies and stages a commit of the current epoch; nothing changes until merge.
[[nodiscard]] Result<StagedCommit> stage_commit(const Group& group, Group::State& s,
                                                const record::AuthenticatedContent& ac,
                                                std::optional<schedule::StagedKey> handshake_key);

// The init secret of an external commit: SetupBase(external_pub, "").export(
//   "MLS 1.0 external init secret", Nh).
[[nodiscard]] Result<schedule::InitSecret> external_init_secret_receiver(
    const crypto::CipherSuite& suite, const schedule::ExternalSecret& external,
    ByteView kem_output);

}  // namespace mpsec::mls
