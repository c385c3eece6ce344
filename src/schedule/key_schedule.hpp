// The RFC 9420 §8 key schedule:
//
//   init_secret_[n-1] --(salt)--> Extract(commit_secret) --> ExpandWithLabel("joiner", GC_n)
//     = joiner_secret --(salt)--> Extract(psk_secret) --> DeriveSecret("welcome") = welcome_secret
//                                                      \-> ExpandWithLabel("epoch", GC_n)
//                                                          = epoch_secret --> DeriveSecret(label)
//
// Every mode ends an epoch change with an epoch_secret and a GroupContext; everything the
// record protocol and the exporter need is derived from that here, once.
#pragma once

#include <string_view>

#include "crypto/cipher_suite.hpp"
#include "schedule/secrets.hpp"

namespace mpsec::schedule {

// The secrets derived from epoch_secret (RFC 9420 §8, "Epoch-Derived Secrets").
struct EpochSecrets {
  SenderDataSecret sender_data;            // "sender data"
  EncryptionSecret encryption;             // "encryption"
  ExporterSecret exporter;                 // "exporter"
  ExternalSecret external;                 // "external"
  ConfirmationKey confirmation_key;        // "confirm"
  MembershipKey membership_key;            // "membership"
  ResumptionPsk resumption_psk;            // "resumption"
  EpochAuthenticator epoch_authenticator;  // "authentication"
  InitSecret init_secret;                  // "init": the next epoch's init_secret

  [[nodiscard]] static Result<EpochSecrets> derive(const crypto::CipherSuite& suite,
                                                   const EpochSecret& epoch_secret);
};

// What one epoch change yields: the joiner and welcome secrets (for Welcome messages),
// the epoch secret and everything derived from it.
struct EpochKeys {
  JoinerSecret joiner;
  WelcomeSecret welcome;
  EpochSecret epoch;
  EpochSecrets secrets;
};

// joiner_secret = ExpandWithLabel(Extract(init_secret, commit_secret), "joiner", GC, Nh)
[[nodiscard]] Result<JoinerSecret> derive_joiner_secret(const crypto::CipherSuite& suite,
                                                        const InitSecret& init_secret,
                                                        const CommitSecret& commit_secret,
                                                        ByteView group_context);

// welcome_secret = DeriveSecret(Extract(joiner_secret, psk_secret), "welcome"): what a new
// member needs to open a Welcome's GroupInfo, before it knows the GroupContext.
[[nodiscard]] Result<WelcomeSecret> derive_welcome_secret(const crypto::CipherSuite& suite,
                                                          const JoinerSecret& joiner,
                                                          const PskSecret& psk_secret);

// From joiner_secret onwards: the path a new member takes from a Welcome.
[[nodiscard]] Result<EpochKeys> derive_epoch_from_joiner(const crypto::CipherSuite& suite,
                                                         JoinerSecret joiner,
                                                         const PskSecret& psk_secret,
                                                         ByteView group_context);

// The whole step of an existing member: previous init_secret, this epoch's commit_secret,
// psk_secret (all-zero when no PSK) and the new epoch's encoded GroupContext.
[[nodiscard]] Result<EpochKeys> advance_epoch(const crypto::CipherSuite& suite,
                                              const InitSecret& init_secret,
                                              const CommitSecret& commit_secret,
                                              const PskSecret& psk_secret, ByteView group_context);

// The all-zero secret of Nh bytes (psk_secret with no PSKs, commit_secret without a path).
[[nodiscard]] SecretBytes zero_secret(const crypto::CipherSuite& suite);

// MLS-Exporter(label, context, length) =
//   ExpandWithLabel(DeriveSecret(exporter_secret, label), "exported", Hash(context), length)
[[nodiscard]] Result<SecretBytes> mls_export(const crypto::CipherSuite& suite,
                                             const ExporterSecret& exporter_secret,
                                             std::string_view label, ByteView context,
                                             std::size_t length);

// external_priv, external_pub = KEM.DeriveKeyPair(external_secret)
[[nodiscard]] Result<crypto::DhPrivateKey> external_key_pair(const crypto::CipherSuite& suite,
                                                             const ExternalSecret& external);

}  // namespace mpsec::schedule
