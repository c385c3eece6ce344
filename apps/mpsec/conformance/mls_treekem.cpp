// mls/treekem.json: private TreeKEM states consistent with the tree; every given UpdatePath
// merges with a valid parent hash, decrypts at every other member to the listed path secret
// and commit secret, and leaves the listed tree hash; a fresh UpdatePath from each sender is
// processed by every other member to the same commit secret.
#include <map>
#include <string>

#include "conformance/kinds.hpp"
#include "crypto/test_random.hpp"
#include "mls/tree_kem.hpp"
#include "mpsec/hex.hpp"
#include "schedule/group_context.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::mls;

struct Member {
  TreePrivateKeys keys;
  std::optional<crypto::SigningKey> signer;
};

Result<std::map<std::uint32_t, Member>> load_members(const crypto::CipherSuite& suite,
                                                     const RatchetTree& tree, const Json& list) {
  std::map<std::uint32_t, Member> out;
  for (const auto& m : list) {
    const auto index = m.at("index").get<std::uint32_t>();
    Bytes enc, sig;
    MPSEC_ENSURE(hex_field(m, "encryption_priv", enc) && hex_field(m, "signature_priv", sig),
                 Errc::decode_error, "missing keys");
    Member member{
        TreePrivateKeys(LeafIndex(index), MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), enc))),
        MPSEC_TRY(crypto::SigningKey::parse(suite.sig(), sig))};
    for (const auto& ps : m.at("path_secrets")) {
      Bytes secret;
      MPSEC_ENSURE(hex_field(ps, "path_secret", secret), Errc::decode_error, "missing path secret");
      const NodeIndex node(ps.at("node").get<std::uint32_t>());
      MPSEC_TRY(member.keys.implant(tree, std::span(&node, 1), SecretBytes(ByteView(secret))));
    }
    MPSEC_TRY(member.keys.check_consistent(tree));
    out.emplace(index, std::move(member));
  }
  return out;
}

}  // namespace

void run_mls_treekem(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id =
        "case " + std::to_string(index++) + " (suite " + std::to_string(code) + ")";
    auto suite = crypto::CipherSuite::from_code(code);
    schedule::GroupContext gc;
    Bytes tree_bytes;
    if (!suite || !hex_field(t, "group_id", gc.group_id) ||
        !hex_field(t, "ratchet_tree", tree_bytes) ||
        !hex_field(t, "confirmed_transcript_hash", gc.confirmed_transcript_hash)) {
      report.fail(id, "unsupported suite or missing fields");
      continue;
    }
    gc.cipher_suite = code;
    gc.epoch = t.at("epoch").get<std::uint64_t>();
    auto tree = RatchetTree::decode(*suite, tree_bytes);
    if (!tree) {
      report.fail(id, "tree: " + tree.error().describe());
      continue;
    }
    auto members = load_members(*suite, *tree, t.at("leaves_private"));
    report.check(members.has_value(), id + " private states",
                 members ? "" : members.error().describe());
    if (!members) continue;
    const GroupContextFn context = [gc](const RatchetTree& after) -> Result<Bytes> {
      auto c = gc;
      c.tree_hash = MPSEC_TRY(after.tree_hash());
      return codec::encode(c);
    };

    std::size_t p = 0;
    for (const auto& u : t.at("update_paths")) {
      const std::string pid = id + " path " + std::to_string(p++);
      const LeafIndex sender(u.at("sender").get<std::uint32_t>());
      Bytes path_bytes, commit_secret, hash_after;
      auto path = hex_field(u, "update_path", path_bytes)
                      ? codec::decode<UpdatePath>(path_bytes)
                      : Result<UpdatePath>(fail(Errc::decode_error));
      if (!path || !hex_field(u, "commit_secret", commit_secret) ||
          !hex_field(u, "tree_hash_after", hash_after)) {
        report.fail(pid, "missing or malformed fields");
        continue;
      }
      // The public merge.
      auto merged = *tree;
      auto m = merge_update_path(merged, sender, *path);
      auto h = m ? merged.tree_hash() : Result<Bytes>(tl::unexpected(m.error()));
      report.check(h && *h == hash_after, pid + " merge",
                   h ? "tree hash after differs" : h.error().describe());
      // Every other member decrypts.
      const auto& secrets = u.at("path_secrets");
      for (auto& [j, member] : *members) {
        if (LeafIndex(j) == sender) continue;
        auto copy = *tree;
        auto got = process_update_path(copy, member.keys, sender, *path, {}, context);
        Bytes want_ps;
        const bool has_ps = j < secrets.size() && secrets[j].is_string() &&
                            hex_field(Json{{"v", secrets[j]}}, "v", want_ps);
        report.check(got && has_ps && equal(got->path_secret.view(), want_ps) &&
                         equal(got->commit_secret.view(), commit_secret),
                     pid + " leaf " + std::to_string(j),
                     got ? "path or commit secret differs" : got.error().describe());
      }
      // A fresh path from the same sender, processed by every other member.
      auto sender_it = members->find(sender.value);
      if (sender_it == members->end()) {
        report.fail(pid + " create", "no private state for the sender");
        continue;
      }
      auto fresh_tree = *tree;
      crypto::SeededRandom rng(p);
      auto created = create_update_path(fresh_tree, sender, *tree->leaf_node(sender),
                                        *sender_it->second.signer, gc.group_id, {}, context, rng);
      if (!created) {
        report.fail(pid + " create", created.error().describe());
        continue;
      }
      for (auto& [j, member] : *members) {
        if (LeafIndex(j) == sender) continue;
        auto copy = *tree;
        auto got = process_update_path(copy, member.keys, sender, created->path, {}, context);
        auto h2 = copy.tree_hash();
        auto h1 = fresh_tree.tree_hash();
        report.check(got && equal(got->commit_secret.view(), created->commit_secret.view()) && h1 &&
                         h2 && *h1 == *h2,
                     pid + " create leaf " + std::to_string(j),
                     got ? "commit secret or tree differs" : got.error().describe());
      }
    }
  }
}

}  // namespace mpsec::conformance
