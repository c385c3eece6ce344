/* Array-based binary tree math of RFC 9420 Appendix C, on strong index types.

                              X
                .-------------+-------------.
                X                           X
         .------+------.             .------+------.
         X             X             X             X
       /   \         /   \         /   \         /   \
      X     X       X     X       X     X       X     X
   Node: 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14
   Leaf: 0     1     2     3     4     5     6     7

   Leaves sit at even node indices (leaf i is node 2i), parents at odd ones. RFC 9420 trees
   always hold a power-of-two number of leaves; the functions below assume that. */
#pragma once

#include <compare>
#include <cstdint>
#include <vector>

namespace mpsec::tree {

struct NodeIndex;

struct LeafCount {
  std::uint32_t value = 0;
  constexpr LeafCount() = default;
  constexpr explicit LeafCount(std::uint32_t v) : value(v) {}
  // The smallest power of two that is >= n (the leaf count of a full tree holding n).
  static LeafCount full(std::uint32_t n);
  constexpr auto operator<=>(const LeafCount&) const = default;
};

struct NodeCount {
  std::uint32_t value = 0;
  constexpr NodeCount() = default;
  constexpr explicit NodeCount(std::uint32_t v) : value(v) {}
  explicit NodeCount(LeafCount n);  // node_width(n)
  constexpr auto operator<=>(const NodeCount&) const = default;
};

struct LeafIndex {
  std::uint32_t value = 0;
  constexpr LeafIndex() = default;
  constexpr explicit LeafIndex(std::uint32_t v) : value(v) {}
  constexpr NodeIndex node() const;
  constexpr auto operator<=>(const LeafIndex&) const = default;
};

struct NodeIndex {
  std::uint32_t value = 0;
  constexpr NodeIndex() = default;
  constexpr explicit NodeIndex(std::uint32_t v) : value(v) {}
  constexpr bool is_leaf() const { return (value & 1u) == 0; }
  // Only for leaves (is_leaf()).
  constexpr LeafIndex leaf() const { return LeafIndex(value >> 1); }
  constexpr auto operator<=>(const NodeIndex&) const = default;
};

constexpr NodeIndex LeafIndex::node() const {
  return NodeIndex(value << 1);
}

// The exponent of the largest power of 2 <= x (0 for x == 0).
std::uint32_t log2(std::uint32_t x);
// Leaves are level 0, their parents level 1, and so on.
std::uint32_t level(NodeIndex x);
NodeCount node_width(LeafCount n);
NodeIndex root(LeafCount n);
bool is_root(NodeIndex x, LeafCount n);
// Children of a parent node (x must not be a leaf).
NodeIndex left(NodeIndex x);
NodeIndex right(NodeIndex x);
// Parent and sibling (x must not be the root of the tree it is used in).
NodeIndex parent(NodeIndex x);
NodeIndex sibling(NodeIndex x);
// Ordered from the node's parent up to and including the root; empty for the root. A node
// outside the tree yields at most log2(n) entries (never the tree's root).
std::vector<NodeIndex> direct_path(NodeIndex x, LeafCount n);
// The siblings of x and of its direct path except the root, from x upwards.
std::vector<NodeIndex> copath(NodeIndex x, LeafCount n);
// The lowest node whose subtree holds both x and y.
NodeIndex common_ancestor(NodeIndex x, NodeIndex y);
// Whether x lies in the subtree rooted at `ancestor` (a node is in its own subtree).
bool in_subtree(NodeIndex x, NodeIndex ancestor);

}  // namespace mpsec::tree
