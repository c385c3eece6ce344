#include "mls/commit.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>

#include "crypto/hpke.hpp"
#include "mls/extensions.hpp"
#include "mls/leaf_node.hpp"
#include "mls/transcript.hpp"
#include "mls/welcome.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"

namespace mpsec::mls {

using record::ContentType;
using record::Sender;
using record::SenderType;
using record::WireFormat;

namespace {

bool contains(const std::vector<std::uint16_t>& list, std::uint16_t v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Proposal types an external sender may send (RFC 9420 §12.1.8).
bool external_may_send(ProposalType t) {
  return t == ProposalType::add || t == ProposalType::remove || t == ProposalType::psk ||
         t == ProposalType::reinit || t == ProposalType::group_context_extensions;
}

bool requires_path(ProposalType t) {
  return t == ProposalType::update || t == ProposalType::remove ||
         t == ProposalType::external_init || t == ProposalType::group_context_extensions;
}

// No other leaf of `tree` carries the same signature or encryption key as leaf `l`.
Status check_leaf_keys_unique(const RatchetTree& tree, LeafIndex l) {
  const LeafNode* leaf = tree.leaf_node(l);
  for (LeafIndex other : tree.members()) {
    if (other == l) continue;
    const LeafNode* o = tree.leaf_node(other);
    MPSEC_ENSURE(o->signature_key != leaf->signature_key, Errc::policy_violation,
                 "two members share a signature key");
    MPSEC_ENSURE(o->encryption_key != leaf->encryption_key, Errc::policy_violation,
                 "two members share an encryption key");
  }
  return ok();
}

// No two leaves of `tree` share a signature key, an encryption key or a client: one pass with
// hash sets, so a commit adding thousands of members stays linear.
Status check_all_leaves_unique(const RatchetTree& tree, const CredentialValidator& credentials) {
  std::unordered_set<std::string> signature_keys, encryption_keys, clients;
  auto key = [](ByteView b) { return std::string(b.begin(), b.end()); };
  for (LeafIndex l : tree.members()) {
    const LeafNode* leaf = tree.leaf_node(l);
    MPSEC_ENSURE(signature_keys.insert(key(leaf->signature_key)).second, Errc::policy_violation,
                 "two members share a signature key");
    MPSEC_ENSURE(encryption_keys.insert(key(leaf->encryption_key)).second, Errc::policy_violation,
                 "two members share an encryption key");
    MPSEC_ENSURE(clients.insert(key(credentials.client_id(leaf->credential))).second,
                 Errc::policy_violation, "the same client appears twice in the group");
  }
  return ok();
}

// Every member supports the group's (non-default) context extensions and required
// capabilities.
Status check_members_support(const RatchetTree& tree, std::span<const Extension> extensions) {
  auto required = MPSEC_TRY(
      read_extension<RequiredCapabilities>(extensions, ExtensionType::required_capabilities));
  for (LeafIndex l : tree.members()) {
    const auto& caps = tree.leaf_node(l)->capabilities;
    for (const auto& e : extensions)
      MPSEC_ENSURE(
          is_default_extension(e.extension_type) || contains(caps.extensions, e.extension_type),
          Errc::policy_violation, "a member does not support a group extension");
    if (!required) continue;
    for (auto t : required->extension_types)
      MPSEC_ENSURE(is_default_extension(t) || contains(caps.extensions, t), Errc::policy_violation,
                   "a member lacks a required extension");
    for (auto t : required->proposal_types)
      MPSEC_ENSURE(is_default_proposal(t) || contains(caps.proposals, t), Errc::policy_violation,
                   "a member lacks a required proposal type");
    for (auto t : required->credential_types)
      MPSEC_ENSURE(contains(caps.credentials, t), Errc::policy_violation,
                   "a member lacks a required credential type");
  }
  return ok();
}

}  // namespace

Result<AppliedProposals> apply_proposals(const Group& group, const Group::State& s,
                                         std::span<const ProposalEntry> list,
                                         const Sender& committer,
                                         std::optional<LeafIndex> committer_leaf) {
  const auto& cur = s.current;
  const auto& suite = s.suite;
  const bool external = committer.sender_type == SenderType::new_member_commit;
  AppliedProposals out{cur.tree, cur.context.extensions, {}, {}, {}, {}, {}, {}, list.empty()};

  // --- list validation (RFC 9420 §12.2) ---
  std::size_t gce = 0, reinit = 0, external_init = 0, removes = 0;
  std::set<std::uint32_t> touched;  // leaves with an Update or Remove
  std::vector<Bytes> psk_ids;
  for (const auto& e : list) {
    const ProposalType type = e.proposal.type();
    out.path_required = out.path_required || requires_path(type);
    const auto st = e.sender.sender_type;
    MPSEC_ENSURE(st != SenderType::external || external_may_send(type), Errc::policy_violation,
                 "an external sender may not send this proposal type");
    MPSEC_ENSURE(st != SenderType::new_member_proposal || type == ProposalType::add,
                 Errc::policy_violation, "a new member may only propose adding itself");
    if (external) {
      MPSEC_ENSURE(!e.ref, Errc::policy_violation, "an external commit covers no references");
      MPSEC_ENSURE(type == ProposalType::external_init || type == ProposalType::remove ||
                       type == ProposalType::psk,
                   Errc::policy_violation, "proposal not allowed in an external commit");
    } else {
      MPSEC_ENSURE(type != ProposalType::external_init, Errc::policy_violation,
                   "ExternalInit outside an external commit");
    }
    // The group controller's say: for an external commit, the committer is the joiner at
    // the leaf it is about to take.
    if (s.config.policy)
      MPSEC_TRY(s.config.policy(group, e.sender, committer_leaf.value_or(cur.tree.next_free_leaf()),
                                e.proposal));
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, GroupContextExtensions>) ++gce;
          if constexpr (std::is_same_v<T, ReInit>) ++reinit;
          if constexpr (std::is_same_v<T, ExternalInit>) ++external_init;
          if constexpr (std::is_same_v<T, Remove>) ++removes;
        },
        e.proposal.body);
  }
  MPSEC_ENSURE(gce <= 1, Errc::policy_violation, "more than one GroupContextExtensions");
  MPSEC_ENSURE(reinit == 0 || list.size() == 1, Errc::policy_violation,
               "ReInit must be the only proposal");
  if (external) {
    MPSEC_ENSURE(external_init == 1, Errc::policy_violation,
                 "an external commit needs exactly one ExternalInit");
    MPSEC_ENSURE(removes <= 1, Errc::policy_violation, "an external commit removes at most one");
  }

  // --- application (RFC 9420 §12.3): extensions, updates, removes, adds, PSKs ---
  for (const auto& e : list)
    if (const auto* p = std::get_if<GroupContextExtensions>(&e.proposal.body)) {
      MPSEC_TRY(check_unique_extensions(p->extensions));
      out.extensions = p->extensions;
    }
  for (const auto& e : list) {
    const auto* p = std::get_if<Update>(&e.proposal.body);
    if (p == nullptr) continue;
    MPSEC_ENSURE(e.sender.sender_type == SenderType::member, Errc::policy_violation,
                 "only members send Updates");
    const LeafIndex l(e.sender.index);
    MPSEC_ENSURE(!committer_leaf || l != *committer_leaf, Errc::policy_violation,
                 "a commit may not cover its committer's own Update");
    MPSEC_ENSURE(touched.insert(l.value).second, Errc::policy_violation,
                 "two Updates or Removes for the same leaf");
    const LeafNode* old = out.tree.leaf_node(l);
    MPSEC_ENSURE(old != nullptr, Errc::unknown_sender, "Update from a blank leaf");
    MPSEC_TRY(validate_leaf_node(suite, p->leaf_node, LeafNodeSource::update, cur.context.group_id,
                                 l.value, out.extensions, s.config.validation));
    MPSEC_ENSURE(p->leaf_node.encryption_key != old->encryption_key, Errc::policy_violation,
                 "an Update must change the encryption key");
    MPSEC_ENSURE(
        s.config.validation.credentials->same_client(old->credential, p->leaf_node.credential),
        Errc::policy_violation, "the Update's credential is not a successor");
    MPSEC_TRY(out.tree.update_leaf(l, p->leaf_node));
  }
  for (const auto& e : list) {
    const auto* p = std::get_if<Remove>(&e.proposal.body);
    if (p == nullptr) continue;
    const LeafIndex l(p->removed);
    MPSEC_ENSURE(out.tree.leaf_node(l) != nullptr, Errc::policy_violation,
                 "Remove of a blank leaf");
    MPSEC_ENSURE(external || !committer_leaf || l != *committer_leaf, Errc::policy_violation,
                 "a commit may not remove its committer");
    MPSEC_ENSURE(touched.insert(l.value).second, Errc::policy_violation,
                 "two Updates or Removes for the same leaf");
    MPSEC_TRY(out.tree.remove_leaf(l));
    out.removed.push_back(l);
  }
  for (const auto& e : list) {
    const auto* p = std::get_if<Add>(&e.proposal.body);
    if (p == nullptr) continue;
    const auto& kp = p->key_package;
    MPSEC_TRY(validate_key_package(suite, kp, out.extensions, s.config.validation));
    // Duplicates (of members or of other Adds) are caught below, in one pass over the tree.
    const LeafIndex added = out.tree.add_leaf(kp.leaf_node);
    out.added.push_back(added);
    out.added_key_packages.push_back(&kp);
  }
  for (const auto& e : list) {
    const auto* p = std::get_if<PreSharedKey>(&e.proposal.body);
    if (p == nullptr) continue;
    MPSEC_ENSURE(p->psk.psk_nonce.size() == suite.hash_size(), Errc::policy_violation,
                 "PSK nonce of the wrong length");
    MPSEC_ENSURE(p->psk.psktype == schedule::PskType::external ||
                     p->psk.usage == schedule::ResumptionPskUsage::application,
                 Errc::policy_violation, "reinit and branch PSKs are not proposals");
    auto id = MPSEC_TRY(codec::encode(p->psk));
    MPSEC_ENSURE(std::find(psk_ids.begin(), psk_ids.end(), id) == psk_ids.end(),
                 Errc::policy_violation, "the same PSK twice");
    psk_ids.push_back(std::move(id));
    out.psks.push_back(p->psk);
  }
  for (const auto& e : list) {
    if (const auto* p = std::get_if<ExternalInit>(&e.proposal.body))
      out.external_init = p->kem_output;
    if (const auto* p = std::get_if<ReInit>(&e.proposal.body)) {
      MPSEC_ENSURE(p->version >= record::kProtocolVersionMls10, Errc::policy_violation,
                   "ReInit to an older version");
      out.reinit = *p;
    }
  }
  // The resulting tree: keys and clients unique, and every member supports the group's
  // extensions.
  if (!out.added.empty() || !touched.empty())
    MPSEC_TRY(check_all_leaves_unique(out.tree, *s.config.validation.credentials));
  if (gce > 0 || !out.added.empty()) MPSEC_TRY(check_members_support(out.tree, out.extensions));
  return out;
}

