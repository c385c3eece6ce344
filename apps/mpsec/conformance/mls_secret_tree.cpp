// mls/secret-tree.json: sender-data keys, and the handshake and application keys and nonces
// of every listed generation of every leaf, from a fresh secret tree.
#include <string>

#include "conformance/kinds.hpp"
#include "schedule/secret_tree.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::schedule;

bool matches(const Result<StagedKey>& staged, const Json& g, const char* key, const char* nonce) {
  Bytes k, n;
  return staged && hex_field(g, key, k) && hex_field(g, nonce, n) &&
         equal(staged->key().key.view(), k) && equal(staged->key().nonce.view(), n);
}

}  // namespace

void run_mls_secret_tree(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id =
        "case " + std::to_string(index++) + " (suite " + std::to_string(code) + ")";
    auto cs = crypto::CipherSuite::from_code(code);
    if (!cs) {
      report.fail(id, cs.error().describe());
      continue;
    }
    const Json& sd = t.at("sender_data");
    Bytes sd_secret, sd_ct, sd_key, sd_nonce, enc_secret;
    if (!hex_field(sd, "sender_data_secret", sd_secret) || !hex_field(sd, "ciphertext", sd_ct) ||
        !hex_field(sd, "key", sd_key) || !hex_field(sd, "nonce", sd_nonce) ||
        !hex_field(t, "encryption_secret", enc_secret)) {
      report.fail(id, "missing fields");
      continue;
    }
    auto sd_kdf = cs->kdf_key(sd_secret);
    auto sdk = sd_kdf ? sender_data_key(*cs, *sd_kdf, sd_ct)
                      : Result<SenderDataKey>(tl::unexpected(sd_kdf.error()));
    report.check(sdk && equal(sdk->key.view(), sd_key) && equal(sdk->nonce.view(), sd_nonce),
                 id + " sender_data", "sender data key or nonce differs");

    const auto& leaves = t.at("leaves");
    SecretTree tree(*cs, EncryptionSecret(SecretBytes(ByteView(enc_secret))),
                    tree::LeafCount(static_cast<std::uint32_t>(leaves.size())));
    for (std::uint32_t leaf = 0; leaf < leaves.size(); ++leaf) {
      for (const auto& g : leaves[leaf]) {
        const auto gen = g.at("generation").get<std::uint32_t>();
        const std::string gid =
            id + " leaf " + std::to_string(leaf) + " generation " + std::to_string(gen);
        // Receive as a member would: stage, compare, then consume.
        for (auto kind : {RatchetKind::handshake, RatchetKind::application}) {
          auto staged = tree.stage_key(tree::LeafIndex(leaf), kind, gen);
          const bool hs = kind == RatchetKind::handshake;
          const bool ok = matches(staged, g, hs ? "handshake_key" : "application_key",
                                  hs ? "handshake_nonce" : "application_nonce");
          report.check(ok && tree.commit(std::move(*staged)).has_value(),
                       gid + (hs ? " handshake" : " application"), "key or nonce differs");
        }
      }
    }
  }
}

}  // namespace mpsec::conformance
