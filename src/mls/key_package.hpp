// A client's identity in one cipher suite, its KeyPackages (RFC 9420 §10) and the
// validation of KeyPackages and LeafNodes received from others (§7.3, §10.1).
#pragma once

#include <cstdint>
#include <optional>

#include "crypto/cipher_suite.hpp"
#include "mls/credential_validator.hpp"
#include "mls/messages.hpp"

namespace mpsec::mls {

// The last_resort KeyPackage extension (draft-ietf-mls-extensions): a KeyPackage its owner
// keeps accepting after use, for when no fresh one is left.
inline constexpr std::uint16_t kLastResortExtension = 0x000a;

struct Identity {
  crypto::CipherSuite suite;
  crypto::SigningKey signing_key;
  Credential credential;
  Capabilities capabilities;  // what this client supports, without GREASE

  // A fresh signature key and the default capabilities.
  [[nodiscard]] static Result<Identity> generate(const crypto::CipherSuite& suite,
                                                 Credential credential, Random& rng);
};

// mls10; every cipher suite mpsec offers; basic and X.509 credentials; no non-default
// extensions or proposals.
Capabilities default_capabilities();

struct KeyPackageOptions {
  Lifetime lifetime;  // absolute Unix seconds
  bool last_resort = false;
  std::vector<Extension> extensions;       // KeyPackage extensions
  std::vector<Extension> leaf_extensions;  // LeafNode extensions
};

// A KeyPackage and the private keys its owner keeps until it is used.
struct KeyPackageBundle {
  KeyPackage key_package;
  crypto::DhPrivateKey init_key;
  crypto::DhPrivateKey encryption_key;
};

// A signed KeyPackage with fresh init and encryption keys. Random GREASE values are added to
// the advertised capabilities and extensions (RFC 9420 §13.5).
[[nodiscard]] Result<KeyPackageBundle> create_key_package(const Identity& identity,
                                                          const KeyPackageOptions& options,
                                                          Random& rng);

// What validation needs from the application: its Authentication Service and the time.
struct ValidationContext {
  const CredentialValidator* credentials = &basic_credentials();
  std::uint64_t now = 0;                        // Unix seconds; 0 skips lifetime checks
  std::uint64_t max_lifetime = 90 * 24 * 3600;  // longest acceptable not_after - not_before
};

// The checks on one LeafNode that do not depend on the rest of the tree: credential,
// signature, source, lifetime (when a source is key_package), extensions advertised in the
// capabilities, and the group's required capabilities.
[[nodiscard]] Status validate_leaf_node(const crypto::CipherSuite& suite, const LeafNode& leaf,
                                        LeafNodeSource expected_source, ByteView group_id,
                                        std::uint32_t leaf_index,
                                        std::span<const Extension> group_extensions,
                                        const ValidationContext& context);

// RFC 9420 §10.1 for a group of this cipher suite.
[[nodiscard]] Status validate_key_package(const crypto::CipherSuite& suite, const KeyPackage& kp,
                                          std::span<const Extension> group_extensions,
                                          const ValidationContext& context);

}  // namespace mpsec::mls
