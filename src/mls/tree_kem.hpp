// TreeKEM (RFC 9420 §7.4-7.6): a member's private keys for its leaf and for the nodes of
// its direct path, and the creation and processing of UpdatePaths.
#pragma once

#include <functional>
#include <map>

#include "mls/ratchet_tree.hpp"

namespace mpsec::mls {

// The HPKE private keys one member holds: its leaf's and those of some ancestors.
class TreePrivateKeys {
 public:
  TreePrivateKeys() = default;
  TreePrivateKeys(LeafIndex own, crypto::DhPrivateKey leaf_key) : own_(own) {
    keys_.emplace(own.node().value, std::move(leaf_key));
  }

  LeafIndex own_leaf() const noexcept { return own_; }
  const crypto::DhPrivateKey* key(NodeIndex n) const;
  void set(NodeIndex n, crypto::DhPrivateKey key) {
    keys_.insert_or_assign(n.value, std::move(key));
  }
  // Derives and stores the keys of `nodes` (in order up the tree) from the path secret of
  // the first; checks each public key against the tree. Returns the secret after the last
  // (the commit secret when `nodes` ends at the root of a path).
  [[nodiscard]] Result<SecretBytes> implant(const RatchetTree& tree,
                                            std::span<const NodeIndex> nodes,
                                            SecretBytes path_secret);
  // Drops keys of nodes that are blank or whose public key changed in `tree`.
  void prune(const RatchetTree& tree);
  // Every held key matches the public key at its node in `tree`.
  [[nodiscard]] Status check_consistent(const RatchetTree& tree) const;
  const std::map<std::uint32_t, crypto::DhPrivateKey>& all() const noexcept { return keys_; }

 private:
  LeafIndex own_;
  std::map<std::uint32_t, crypto::DhPrivateKey> keys_;  // by node index
};

// The provisional GroupContext (encoded) of a tree: computed once the path is merged.
using GroupContextFn = std::function<Result<Bytes>(const RatchetTree&)>;

// node_secret = DeriveSecret(path_secret, "node"); KEM.DeriveKeyPair(node_secret)
[[nodiscard]] Result<crypto::DhPrivateKey> node_key_from_path_secret(
    const crypto::CipherSuite& suite, ByteView path_secret);

struct CreatedPath {
  UpdatePath path;
  SecretBytes commit_secret;
  // The path secret of each node of the filtered direct path (for Welcome messages).
  std::vector<std::pair<NodeIndex, SecretBytes>> path_secrets;
  TreePrivateKeys keys;
};

// Creates an UpdatePath for `own` and merges it into `tree`: fresh keys for the leaf and its
// filtered direct path, the new leaf (source commit, built from `leaf_template`'s credential,
// capabilities and extensions) signed for `group_id`, and the path secrets encrypted to the
// copath resolutions (without the leaves in `exclude`, the commit's new members) under the
// provisional group context.
[[nodiscard]] Result<CreatedPath> create_update_path(
    RatchetTree& tree, LeafIndex own, const LeafNode& leaf_template,
    const crypto::SigningKey& signer, ByteView group_id, std::span<const LeafIndex> exclude,
    const GroupContextFn& group_context, Random& rng);

struct ProcessedPath {
  SecretBytes commit_secret;
  TreePrivateKeys keys;
  // The node whose path secret this member decrypted (its lowest common ancestor with the
  // sender on the filtered path) and that secret.
  NodeIndex decrypted_at;
  SecretBytes path_secret;
};

// Merges `sender`'s UpdatePath into `tree` (checking the new leaf's parent hash) and
// decrypts the path secret this member can read. `keys` are the member's keys before.
[[nodiscard]] Result<ProcessedPath> process_update_path(RatchetTree& tree,
                                                        const TreePrivateKeys& keys,
                                                        LeafIndex sender, const UpdatePath& path,
                                                        std::span<const LeafIndex> exclude,
                                                        const GroupContextFn& group_context);

// The public half of processing: merges the path's keys into `tree`, checks the parent hash
// of the new leaf and installs it. Also used to validate paths without private keys.
[[nodiscard]] Status merge_update_path(RatchetTree& tree, LeafIndex sender, const UpdatePath& path);

}  // namespace mpsec::mls