namespace {
// The value of one PSK: external ones from the store, resumption ones of this group from its
// own history, of other groups from the store.
Result<ByteView> find_psk(const Group::State& s, const schedule::PreSharedKeyId& id) {
  const SecretBytes* found = nullptr;
  if (id.psktype == schedule::PskType::external) {
    if (s.config.psks) found = s.config.psks->external(id.psk_id);
  } else if (id.psk_group_id == s.current.context.group_id) {
    if (id.psk_epoch == s.current.context.epoch) return s.current.secrets.resumption_psk.view();
    for (const auto& [epoch, secret] : s.resumption_psks)
      if (epoch == id.psk_epoch) return secret.view();
  } else if (s.config.psks) {
    found = s.config.psks->resumption(id.psk_group_id, id.psk_epoch);
  }
  MPSEC_ENSURE(found != nullptr, Errc::not_found, "a pre-shared key is not available");
  return found->view();
}
}  // namespace

Result<schedule::PskSecret> resolve_psk_secret(const Group::State& s,
                                               std::span<const schedule::PreSharedKeyId> ids) {
  std::vector<schedule::PskInput> inputs;
  for (const auto& id : ids)
    inputs.push_back({&id, MPSEC_TRY(find_psk(s, id))});
  return schedule::derive_psk_secret(s.suite, inputs);
}

