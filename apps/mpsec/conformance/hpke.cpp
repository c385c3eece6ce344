// RFC 9180 test vectors: key derivation, encapsulation, the key schedule, every encryption
// (in sequence) and every export of each vector, on the sender's and the receiver's side.
#include "crypto/hpke.hpp"

#include <string>

#include "conformance/kinds.hpp"
#include "crypto/kem.hpp"
#include "crypto/test_random.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::crypto;

struct Vector {
  HpkeSuite suite;
  HpkeMode mode = HpkeMode::base;
  Bytes info, ikm_r, ikm_e, ikm_s, sk_rm, pk_rm, sk_em, pk_em, sk_sm, pk_sm, enc, shared_secret;
  Bytes ksc, secret, key, base_nonce, exporter_secret, psk, psk_id;
};

std::string describe(const Error& e) {
  return e.describe();
}

// Derives a key pair from `ikm` and checks it against the vector's serialized keys.
Result<DhPrivateKey> check_key_pair(KemId kem, const Bytes& ikm, const Bytes& sk, const Bytes& pk,
                                    std::string& problem) {
  auto key = MPSEC_TRY(DhPrivateKey::derive(kem, ikm));
  auto serialized = MPSEC_TRY(key.serialize());
  if (!equal(serialized.view(), sk)) problem += " private key differs;";
  if (!equal(key.public_key().bytes(), pk)) problem += " public key differs;";
  return key;
}

