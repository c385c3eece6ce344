#include "schedule/key_schedule.hpp"

namespace mpsec::schedule {

namespace {
template <class S>
Result<S> derive(const crypto::CipherSuite& suite, const EpochSecret& epoch,
                 std::string_view label) {
  return S(MPSEC_TRY(suite.derive_secret(epoch.view(), label)));
}
}  // namespace

Result<EpochSecrets> EpochSecrets::derive(const crypto::CipherSuite& suite,
                                          const EpochSecret& epoch_secret) {
  using schedule::derive;
  // Filled field by field: an early return from inside an aggregate initializer would not
  // destroy (and wipe) the fields already built.
  EpochSecrets out;
  out.sender_data = MPSEC_TRY(derive<SenderDataSecret>(suite, epoch_secret, "sender data"));
  out.encryption = MPSEC_TRY(derive<EncryptionSecret>(suite, epoch_secret, "encryption"));
  out.exporter = MPSEC_TRY(derive<ExporterSecret>(suite, epoch_secret, "exporter"));
  out.external = MPSEC_TRY(derive<ExternalSecret>(suite, epoch_secret, "external"));
  out.confirmation_key = MPSEC_TRY(derive<ConfirmationKey>(suite, epoch_secret, "confirm"));
  out.membership_key = MPSEC_TRY(derive<MembershipKey>(suite, epoch_secret, "membership"));
  out.resumption_psk = MPSEC_TRY(derive<ResumptionPsk>(suite, epoch_secret, "resumption"));
  out.epoch_authenticator =
      MPSEC_TRY(derive<EpochAuthenticator>(suite, epoch_secret, "authentication"));
  out.init_secret = MPSEC_TRY(derive<InitSecret>(suite, epoch_secret, "init"));
  return out;
}

SecretBytes zero_secret(const crypto::CipherSuite& suite) {
  return SecretBytes(suite.hash_size());
}

Result<JoinerSecret> derive_joiner_secret(const crypto::CipherSuite& suite,
                                          const InitSecret& init_secret,
                                          const CommitSecret& commit_secret,
                                          ByteView group_context) {
  auto prk = MPSEC_TRY(suite.kdf_extract(init_secret.view(), commit_secret.view()));
  return JoinerSecret(
      MPSEC_TRY(suite.expand_with_label(prk.view(), "joiner", group_context, suite.hash_size())));
}

Result<WelcomeSecret> derive_welcome_secret(const crypto::CipherSuite& suite,
                                            const JoinerSecret& joiner,
                                            const PskSecret& psk_secret) {
  auto member = MPSEC_TRY(suite.kdf_extract(joiner.view(), psk_secret.view()));
  return WelcomeSecret(MPSEC_TRY(suite.derive_secret(member.view(), "welcome")));
}

Result<EpochKeys> derive_epoch_from_joiner(const crypto::CipherSuite& suite, JoinerSecret joiner,
                                           const PskSecret& psk_secret, ByteView group_context) {
  auto member = MPSEC_TRY(suite.kdf_extract(joiner.view(), psk_secret.view()));
  WelcomeSecret welcome(MPSEC_TRY(suite.derive_secret(member.view(), "welcome")));
  EpochSecret epoch(
      MPSEC_TRY(suite.expand_with_label(member.view(), "epoch", group_context, suite.hash_size())));
  auto secrets = MPSEC_TRY(EpochSecrets::derive(suite, epoch));
  return EpochKeys{std::move(joiner), std::move(welcome), std::move(epoch), std::move(secrets)};
}

Result<EpochKeys> advance_epoch(const crypto::CipherSuite& suite, const InitSecret& init_secret,
                                const CommitSecret& commit_secret, const PskSecret& psk_secret,
                                ByteView group_context) {
  auto joiner = MPSEC_TRY(derive_joiner_secret(suite, init_secret, commit_secret, group_context));
  return derive_epoch_from_joiner(suite, std::move(joiner), psk_secret, group_context);
}

Result<SecretBytes> mls_export(const crypto::CipherSuite& suite,
                               const ExporterSecret& exporter_secret, std::string_view label,
                               ByteView context, std::size_t length) {
  auto derived = MPSEC_TRY(suite.derive_secret(exporter_secret.view(), label));
  auto context_hash = MPSEC_TRY(suite.hash(context));
  return suite.expand_with_label(derived.view(), "exported", context_hash, length);
}

Result<crypto::DhPrivateKey> external_key_pair(const crypto::CipherSuite& suite,
                                               const ExternalSecret& external) {
  return crypto::DhPrivateKey::derive(suite.kem(), external.view());
}

}  // namespace mpsec::schedule