Result<crypto::VerifyKey> proposal_signer(const Group::State& s,
                                          const record::AuthenticatedContent& ac) {
  const auto& sender = ac.content.sender;
  switch (sender.sender_type) {
    case SenderType::member: {
      const LeafNode* leaf = s.current.tree.leaf_node(LeafIndex(sender.index));
      MPSEC_ENSURE(leaf != nullptr, Errc::unknown_sender, "sender is not a member");
      return crypto::VerifyKey::parse(s.suite.sig(), leaf->signature_key);
    }
    case SenderType::external: {
      auto senders = MPSEC_TRY(read_extension<std::vector<ExternalSender>>(
          s.current.context.extensions, ExtensionType::external_senders));
      MPSEC_ENSURE(senders && sender.index < senders->size(), Errc::unknown_sender,
                   "unknown external sender");
      return crypto::VerifyKey::parse(s.suite.sig(), (*senders)[sender.index].signature_key);
    }
    case SenderType::new_member_proposal: {
      auto p = MPSEC_TRY(codec::decode<Proposal>(ac.content.content));
      const auto* add = std::get_if<Add>(&p.body);
      MPSEC_ENSURE(add != nullptr, Errc::policy_violation, "a new member may only propose Add");
      return crypto::VerifyKey::parse(s.suite.sig(), add->key_package.leaf_node.signature_key);
    }
    case SenderType::new_member_commit:
      break;
  }
  return fail(Errc::policy_violation, "this sender type cannot send proposals");
}

