// mls/tree-math.json: root, left, right, parent and sibling of every node (RFC 9420 App. C).
#include <optional>
#include <string>

#include "conformance/kinds.hpp"
#include "tree/tree_math.hpp"

namespace mpsec::conformance {

namespace {

using tree::LeafCount;
using tree::NodeIndex;

std::optional<std::uint32_t> expected_at(const Json& arr, std::size_t i) {
  if (!arr.is_array() || i >= arr.size() || arr[i].is_null()) return std::nullopt;
  return arr[i].get<std::uint32_t>();
}

std::optional<std::uint32_t> opt(bool present, NodeIndex x) {
  return present ? std::optional<std::uint32_t>(x.value) : std::nullopt;
}

}  // namespace

void run_mls_tree_math(const Json& doc, FileReport& report) {
  for (const auto& t : doc) {
    const LeafCount n(t.at("n_leaves").get<std::uint32_t>());
    const std::string id = "n_leaves " + std::to_string(n.value);
    const std::uint32_t width = tree::node_width(n).value;
    report.check(width == t.at("n_nodes").get<std::uint32_t>(), id + " n_nodes", "node_width");
    report.check(tree::root(n).value == t.at("root").get<std::uint32_t>(), id + " root", "root");
    bool ok = true;
    std::string where;
    for (std::uint32_t i = 0; i < width; ++i) {
      const NodeIndex x(i);
      const bool leaf = x.is_leaf();
      const bool root = tree::is_root(x, n);
      const bool match = opt(!leaf, leaf ? x : tree::left(x)) == expected_at(t.at("left"), i) &&
                         opt(!leaf, leaf ? x : tree::right(x)) == expected_at(t.at("right"), i) &&
                         opt(!root, root ? x : tree::parent(x)) == expected_at(t.at("parent"), i) &&
                         opt(!root, root ? x : tree::sibling(x)) == expected_at(t.at("sibling"), i);
      if (!match) {
        ok = false;
        where += " node " + std::to_string(i);
      }
    }
    report.check(ok, id + " relations", "left/right/parent/sibling differ at" + where);
  }
}

}  // namespace mpsec::conformance
