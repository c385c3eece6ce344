// Group::commit: RFC 9420 §12.4.1, creating a commit (and its Welcome and GroupInfo) as a
// pending state that changes nothing until merged.
#include <set>

#include "mls/commit.hpp"
#include "mls/extensions.hpp"
#include "mls/leaf_node.hpp"
#include "mls/transcript.hpp"
#include "mls/welcome.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"

namespace mpsec::mls {

using record::ContentType;
using record::WireFormat;

namespace {

// The GroupSecrets and Welcome for the members a commit adds.
Result<Bytes> make_welcome(const Group::State& s, const EpochState& next,
                           const schedule::EpochKeys& keys, const AppliedProposals& applied,
                           const std::vector<std::pair<NodeIndex, SecretBytes>>& path_secrets,
                           const GroupInfo& info, Random& rng) {
  const auto& suite = s.suite;
  Welcome welcome;
  welcome.cipher_suite = suite.code();
  welcome.encrypted_group_info = MPSEC_TRY(encrypt_group_info(suite, keys.welcome, info));
  for (std::size_t i = 0; i < applied.added.size(); ++i) {
    GroupSecrets secrets;
    secrets.joiner_secret = keys.joiner.clone_bytes();
    secrets.psks = applied.psks;
    // The path secret of the lowest common ancestor of the new member and the committer.
    const NodeIndex lca = tree::common_ancestor(applied.added[i].node(), next.own.node());
    for (const auto& [node, secret] : path_secrets)
      if (node == lca) secrets.path_secret = PathSecret{secret.clone()};
    welcome.secrets.push_back(MPSEC_TRY(encrypt_group_secrets(
        suite, *applied.added_key_packages[i], welcome.encrypted_group_info, secrets, rng)));
  }
  return codec::encode(MlsMessage{std::move(welcome)});
}

}  // namespace

Result<CommitOutput> Group::commit(const CommitOptions& options, Random& rng) {
  auto& s = *state_;
  MPSEC_ENSURE(s.active && !s.reinit, Errc::invalid_state, "this member may not commit");
  const auto& suite = s.suite;
  const auto& cur = s.current;
  const record::Sender self = record::Sender::member(cur.own.value);

  std::vector<ProposalEntry> entries;
  if (options.include_cached) {
    // The cached proposals that make a valid list (RFC 9420 §12.4: include what is valid).
    // A Remove wins over an Update of the same leaf, and each leaf is removed once.
    std::set<std::uint32_t> removed, updated, covered;
    for (const auto& [ref, p] : s.proposals)
      if (const auto* r = std::get_if<Remove>(&p.proposal.body)) removed.insert(r->removed);
    for (const auto& [ref, p] : s.proposals) {
      if (const auto* r = std::get_if<Remove>(&p.proposal.body)) {
        // Not of itself (another member commits that), not of a blank leaf, not twice.
        if (r->removed == cur.own.value || cur.tree.leaf_node(LeafIndex(r->removed)) == nullptr ||
            !covered.insert(r->removed).second)
          continue;
      } else if (p.proposal.type() == ProposalType::update) {
        // Not its own (its path replaces its leaf anyway), nor of a leaf being removed.
        if (p.sender == self || removed.count(p.sender.index) != 0 ||
            !updated.insert(p.sender.index).second)
          continue;
      }
      entries.push_back({p.proposal, p.sender, ref});
    }
  }
  for (const auto& p : options.proposals)
    entries.push_back({p, self, std::nullopt});
  auto applied = MPSEC_TRY(apply_proposals(*this, s, entries, self, cur.own));
  if (options.resumption_psk) {
    const auto& id = *options.resumption_psk;
    MPSEC_ENSURE(cur.context.epoch == 0 && id.psktype == schedule::PskType::resumption &&
                     id.usage != schedule::ResumptionPskUsage::application,
                 Errc::invalid_argument,
                 "a reinit or branch PSK belongs to the first commit of a new group");
    applied.psks.push_back(id);
  }
  RatchetTree& tree = applied.tree;

  schedule::GroupContext next_context = cur.context;
  next_context.epoch = cur.context.epoch + 1;
  next_context.extensions = applied.extensions;
  SecretBytes commit_secret = schedule::zero_secret(suite);
  TreePrivateKeys keys = cur.keys;
  std::vector<std::pair<NodeIndex, SecretBytes>> path_secrets;
  Commit commit;
  for (const auto& e : entries) {
    ProposalOrRef por;
    if (e.ref) {
      por.value = *e.ref;
    } else {
      por.value = e.proposal;
    }
    commit.proposals.push_back(std::move(por));
  }
  if (options.force_path || applied.path_required) {
    const GroupContextFn provisional = [&](const RatchetTree& t) -> Result<Bytes> {
      auto c = next_context;
      c.tree_hash = MPSEC_TRY(t.tree_hash());
      return codec::encode(c);
    };
    auto created =
        MPSEC_TRY(create_update_path(tree, cur.own, *cur.tree.leaf_node(cur.own), s.signer,
                                     cur.context.group_id, applied.added, provisional, rng));
    commit_secret = std::move(created.commit_secret);
    keys = std::move(created.keys);
    path_secrets = std::move(created.path_secrets);
    commit.path = std::move(created.path);
  } else {
    keys.prune(tree);
  }

  // Sign with the old context, then the transcript, the key schedule and the tag.
  const WireFormat wf =
      s.config.encrypt_handshake ? WireFormat::private_message : WireFormat::public_message;
  record::AuthenticatedContent ac;
  ac.wire_format = wf;
  auto commit_body = MPSEC_TRY(codec::encode(commit));
  ac.content = record::FramedContent{
      cur.context.group_id,       cur.context.epoch,   self,
      options.authenticated_data, ContentType::commit, std::move(commit_body)};
  ac.auth.signature =
      MPSEC_TRY(record::sign_content(suite, s.signer, wf, ac.content, cur.context_bytes));
  next_context.tree_hash = MPSEC_TRY(tree.tree_hash());
  next_context.confirmed_transcript_hash =
      MPSEC_TRY(confirmed_transcript_hash(suite, cur.interim_transcript_hash, ac));
  auto psk_secret = MPSEC_TRY(resolve_psk_secret(s, applied.psks));
  const auto context_bytes = MPSEC_TRY(codec::encode(next_context));
  auto epoch_keys = MPSEC_TRY(schedule::advance_epoch(
      suite, cur.secrets.init_secret, schedule::CommitSecret(std::move(commit_secret)), psk_secret,
      context_bytes));
  ac.auth.confirmation_tag = MPSEC_TRY(suite.mac(epoch_keys.secrets.confirmation_key.view(),
                                                 next_context.confirmed_transcript_hash));

  CommitOutput out;
  if (wf == WireFormat::private_message) {
    out.commit = MPSEC_TRY(
        record::protect_private({suite, cur.sender_data_kdf}, s.current.secret_tree, ac, 0, rng));
  } else {
    auto msg =
        MPSEC_TRY(record::protect_public(suite, cur.secrets.membership_key, ac, cur.context_bytes));
    codec::Writer w;
    record::encode_header(w, WireFormat::public_message);
    msg.encode(w);
    out.commit = MPSEC_TRY(std::move(w).finish());
  }

  auto state = std::make_unique<StagedCommit::State>();
  state->committer = self;
  for (const auto& e : entries)
    state->proposals.push_back(e.proposal);
  state->added = applied.added;
  state->removed = applied.removed;
  state->reinit = applied.reinit;
  state->epoch = next_context.epoch;
  auto joiner = std::move(epoch_keys.joiner);
  auto welcome_secret = std::move(epoch_keys.welcome);
  state->next = MPSEC_TRY(
      EpochState::make(suite, s.config, std::move(next_context), std::move(tree), std::move(keys),
                       cur.own, std::move(epoch_keys.secrets), *ac.auth.confirmation_tag));
  const EpochState& next = *state->next;

  // The GroupInfo of the new epoch, signed by the committer.
  GroupInfo info;
  info.group_context = next.context;
  if (options.ratchet_tree_in_welcome)
    put_extension(info.extensions, ExtensionType::ratchet_tree, MPSEC_TRY(next.tree.encode()));
  if (options.external_pub) {
    auto key = MPSEC_TRY(schedule::external_key_pair(suite, next.secrets.external));
    put_extension(info.extensions, ExtensionType::external_pub,
                  MPSEC_TRY(codec::encode(ExternalPub{key.public_key().bytes()})));
  }
  info.confirmation_tag = next.confirmation_tag;
  info.signer = next.own.value;
  MPSEC_TRY(sign_group_info(suite, s.signer, info));
  if (!applied.added.empty()) {
    schedule::EpochKeys welcome_keys{std::move(joiner), std::move(welcome_secret), {}, {}};
    out.welcome = MPSEC_TRY(make_welcome(s, next, welcome_keys, applied, path_secrets, info, rng));
  }
  out.group_info = MPSEC_TRY(codec::encode(MlsMessage{std::move(info)}));
  s.pending_commit = std::make_unique<StagedCommit>(std::move(state));
  return out;
}

}  // namespace mpsec::mls
