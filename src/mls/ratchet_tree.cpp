#include "mls/ratchet_tree.hpp"

#include <algorithm>

namespace mpsec::mls {

namespace {

bool excluded(std::span<const LeafIndex> exclude, LeafIndex l) {
  return std::find(exclude.begin(), exclude.end(), l) != exclude.end();
}

bool any_in_subtree(std::span<const LeafIndex> leaves, NodeIndex n) {
  return std::any_of(leaves.begin(), leaves.end(),
                     [n](LeafIndex l) { return tree::in_subtree(l.node(), n); });
}

}  // namespace

RatchetTree RatchetTree::with_first_leaf(const crypto::CipherSuite& suite, LeafNode leaf) {
  RatchetTree t(suite);
  t.nodes_.resize(1);
  t.hash_cache_.resize(1);
  t.set(NodeIndex(0), Node{std::move(leaf)});
  return t;
}

Result<RatchetTree> RatchetTree::from_nodes(const crypto::CipherSuite& suite,
                                            RatchetTreeNodes nodes) {
  MPSEC_ENSURE(!nodes.empty(), Errc::decode_error, "empty ratchet tree");
  MPSEC_ENSURE(nodes.back().has_value(), Errc::decode_error, "ratchet tree ends with a blank node");
  MPSEC_ENSURE(nodes.size() < (std::size_t{1} << 31), Errc::limit_exceeded,
               "ratchet tree too large");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i]) continue;
    MPSEC_ENSURE(nodes[i]->is_leaf() == (i % 2 == 0), Errc::decode_error,
                 "leaf and parent nodes out of place");
  }
  // Extend to 2^(d+1) - 1 nodes with the fewest blanks.
  std::size_t width = 1;
  while (width < nodes.size())
    width = 2 * width + 1;
  nodes.resize(width);
  RatchetTree t(suite);
  t.nodes_ = std::move(nodes);
  t.hash_cache_.assign(width, {});
  return t;
}

Result<RatchetTree> RatchetTree::decode(const crypto::CipherSuite& suite, ByteView data) {
  return from_nodes(suite, MPSEC_TRY(codec::decode<RatchetTreeNodes>(data)));
}

RatchetTreeNodes RatchetTree::to_nodes() const {
  std::size_t end = nodes_.size();
  while (end > 0 && !nodes_[end - 1])
    --end;
  return RatchetTreeNodes(nodes_.begin(), nodes_.begin() + static_cast<std::ptrdiff_t>(end));
}

Result<Bytes> RatchetTree::encode() const {
  return codec::encode(to_nodes());
}

const LeafNode* RatchetTree::leaf_node(LeafIndex l) const noexcept {
  const std::size_t i = l.node().value;
  if (i >= nodes_.size() || !nodes_[i]) return nullptr;
  return &nodes_[i]->leaf();
}

const ParentNode* RatchetTree::parent_node(NodeIndex n) const noexcept {
  if (n.is_leaf() || n.value >= nodes_.size() || !nodes_[n.value]) return nullptr;
  return &nodes_[n.value]->parent();
}

std::vector<LeafIndex> RatchetTree::members() const {
  std::vector<LeafIndex> out;
  for (std::uint32_t i = 0; i < leaf_count().value; ++i)
    if (leaf_node(LeafIndex(i)) != nullptr) out.push_back(LeafIndex(i));
  return out;
}

std::vector<NodeIndex> RatchetTree::resolution(NodeIndex n,
                                               std::span<const LeafIndex> exclude) const {
  std::vector<NodeIndex> out;
  std::vector<NodeIndex> stack{n};
  // Depth-first, left first: push right after left so that left is taken first.
  while (!stack.empty()) {
    const NodeIndex x = stack.back();
    stack.pop_back();
    if (x.value >= nodes_.size()) continue;
    if (const auto& v = nodes_[x.value]) {
      if (x.is_leaf()) {
        if (!excluded(exclude, x.leaf())) out.push_back(x);
      } else {
        out.push_back(x);
        for (std::uint32_t l : v->parent().unmerged_leaves)
          if (!excluded(exclude, LeafIndex(l))) out.push_back(LeafIndex(l).node());
      }
    } else if (!x.is_leaf()) {
      stack.push_back(tree::right(x));
      stack.push_back(tree::left(x));
    }
  }
  return out;
}

std::vector<RatchetTree::PathStep> RatchetTree::filtered_direct_path(LeafIndex l) const {
  std::vector<PathStep> out;
  NodeIndex child = l.node();
  for (NodeIndex p : tree::direct_path(child, leaf_count())) {
    const NodeIndex copath = tree::left(p) == child ? tree::right(p) : tree::left(p);
    if (!resolution(copath).empty()) out.push_back({p, copath});
    child = p;
  }
  return out;
}