void run_vector(const Json& v, std::size_t index, FileReport& report) {
  const std::string id = "vector " + std::to_string(index);
  auto suite = HpkeSuite::from_codes(v.at("kem_id").get<std::uint16_t>(),
                                     v.at("kdf_id").get<std::uint16_t>(),
                                     v.at("aead_id").get<std::uint16_t>());
  if (!suite) {
    report.fail(id, "suite: " + describe(suite.error()));
    return;
  }
  Vector t;
  t.suite = *suite;
  t.mode = static_cast<HpkeMode>(v.at("mode").get<int>());
  const bool auth = t.mode == HpkeMode::auth || t.mode == HpkeMode::auth_psk;
  const bool psk = t.mode == HpkeMode::psk || t.mode == HpkeMode::auth_psk;
  bool fields = hex_field(v, "info", t.info) && hex_field(v, "ikmR", t.ikm_r) &&
                hex_field(v, "ikmE", t.ikm_e) && hex_field(v, "skRm", t.sk_rm) &&
                hex_field(v, "pkRm", t.pk_rm) && hex_field(v, "skEm", t.sk_em) &&
                hex_field(v, "pkEm", t.pk_em) && hex_field(v, "enc", t.enc) &&
                hex_field(v, "shared_secret", t.shared_secret) &&
                hex_field(v, "key_schedule_context", t.ksc) && hex_field(v, "secret", t.secret) &&
                hex_field(v, "exporter_secret", t.exporter_secret);
  if (t.suite.aead)
    fields = fields && hex_field(v, "key", t.key) && hex_field(v, "base_nonce", t.base_nonce);
  if (auth)
    fields = fields && hex_field(v, "ikmS", t.ikm_s) && hex_field(v, "skSm", t.sk_sm) &&
             hex_field(v, "pkSm", t.pk_sm);
  if (psk) fields = fields && hex_field(v, "psk", t.psk) && hex_field(v, "psk_id", t.psk_id);
  if (!fields) {
    report.fail(id, "missing or malformed fields");
    return;
  }

  // 1. DeriveKeyPair for the recipient, the ephemeral key and (auth modes) the sender.
  std::string problem;
  auto sk_r = check_key_pair(t.suite.kem, t.ikm_r, t.sk_rm, t.pk_rm, problem);
  auto sk_e = check_key_pair(t.suite.kem, t.ikm_e, t.sk_em, t.pk_em, problem);
  std::optional<Result<DhPrivateKey>> sk_s;
  if (auth) sk_s = check_key_pair(t.suite.kem, t.ikm_s, t.sk_sm, t.pk_sm, problem);
  if (!sk_r || !sk_e || (sk_s && !*sk_s)) {
    report.fail(id + " keys", "DeriveKeyPair failed");
    return;
  }
  report.check(problem.empty(), id + " keys", problem);
  const DhPrivateKey* sender_key = sk_s ? &**sk_s : nullptr;

  // 2. Encap with the vector's ephemeral randomness, and Decap.
  {
    FixedRandom rng(t.ikm_e);
    auto encap = auth ? kem_auth_encap(sk_r->public_key(), *sender_key, rng)
                      : kem_encap(sk_r->public_key(), rng);
    auto decap =
        auth ? kem_auth_decap(t.enc, *sk_r, sender_key->public_key()) : kem_decap(t.enc, *sk_r);
    report.check(encap && decap && equal(encap->enc, t.enc) &&
                     equal(encap->shared_secret.view(), t.shared_secret) &&
                     equal(decap->view(), t.shared_secret),
                 id + " kem", "Encap/Decap disagree with enc or shared_secret");
  }

  // 3. KeySchedule.
  {
    auto ks = hpke_key_schedule(t.suite, t.mode, t.shared_secret, t.info, t.psk, t.psk_id);
    report.check(ks && equal(ks->key_schedule_context, t.ksc) &&
                     equal(ks->secret.view(), t.secret) && equal(ks->key.view(), t.key) &&
                     equal(ks->base_nonce.view(), t.base_nonce) &&
                     equal(ks->exporter_secret.view(), t.exporter_secret),
                 id + " key schedule", "KeySchedule output differs");
  }

  // 4. Contexts through the public setup functions.
  std::optional<HpkePsk> psk_in;
  if (psk) psk_in = HpkePsk{t.psk, t.psk_id};
  FixedRandom rng(t.ikm_e);
  auto sender = hpke_setup_sender(t.suite, sk_r->public_key(),
                                  HpkeSenderOptions{t.info, psk_in, sender_key}, rng);
  auto receiver = hpke_setup_receiver(
      t.suite, t.enc, *sk_r,
      HpkeReceiverOptions{t.info, psk_in, sender_key ? &sender_key->public_key() : nullptr});
  if (!sender || !receiver || !equal(sender->enc, t.enc)) {
    report.fail(id + " setup", sender ? (receiver ? "enc differs" : describe(receiver.error()))
                                      : describe(sender.error()));
    return;
  }

  const auto& encryptions = v.at("encryptions");
  for (std::size_t i = 0; encryptions.is_array() && i < encryptions.size(); ++i) {
    const auto& e = encryptions[i];
    const std::string eid = id + " encryption " + std::to_string(i);
    Bytes aad, pt, ct;
    if (!hex_field(e, "aad", aad) || !hex_field(e, "pt", pt) || !hex_field(e, "ct", ct)) {
      report.fail(eid, "missing fields");
      continue;
    }
    auto sealed = sender->context.seal(aad, pt);
    auto opened = receiver->open(aad, ct);
    report.check(sealed && opened && *sealed == ct && *opened == pt, eid,
                 "seal/open disagree with the vector");
  }

  const auto& exports = v.at("exports");
  for (std::size_t i = 0; exports.is_array() && i < exports.size(); ++i) {
    const auto& x = exports[i];
    const std::string xid = id + " export " + std::to_string(i);
    Bytes context, value;
    if (!hex_field(x, "exporter_context", context) || !hex_field(x, "exported_value", value)) {
      report.fail(xid, "missing fields");
      continue;
    }
    const auto length = x.at("L").get<std::size_t>();
    auto s = sender->context.export_secret(context, length);
    auto r = receiver->export_secret(context, length);
    report.check(s && r && equal(s->view(), value) && equal(r->view(), value), xid,
                 "export differs");
  }
}

}  // namespace

bool is_hpke_file(std::string_view file_name) {
  return file_name == "test-vectors.json";
}

void run_hpke(const Json& doc, FileReport& report) {
  if (!doc.is_array()) {
    report.fail("file", "expected an array of HPKE vectors");
    return;
  }
  for (std::size_t i = 0; i < doc.size(); ++i)
    run_vector(doc[i], i, report);
}

}  // namespace mpsec::conformance
