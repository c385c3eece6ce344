// Array-based tree math (RFC 9420 Appendix C), against the RFC's 8-leaf example and against a
// brute-force tree built from explicit links.
#include "tree/tree_math.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <vector>

namespace mpsec::tree {
namespace {

NodeIndex N(std::uint32_t v) {
  return NodeIndex(v);
}

std::vector<std::uint32_t> values(const std::vector<NodeIndex>& nodes) {
  std::vector<std::uint32_t> out;
  for (NodeIndex n : nodes)
    out.push_back(n.value);
  return out;
}

// --- RFC 9420 Appendix C, the tree with 8 leaves --------------------------------------------
/*
                              X(7)
                .-------------+-------------.
               X(3)                        X(11)
        .------+------.             .------+------.
       X(1)          X(5)          X(9)          X(13)
      /   \         /   \         /   \         /   \
     0     2       4     6       8    10       12    14
*/

const LeafCount kEight(8);

TEST(TreeMath, EightLeaves_RootWidthAndLevels) {
  EXPECT_EQ(root(kEight), N(7));
  EXPECT_TRUE(is_root(N(7), kEight));
  EXPECT_FALSE(is_root(N(3), kEight));
  EXPECT_EQ(node_width(kEight), NodeCount(15));
  EXPECT_EQ(NodeCount(kEight), NodeCount(15));
  const std::uint32_t levels[15] = {0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0};
  for (std::uint32_t i = 0; i < 15; ++i)
    EXPECT_EQ(level(N(i)), levels[i]) << i;
}

TEST(TreeMath, EightLeaves_Children) {
  EXPECT_EQ(left(N(7)), N(3));
  EXPECT_EQ(right(N(7)), N(11));
  EXPECT_EQ(left(N(3)), N(1));
  EXPECT_EQ(right(N(3)), N(5));
  EXPECT_EQ(left(N(11)), N(9));
  EXPECT_EQ(right(N(11)), N(13));
  EXPECT_EQ(left(N(1)), N(0));
  EXPECT_EQ(right(N(1)), N(2));
  EXPECT_EQ(left(N(5)), N(4));
  EXPECT_EQ(right(N(5)), N(6));
  EXPECT_EQ(left(N(13)), N(12));
  EXPECT_EQ(right(N(13)), N(14));
}

TEST(TreeMath, EightLeaves_Parents) {
  const std::map<std::uint32_t, std::uint32_t> parents = {
      {0, 1},   {2, 1}, {4, 5}, {6, 5},  {8, 9},   {10, 9}, {12, 13},
      {14, 13}, {1, 3}, {5, 3}, {9, 11}, {13, 11}, {3, 7},  {11, 7}};
  for (auto [child, par] : parents)
    EXPECT_EQ(parent(N(child)), N(par)) << child;
}

TEST(TreeMath, EightLeaves_Siblings) {
  const std::map<std::uint32_t, std::uint32_t> siblings = {{0, 2},   {2, 0},   {4, 6},  {6, 4},
                                                           {12, 14}, {14, 12}, {1, 5},  {5, 1},
                                                           {9, 13},  {13, 9},  {3, 11}, {11, 3}};
  for (auto [node, sib] : siblings)
    EXPECT_EQ(sibling(N(node)), N(sib)) << node;
}

TEST(TreeMath, EightLeaves_DirectPathAndCopathOfLeaf0) {
  const NodeIndex leaf0 = LeafIndex(0).node();
  EXPECT_EQ(leaf0, N(0));
  EXPECT_EQ(values(direct_path(leaf0, kEight)), (std::vector<std::uint32_t>{1, 3, 7}));
  EXPECT_EQ(values(copath(leaf0, kEight)), (std::vector<std::uint32_t>{2, 5, 11}));
}

TEST(TreeMath, EightLeaves_DirectPathAndCopathOfLeaf7) {
  const NodeIndex leaf7 = LeafIndex(7).node();
  EXPECT_EQ(leaf7, N(14));
  EXPECT_EQ(values(direct_path(leaf7, kEight)), (std::vector<std::uint32_t>{13, 11, 7}));
  EXPECT_EQ(values(copath(leaf7, kEight)), (std::vector<std::uint32_t>{12, 9, 3}));
}

TEST(TreeMath, EightLeaves_DirectPathOfInnerNodeAndRoot) {
  EXPECT_EQ(values(direct_path(N(9), kEight)), (std::vector<std::uint32_t>{11, 7}));
  EXPECT_EQ(values(copath(N(9), kEight)), (std::vector<std::uint32_t>{13, 3}));
  EXPECT_TRUE(direct_path(N(7), kEight).empty());
  EXPECT_TRUE(copath(N(7), kEight).empty());
}

TEST(TreeMath, EightLeaves_CommonAncestors) {
  EXPECT_EQ(common_ancestor(N(0), N(2)), N(1));
  EXPECT_EQ(common_ancestor(N(0), N(6)), N(3));
  EXPECT_EQ(common_ancestor(N(0), N(14)), N(7));
  EXPECT_EQ(common_ancestor(N(8), N(14)), N(11));
  EXPECT_EQ(common_ancestor(N(5), N(6)), N(5));
  EXPECT_EQ(common_ancestor(N(3), N(6)), N(3));
  EXPECT_EQ(common_ancestor(N(4), N(4)), N(4));
}

TEST(TreeMath, LeafAndNodeIndexConversions) {
  for (std::uint32_t i = 0; i < 100; ++i) {
    const NodeIndex n = LeafIndex(i).node();
    EXPECT_EQ(n.value, 2 * i);
    EXPECT_TRUE(n.is_leaf());
    EXPECT_EQ(n.leaf(), LeafIndex(i));
    EXPECT_FALSE(NodeIndex(2 * i + 1).is_leaf());
  }
}

TEST(TreeMath, Log2) {
  EXPECT_EQ(log2(0), 0u);
  EXPECT_EQ(log2(1), 0u);
  EXPECT_EQ(log2(2), 1u);
  EXPECT_EQ(log2(3), 1u);
  EXPECT_EQ(log2(4), 2u);
  EXPECT_EQ(log2(15), 3u);
  EXPECT_EQ(log2(16), 4u);
  EXPECT_EQ(log2(0xffffffffu), 31u);
}

TEST(TreeMath, NodeWidthAndRoot_SmallTrees) {
  EXPECT_EQ(node_width(LeafCount(0)), NodeCount(0));
  EXPECT_EQ(node_width(LeafCount(1)), NodeCount(1));
  EXPECT_EQ(node_width(LeafCount(2)), NodeCount(3));
  EXPECT_EQ(node_width(LeafCount(4)), NodeCount(7));
  EXPECT_EQ(node_width(LeafCount(32)), NodeCount(63));
  EXPECT_EQ(root(LeafCount(1)), N(0));
  EXPECT_EQ(root(LeafCount(2)), N(1));
  EXPECT_EQ(root(LeafCount(4)), N(3));
  EXPECT_EQ(root(LeafCount(16)), N(15));
  EXPECT_EQ(root(LeafCount(32)), N(31));
  EXPECT_EQ(root(LeafCount(1u << 31)), N(0x7fffffff));
  EXPECT_TRUE(direct_path(N(0), LeafCount(1)).empty());
  EXPECT_TRUE(copath(N(0), LeafCount(1)).empty());
}

TEST(TreeMath, LeafCountFull_RoundsUpToPowerOfTwo) {
  EXPECT_EQ(LeafCount::full(0), LeafCount(1));
  EXPECT_EQ(LeafCount::full(1), LeafCount(1));
  EXPECT_EQ(LeafCount::full(2), LeafCount(2));
  EXPECT_EQ(LeafCount::full(3), LeafCount(4));
  EXPECT_EQ(LeafCount::full(5), LeafCount(8));
  EXPECT_EQ(LeafCount::full(8), LeafCount(8));
  EXPECT_EQ(LeafCount::full(9), LeafCount(16));
  EXPECT_EQ(LeafCount::full(1u << 31), LeafCount(1u << 31));
}

// --- brute force ---------------------------------------------------------------------------
//
// A full tree of n = 2^d leaves built from links: the root of the node range [lo, hi] is its
// midpoint, its children the roots of the two halves. Nothing here uses the bit tricks.

struct LinkedTree {
  std::map<std::uint32_t, std::uint32_t> parent;
  std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> children;
  std::map<std::uint32_t, std::uint32_t> level;
  std::uint32_t root = 0;
  std::uint32_t width = 0;