Result<Bytes> RatchetTree::hash_node(NodeIndex n, std::span<const LeafIndex> exclude) const {
  // Exclusions outside this subtree change nothing: use (and fill) the cache.
  const bool plain = !any_in_subtree(exclude, n);
  if (plain && !hash_cache_[n.value].empty()) return hash_cache_[n.value];
  codec::Writer w;
  const auto& v = nodes_[n.value];
  if (n.is_leaf()) {
    // TreeHashInput { leaf(1); LeafNodeHashInput { uint32 leaf_index; optional<LeafNode>; } }
    w.u8(1);
    w.u32(n.leaf().value);
    const bool present = v.has_value() && (plain || !excluded(exclude, n.leaf()));
    w.u8(present ? 1 : 0);
    if (present) codec::encode(w, v->leaf());
  } else {
    // TreeHashInput { parent(2); ParentNodeHashInput { optional<ParentNode>;
    //                 opaque left_hash<V>; opaque right_hash<V>; } }
    w.u8(2);
    w.u8(v.has_value() ? 1 : 0);
    if (v) {
      if (plain) {
        codec::encode(w, v->parent());
      } else {
        ParentNode p = v->parent();
        std::erase_if(p.unmerged_leaves,
                      [&](std::uint32_t l) { return excluded(exclude, LeafIndex(l)); });
        codec::encode(w, p);
      }
    }
    const std::span<const LeafIndex> sub = plain ? std::span<const LeafIndex>{} : exclude;
    w.opaque(MPSEC_TRY(hash_node(tree::left(n), sub)));
    w.opaque(MPSEC_TRY(hash_node(tree::right(n), sub)));
  }
  auto hash = MPSEC_TRY(suite_.hash(MPSEC_TRY(std::move(w).finish())));
  if (plain) hash_cache_[n.value] = hash;
  return hash;
}

Result<Bytes> RatchetTree::tree_hash(NodeIndex n) const {
  MPSEC_ENSURE(n.value < nodes_.size(), Errc::invalid_argument, "node outside the tree");
  return hash_node(n, {});
}

Result<Bytes> RatchetTree::tree_hash() const {
  MPSEC_ENSURE(!nodes_.empty(), Errc::invalid_state, "empty tree");
  return hash_node(tree::root(leaf_count()), {});
}

void RatchetTree::invalidate(NodeIndex n) {
  const NodeIndex root = tree::root(leaf_count());
  hash_cache_[n.value].clear();
  while (n != root) {
    n = tree::parent(n);
    hash_cache_[n.value].clear();
  }
}

void RatchetTree::set(NodeIndex n, std::optional<Node> value) {
  nodes_[n.value] = std::move(value);
  invalidate(n);
}

LeafIndex RatchetTree::next_free_leaf() const {
  for (std::uint32_t i = 0; i < leaf_count().value; ++i)
    if (!nodes_[2 * i]) return LeafIndex(i);
  return LeafIndex(leaf_count().value);
}

LeafIndex RatchetTree::add_leaf(LeafNode leaf) {
  const LeafIndex l = next_free_leaf();
  if (l.value >= leaf_count().value) {
    // Extend: the old tree becomes the left subtree of a new blank root.
    // Old nodes keep their indices (and cached hashes); the new ones are blank.
    const std::size_t width = nodes_.empty() ? 1 : 2 * nodes_.size() + 1;
    nodes_.resize(width);
    hash_cache_.resize(width);
  }
  set(l.node(), Node{std::move(leaf)});
  for (NodeIndex p : tree::direct_path(l.node(), leaf_count())) {
    if (!nodes_[p.value]) continue;
    auto& unmerged = nodes_[p.value]->parent().unmerged_leaves;
    unmerged.insert(std::upper_bound(unmerged.begin(), unmerged.end(), l.value), l.value);
    invalidate(p);
  }
  return l;
}

void RatchetTree::blank_direct_path(LeafIndex l) {
  for (NodeIndex p : tree::direct_path(l.node(), leaf_count()))
    if (nodes_[p.value]) set(p, std::nullopt);
}

Status RatchetTree::update_leaf(LeafIndex l, LeafNode leaf) {
  MPSEC_ENSURE(leaf_node(l) != nullptr, Errc::invalid_argument, "update of a blank leaf");
  set(l.node(), Node{std::move(leaf)});
  blank_direct_path(l);
  return ok();
}

void RatchetTree::set_leaf(LeafIndex l, LeafNode leaf) {
  set(l.node(), Node{std::move(leaf)});
}

Status RatchetTree::remove_leaf(LeafIndex l) {
  MPSEC_ENSURE(leaf_node(l) != nullptr, Errc::invalid_argument, "removal of a blank leaf");
  set(l.node(), std::nullopt);
  blank_direct_path(l);
  truncate();
  return ok();
}

