// mls/key-schedule.json (every epoch of every suite) and mls/psk_secret.json.
#include <string>

#include "conformance/kinds.hpp"
#include "schedule/group_context.hpp"
#include "schedule/key_schedule.hpp"
#include "schedule/psk.hpp"

namespace mpsec::conformance {

namespace {

using crypto::CipherSuite;
using namespace mpsec::schedule;

template <class S>
bool same(const S& secret, const Json& obj, const char* key) {
  Bytes expected;
  return hex_field(obj, key, expected) && equal(secret.view(), expected);
}

// Checks one epoch; on success returns its init_secret for the next.
std::optional<InitSecret> run_epoch(const CipherSuite& cs, const Bytes& group_id, std::uint64_t n,
                                    const InitSecret& init, const Json& e, const std::string& id,
                                    FileReport& report) {
  GroupContext gc;
  gc.cipher_suite = cs.code();
  gc.group_id = group_id;
  gc.epoch = n;
  Bytes commit, psk, expected_gc;
  if (!hex_field(e, "tree_hash", gc.tree_hash) ||
      !hex_field(e, "confirmed_transcript_hash", gc.confirmed_transcript_hash) ||
      !hex_field(e, "commit_secret", commit) || !hex_field(e, "psk_secret", psk) ||
      !hex_field(e, "group_context", expected_gc)) {
    report.fail(id, "missing fields");
    return std::nullopt;
  }
  auto gc_bytes = codec::encode(gc);
  report.check(gc_bytes && *gc_bytes == expected_gc, id + " group_context",
               "GroupContext encoding");
  if (!gc_bytes) return std::nullopt;

  auto keys = advance_epoch(cs, init, CommitSecret(SecretBytes(ByteView(commit))),
                            PskSecret(SecretBytes(ByteView(psk))), *gc_bytes);
  if (!keys) {
    report.fail(id, keys.error().describe());
    return std::nullopt;
  }
  const auto& s = keys->secrets;
  std::string bad;
  auto expect = [&](bool ok, const char* name) {
    if (!ok) bad += std::string(" ") + name;
  };
  expect(same(keys->joiner, e, "joiner_secret"), "joiner_secret");
  expect(same(keys->welcome, e, "welcome_secret"), "welcome_secret");
  expect(same(s.init_secret, e, "init_secret"), "init_secret");
  expect(same(s.sender_data, e, "sender_data_secret"), "sender_data_secret");
  expect(same(s.encryption, e, "encryption_secret"), "encryption_secret");
  expect(same(s.exporter, e, "exporter_secret"), "exporter_secret");
  expect(same(s.epoch_authenticator, e, "epoch_authenticator"), "epoch_authenticator");
  expect(same(s.external, e, "external_secret"), "external_secret");
  expect(same(s.confirmation_key, e, "confirmation_key"), "confirmation_key");
  expect(same(s.membership_key, e, "membership_key"), "membership_key");
  expect(same(s.resumption_psk, e, "resumption_psk"), "resumption_psk");
  report.check(bad.empty(), id + " secrets", "differ:" + bad);

  Bytes external_pub;
  auto ext = external_key_pair(cs, s.external);
  report.check(hex_field(e, "external_pub", external_pub) && ext &&
                   equal(ext->public_key().bytes(), external_pub),
               id + " external_pub", "DeriveKeyPair(external_secret) differs");

  const Json& x = e.at("exporter");
  // The exporter label is a string used as it is (upstream happens to draw it as hex text).
  const std::string label = x.at("label").get<std::string>();
  Bytes context, secret;
  const bool fields = hex_field(x, "context", context) && hex_field(x, "secret", secret);
  auto exported = mls_export(cs, s.exporter, label, context, x.at("length").get<std::size_t>());
  report.check(fields && exported && equal(exported->view(), secret), id + " exporter",
               "MLS-Exporter differs");
  return s.init_secret.clone();
}

}  // namespace

void run_mls_key_schedule(const Json& doc, FileReport& report) {
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    auto cs = CipherSuite::from_code(code);
    Bytes group_id, initial_init;
    if (!cs || !hex_field(t, "group_id", group_id) ||
        !hex_field(t, "initial_init_secret", initial_init)) {
      report.fail("suite " + std::to_string(code), "unsupported suite or missing fields");
      continue;
    }
    InitSecret init{SecretBytes(ByteView(initial_init))};
    const auto& epochs = t.at("epochs");
    for (std::size_t n = 0; n < epochs.size(); ++n) {
      const std::string id = "suite " + std::to_string(code) + " epoch " + std::to_string(n);
      auto next = run_epoch(*cs, group_id, n, init, epochs[n], id, report);
      if (!next) break;
      init = std::move(*next);
    }
  }
}

void run_mls_psk_secret(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id =
        "case " + std::to_string(index++) + " (suite " + std::to_string(code) + ")";
    auto cs = CipherSuite::from_code(code);
    Bytes expected;
    if (!cs || !hex_field(t, "psk_secret", expected)) {
      report.fail(id, "unsupported suite or missing fields");
      continue;
    }
    std::vector<PreSharedKeyId> ids;
    std::vector<Bytes> values;
    bool fields = true;
    for (const auto& p : t.at("psks")) {
      PreSharedKeyId psk_id;
      Bytes value;
      fields = fields && hex_field(p, "psk_id", psk_id.psk_id) &&
               hex_field(p, "psk_nonce", psk_id.psk_nonce) && hex_field(p, "psk", value);
      ids.push_back(std::move(psk_id));
      values.push_back(std::move(value));
    }
    std::vector<PskInput> inputs;
    for (std::size_t i = 0; i < ids.size(); ++i)
      inputs.push_back({&ids[i], values[i]});
    auto secret = derive_psk_secret(*cs, inputs);
    report.check(fields && secret && equal(secret->view(), expected), id, "psk_secret differs");
  }
}

}  // namespace mpsec::conformance
