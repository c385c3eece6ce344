// An MLS group from one member's point of view (RFC 9420 §11-§15): creation, joining by
// Welcome or external commit, proposals, commits (created as a pending state, processed as a
// staged state: nothing changes until it is merged), application messages, the exporter,
// and a versioned serialization of the whole state so a member survives restarts.
// Sans-I/O: messages in, messages and events out; randomness and time are passed in.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <variant>

#include "mls/key_package.hpp"
#include "mls/ratchet_tree.hpp"
#include "mls/tree_kem.hpp"
#include "record/framing.hpp"
#include "schedule/key_schedule.hpp"
#include "schedule/psk.hpp"
#include "schedule/secret_tree.hpp"

namespace mpsec::mls {

class Group;

// Who may do what: seed 000's group controller. Called for every proposal a commit covers
// (by value or by reference) with the proposal's sender and the committer; the default
// allows any member to propose and commit anything the RFC allows.
using CommitPolicy = std::function<Status(const Group& group, const record::Sender& proposer,
                                          LeafIndex committer, const Proposal& proposal)>;

// Pre-shared keys known to this client, by PSK id (external PSKs only; resumption PSKs of
// this group's recent epochs are kept by the group itself).
class PskStore {
 public:
  void add_external(Bytes id, SecretBytes psk) {
    external_.insert_or_assign(std::move(id), std::move(psk));
  }
  const SecretBytes* external(ByteView id) const;
  // Resumption PSKs of other groups (for branches and reinitialisations).
  void add_resumption(Bytes group_id, std::uint64_t epoch, SecretBytes psk);
  const SecretBytes* resumption(ByteView group_id, std::uint64_t epoch) const;
  [[nodiscard]] PskStore clone() const;

 private:
  std::map<Bytes, SecretBytes> external_;
  std::map<std::pair<Bytes, std::uint64_t>, SecretBytes> resumption_;
};

struct GroupConfig {
  ValidationContext validation;
  schedule::RatchetPolicy ratchet;
  // Send proposals and commits as PrivateMessages (application data always is one).
  bool encrypt_handshake = false;
  // Past epochs whose keys stay available for late application messages.
  std::size_t past_epochs_kept = 1;
  // Resumption PSKs of past epochs kept for PSK proposals.
  std::size_t resumption_psks_kept = 4;
  std::uint32_t padding_block = 0;
  CommitPolicy policy;                   // empty: any member
  std::shared_ptr<const PskStore> psks;  // external PSKs this client holds
};

struct ApplicationMessage {
  LeafIndex sender;
  std::uint64_t epoch = 0;
  std::uint32_t generation = 0;
  Bytes authenticated_data;
  Bytes data;
};

struct ProposalMessage {
  Bytes ref;  // ProposalRef
  record::Sender sender;
  Proposal proposal;
};

// A commit that checked out, holding the complete next state; merge() makes it current.
class StagedCommit {
 public:
  StagedCommit(StagedCommit&&) noexcept;
  StagedCommit& operator=(StagedCommit&&) noexcept;
  ~StagedCommit();

  std::uint64_t epoch() const noexcept;  // the new epoch
  const record::Sender& committer() const noexcept;
  const std::vector<Proposal>& proposals() const noexcept;
  const std::vector<LeafIndex>& added() const noexcept;
  const std::vector<LeafIndex>& removed() const noexcept;
  bool self_removed() const noexcept;  // this member is not in the new epoch
  bool reinit() const noexcept;        // the group is being reinitialised

  // Internal: built by the commit machinery (State is defined in group_state.hpp).
  struct State;
  explicit StagedCommit(std::unique_ptr<State> state);

 private:
  friend class Group;
  std::unique_ptr<State> state_;
};

using Processed = std::variant<ApplicationMessage, ProposalMessage, StagedCommit>;

struct CommitOptions {
  std::vector<Proposal> proposals;  // by value; cached proposals are added by reference
  bool include_cached = true;       // cover the valid proposals received this epoch
  bool force_path = true;           // a path even when no proposal requires one
  bool ratchet_tree_in_welcome = true;
  bool external_pub = true;  // publish external_pub in the GroupInfo
  Bytes authenticated_data;
  // Only for the first commit of a group made by reinitialisation or branching: the
  // resumption PSK (usage reinit or branch) that links it to the old group (RFC 9420 §11.2,
  // §11.3). It goes into the key schedule and the Welcome, never into a proposal.
  std::optional<schedule::PreSharedKeyId> resumption_psk;
};

struct ResumedGroup;

struct CommitOutput {
  Bytes commit;                  // MLSMessage (PublicMessage or PrivateMessage)
  std::optional<Bytes> welcome;  // MLSMessage(Welcome) when members were added
  Bytes group_info;              // MLSMessage(GroupInfo) of the new epoch
};

struct ExternalJoinOutput;

class Group {
 public:
  Group(Group&&) noexcept;
  Group& operator=(Group&&) noexcept;
  ~Group();