Result<ProposalMessage> receive_proposal(Group::State& s, const record::AuthenticatedContent& ac) {
  MPSEC_ENSURE(ac.content.content_type == ContentType::proposal, Errc::invalid_argument,
               "not a proposal");
  auto proposal = MPSEC_TRY(codec::decode<Proposal>(ac.content.content));
  MPSEC_ENSURE(
      ac.content.sender.sender_type != SenderType::external || external_may_send(proposal.type()),
      Errc::policy_violation, "an external sender may not send this proposal type");
  MPSEC_ENSURE(proposal.type() != ProposalType::external_init, Errc::policy_violation,
               "ExternalInit is only valid inside an external commit");
  auto ref = MPSEC_TRY(proposal_ref(s.suite, ac));
  ProposalMessage out{ref, ac.content.sender, std::move(proposal)};
  s.proposals.insert_or_assign(std::move(ref), out);
  return out;
}

Result<schedule::InitSecret> external_init_secret_receiver(const crypto::CipherSuite& suite,
                                                           const schedule::ExternalSecret& external,
                                                           ByteView kem_output) {
  auto key = MPSEC_TRY(schedule::external_key_pair(suite, external));
  auto ctx = MPSEC_TRY(crypto::hpke_setup_receiver(suite.hpke(), kem_output, key, {}));
  return schedule::InitSecret(
      MPSEC_TRY(ctx.export_secret(as_bytes("MLS 1.0 external init secret"), suite.hash_size())));
}

