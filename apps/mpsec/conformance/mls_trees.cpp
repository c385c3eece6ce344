// mls/tree-validation.json (resolutions, tree hashes, parent hashes and leaf signatures of
// every node) and mls/tree-operations.json (Add, Update and Remove applied to a tree).
#include <string>

#include "conformance/kinds.hpp"
#include "mls/leaf_node.hpp"
#include "mls/ratchet_tree.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::conformance {

using namespace mpsec::mls;

void run_mls_tree_validation(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id =
        "case " + std::to_string(index++) + " (suite " + std::to_string(code) + ")";
    auto suite = crypto::CipherSuite::from_code(code);
    Bytes tree_bytes, group_id;
    if (!suite || !hex_field(t, "tree", tree_bytes) || !hex_field(t, "group_id", group_id)) {
      report.fail(id, "unsupported suite or missing fields");
      continue;
    }
    auto tree = RatchetTree::decode(*suite, tree_bytes);
    if (!tree) {
      report.fail(id, "tree: " + tree.error().describe());
      continue;
    }
    const auto& resolutions = t.at("resolutions");
    const auto& hashes = t.at("tree_hashes");
    bool res_ok = resolutions.size() == tree->width();
    bool hash_ok = hashes.size() == tree->width();
    for (std::uint32_t i = 0; res_ok && i < tree->width(); ++i) {
      std::vector<std::uint32_t> got;
      for (NodeIndex n : tree->resolution(NodeIndex(i)))
        got.push_back(n.value);
      res_ok = got == resolutions[i].get<std::vector<std::uint32_t>>();
    }
    for (std::uint32_t i = 0; hash_ok && i < tree->width(); ++i) {
      auto h = tree->tree_hash(NodeIndex(i));
      auto want = hashes[i].is_string() ? from_hex(hashes[i].get<std::string>())
                                        : Result<Bytes>(fail(Errc::decode_error, "not hex"));
      hash_ok = h && want && *h == *want;
    }
    report.check(res_ok, id + " resolutions", "resolution differs");
    report.check(hash_ok, id + " tree hashes", "tree hash differs");
    auto ph = tree->verify_parent_hashes();
    report.check(ph.has_value(), id + " parent hashes", ph ? "" : ph.error().describe());
    std::string bad;
    for (LeafIndex l : tree->members()) {
      if (!verify_leaf_node_signature(*suite, *tree->leaf_node(l), group_id, l.value))
        bad += " " + std::to_string(l.value);
    }
    report.check(bad.empty(), id + " leaf signatures", "invalid at leaves" + bad);
  }
}

void run_mls_tree_operations(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id =
        "case " + std::to_string(index++) + " (suite " + std::to_string(code) + ")";
    auto suite = crypto::CipherSuite::from_code(code);
    Bytes before, after, hash_before, hash_after, proposal_bytes;
    if (!suite || !hex_field(t, "tree_before", before) || !hex_field(t, "tree_after", after) ||
        !hex_field(t, "tree_hash_before", hash_before) ||
        !hex_field(t, "tree_hash_after", hash_after) || !hex_field(t, "proposal", proposal_bytes)) {
      report.fail(id, "unsupported suite or missing fields");
      continue;
    }
    auto tree = RatchetTree::decode(*suite, before);
    auto proposal = codec::decode<Proposal>(proposal_bytes);
    if (!tree || !proposal) {
      report.fail(id, "tree or proposal does not decode");
      continue;
    }
    auto h0 = tree->tree_hash();
    report.check(h0 && *h0 == hash_before, id + " tree_hash_before", "differs");
    const LeafIndex sender(t.at("proposal_sender").get<std::uint32_t>());
    Status applied = ok();
    if (const auto* add = std::get_if<Add>(&proposal->body)) {
      tree->add_leaf(add->key_package.leaf_node);
    } else if (const auto* upd = std::get_if<Update>(&proposal->body)) {
      applied = tree->update_leaf(sender, upd->leaf_node);
    } else if (const auto* rem = std::get_if<Remove>(&proposal->body)) {
      applied = tree->remove_leaf(LeafIndex(rem->removed));
    } else {
      applied = fail(Errc::unsupported, "not a tree-changing proposal");
    }
    auto encoded = tree->encode();
    report.check(applied && encoded && *encoded == after, id + " tree_after",
                 applied ? "tree differs" : applied.error().describe());
    auto h1 = tree->tree_hash();
    report.check(h1 && *h1 == hash_after, id + " tree_hash_after", "differs");
  }
}

}  // namespace mpsec::conformance
