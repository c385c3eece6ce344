// Joining a group: from a Welcome (RFC 9420 §12.4.3.1) or by external commit (§12.4.3.2).
#include <algorithm>
#include <set>

#include "crypto/hpke.hpp"
#include "mls/commit.hpp"
#include "mls/extensions.hpp"
#include "mls/leaf_node.hpp"
#include "mls/transcript.hpp"
#include "mls/welcome.hpp"
#include "record/content_auth.hpp"

namespace mpsec::mls {

using record::ContentType;
using record::WireFormat;

namespace {

// The tree a joiner is given: from the GroupInfo's ratchet_tree extension, or out of band.
Result<RatchetTree> joiner_tree(const crypto::CipherSuite& suite, const GroupInfo& info,
                                std::optional<ByteView> tree) {
  if (tree) return RatchetTree::decode(suite, *tree);
  const Extension* ext = find_extension(info.extensions, ExtensionType::ratchet_tree);
  MPSEC_ENSURE(ext != nullptr, Errc::not_found, "no ratchet tree given with the GroupInfo");
  return RatchetTree::decode(suite, ext->extension_data);
}

// Everything a joiner checks of the GroupInfo and the tree before trusting them
// (RFC 9420 §12.4.3.1): the signature, the tree hash, parent hashes, every leaf, unmerged
// leaves, key uniqueness, and support for the group's extensions.
Status verify_joined_state(const crypto::CipherSuite& suite, const GroupInfo& info,
                           const RatchetTree& tree, const Identity& self,
                           const GroupConfig& config) {
  const auto& ctx = info.group_context;
  MPSEC_ENSURE(ctx.cipher_suite == suite.code() && ctx.version == record::kProtocolVersionMls10,
               Errc::policy_violation, "group of another cipher suite or version");
  MPSEC_TRY(check_unique_extensions(ctx.extensions));
  const LeafNode* signer = tree.leaf_node(LeafIndex(info.signer));
  MPSEC_ENSURE(signer != nullptr, Errc::authentication_failed, "GroupInfo signer is not a member");
  MPSEC_TRY(verify_group_info(
      suite, MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), signer->signature_key)), info));
  MPSEC_ENSURE(MPSEC_TRY(tree.tree_hash()) == ctx.tree_hash, Errc::authentication_failed,
               "ratchet tree does not match the group's tree hash");
  MPSEC_TRY(tree.verify_parent_hashes());
  std::set<Bytes> encryption_keys, signature_keys;
  for (LeafIndex l : tree.members()) {
    const LeafNode& leaf = *tree.leaf_node(l);
    // Lifetimes of leaves already in a tree are not enforced (RFC 9420 §7.3).
    ValidationContext v = config.validation;
    v.now = 0;
    MPSEC_TRY(validate_leaf_node(suite, leaf, leaf.leaf_node_source, ctx.group_id, l.value,
                                 ctx.extensions, v));
    MPSEC_ENSURE(encryption_keys.insert(leaf.encryption_key).second &&
                     signature_keys.insert(leaf.signature_key).second,
                 Errc::policy_violation, "two leaves share a key");
  }
  for (std::uint32_t i = 1; i < tree.width(); i += 2) {
    const ParentNode* p = tree.parent_node(NodeIndex(i));
    if (p == nullptr) continue;
    MPSEC_ENSURE(encryption_keys.insert(p->encryption_key).second, Errc::policy_violation,
                 "a parent key appears twice in the tree");
    for (std::uint32_t l : p->unmerged_leaves) {
      const NodeIndex leaf = LeafIndex(l).node();
      MPSEC_ENSURE(tree.leaf_node(LeafIndex(l)) != nullptr && tree::in_subtree(leaf, NodeIndex(i)),
                   Errc::policy_violation, "unmerged leaf is blank or not a descendant");
      // Every non-blank node between the leaf and this parent lists it too.
      for (NodeIndex a : tree::direct_path(leaf, tree.leaf_count())) {
        if (a == NodeIndex(i)) break;
        const ParentNode* q = tree.parent_node(a);
        MPSEC_ENSURE(q == nullptr || std::find(q->unmerged_leaves.begin(), q->unmerged_leaves.end(),
                                               l) != q->unmerged_leaves.end(),
                     Errc::policy_violation, "unmerged leaf missing below its ancestor");
      }
    }
  }
  for (const auto& e : ctx.extensions)
    MPSEC_ENSURE(
        is_default_extension(e.extension_type) ||
            std::find(self.capabilities.extensions.begin(), self.capabilities.extensions.end(),
                      e.extension_type) != self.capabilities.extensions.end(),
        Errc::unsupported, "the group uses an extension this client does not support");
  return ok();
}

}  // namespace