Result<StagedCommit> stage_commit(const Group& group, Group::State& s,
                                  const record::AuthenticatedContent& ac,
                                  std::optional<schedule::StagedKey> handshake_key) {
  const auto& suite = s.suite;
  const auto& cur = s.current;
  const auto& fc = ac.content;
  MPSEC_ENSURE(fc.content_type == ContentType::commit && ac.auth.confirmation_tag,
               Errc::invalid_argument, "not a commit");
  MPSEC_ENSURE(fc.epoch == cur.context.epoch, Errc::unknown_epoch, "commit for another epoch");
  const auto commit = MPSEC_TRY(codec::decode<Commit>(fc.content));
  const bool external = fc.sender.sender_type == SenderType::new_member_commit;
  MPSEC_ENSURE(external || fc.sender.sender_type == SenderType::member, Errc::policy_violation,
               "commits come from members or new members");
  MPSEC_ENSURE(!external || ac.wire_format == WireFormat::public_message, Errc::policy_violation,
               "an external commit is a PublicMessage");

  // The signature: a member's leaf key, or the new member's key from its path.
  std::optional<crypto::VerifyKey> signer;
  if (external) {
    MPSEC_ENSURE(commit.path.has_value(), Errc::policy_violation,
                 "an external commit needs a path");
    signer = MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), commit.path->leaf_node.signature_key));
  } else {
    const LeafNode* leaf = cur.tree.leaf_node(LeafIndex(fc.sender.index));
    MPSEC_ENSURE(leaf != nullptr, Errc::unknown_sender, "committer is not a member");
    signer = MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), leaf->signature_key));
  }
  MPSEC_TRY(record::verify_content(suite, *signer, ac, cur.context_bytes));

  // The proposals, by value from the committer or by reference from the cache.
  std::vector<ProposalEntry> entries;
  for (const auto& por : commit.proposals) {
    if (const auto* p = std::get_if<Proposal>(&por.value)) {
      entries.push_back({*p, fc.sender, std::nullopt});
    } else {
      const auto& ref = std::get<Bytes>(por.value);
      auto it = s.proposals.find(ref);
      MPSEC_ENSURE(it != s.proposals.end(), Errc::not_found,
                   "commit references an unknown proposal");
      entries.push_back({it->second.proposal, it->second.sender, ref});
    }
  }
  std::optional<LeafIndex> committer_leaf;
  if (!external) committer_leaf = LeafIndex(fc.sender.index);
  auto applied = MPSEC_TRY(apply_proposals(group, s, entries, fc.sender, committer_leaf));
  MPSEC_ENSURE(!applied.path_required || commit.path.has_value(), Errc::policy_violation,
               "this commit requires a path");

  auto state = std::make_unique<StagedCommit::State>();
  state->committer = fc.sender;
  for (const auto& e : entries)
    state->proposals.push_back(e.proposal);
  state->added = applied.added;
  state->removed = applied.removed;
  state->reinit = applied.reinit;
  state->handshake_key = std::move(handshake_key);
  state->epoch = cur.context.epoch + 1;
  RatchetTree& tree = applied.tree;

  schedule::GroupContext next_context = cur.context;
  next_context.epoch = cur.context.epoch + 1;
  next_context.extensions = applied.extensions;
  // Removed: the own leaf is among the removed (a newcomer may already sit in it).
  const bool removed_self =
      std::find(applied.removed.begin(), applied.removed.end(), cur.own) != applied.removed.end();
  SecretBytes commit_secret = schedule::zero_secret(suite);
  TreePrivateKeys keys = cur.keys;
  // This member's own Update, if the commit applied it: its new leaf key.
  if (!removed_self) {
    const auto& own_leaf = *tree.leaf_node(cur.own);
    if (auto it = s.pending_update_keys.find(own_leaf.encryption_key);
        it != s.pending_update_keys.end())
      keys.set(cur.own.node(), it->second);
  }

  if (commit.path) {
    const auto& path = *commit.path;
    if (external) {
      // A resync: the joiner replaces a leaf only if it is the same client (RFC 9420 §12.2).
      for (LeafIndex removed : applied.removed)
        MPSEC_ENSURE(s.config.validation.credentials->same_client(
                         cur.tree.leaf_node(removed)->credential, path.leaf_node.credential),
                     Errc::policy_violation, "an external commit may only remove its own old leaf");
      committer_leaf = tree.add_leaf(path.leaf_node);
    }
    const LeafIndex sender = *committer_leaf;
    MPSEC_TRY(validate_leaf_node(suite, path.leaf_node, LeafNodeSource::commit,
                                 cur.context.group_id, sender.value, applied.extensions,
                                 s.config.validation));
    if (!external) {
      const LeafNode* old = cur.tree.leaf_node(sender);
      MPSEC_ENSURE(path.leaf_node.encryption_key != old->encryption_key, Errc::policy_violation,
                   "the committer's leaf must get a new encryption key");
      MPSEC_ENSURE(
          s.config.validation.credentials->same_client(old->credential, path.leaf_node.credential),
          Errc::policy_violation, "the committer's new credential is not a successor");
    }
    // None of the path's keys may already be in the tree.
    for (std::uint32_t i = 0; i < tree.width(); ++i) {
      const auto& n = tree.node(NodeIndex(i));
      if (!n || NodeIndex(i) == sender.node()) continue;
      MPSEC_ENSURE(n->encryption_key() != path.leaf_node.encryption_key, Errc::policy_violation,
                   "the path repeats a key of the tree");
      for (const auto& pn : path.nodes)
        MPSEC_ENSURE(n->encryption_key() != pn.encryption_key, Errc::policy_violation,
                     "the path repeats a key of the tree");
    }
    const GroupContextFn provisional = [&](const RatchetTree& t) -> Result<Bytes> {
      auto c = next_context;
      c.tree_hash = MPSEC_TRY(t.tree_hash());
      return codec::encode(c);
    };
    if (removed_self) {
      MPSEC_TRY(merge_update_path(tree, sender, path));
    } else {
      auto processed =
          MPSEC_TRY(process_update_path(tree, keys, sender, path, applied.added, provisional));
      commit_secret = std::move(processed.commit_secret);
      keys = std::move(processed.keys);
    }
    MPSEC_TRY(check_leaf_keys_unique(tree, sender));
  } else {
    keys.prune(tree);
  }

  next_context.tree_hash = MPSEC_TRY(tree.tree_hash());
  next_context.confirmed_transcript_hash =
      MPSEC_TRY(confirmed_transcript_hash(suite, cur.interim_transcript_hash, ac));
  if (removed_self) return StagedCommit(std::move(state));

  auto psk_secret = MPSEC_TRY(resolve_psk_secret(s, applied.psks));
  schedule::InitSecret init = cur.secrets.init_secret.clone();
  if (applied.external_init)
    init = MPSEC_TRY(
        external_init_secret_receiver(suite, cur.secrets.external, *applied.external_init));
  const auto context_bytes = MPSEC_TRY(codec::encode(next_context));
  auto epoch_keys = MPSEC_TRY(schedule::advance_epoch(
      suite, init, schedule::CommitSecret(std::move(commit_secret)), psk_secret, context_bytes));
  const auto tag = MPSEC_TRY(suite.mac(epoch_keys.secrets.confirmation_key.view(),
                                       next_context.confirmed_transcript_hash));
  MPSEC_ENSURE(ct_equal(tag, *ac.auth.confirmation_tag), Errc::authentication_failed,
               "confirmation tag does not verify");
  state->next =
      MPSEC_TRY(EpochState::make(suite, s.config, std::move(next_context), std::move(tree),
                                 std::move(keys), cur.own, std::move(epoch_keys.secrets), tag));
  return StagedCommit(std::move(state));
}

}  // namespace mpsec::mls