  // A one-member group at epoch 0 (RFC 9420 §11).
  [[nodiscard]] static Result<Group> create(const Identity& identity, Bytes group_id,
                                            const GroupConfig& config, Random& rng,
                                            std::vector<Extension> extensions = {});
  // Joins from a Welcome with the KeyPackage it was made for. `tree` when the Welcome has no
  // ratchet_tree extension.
  [[nodiscard]] static Result<Group> join(const Identity& identity, const KeyPackageBundle& kp,
                                          ByteView welcome, const GroupConfig& config,
                                          std::optional<ByteView> tree = std::nullopt);
  // Joins by external commit from a GroupInfo (MLSMessage); `resync` removes this client's
  // older leaf in the same commit.
  [[nodiscard]] static Result<ExternalJoinOutput> join_external(
      const Identity& identity, ByteView group_info, const GroupConfig& config, Random& rng,
      std::optional<ByteView> tree = std::nullopt, std::optional<LeafIndex> resync = std::nullopt,
      Bytes authenticated_data = {});

  // --- sending ---
  // A proposal as an MLSMessage, cached for this member's next commit too.
  [[nodiscard]] Result<Bytes> propose(const Proposal& proposal, Random& rng,
                                      ByteView authenticated_data = {});
  [[nodiscard]] Result<Proposal> update_proposal(Random& rng);  // a fresh leaf (kept pending)
  [[nodiscard]] Result<CommitOutput> commit(const CommitOptions& options, Random& rng);
  // The commit created last, once the delivery service accepted it.
  [[nodiscard]] Status merge_pending_commit();
  void discard_pending_commit();
  bool has_pending_commit() const noexcept;
  // Application data as an MLSMessage(PrivateMessage).
  [[nodiscard]] Result<Bytes> protect(ByteView data, Random& rng, ByteView authenticated_data = {});

  // --- receiving ---
  // Any MLSMessage for this group. A failure changes nothing.
  [[nodiscard]] Result<Processed> process(ByteView message);
  [[nodiscard]] Status merge(StagedCommit staged);

  // --- reinitialisation and branching (RFC 9420 §11.2, §11.3) ---
  // The parameters of a committed ReInit: the group may no longer be used for messages.
  const std::optional<ReInit>& reinit_parameters() const noexcept;
  // After a committed ReInit: the new group with those parameters, created by `identity`
  // (of the new cipher suite) with the members' new KeyPackages, linked by a reinit PSK.
  [[nodiscard]] Result<ResumedGroup> reinitialize(const Identity& identity,
                                                  std::span<const KeyPackage> members,
                                                  const GroupConfig& config, Random& rng) const;
  // A subgroup with some of this group's members (their new KeyPackages), linked by a branch
  // PSK; same version and cipher suite.
  [[nodiscard]] Result<ResumedGroup> branch(const Identity& identity, Bytes group_id,
                                            std::span<const KeyPackage> members,
                                            const GroupConfig& config, Random& rng) const;
  // Joins a reinitialised or branched group from its Welcome, checking it against this
  // (old) group: the PSK, epoch 1, and for a reinit the committed parameters and the same
  // members, for a branch the same version and suite and a subset of the members.
  [[nodiscard]] Result<Group> join_resumed(const Identity& identity, const KeyPackageBundle& kp,
                                           ByteView welcome, const GroupConfig& config,
                                           std::optional<ByteView> tree = std::nullopt) const;

  // --- state ---
  const Bytes& group_id() const noexcept;
  std::uint64_t epoch() const noexcept;
  const crypto::CipherSuite& suite() const noexcept;
  LeafIndex own_leaf() const noexcept;
  bool active() const noexcept;  // false once removed or reinitialised
  const RatchetTree& tree() const noexcept;
  const schedule::GroupContext& context() const noexcept;
  [[nodiscard]] Result<Bytes> tree_hash() const;
  ByteView epoch_authenticator() const noexcept;
  [[nodiscard]] Result<SecretBytes> export_secret(std::string_view label, ByteView context,
                                                  std::size_t length) const;
  [[nodiscard]] Result<Bytes> group_info(bool with_tree, bool external_pub, Random& rng) const;
  const std::map<Bytes, ProposalMessage>& cached_proposals() const noexcept;
  ByteView resumption_psk() const noexcept;
  const GroupConfig& config() const noexcept;
  void set_config(const GroupConfig& config);

  // Versioned serialization with every secret (the application stores it safely).
  [[nodiscard]] Result<SecretBytes> save() const;
  [[nodiscard]] static Result<Group> load(ByteView saved, const GroupConfig& config);

  struct State;

 private:
  // Tests play malicious insiders (re-signing tampered commits with the group's keys).
  friend struct GroupTestAccess;
  explicit Group(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Proposals from outside the group (RFC 9420 §12.1.8), as MLSMessage(PublicMessage):
// by an external sender listed (at `sender_index`) in the group's external_senders
// extension, or by a client proposing its own Add (new_member_proposal). Both are signed
// without the group context, which outsiders do not have.
[[nodiscard]] Result<Bytes> external_proposal(const crypto::CipherSuite& suite,
                                              const crypto::SigningKey& signer,
                                              std::uint32_t sender_index, ByteView group_id,
                                              std::uint64_t epoch, const Proposal& proposal);
[[nodiscard]] Result<Bytes> new_member_proposal(const crypto::CipherSuite& suite,
                                                const crypto::SigningKey& signer,
                                                const KeyPackage& key_package, ByteView group_id,
                                                std::uint64_t epoch);

struct ResumedGroup {
  Group group;
  Bytes welcome;  // MLSMessage(Welcome) for the members
};

struct ExternalJoinOutput {
  Group group;
  Bytes commit;  // MLSMessage(PublicMessage) with the external commit
};

}  // namespace mpsec::mls
