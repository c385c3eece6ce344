#include "tree/tree_math.hpp"

#include <bit>

namespace mpsec::tree {

LeafCount LeafCount::full(std::uint32_t n) {
  return LeafCount(n <= 1 ? 1 : std::bit_ceil(n));
}

NodeCount::NodeCount(LeafCount n) : value(node_width(n).value) {}

std::uint32_t log2(std::uint32_t x) {
  return x == 0 ? 0 : std::bit_width(x) - 1;
}

std::uint32_t level(NodeIndex x) {
  // The number of trailing one bits.
  return static_cast<std::uint32_t>(std::countr_one(x.value));
}

NodeCount node_width(LeafCount n) {
  return NodeCount(n.value == 0 ? 0 : 2 * (n.value - 1) + 1);
}

NodeIndex root(LeafCount n) {
  const std::uint32_t w = node_width(n).value;
  return NodeIndex((std::uint32_t{1} << log2(w)) - 1);
}

bool is_root(NodeIndex x, LeafCount n) {
  return x == root(n);
}

NodeIndex left(NodeIndex x) {
  const std::uint32_t k = level(x);
  return NodeIndex(x.value ^ (std::uint32_t{1} << (k - 1)));
}

NodeIndex right(NodeIndex x) {
  const std::uint32_t k = level(x);
  return NodeIndex(x.value ^ (std::uint32_t{3} << (k - 1)));
}

NodeIndex parent(NodeIndex x) {
  const std::uint32_t k = level(x);
  const std::uint32_t b = (x.value >> (k + 1)) & 1u;
  return NodeIndex((x.value | (std::uint32_t{1} << k)) ^ (b << (k + 1)));
}

NodeIndex sibling(NodeIndex x) {
  const NodeIndex p = parent(x);
  return x < p ? right(p) : left(p);
}

std::vector<NodeIndex> direct_path(NodeIndex x, LeafCount n) {
  std::vector<NodeIndex> out;
  const NodeIndex r = root(n);
  const std::uint32_t top = level(r);
  out.reserve(top);
  // Bounded by the root's level, so a node outside the tree cannot loop forever.
  while (x != r && level(x) < top) {
    x = parent(x);
    out.push_back(x);
  }
  return out;
}

std::vector<NodeIndex> copath(NodeIndex x, LeafCount n) {
  std::vector<NodeIndex> out;
  const NodeIndex r = root(n);
  const std::uint32_t top = level(r);
  out.reserve(top);
  while (x != r && level(x) < top) {
    out.push_back(sibling(x));
    x = parent(x);
  }
  return out;
}

NodeIndex common_ancestor(NodeIndex x, NodeIndex y) {
  // Shift off the bits below the level of the lowest common subtree (RFC 9420 Appendix C,
  // common_ancestor_direct). 64-bit arithmetic: a level-31 node shifts by 32.
  const std::uint64_t xv = x.value, yv = y.value;
  const std::uint32_t lx = level(x) + 1;
  const std::uint32_t ly = level(y) + 1;
  if (lx <= ly && (xv >> ly) == (yv >> ly)) return y;
  if (ly <= lx && (xv >> lx) == (yv >> lx)) return x;
  std::uint64_t xn = xv, yn = yv;
  std::uint32_t k = 0;
  while (xn != yn) {
    xn >>= 1;
    yn >>= 1;
    ++k;
  }
  return NodeIndex(static_cast<std::uint32_t>((xn << k) + (std::uint64_t{1} << (k - 1)) - 1));
}

bool in_subtree(NodeIndex x, NodeIndex ancestor) {
  const std::uint32_t k = level(ancestor);
  // The subtree of a level-k node spans the 2^(k+1) - 1 indices centred on it.
  const std::uint64_t half = (std::uint64_t{1} << k) - 1;
  const std::uint64_t a = ancestor.value;
  return std::uint64_t{x.value} + half >= a && x.value <= a + half;
}

}  // namespace mpsec::tree
