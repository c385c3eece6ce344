#include "mls/tree_kem.hpp"

#include "mls/leaf_node.hpp"

namespace mpsec::mls {

namespace {
constexpr std::string_view kUpdatePathLabel = "UpdatePathNode";
}

const crypto::DhPrivateKey* TreePrivateKeys::key(NodeIndex n) const {
  auto it = keys_.find(n.value);
  return it == keys_.end() ? nullptr : &it->second;
}

Result<crypto::DhPrivateKey> node_key_from_path_secret(const crypto::CipherSuite& suite,
                                                       ByteView path_secret) {
  auto node_secret = MPSEC_TRY(suite.derive_secret(path_secret, "node"));
  return crypto::DhPrivateKey::derive(suite.kem(), node_secret.view());
}

Result<SecretBytes> TreePrivateKeys::implant(const RatchetTree& tree,
                                             std::span<const NodeIndex> nodes,
                                             SecretBytes path_secret) {
  const auto& suite = tree.suite();
  for (NodeIndex n : nodes) {
    auto key = MPSEC_TRY(node_key_from_path_secret(suite, path_secret.view()));
    const auto& public_node = tree.node(n);
    MPSEC_ENSURE(public_node && equal(public_node->encryption_key(), key.public_key().bytes()),
                 Errc::authentication_failed, "derived key differs from the UpdatePath's");
    set(n, std::move(key));
    path_secret = MPSEC_TRY(suite.derive_secret(path_secret.view(), "path"));
  }
  return path_secret;
}

void TreePrivateKeys::prune(const RatchetTree& tree) {
  std::erase_if(keys_, [&](const auto& entry) {
    const NodeIndex n(entry.first);
    if (n.value >= tree.width() || tree.is_blank(n)) return true;
    return !equal(tree.node(n)->encryption_key(), entry.second.public_key().bytes());
  });
}

Status TreePrivateKeys::check_consistent(const RatchetTree& tree) const {
  for (const auto& [index, key] : keys_) {
    const NodeIndex n(index);
    MPSEC_ENSURE(n.value < tree.width() && !tree.is_blank(n), Errc::invalid_state,
                 "a private key for a blank node");
    MPSEC_ENSURE(equal(tree.node(n)->encryption_key(), key.public_key().bytes()),
                 Errc::invalid_state, "a private key that does not match the tree");
  }
  return ok();
}

Status merge_update_path(RatchetTree& tree, LeafIndex sender, const UpdatePath& path) {
  MPSEC_ENSURE(path.leaf_node.leaf_node_source == LeafNodeSource::commit, Errc::decode_error,
               "an UpdatePath leaf must have source commit");
  std::vector<Bytes> keys;
  keys.reserve(path.nodes.size());
  for (const auto& n : path.nodes)
    keys.push_back(n.encryption_key);
  const Bytes expected = MPSEC_TRY(tree.merge_path_keys(sender, keys));
  MPSEC_ENSURE(path.leaf_node.parent_hash == expected, Errc::authentication_failed,
               "the UpdatePath's leaf carries the wrong parent hash");
  tree.set_leaf(sender, path.leaf_node);
  return ok();
}

Result<CreatedPath> create_update_path(RatchetTree& tree, LeafIndex own,
                                       const LeafNode& leaf_template,
                                       const crypto::SigningKey& signer, ByteView group_id,
                                       std::span<const LeafIndex> exclude,
                                       const GroupContextFn& group_context, Random& rng) {
  const auto& suite = tree.suite();
  SecretBytes leaf_secret(suite.hash_size());
  MPSEC_TRY(rng.fill(leaf_secret.mutable_view()));
  auto leaf_key = MPSEC_TRY(node_key_from_path_secret(suite, leaf_secret.view()));

  // path_secret[0] = DeriveSecret(leaf_secret, "path"), then one per filtered-path node.
  tree.blank_direct_path(own);
  const auto steps = tree.filtered_direct_path(own);
  CreatedPath out;
  out.keys = TreePrivateKeys(own, leaf_key);
  SecretBytes secret = MPSEC_TRY(suite.derive_secret(leaf_secret.view(), "path"));
  std::vector<Bytes> public_keys;
  for (const auto& step : steps) {
    auto key = MPSEC_TRY(node_key_from_path_secret(suite, secret.view()));
    public_keys.push_back(key.public_key().bytes());
    out.keys.set(step.node, std::move(key));
    auto next = MPSEC_TRY(suite.derive_secret(secret.view(), "path"));
    out.path_secrets.emplace_back(step.node, std::move(secret));
    secret = std::move(next);
  }
  out.commit_secret = std::move(secret);

  // The new leaf, carrying the parent hash of the merged path, signed for this group.
  LeafNode leaf = leaf_template;
  leaf.leaf_node_source = LeafNodeSource::commit;
  leaf.encryption_key = leaf_key.public_key().bytes();
  leaf.lifetime = {};
  leaf.parent_hash = MPSEC_TRY(tree.merge_path_keys(own, public_keys));
  MPSEC_TRY(sign_leaf_node(suite, signer, leaf, group_id, own.value));
  tree.set_leaf(own, leaf);

  const Bytes context = MPSEC_TRY(group_context(tree));
  out.path.leaf_node = std::move(leaf);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    UpdatePathNode node{public_keys[i], {}};
    for (NodeIndex r : tree.resolution(steps[i].copath_child, exclude)) {
      auto pk = MPSEC_TRY(crypto::DhPublicKey::parse(suite.kem(), tree.node(r)->encryption_key()));
      auto ct = MPSEC_TRY(suite.encrypt_with_label(pk, kUpdatePathLabel, context,
                                                   out.path_secrets[i].second.view(), rng));
      node.encrypted_path_secret.push_back({std::move(ct.kem_output), std::move(ct.ciphertext)});
    }
    out.path.nodes.push_back(std::move(node));
  }
  return out;
}