Result<Group> Group::join(const Identity& identity, const KeyPackageBundle& kp,
                          ByteView welcome_bytes, const GroupConfig& config,
                          std::optional<ByteView> tree_bytes) {
  const auto& suite = identity.suite;
  const auto msg = MPSEC_TRY(codec::decode<MlsMessage>(welcome_bytes));
  const auto* welcome = std::get_if<Welcome>(&msg.body);
  MPSEC_ENSURE(welcome != nullptr, Errc::invalid_argument, "not a Welcome");
  auto secrets = MPSEC_TRY(decrypt_group_secrets(suite, *welcome, kp.key_package, kp.init_key));
  // PSKs: at most one reinit or branch PSK, and every PSK available.
  std::size_t special = 0;
  for (const auto& id : secrets.psks)
    if (id.psktype == schedule::PskType::resumption &&
        id.usage != schedule::ResumptionPskUsage::application)
      ++special;
  MPSEC_ENSURE(special <= 1, Errc::policy_violation, "more than one reinit or branch PSK");
  std::vector<schedule::PskInput> inputs;
  for (const auto& id : secrets.psks) {
    const SecretBytes* psk = nullptr;
    if (config.psks) {
      psk = id.psktype == schedule::PskType::external
                ? config.psks->external(id.psk_id)
                : config.psks->resumption(id.psk_group_id, id.psk_epoch);
    }
    MPSEC_ENSURE(psk != nullptr, Errc::not_found,
                 "a pre-shared key named in the Welcome is missing");
    inputs.push_back({&id, psk->view()});
  }
  const auto psk_secret = MPSEC_TRY(schedule::derive_psk_secret(suite, inputs));
  schedule::JoinerSecret joiner(secrets.joiner_secret.clone());
  const auto welcome_secret = MPSEC_TRY(schedule::derive_welcome_secret(suite, joiner, psk_secret));
  auto info = MPSEC_TRY(decrypt_group_info(suite, welcome_secret, welcome->encrypted_group_info));
  auto tree = MPSEC_TRY(joiner_tree(suite, info, tree_bytes));
  MPSEC_TRY(verify_joined_state(suite, info, tree, identity, config));
  if (special == 1)
    MPSEC_ENSURE(info.group_context.epoch == 1, Errc::policy_violation,
                 "a reinit or branch Welcome must start at epoch 1");

  // This member's leaf and the keys the committer sent it.
  std::optional<LeafIndex> own;
  for (LeafIndex l : tree.members())
    if (*tree.leaf_node(l) == kp.key_package.leaf_node) own = l;
  MPSEC_ENSURE(own.has_value(), Errc::not_found, "the tree does not hold this key package's leaf");
  TreePrivateKeys keys(*own, kp.encryption_key);
  if (secrets.path_secret) {
    const LeafIndex signer(info.signer);
    const NodeIndex lca = tree::common_ancestor(own->node(), signer.node());
    std::vector<NodeIndex> nodes;
    bool from = false;
    for (const auto& step : tree.filtered_direct_path(signer)) {
      from = from || step.node == lca;
      if (from) nodes.push_back(step.node);
    }
    MPSEC_ENSURE(!nodes.empty(), Errc::decode_error, "path secret for a node not on the path");
    MPSEC_TRY(keys.implant(tree, nodes, secrets.path_secret->path_secret.clone()));
  }

  const auto context_bytes = MPSEC_TRY(codec::encode(info.group_context));
  auto epoch_keys = MPSEC_TRY(
      schedule::derive_epoch_from_joiner(suite, std::move(joiner), psk_secret, context_bytes));
  const auto tag = MPSEC_TRY(suite.mac(epoch_keys.secrets.confirmation_key.view(),
                                       info.group_context.confirmed_transcript_hash));
  MPSEC_ENSURE(ct_equal(tag, info.confirmation_tag), Errc::authentication_failed,
               "GroupInfo confirmation tag does not verify");
  auto epoch =
      MPSEC_TRY(EpochState::make(suite, config, std::move(info.group_context), std::move(tree),
                                 std::move(keys), *own, std::move(epoch_keys.secrets), tag));
  return Group(std::make_unique<State>(
      State{suite, config, identity.signing_key, std::move(epoch), {}, {}, {}, {}, {}, true, {}}));
}