bool RatchetTree::subtree_has_member(NodeIndex n) const {
  const std::uint32_t k = tree::level(n);
  const std::uint32_t first = (n.value >> (k + 1)) << (k + 1);  // leftmost node of the subtree
  const std::uint32_t last = std::min<std::uint32_t>(first + (2u << k) - 2, width() - 1);
  for (std::uint32_t i = first; i <= last; i += 2)
    if (nodes_[i]) return true;
  return false;
}

void RatchetTree::truncate() {
  while (nodes_.size() > 1 && !subtree_has_member(tree::right(tree::root(leaf_count())))) {
    const std::size_t width = (nodes_.size() - 1) / 2;
    nodes_.resize(width);
    // Hashes of the left half are unaffected, except that its root is now the tree's root.
    hash_cache_.resize(width);
  }
}

Result<Bytes> RatchetTree::parent_hash(NodeIndex parent, NodeIndex sibling) const {
  const ParentNode* p = parent_node(parent);
  MPSEC_ENSURE(p != nullptr, Errc::invalid_argument, "parent hash of a blank node");
  std::vector<LeafIndex> unmerged;
  for (std::uint32_t l : p->unmerged_leaves)
    unmerged.push_back(LeafIndex(l));
  // struct { HPKEPublicKey encryption_key; opaque parent_hash<V>;
  //          opaque original_sibling_tree_hash<V>; } ParentHashInput;
  codec::Writer w;
  w.opaque(p->encryption_key);
  w.opaque(p->parent_hash);
  w.opaque(MPSEC_TRY(hash_node(sibling, unmerged)));
  return suite_.hash(MPSEC_TRY(std::move(w).finish()));
}

Status RatchetTree::verify_parent_hashes() const {
  for (std::uint32_t i = 1; i < width(); i += 2) {
    const NodeIndex p(i);
    const ParentNode* pn = parent_node(p);
    if (pn == nullptr) continue;
    std::size_t chains = 0;
    for (const auto& [c, s] :
         {std::pair{tree::left(p), tree::right(p)}, std::pair{tree::right(p), tree::left(p)}}) {
      if (c.value >= width()) continue;
      const auto res = resolution(c);
      if (res.empty()) continue;
      const Bytes expected = MPSEC_TRY(parent_hash(p, s));
      // P's unmerged leaves below C, as nodes.
      std::vector<NodeIndex> unmerged_below;
      for (std::uint32_t l : pn->unmerged_leaves)
        if (tree::in_subtree(LeafIndex(l).node(), c)) unmerged_below.push_back(LeafIndex(l).node());
      for (NodeIndex d : res) {
        const auto& dv = *nodes_[d.value];
        const Bytes* ph = nullptr;
        if (dv.is_leaf()) {
          if (dv.leaf().leaf_node_source == LeafNodeSource::commit) ph = &dv.leaf().parent_hash;
        } else {
          ph = &dv.parent().parent_hash;
        }
        if (ph == nullptr || *ph != expected) continue;
        std::vector<NodeIndex> rest;
        for (NodeIndex x : res)
          if (x != d) rest.push_back(x);
        std::sort(rest.begin(), rest.end());
        std::vector<NodeIndex> want = unmerged_below;
        std::sort(want.begin(), want.end());
        if (rest == want) ++chains;
      }
    }
    MPSEC_ENSURE(chains == 1, Errc::authentication_failed,
                 "parent node " + std::to_string(i) + " is not parent-hash valid");
  }
  return ok();
}

Result<Bytes> RatchetTree::merge_path_keys(LeafIndex sender, std::span<const Bytes> keys) {
  MPSEC_ENSURE(sender.value < leaf_count().value, Errc::invalid_argument,
               "sender outside the tree");
  blank_direct_path(sender);
  const auto path = filtered_direct_path(sender);
  MPSEC_ENSURE(path.size() == keys.size(), Errc::decode_error,
               "UpdatePath length differs from the filtered direct path");
  for (std::size_t i = 0; i < path.size(); ++i)
    set(path[i].node, Node{ParentNode{to_bytes(keys[i]), {}, {}}});
  // Parent hashes from the root down: each node's parent_hash is the parent hash of the
  // next node up the filtered path, with that node's copath child.
  Bytes above;  // the root's parent_hash is empty
  for (std::size_t i = path.size(); i-- > 0;) {
    nodes_[path[i].node.value]->parent().parent_hash = above;
    invalidate(path[i].node);
    above = MPSEC_TRY(parent_hash(path[i].node, path[i].copath_child));
  }
  return above;
}

}  // namespace mpsec::mls