Result<ProcessedPath> process_update_path(RatchetTree& tree, const TreePrivateKeys& keys,
                                          LeafIndex sender, const UpdatePath& path,
                                          std::span<const LeafIndex> exclude,
                                          const GroupContextFn& group_context) {
  const auto& suite = tree.suite();
  const LeafIndex own = keys.own_leaf();
  MPSEC_ENSURE(own != sender, Errc::invalid_argument, "a member cannot process its own path");
  const auto steps = tree.filtered_direct_path(sender);
  MPSEC_ENSURE(steps.size() == path.nodes.size(), Errc::decode_error,
               "UpdatePath length differs from the filtered direct path");
  // Resolutions are taken before the merge, which changes only the sender's direct path.
  std::size_t at = steps.size();
  for (std::size_t i = 0; i < steps.size() && at == steps.size(); ++i)
    if (tree::in_subtree(own.node(), steps[i].copath_child)) at = i;
  MPSEC_ENSURE(at < steps.size(), Errc::invalid_state, "this member is not below the path");
  const auto res = tree.resolution(steps[at].copath_child, exclude);
  const auto& cts = path.nodes[at].encrypted_path_secret;
  MPSEC_ENSURE(cts.size() == res.size(), Errc::decode_error,
               "encrypted path secrets do not match the copath resolution");

  MPSEC_TRY(merge_update_path(tree, sender, path));
  const Bytes context = MPSEC_TRY(group_context(tree));

  std::size_t j = 0;
  while (j < res.size() && keys.key(res[j]) == nullptr)
    ++j;
  MPSEC_ENSURE(j < res.size(), Errc::invalid_state, "no private key to decrypt the path secret");
  auto path_secret = MPSEC_TRY(suite.decrypt_with_label(
      *keys.key(res[j]), kUpdatePathLabel, context, cts[j].kem_output, cts[j].ciphertext));
  ProcessedPath out{{}, keys, steps[at].node, path_secret.clone()};
  out.keys.prune(tree);
  std::vector<NodeIndex> nodes;
  for (std::size_t i = at; i < steps.size(); ++i)
    nodes.push_back(steps[i].node);
  out.commit_secret = MPSEC_TRY(out.keys.implant(tree, nodes, std::move(path_secret)));
  return out;
}

}  // namespace mpsec::mls