Result<ExternalJoinOutput> Group::join_external(const Identity& identity, ByteView info_bytes,
                                                const GroupConfig& config, Random& rng,
                                                std::optional<ByteView> tree_bytes,
                                                std::optional<LeafIndex> resync,
                                                Bytes authenticated_data) {
  const auto& suite = identity.suite;
  const auto msg = MPSEC_TRY(codec::decode<MlsMessage>(info_bytes));
  const auto* info_ptr = std::get_if<GroupInfo>(&msg.body);
  MPSEC_ENSURE(info_ptr != nullptr, Errc::invalid_argument, "not a GroupInfo");
  const GroupInfo& info = *info_ptr;
  auto tree = MPSEC_TRY(joiner_tree(suite, info, tree_bytes));
  MPSEC_TRY(verify_joined_state(suite, info, tree, identity, config));
  auto external_pub =
      MPSEC_TRY(read_extension<ExternalPub>(info.extensions, ExtensionType::external_pub));
  MPSEC_ENSURE(external_pub.has_value(), Errc::not_found, "the GroupInfo has no external_pub");

  // init_secret for the new epoch, exported from an HPKE context to the group's external key.
  auto pub = MPSEC_TRY(crypto::DhPublicKey::parse(suite.kem(), external_pub->external_pub));
  auto hpke = MPSEC_TRY(crypto::hpke_setup_sender(suite.hpke(), pub, {}, rng));
  schedule::InitSecret init(MPSEC_TRY(
      hpke.context.export_secret(as_bytes("MLS 1.0 external init secret"), suite.hash_size())));

  Commit commit;
  commit.proposals.push_back({Proposal{ExternalInit{std::move(hpke.enc)}}});
  if (resync) {
    MPSEC_ENSURE(tree.leaf_node(*resync) != nullptr, Errc::invalid_argument, "nothing to resync");
    commit.proposals.push_back({Proposal{Remove{resync->value}}});
    MPSEC_TRY(tree.remove_leaf(*resync));
  }

  // Our leaf at the leftmost free position, then a path from it.
  auto leaf_key = MPSEC_TRY(crypto::DhPrivateKey::generate(suite.kem(), rng));
  LeafNode leaf;
  leaf.encryption_key = leaf_key.public_key().bytes();
  leaf.signature_key = identity.signing_key.verify_key().bytes();
  leaf.credential = identity.credential;
  leaf.capabilities = identity.capabilities;
  leaf.leaf_node_source = LeafNodeSource::commit;
  const LeafIndex own = tree.add_leaf(leaf);
  schedule::GroupContext next_context = info.group_context;
  next_context.epoch += 1;
  const GroupContextFn provisional = [&](const RatchetTree& t) -> Result<Bytes> {
    auto c = next_context;
    c.tree_hash = MPSEC_TRY(t.tree_hash());
    return codec::encode(c);
  };
  auto created = MPSEC_TRY(create_update_path(tree, own, leaf, identity.signing_key,
                                              info.group_context.group_id, {}, provisional, rng));
  commit.path = std::move(created.path);

  record::AuthenticatedContent ac;
  ac.wire_format = WireFormat::public_message;
  auto commit_body = MPSEC_TRY(codec::encode(commit));
  ac.content = record::FramedContent{info.group_context.group_id,
                                     info.group_context.epoch,
                                     record::Sender{record::SenderType::new_member_commit, 0},
                                     std::move(authenticated_data),
                                     ContentType::commit,
                                     std::move(commit_body)};
  const auto old_context = MPSEC_TRY(codec::encode(info.group_context));
  ac.auth.signature = MPSEC_TRY(
      record::sign_content(suite, identity.signing_key, ac.wire_format, ac.content, old_context));
  const auto interim = MPSEC_TRY(interim_transcript_hash(
      suite, info.group_context.confirmed_transcript_hash, info.confirmation_tag));
  next_context.tree_hash = MPSEC_TRY(tree.tree_hash());
  next_context.confirmed_transcript_hash = MPSEC_TRY(confirmed_transcript_hash(suite, interim, ac));
  const schedule::PskSecret no_psk(schedule::zero_secret(suite));
  const auto context_bytes = MPSEC_TRY(codec::encode(next_context));
  auto epoch_keys = MPSEC_TRY(
      schedule::advance_epoch(suite, init, schedule::CommitSecret(std::move(created.commit_secret)),
                              no_psk, context_bytes));
  ac.auth.confirmation_tag = MPSEC_TRY(suite.mac(epoch_keys.secrets.confirmation_key.view(),
                                                 next_context.confirmed_transcript_hash));
  // A new member's PublicMessage carries no membership tag.
  record::PublicMessage pm{ac.content, ac.auth, std::nullopt};
  codec::Writer w;
  record::encode_header(w, WireFormat::public_message);
  pm.encode(w);
  auto commit_bytes = MPSEC_TRY(std::move(w).finish());

  auto epoch = MPSEC_TRY(EpochState::make(
      suite, config, std::move(next_context), std::move(tree), std::move(created.keys), own,
      std::move(epoch_keys.secrets), *ac.auth.confirmation_tag));
  Group group(std::make_unique<State>(
      State{suite, config, identity.signing_key, std::move(epoch), {}, {}, {}, {}, {}, true, {}}));
  return ExternalJoinOutput{std::move(group), std::move(commit_bytes)};
}

}  // namespace mpsec::mls