  explicit LinkedTree(std::uint32_t leaves) {
    width = 2 * leaves - 1;
    root = build(0, width - 1);
  }

  std::uint32_t build(std::uint32_t lo, std::uint32_t hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (lo == hi) {
      level[mid] = 0;
      return mid;
    }
    const std::uint32_t l = build(lo, mid - 1);
    const std::uint32_t r = build(mid + 1, hi);
    parent[l] = mid;
    parent[r] = mid;
    children[mid] = {l, r};
    level[mid] = level[l] + 1;
    return mid;
  }

  // The node itself, then each ancestor up to the root.
  std::vector<std::uint32_t> path_up(std::uint32_t x) const {
    std::vector<std::uint32_t> out{x};
    while (x != root) {
      x = parent.at(x);
      out.push_back(x);
    }
    return out;
  }

  std::uint32_t sibling_of(std::uint32_t x) const {
    const auto [l, r] = children.at(parent.at(x));
    return x == l ? r : l;
  }

  // RFC 9420 Appendix C common_ancestor_semantic: the lowest node on both paths.
  std::uint32_t common_ancestor_semantic(std::uint32_t x, std::uint32_t y) const {
    const auto px = path_up(x);
    const auto py = path_up(y);
    const std::set<std::uint32_t> sy(py.begin(), py.end());
    for (std::uint32_t a : px)
      if (sy.count(a)) return a;  // px is ordered bottom-up, so the first hit is the lowest
    ADD_FAILURE() << "no common ancestor";
    return 0;
  }

