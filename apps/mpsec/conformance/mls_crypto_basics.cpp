// mls/crypto-basics.json: the labelled operations of RFC 9420 §5 for every cipher suite.
#include <string>

#include "conformance/kinds.hpp"
#include "crypto/cipher_suite.hpp"

namespace mpsec::conformance {

namespace {

using crypto::CipherSuite;

std::string str(const Json& obj, const char* key) {
  return obj.at(key).get<std::string>();
}

bool ref_hash(const CipherSuite& cs, const Json& t) {
  Bytes value, out;
  if (!hex_field(t, "value", value) || !hex_field(t, "out", out)) return false;
  auto r = cs.ref_hash(str(t, "label"), value);
  return r && *r == out;
}

bool expand_with_label(const CipherSuite& cs, const Json& t) {
  Bytes secret, context, out;
  if (!hex_field(t, "secret", secret) || !hex_field(t, "context", context) ||
      !hex_field(t, "out", out))
    return false;
  auto r =
      cs.expand_with_label(secret, str(t, "label"), context, t.at("length").get<std::size_t>());
  return r && equal(r->view(), out);
}

bool derive_secret(const CipherSuite& cs, const Json& t) {
  Bytes secret, out;
  if (!hex_field(t, "secret", secret) || !hex_field(t, "out", out)) return false;
  auto r = cs.derive_secret(secret, str(t, "label"));
  return r && equal(r->view(), out);
}

bool derive_tree_secret(const CipherSuite& cs, const Json& t) {
  Bytes secret, out;
  if (!hex_field(t, "secret", secret) || !hex_field(t, "out", out)) return false;
  auto r = cs.derive_tree_secret(secret, str(t, "label"), t.at("generation").get<std::uint32_t>(),
                                 t.at("length").get<std::size_t>());
  return r && equal(r->view(), out);
}

bool sign_with_label(const CipherSuite& cs, const Json& t) {
  Bytes priv, pub, content, signature;
  if (!hex_field(t, "priv", priv) || !hex_field(t, "pub", pub) ||
      !hex_field(t, "content", content) || !hex_field(t, "signature", signature))
    return false;
  const std::string label = str(t, "label");
  auto vk = crypto::VerifyKey::parse(cs.sig(), pub);
  auto sk = crypto::SigningKey::parse(cs.sig(), priv);
  if (!vk || !sk || !equal(sk->verify_key().bytes(), pub)) return false;
  if (!cs.verify_with_label(*vk, label, content, signature)) return false;
  auto fresh = cs.sign_with_label(*sk, label, content);
  return fresh && cs.verify_with_label(*vk, label, content, *fresh);
}

bool encrypt_with_label(const CipherSuite& cs, const Json& t) {
  Bytes priv, pub, context, plaintext, kem_output, ciphertext;
  if (!hex_field(t, "priv", priv) || !hex_field(t, "pub", pub) ||
      !hex_field(t, "context", context) || !hex_field(t, "plaintext", plaintext) ||
      !hex_field(t, "kem_output", kem_output) || !hex_field(t, "ciphertext", ciphertext))
    return false;
  const std::string label = str(t, "label");
  auto sk = crypto::DhPrivateKey::parse(cs.kem(), priv);
  auto pk = crypto::DhPublicKey::parse(cs.kem(), pub);
  if (!sk || !pk || !equal(sk->public_key().bytes(), pub)) return false;
  auto pt = cs.decrypt_with_label(*sk, label, context, kem_output, ciphertext);
  if (!pt || !equal(pt->view(), plaintext)) return false;
  auto fresh = cs.encrypt_with_label(*pk, label, context, plaintext, system_random());
  if (!fresh) return false;
  auto again = cs.decrypt_with_label(*sk, label, context, fresh->kem_output, fresh->ciphertext);
  return again && equal(again->view(), plaintext);
}

}  // namespace

void run_mls_crypto_basics(const Json& doc, FileReport& report) {
  using Check = bool (*)(const CipherSuite&, const Json&);
  static const std::pair<const char*, Check> kChecks[] = {
      {"ref_hash", ref_hash},
      {"expand_with_label", expand_with_label},
      {"derive_secret", derive_secret},
      {"derive_tree_secret", derive_tree_secret},
      {"sign_with_label", sign_with_label},
      {"encrypt_with_label", encrypt_with_label},
  };
  for (const auto& t : doc) {
    const auto code = t.at("cipher_suite").get<std::uint16_t>();
    const std::string id = "suite " + std::to_string(code);
    auto cs = CipherSuite::from_code(code);
    if (!cs) {
      report.fail(id, cs.error().describe());
      continue;
    }
    for (const auto& [name, check] : kChecks) {
      if (!t.contains(name)) {
        report.fail(id + " " + name, "missing");
        continue;
      }
      report.check(check(*cs, t.at(name)), id + " " + name, "output differs from the vector");
    }
  }
}

}  // namespace mpsec::conformance
