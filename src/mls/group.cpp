#include "mls/group.hpp"

#include "mls/commit.hpp"
#include "mls/extensions.hpp"
#include "mls/group_state.hpp"
#include "mls/leaf_node.hpp"
#include "mls/transcript.hpp"
#include "mls/welcome.hpp"
#include "record/content_auth.hpp"
#include "record/private_message.hpp"

namespace mpsec::mls {

using record::ContentType;
using record::SenderType;
using record::WireFormat;

// --- PskStore -------------------------------------------------------------------------------

const SecretBytes* PskStore::external(ByteView id) const {
  auto it = external_.find(to_bytes(id));
  return it == external_.end() ? nullptr : &it->second;
}

void PskStore::add_resumption(Bytes group_id, std::uint64_t epoch, SecretBytes psk) {
  resumption_.insert_or_assign({std::move(group_id), epoch}, std::move(psk));
}

PskStore PskStore::clone() const {
  PskStore out;
  for (const auto& [id, psk] : external_)
    out.external_.emplace(id, psk.clone());
  for (const auto& [key, psk] : resumption_)
    out.resumption_.emplace(key, psk.clone());
  return out;
}

const SecretBytes* PskStore::resumption(ByteView group_id, std::uint64_t epoch) const {
  auto it = resumption_.find({to_bytes(group_id), epoch});
  return it == resumption_.end() ? nullptr : &it->second;
}

namespace {
// Past epochs and resumption PSKs are kept no longer than the policy says.
void trim_history(Group::State& s) {
  while (s.past.size() > s.config.past_epochs_kept)
    s.past.pop_front();
  while (s.resumption_psks.size() > s.config.resumption_psks_kept)
    s.resumption_psks.pop_front();
}
}  // namespace

// --- EpochState -----------------------------------------------------------------------------

Result<EpochState> EpochState::make(const crypto::CipherSuite& suite, const GroupConfig& config,
                                    schedule::GroupContext context, RatchetTree tree,
                                    TreePrivateKeys keys, LeafIndex own,
                                    schedule::EpochSecrets secrets, Bytes confirmation_tag) {
  auto context_bytes = MPSEC_TRY(codec::encode(context));
  auto interim = MPSEC_TRY(
      mls::interim_transcript_hash(suite, context.confirmed_transcript_hash, confirmation_tag));
  auto kdf = MPSEC_TRY(suite.kdf_key(secrets.sender_data.view()));
  const auto leaves = tree.leaf_count();
  schedule::SecretTree secret_tree(suite, std::move(secrets.encryption), leaves, config.ratchet);
  return EpochState{
      std::move(context),
      std::move(context_bytes),
      std::move(tree),
      std::move(keys),
      own,
      HeldSecrets{std::move(secrets.sender_data), std::move(secrets.exporter),
                  std::move(secrets.external), std::move(secrets.confirmation_key),
                  std::move(secrets.membership_key), std::move(secrets.resumption_psk),
                  std::move(secrets.epoch_authenticator), std::move(secrets.init_secret)},
      std::move(kdf),
      std::move(secret_tree),
      std::move(interim),
      std::move(confirmation_tag)};
}

Result<Bytes> proposal_ref(const crypto::CipherSuite& suite,
                           const record::AuthenticatedContent& content) {
  codec::Writer w;
  content.encode(w);
  return suite.ref_hash("MLS 1.0 Proposal Reference", MPSEC_TRY(std::move(w).finish()));
}

// --- StagedCommit ---------------------------------------------------------------------------

StagedCommit::StagedCommit(std::unique_ptr<State> state) : state_(std::move(state)) {}
StagedCommit::StagedCommit(StagedCommit&&) noexcept = default;
StagedCommit& StagedCommit::operator=(StagedCommit&&) noexcept = default;
StagedCommit::~StagedCommit() = default;
std::uint64_t StagedCommit::epoch() const noexcept {
  return state_->epoch;
}
const record::Sender& StagedCommit::committer() const noexcept {
  return state_->committer;
}
const std::vector<Proposal>& StagedCommit::proposals() const noexcept {
  return state_->proposals;
}
const std::vector<LeafIndex>& StagedCommit::added() const noexcept {
  return state_->added;
}
const std::vector<LeafIndex>& StagedCommit::removed() const noexcept {
  return state_->removed;
}
bool StagedCommit::self_removed() const noexcept {
  return !state_->next.has_value();
}
bool StagedCommit::reinit() const noexcept {
  return state_->reinit.has_value();
}

// --- Group: construction and accessors ---------------------------------------------------------

Group::Group(std::unique_ptr<State> state) : state_(std::move(state)) {}
Group::Group(Group&&) noexcept = default;
Group& Group::operator=(Group&&) noexcept = default;
Group::~Group() = default;

Result<Group> Group::create(const Identity& identity, Bytes group_id, const GroupConfig& config,
                            Random& rng, std::vector<Extension> extensions) {
  const auto& suite = identity.suite;
  MPSEC_TRY(check_unique_extensions(extensions));
  auto leaf_key = MPSEC_TRY(crypto::DhPrivateKey::generate(suite.kem(), rng));
  LeafNode leaf;
  leaf.encryption_key = leaf_key.public_key().bytes();
  leaf.signature_key = identity.signing_key.verify_key().bytes();
  leaf.credential = identity.credential;
  leaf.capabilities = identity.capabilities;
  leaf.leaf_node_source = LeafNodeSource::key_package;
  const std::uint64_t now = config.validation.now;
  leaf.lifetime =
      now == 0 ? Lifetime{0, UINT64_MAX} : Lifetime{now, now + config.validation.max_lifetime};
  MPSEC_TRY(sign_leaf_node(suite, identity.signing_key, leaf, {}, 0));
  MPSEC_TRY(validate_leaf_node(suite, leaf, LeafNodeSource::key_package, {}, 0, extensions,
                               config.validation));

  auto tree = RatchetTree::with_first_leaf(suite, leaf);
  schedule::GroupContext context;
  context.cipher_suite = suite.code();
  context.group_id = std::move(group_id);
  context.epoch = 0;
  context.tree_hash = MPSEC_TRY(tree.tree_hash());
  context.extensions = std::move(extensions);
  // RFC 9420 §11: a fresh epoch secret; the confirmation tag over the empty transcript.
  SecretBytes epoch_secret(suite.hash_size());
  MPSEC_TRY(rng.fill(epoch_secret.mutable_view()));
  auto secrets = MPSEC_TRY(
      schedule::EpochSecrets::derive(suite, schedule::EpochSecret(std::move(epoch_secret))));
  auto tag = MPSEC_TRY(suite.mac(secrets.confirmation_key.view(), {}));
  auto epoch = MPSEC_TRY(EpochState::make(suite, config, std::move(context), std::move(tree),
                                          TreePrivateKeys(LeafIndex(0), leaf_key), LeafIndex(0),
                                          std::move(secrets), std::move(tag)));
  auto state = std::make_unique<State>(
      State{suite, config, identity.signing_key, std::move(epoch), {}, {}, {}, {}, {}, true, {}});
  return Group(std::move(state));
}

const Bytes& Group::group_id() const noexcept {
  return state_->current.context.group_id;
}
std::uint64_t Group::epoch() const noexcept {
  return state_->current.context.epoch;
}
const crypto::CipherSuite& Group::suite() const noexcept {
  return state_->suite;
}
LeafIndex Group::own_leaf() const noexcept {
  return state_->current.own;
}
bool Group::active() const noexcept {
  return state_->active;
}
const RatchetTree& Group::tree() const noexcept {
  return state_->current.tree;
}
const schedule::GroupContext& Group::context() const noexcept {
  return state_->current.context;
}
Result<Bytes> Group::tree_hash() const {
  return state_->current.tree.tree_hash();
}
ByteView Group::epoch_authenticator() const noexcept {
  return state_->current.secrets.epoch_authenticator.view();
}
ByteView Group::resumption_psk() const noexcept {
  return state_->current.secrets.resumption_psk.view();
}
const std::map<Bytes, ProposalMessage>& Group::cached_proposals() const noexcept {
  return state_->proposals;
}
const GroupConfig& Group::config() const noexcept {
  return state_->config;
}
void Group::set_config(const GroupConfig& config) {
  state_->config = config;
  state_->current.secret_tree.set_policy(config.ratchet);
  for (auto& past : state_->past)
    past.secret_tree.set_policy(config.ratchet);
  trim_history(*state_);
}
bool Group::has_pending_commit() const noexcept {
  return state_->pending_commit != nullptr;
}
void Group::discard_pending_commit() {
  state_->pending_commit.reset();
}

Result<SecretBytes> Group::export_secret(std::string_view label, ByteView context,
                                         std::size_t length) const {
  MPSEC_ENSURE(state_->active, Errc::invalid_state, "not a member of this group any more");
  return schedule::mls_export(state_->suite, state_->current.secrets.exporter, label, context,
                              length);
}

Result<Bytes> Group::group_info(bool with_tree, bool external_pub, Random&) const {
  MPSEC_ENSURE(state_->active, Errc::invalid_state, "not a member of this group any more");
  const auto& cur = state_->current;
  GroupInfo info;
  info.group_context = cur.context;
  if (with_tree)
    put_extension(info.extensions, ExtensionType::ratchet_tree, MPSEC_TRY(cur.tree.encode()));
  if (external_pub) {
    auto key = MPSEC_TRY(schedule::external_key_pair(state_->suite, cur.secrets.external));
    put_extension(info.extensions, ExtensionType::external_pub,
                  MPSEC_TRY(codec::encode(ExternalPub{key.public_key().bytes()})));
  }
  info.confirmation_tag = cur.confirmation_tag;
  info.signer = cur.own.value;
  MPSEC_TRY(sign_group_info(state_->suite, state_->signer, info));
  return codec::encode(MlsMessage{std::move(info)});
}

// --- sending ----------------------------------------------------------------------------------

namespace {

// Signs a FramedContent of the current epoch from this member and wraps it as the config
// says (PrivateMessage for application data always).
Result<Bytes> send_content(Group::State& s, ContentType type, Bytes body, ByteView aad,
                           std::optional<Bytes> confirmation_tag, WireFormat wf, Random& rng,
                           record::AuthenticatedContent* signed_out = nullptr) {
  auto& cur = s.current;
  record::AuthenticatedContent ac;
  ac.wire_format = wf;
  ac.content = record::FramedContent{cur.context.group_id,
                                     cur.context.epoch,
                                     record::Sender::member(cur.own.value),
                                     to_bytes(aad),
                                     type,
                                     std::move(body)};
  ac.auth.signature =
      MPSEC_TRY(record::sign_content(s.suite, s.signer, wf, ac.content, cur.context_bytes));
  ac.auth.confirmation_tag = std::move(confirmation_tag);
  if (signed_out != nullptr) *signed_out = ac;
  if (wf == WireFormat::private_message) {
    return record::protect_private(
        {s.suite, cur.sender_data_kdf}, cur.secret_tree, ac,
        s.config.padding_block == 0
            ? 0
            : s.config.padding_block - 1 - (ac.content.content.size() % s.config.padding_block),
        rng);
  }
  auto msg =
      MPSEC_TRY(record::protect_public(s.suite, cur.secrets.membership_key, ac, cur.context_bytes));
  codec::Writer w;
  record::encode_header(w, WireFormat::public_message);
  msg.encode(w);
  return std::move(w).finish();
}

}  // namespace

Result<Bytes> Group::protect(ByteView data, Random& rng, ByteView authenticated_data) {
  MPSEC_ENSURE(state_->active && !state_->reinit, Errc::invalid_state,
               "this member may not send in this group");
  MPSEC_ENSURE(state_->proposals.empty(), Errc::invalid_state,
               "pending proposals must be committed before application data (RFC 9420 §12.4)");
  return send_content(*state_, ContentType::application, record::encode_application_data(data),
                      authenticated_data, std::nullopt, WireFormat::private_message, rng);
}

Result<Bytes> Group::propose(const Proposal& proposal, Random& rng, ByteView authenticated_data) {
  MPSEC_ENSURE(state_->active && !state_->reinit, Errc::invalid_state,
               "this member may not send in this group");
  const WireFormat wf =
      state_->config.encrypt_handshake ? WireFormat::private_message : WireFormat::public_message;
  record::AuthenticatedContent ac;
  auto bytes =
      MPSEC_TRY(send_content(*state_, ContentType::proposal, MPSEC_TRY(codec::encode(proposal)),
                             authenticated_data, std::nullopt, wf, rng, &ac));
  auto ref = MPSEC_TRY(proposal_ref(state_->suite, ac));
  state_->proposals.insert_or_assign(ref, ProposalMessage{ref, ac.content.sender, proposal});
  return bytes;
}

Result<Proposal> Group::update_proposal(Random& rng) {
  auto& cur = state_->current;
  const LeafNode* old = cur.tree.leaf_node(cur.own);
  MPSEC_ENSURE(old != nullptr, Errc::invalid_state, "own leaf missing");
  auto key = MPSEC_TRY(crypto::DhPrivateKey::generate(state_->suite.kem(), rng));
  LeafNode leaf = *old;
  leaf.leaf_node_source = LeafNodeSource::update;
  leaf.encryption_key = key.public_key().bytes();
  leaf.lifetime = {};
  leaf.parent_hash.clear();
  MPSEC_TRY(
      sign_leaf_node(state_->suite, state_->signer, leaf, cur.context.group_id, cur.own.value));
  state_->pending_update_keys.insert_or_assign(leaf.encryption_key, std::move(key));
  return Proposal{Update{std::move(leaf)}};
}

// --- receiving --------------------------------------------------------------------------------

namespace {

// The signature key of a member leaf in `tree`.
Result<crypto::VerifyKey> member_key(const crypto::CipherSuite& suite, const RatchetTree& tree,
                                     std::uint32_t leaf) {
  const LeafNode* node = tree.leaf_node(LeafIndex(leaf));
  MPSEC_ENSURE(node != nullptr, Errc::unknown_sender, "sender is not a member");
  return crypto::VerifyKey::parse(suite.sig(), node->signature_key);
}

}  // namespace

Result<Processed> Group::process(ByteView message) {
  auto& s = *state_;
  auto& cur = s.current;
  codec::Reader r(message);
  const WireFormat wf = MPSEC_TRY(record::decode_header(r));

  if (wf == WireFormat::private_message) {
    const auto view = MPSEC_TRY(record::PrivateMessageView::parse(message));
    MPSEC_ENSURE(ct_equal(view.group_id, cur.context.group_id), Errc::wrong_group,
                 "message for another group");
    // A removed member may still read late application data of the epochs it was in.
    MPSEC_ENSURE(s.active || view.content_type == ContentType::application, Errc::invalid_state,
                 "not a member of this group any more");
    if (view.epoch != cur.context.epoch) {
      // A late application message of a kept past epoch.
      MPSEC_ENSURE(view.content_type == ContentType::application, Errc::unknown_epoch,
                   "handshake message for another epoch");
      for (auto& past : s.past) {
        if (past.epoch != view.epoch) continue;
        auto d = MPSEC_TRY(record::unprotect_private({s.suite, past.sender_data_kdf},
                                                     past.secret_tree, view, content_codec()));
        auto key = MPSEC_TRY(member_key(s.suite, *past.tree, d.content.content.sender.index));
        MPSEC_TRY(record::verify_content(s.suite, key, d.content, past.context_bytes));
        auto data = MPSEC_TRY(record::application_data(d.content.content));
        ApplicationMessage out{LeafIndex(d.content.content.sender.index), view.epoch, d.generation,
                               to_bytes(view.authenticated_data), to_bytes(data)};
        MPSEC_TRY(past.secret_tree.commit(std::move(d.key)));
        return Processed(std::move(out));
      }
      return fail(Errc::unknown_epoch, "epoch unknown or no longer kept");
    }
    auto d = MPSEC_TRY(record::unprotect_private({s.suite, cur.sender_data_kdf}, cur.secret_tree,
                                                 view, content_codec()));
    if (view.content_type == ContentType::commit)  // stage_commit verifies the signature
      return Processed(MPSEC_TRY(stage_commit(*this, s, d.content, std::move(d.key))));
    auto key = MPSEC_TRY(member_key(s.suite, cur.tree, d.content.content.sender.index));
    MPSEC_TRY(record::verify_content(s.suite, key, d.content, cur.context_bytes));
    switch (view.content_type) {
      case ContentType::application: {
        auto data = MPSEC_TRY(record::application_data(d.content.content));
        ApplicationMessage out{LeafIndex(d.content.content.sender.index), view.epoch, d.generation,
                               to_bytes(view.authenticated_data), to_bytes(data)};
        MPSEC_TRY(cur.secret_tree.commit(std::move(d.key)));
        return Processed(std::move(out));
      }
      case ContentType::proposal: {
        auto p = MPSEC_TRY(receive_proposal(s, d.content));
        MPSEC_TRY(cur.secret_tree.commit(std::move(d.key)));
        return Processed(std::move(p));
      }
      case ContentType::commit:
        break;
    }
    return fail(Errc::decode_error, "unknown content type");
  }

  MPSEC_ENSURE(wf == WireFormat::public_message, Errc::invalid_argument,
               "not a message for a group member to process");
  MPSEC_ENSURE(s.active, Errc::invalid_state, "not a member of this group any more");
  const auto msg = MPSEC_TRY(record::PublicMessage::decode(r, content_codec()));
  MPSEC_TRY(r.finish());
  const auto& fc = msg.content;
  MPSEC_ENSURE(ct_equal(fc.group_id, cur.context.group_id), Errc::wrong_group,
               "message for another group");
  MPSEC_ENSURE(fc.epoch == cur.context.epoch, Errc::unknown_epoch,
               "handshake message for another epoch");
  MPSEC_ENSURE(fc.content_type != ContentType::application, Errc::policy_violation,
               "application data must be encrypted");
  auto ac = MPSEC_TRY(
      record::unprotect_public(s.suite, cur.secrets.membership_key, msg, cur.context_bytes));
  if (fc.content_type == ContentType::proposal) {
    auto key = MPSEC_TRY(proposal_signer(s, ac));
    MPSEC_TRY(record::verify_content(s.suite, key, ac, cur.context_bytes));
    return Processed(MPSEC_TRY(receive_proposal(s, ac)));
  }
  // Commits: the signer of an external commit is only known from its path.
  return Processed(MPSEC_TRY(stage_commit(*this, s, ac, std::nullopt)));
}

Status Group::merge(StagedCommit staged) {
  auto& s = *state_;
  auto& st = *staged.state_;
  MPSEC_ENSURE(st.epoch == s.current.context.epoch + 1, Errc::invalid_state,
               "the staged commit is not for the current epoch");
  if (st.handshake_key) MPSEC_TRY(s.current.secret_tree.commit(std::move(*st.handshake_key)));
  s.proposals.clear();
  s.pending_update_keys.clear();
  s.pending_commit.reset();
  s.reinit = st.reinit;
  if (!st.next) {
    // Removed: the last epoch stays as it was (its late messages remain readable), but this
    // member may no longer send or commit.
    s.active = false;
    return ok();
  }
  // The old epoch stays readable for late application messages; its tree moves, not copies.
  auto& cur = s.current;
  s.resumption_psks.emplace_back(cur.context.epoch, std::move(cur.secrets.resumption_psk));
  s.past.push_back(PastEpoch{cur.context.epoch, std::move(cur.context_bytes),
                             std::make_shared<const RatchetTree>(std::move(cur.tree)),
                             std::move(cur.secrets.sender_data), std::move(cur.sender_data_kdf),
                             std::move(cur.secret_tree)});
  trim_history(s);
  s.current = std::move(*st.next);
  return ok();
}

Status Group::merge_pending_commit() {
  MPSEC_ENSURE(state_->pending_commit != nullptr, Errc::invalid_state, "no pending commit");
  auto staged = std::move(*state_->pending_commit);
  state_->pending_commit.reset();
  return merge(std::move(staged));
}

}  // namespace mpsec::mls