  bool in_subtree_semantic(std::uint32_t x, std::uint32_t ancestor) const {
    for (std::uint32_t a : path_up(x))
      if (a == ancestor) return true;
    return false;
  }
};

TEST(TreeMathBruteForce, StructureMatchesLinkedTree_UpTo64Leaves) {
  for (std::uint32_t leaves = 1; leaves <= 64; leaves *= 2) {
    const LinkedTree t(leaves);
    const LeafCount n(leaves);
    ASSERT_EQ(node_width(n).value, t.width);
    ASSERT_EQ(root(n).value, t.root) << leaves;
    for (std::uint32_t x = 0; x < t.width; ++x) {
      SCOPED_TRACE(::testing::Message() << "leaves=" << leaves << " node=" << x);
      EXPECT_EQ(level(N(x)), t.level.at(x));
      EXPECT_EQ(NodeIndex(x).is_leaf(), t.level.at(x) == 0);
      if (t.children.count(x)) {
        EXPECT_EQ(left(N(x)).value, t.children.at(x).first);
        EXPECT_EQ(right(N(x)).value, t.children.at(x).second);
      }
      if (x != t.root) {
        EXPECT_EQ(parent(N(x)).value, t.parent.at(x));
        EXPECT_EQ(sibling(N(x)).value, t.sibling_of(x));
      }
      auto up = t.path_up(x);
      const std::vector<std::uint32_t> expected_dpath(up.begin() + 1, up.end());
      EXPECT_EQ(values(direct_path(N(x), n)), expected_dpath);
      std::vector<std::uint32_t> expected_copath;
      for (std::size_t i = 0; i + 1 < up.size(); ++i)
        expected_copath.push_back(t.sibling_of(up[i]));
      EXPECT_EQ(values(copath(N(x), n)), expected_copath);
    }
  }
}

TEST(TreeMathBruteForce, CommonAncestor_AllPairsOf32LeafTree) {
  const LinkedTree t(32);
  for (std::uint32_t x = 0; x < t.width; ++x) {
    for (std::uint32_t y = 0; y < t.width; ++y) {
      ASSERT_EQ(common_ancestor(N(x), N(y)).value, t.common_ancestor_semantic(x, y))
          << "x=" << x << " y=" << y;
    }
  }
}

TEST(TreeMathBruteForce, InSubtree_AllPairsOf32LeafTree) {
  const LinkedTree t(32);
  for (std::uint32_t x = 0; x < t.width; ++x) {
    for (std::uint32_t a = 0; a < t.width; ++a) {
      ASSERT_EQ(in_subtree(N(x), N(a)), t.in_subtree_semantic(x, a)) << "x=" << x << " a=" << a;
    }
  }
}

TEST(TreeMath, InSubtree_NearTheTopOfTheIndexRange) {
  // Root of a 2^31-leaf tree; its subtree spans every index up to 2^32 - 2.
  const NodeIndex top(0x7fffffff);
  EXPECT_TRUE(in_subtree(N(0), top));
  EXPECT_TRUE(in_subtree(N(0xfffffffe), top));
  EXPECT_TRUE(in_subtree(top, top));
  // The right child of that root and its leftmost leaf.
  const NodeIndex r = right(top);
  EXPECT_EQ(r, N(0xbfffffff));
  EXPECT_TRUE(in_subtree(N(0x80000000), r));
  EXPECT_FALSE(in_subtree(N(0x7ffffffe), r));
}

// A node index beyond the tree (e.g. an unvalidated index taken from the wire) must not send
// direct_path/copath into an endless climb: there the loop never meets the root, shifts by 32
// bits (undefined behaviour) and appends until memory runs out. Run in a child process with
// its memory and time capped, so a regression fails this test instead of the machine.
void cap_child_resources() {
  std::ifstream statm("/proc/self/statm");
  unsigned long pages = 0;
  statm >> pages;
  const rlim_t cap =
      static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (rlim_t{256} << 20);
  const rlimit lim{cap, cap};
  setrlimit(RLIMIT_AS, &lim);
  alarm(10);
}

TEST(TreeMathDeathTest, DirectPathAndCopath_NodeOutsideTheTree_ReturnBoundedResult) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const LeafCount n(8);  // nodes 0..14, root 7
  EXPECT_EXIT(
      {
        cap_child_resources();
        const auto d = direct_path(N(16), n);
        const auto c = copath(N(16), n);
        std::_Exit(d.size() <= 3 && c.size() <= 3 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        cap_child_resources();
        const auto d = direct_path(N(31), n);  // the root of a larger tree
        std::_Exit(d.size() <= 3 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Node indices are 32-bit, so the largest tree has 2^31 leaves and its root, 2^31 - 1, sits
// at level 31. common_ancestor across that whole tree must not shift a 32-bit value by 32
// (undefined behaviour, which UBSan reports and which only happens to give the right answer
// on x86). Checked in a child process so a sanitizer abort fails this test alone.
TEST(TreeMathDeathTest, CommonAncestor_AcrossTheLargestTree_IsItsRootWithoutOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const NodeIndex top(0x7fffffff);
        const bool ok = common_ancestor(N(0), N(0xfffffffe)) == top &&
                        common_ancestor(N(0xfffffffe), N(0)) == top &&
                        common_ancestor(top, N(0)) == top && common_ancestor(N(6), top) == top &&
                        common_ancestor(N(0x3fffffff), N(0xbfffffff)) == top;
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace mpsec::tree
