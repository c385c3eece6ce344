// The passive-client scenarios of mlswg/mls-implementations (passive-client-welcome.json,
// passive-client-handling-commit.json, passive-client-random.json): a client joins from a
// Welcome and follows every epoch of the group, matching each epoch authenticator.
#include <string>

#include "conformance/kinds.hpp"
#include "mls/group.hpp"
#include "mls/leaf_node.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::conformance {

namespace {

using namespace mpsec::mls;

// Vectors come from other implementations, old and with test credentials: accept any
// non-empty credential (the Authentication Service is the application's, not under test).
class AnyCredential final : public CredentialValidator {
 public:
  Status validate(const Credential& c, ByteView) const override {
    MPSEC_ENSURE(c.credential_type != CredentialType::basic || !c.identity.empty(),
                 Errc::policy_violation, "empty identity");
    return ok();
  }
};

// The key package may be given as an MLSMessage (as upstream does) or bare.
Result<KeyPackage> read_key_package(ByteView bytes) {
  if (auto msg = codec::decode<MlsMessage>(bytes)) {
    const auto* kp = std::get_if<KeyPackage>(&msg->body);
    MPSEC_ENSURE(kp != nullptr, Errc::decode_error, "key_package is not a KeyPackage");
    return *kp;
  }
  return codec::decode<KeyPackage>(bytes);
}

Result<Bytes> hex_of(const Json& obj, const char* key) {
  MPSEC_ENSURE(obj.contains(key) && obj.at(key).is_string(), Errc::decode_error,
               std::string("missing ") + key);
  return from_hex(obj.at(key).get<std::string>());
}

Status run_scenario(const Json& t, std::size_t& epochs_checked) {
  const auto suite =
      MPSEC_TRY(crypto::CipherSuite::from_code(t.at("cipher_suite").get<std::uint16_t>()));
  auto psks = std::make_shared<PskStore>();
  if (t.contains("external_psks") && t.at("external_psks").is_array())
    for (const auto& p : t.at("external_psks"))
      psks->add_external(MPSEC_TRY(hex_of(p, "psk_id")), SecretBytes(MPSEC_TRY(hex_of(p, "psk"))));
  static const AnyCredential any;
  GroupConfig config;
  config.validation.credentials = &any;
  config.validation.now = 0;  // recorded vectors: lifetimes are not checked against today
  config.psks = psks;

  const auto kp = MPSEC_TRY(read_key_package(MPSEC_TRY(hex_of(t, "key_package"))));
  auto sig =
      MPSEC_TRY(crypto::SigningKey::parse(suite.sig(), MPSEC_TRY(hex_of(t, "signature_priv"))));
  auto enc =
      MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), MPSEC_TRY(hex_of(t, "encryption_priv"))));
  auto init =
      MPSEC_TRY(crypto::DhPrivateKey::parse(suite.kem(), MPSEC_TRY(hex_of(t, "init_priv"))));
  MPSEC_ENSURE(sig.verify_key().bytes() == kp.leaf_node.signature_key &&
                   enc.public_key().bytes() == kp.leaf_node.encryption_key &&
                   init.public_key().bytes() == kp.init_key,
               Errc::invalid_key, "private keys do not match the key package");
  const Identity identity{suite, sig, kp.leaf_node.credential, kp.leaf_node.capabilities};
  const KeyPackageBundle bundle{kp, init, enc};

  std::optional<Bytes> tree;
  if (t.contains("ratchet_tree") && !t.at("ratchet_tree").is_null())
    tree = MPSEC_TRY(hex_of(t, "ratchet_tree"));
  auto group = MPSEC_TRY(Group::join(identity, bundle, MPSEC_TRY(hex_of(t, "welcome")), config,
                                     tree ? std::optional<ByteView>(*tree) : std::nullopt));
  MPSEC_ENSURE(
      equal(group.epoch_authenticator(), MPSEC_TRY(hex_of(t, "initial_epoch_authenticator"))),
      Errc::internal, "initial epoch authenticator differs");
  ++epochs_checked;

  std::size_t n = 0;
  for (const auto& e : t.at("epochs")) {
    const std::string where = "epoch " + std::to_string(n++) + ": ";
    for (const auto& p : e.at("proposals")) {
      auto bytes = MPSEC_TRY(from_hex(p.get<std::string>()));
      auto processed = group.process(bytes);
      if (!processed)
        return fail(processed.error().code, where + "proposal: " + processed.error().message);
    }
    auto commit = MPSEC_TRY(hex_of(e, "commit"));
    auto processed = group.process(commit);
    if (!processed)
      return fail(processed.error().code, where + "commit: " + processed.error().message);
    auto* staged = std::get_if<StagedCommit>(&*processed);
    MPSEC_ENSURE(staged != nullptr, Errc::decode_error, where + "commit is not a commit");
    MPSEC_TRY(group.merge(std::move(*staged)));
    MPSEC_ENSURE(equal(group.epoch_authenticator(), MPSEC_TRY(hex_of(e, "epoch_authenticator"))),
                 Errc::internal, where + "epoch authenticator differs");
    ++epochs_checked;
  }
  return ok();
}

}  // namespace

bool is_passive_client_file(std::string_view file_name) {
  return file_name == "passive-client-welcome.json" ||
         file_name == "passive-client-handling-commit.json" ||
         file_name == "passive-client-random.json";
}

void run_mls_passive_client(const Json& doc, FileReport& report) {
  std::size_t index = 0;
  for (const auto& t : doc) {
    const std::string id = "scenario " + std::to_string(index++) + " (suite " +
                           std::to_string(t.value("cipher_suite", 0)) + ")";
    std::size_t epochs = 0;
    auto s = run_scenario(t, epochs);
    report.check(s.has_value(), id, s ? "" : s.error().describe());
  }
}

}  // namespace mpsec::conformance
