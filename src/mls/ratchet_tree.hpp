// The public ratchet tree of RFC 9420 §4 and §7: nodes in array order, resolutions,
// (filtered) direct paths, tree hashes (cached per node and invalidated along the path of
// each change, so a commit in a large group rehashes O(log n) nodes), parent hashes and
// their verification, and the structural changes proposals make (add, update, remove,
// truncate) and the merge of an UpdatePath's public keys.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "crypto/cipher_suite.hpp"
#include "mls/messages.hpp"
#include "tree/tree_math.hpp"

namespace mpsec::mls {

using tree::LeafCount;
using tree::LeafIndex;
using tree::NodeIndex;

class RatchetTree {
 public:
  explicit RatchetTree(const crypto::CipherSuite& suite) : suite_(suite) {}
  // A tree with a single leaf (a group's creator).
  static RatchetTree with_first_leaf(const crypto::CipherSuite& suite, LeafNode leaf);
  // From the ratchet_tree extension's node list: leaves at even and parents at odd
  // positions, the last node non-blank; the tree is extended with blanks to full width.
  [[nodiscard]] static Result<RatchetTree> from_nodes(const crypto::CipherSuite& suite,
                                                      RatchetTreeNodes nodes);
  [[nodiscard]] static Result<RatchetTree> decode(const crypto::CipherSuite& suite, ByteView data);
  // The node list without trailing blanks, as the ratchet_tree extension carries it.
  RatchetTreeNodes to_nodes() const;
  [[nodiscard]] Result<Bytes> encode() const;

  const crypto::CipherSuite& suite() const noexcept { return suite_; }
  LeafCount leaf_count() const noexcept {
    return LeafCount(static_cast<std::uint32_t>((nodes_.size() + 1) / 2));
  }
  std::uint32_t width() const noexcept { return static_cast<std::uint32_t>(nodes_.size()); }
  bool is_blank(NodeIndex n) const noexcept {
    return n.value >= nodes_.size() || !nodes_[n.value].has_value();
  }
  const std::optional<Node>& node(NodeIndex n) const { return nodes_.at(n.value); }
  // Null for a blank leaf or a leaf outside the tree.
  const LeafNode* leaf_node(LeafIndex l) const noexcept;
  const ParentNode* parent_node(NodeIndex n) const noexcept;
  // Indices of the non-blank leaves, in order.
  std::vector<LeafIndex> members() const;

  // RFC 9420 §4.1.1. Leaves in `exclude` are treated as blank (new members of a commit).
  std::vector<NodeIndex> resolution(NodeIndex n, std::span<const LeafIndex> exclude = {}) const;
  // The filtered direct path of a leaf with, for each node, its child on the leaf's copath.
  struct PathStep {
    NodeIndex node;
    NodeIndex copath_child;
  };
  std::vector<PathStep> filtered_direct_path(LeafIndex l) const;

  [[nodiscard]] Result<Bytes> tree_hash() const;
  [[nodiscard]] Result<Bytes> tree_hash(NodeIndex n) const;

  // The leftmost blank leaf, or the first leaf of the extension when there is none.
  LeafIndex next_free_leaf() const;
  // Add: the leftmost blank leaf (extending the tree if needed), marked unmerged in every
  // non-blank ancestor. Returns the new leaf's index.
  LeafIndex add_leaf(LeafNode leaf);
  // Update: replaces the leaf and blanks its direct path.
  [[nodiscard]] Status update_leaf(LeafIndex l, LeafNode leaf);
  // Remove: blanks the leaf and its direct path, then truncates the tree.
  [[nodiscard]] Status remove_leaf(LeafIndex l);
  void blank_direct_path(LeafIndex l);
  // Drops right halves that hold no member.
  void truncate();

  // Parent hash of `parent` with copath child `sibling` (RFC 9420 §7.9), using the original
  // sibling tree hash (parent's unmerged leaves blanked below `sibling`).
  [[nodiscard]] Result<Bytes> parent_hash(NodeIndex parent, NodeIndex sibling) const;
  // Every non-blank parent node is parent-hash valid, covered by exactly one chain.
  [[nodiscard]] Status verify_parent_hashes() const;

  // Merges the public part of an UpdatePath from `sender`: blanks its direct path, sets
  // the filtered direct path's nodes to `keys` (no unmerged leaves) with their parent hashes
  // computed from the root down, and returns the parent hash the sender's new leaf must
  // carry. Does not touch the leaf itself.
  [[nodiscard]] Result<Bytes> merge_path_keys(LeafIndex sender, std::span<const Bytes> keys);
  // Replaces a leaf without touching its path (after merge_path_keys).
  void set_leaf(LeafIndex l, LeafNode leaf);

 private:
  void set(NodeIndex n, std::optional<Node> value);
  void invalidate(NodeIndex n);
  Result<Bytes> hash_node(NodeIndex n, std::span<const LeafIndex> exclude) const;
  bool subtree_has_member(NodeIndex n) const;

  crypto::CipherSuite suite_;
  std::vector<std::optional<Node>> nodes_;
  mutable std::vector<Bytes> hash_cache_;  // empty entry: not computed
};

}  // namespace mpsec::mls
