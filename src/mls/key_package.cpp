#include "mls/key_package.hpp"

#include <algorithm>

#include "mls/extensions.hpp"
#include "mls/leaf_node.hpp"

namespace mpsec::mls {

namespace {

constexpr std::uint16_t kGrease[] = {0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
                                     0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea};

Result<std::uint16_t> grease(Random& rng) {
  std::uint8_t b[1];
  MPSEC_TRY(rng.fill(b));
  return kGrease[b[0] % std::size(kGrease)];
}

bool contains(const std::vector<std::uint16_t>& list, std::uint16_t v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

Capabilities default_capabilities() {
  Capabilities c;
  c.versions = {record::kProtocolVersionMls10};
  for (const auto& s : crypto::CipherSuite::all())
    c.cipher_suites.push_back(s.code());
  c.credentials = {static_cast<std::uint16_t>(CredentialType::basic),
                   static_cast<std::uint16_t>(CredentialType::x509)};
  return c;
}

Result<Identity> Identity::generate(const crypto::CipherSuite& suite, Credential credential,
                                    Random& rng) {
  return Identity{suite, MPSEC_TRY(crypto::SigningKey::generate(suite.sig(), rng)),
                  std::move(credential), default_capabilities()};
}

Result<KeyPackageBundle> create_key_package(const Identity& id, const KeyPackageOptions& options,
                                            Random& rng) {
  const auto& suite = id.suite;
  auto init_key = MPSEC_TRY(crypto::DhPrivateKey::generate(suite.kem(), rng));
  auto encryption_key = MPSEC_TRY(crypto::DhPrivateKey::generate(suite.kem(), rng));

  LeafNode leaf;
  leaf.encryption_key = encryption_key.public_key().bytes();
  leaf.signature_key = id.signing_key.verify_key().bytes();
  leaf.credential = id.credential;
  leaf.capabilities = id.capabilities;
  // GREASE: one unknown value in each list, and a GREASE leaf extension it advertises.
  const std::uint16_t g = MPSEC_TRY(grease(rng));
  leaf.capabilities.cipher_suites.push_back(g);
  leaf.capabilities.extensions.push_back(g);
  leaf.capabilities.proposals.push_back(g);
  leaf.capabilities.credentials.push_back(g);
  leaf.leaf_node_source = LeafNodeSource::key_package;
  leaf.lifetime = options.lifetime;
  leaf.extensions = options.leaf_extensions;
  leaf.extensions.push_back({g, {}});
  KeyPackage kp;
  kp.cipher_suite = suite.code();
  kp.init_key = init_key.public_key().bytes();
  kp.extensions = options.extensions;
  if (options.last_resort) {
    kp.extensions.push_back({kLastResortExtension, {}});
    leaf.capabilities.extensions.push_back(kLastResortExtension);
  }
  kp.extensions.push_back({g, {}});
  MPSEC_TRY(sign_leaf_node(suite, id.signing_key, leaf, {}, 0));
  kp.leaf_node = std::move(leaf);
  MPSEC_TRY(sign_key_package(suite, id.signing_key, kp));
  return KeyPackageBundle{std::move(kp), std::move(init_key), std::move(encryption_key)};
}

Status validate_leaf_node(const crypto::CipherSuite& suite, const LeafNode& leaf,
                          LeafNodeSource expected_source, ByteView group_id,
                          std::uint32_t leaf_index, std::span<const Extension> group_extensions,
                          const ValidationContext& context) {
  MPSEC_ENSURE(leaf.leaf_node_source == expected_source, Errc::policy_violation,
               "leaf node has the wrong source");
  MPSEC_TRY(context.credentials->validate(leaf.credential, leaf.signature_key));
  MPSEC_TRY(verify_leaf_node_signature(suite, leaf, group_id, leaf_index));
  MPSEC_TRY(crypto::DhPublicKey::parse(suite.kem(), leaf.encryption_key));
  MPSEC_TRY(check_unique_extensions(leaf.extensions));
  const auto& caps = leaf.capabilities;
  MPSEC_ENSURE(contains(caps.versions, record::kProtocolVersionMls10) &&
                   contains(caps.cipher_suites, suite.code()),
               Errc::policy_violation, "leaf does not support the group's version and suite");
  MPSEC_ENSURE(
      contains(caps.credentials, static_cast<std::uint16_t>(leaf.credential.credential_type)),
      Errc::policy_violation, "leaf does not advertise its own credential type");
  for (const auto& e : leaf.extensions)
    MPSEC_ENSURE(
        is_default_extension(e.extension_type) || contains(caps.extensions, e.extension_type),
        Errc::policy_violation, "leaf extension not listed in its capabilities");
  if (leaf.leaf_node_source == LeafNodeSource::key_package && context.now != 0) {
    const auto& lt = leaf.lifetime;
    MPSEC_ENSURE(lt.not_before <= context.now && context.now <= lt.not_after,
                 Errc::policy_violation, "leaf node outside its lifetime");
    MPSEC_ENSURE(lt.not_after - lt.not_before <= context.max_lifetime, Errc::policy_violation,
                 "leaf node lifetime longer than the policy allows");
  }
  // Required capabilities of the group, and support for every group context extension.
  auto required = MPSEC_TRY(
      read_extension<RequiredCapabilities>(group_extensions, ExtensionType::required_capabilities));
  if (required) {
    for (auto t : required->extension_types)
      MPSEC_ENSURE(is_default_extension(t) || contains(caps.extensions, t), Errc::policy_violation,
                   "leaf lacks a required extension");
    for (auto t : required->proposal_types)
      MPSEC_ENSURE(is_default_proposal(t) || contains(caps.proposals, t), Errc::policy_violation,
                   "leaf lacks a required proposal type");
    for (auto t : required->credential_types)
      MPSEC_ENSURE(contains(caps.credentials, t), Errc::policy_violation,
                   "leaf lacks a required credential type");
  }
  for (const auto& e : group_extensions)
    MPSEC_ENSURE(
        is_default_extension(e.extension_type) || contains(caps.extensions, e.extension_type),
        Errc::policy_violation, "leaf does not support a group context extension");
  return ok();
}

Status validate_key_package(const crypto::CipherSuite& suite, const KeyPackage& kp,
                            std::span<const Extension> group_extensions,
                            const ValidationContext& context) {
  MPSEC_ENSURE(kp.version == record::kProtocolVersionMls10 && kp.cipher_suite == suite.code(),
               Errc::policy_violation, "key package for another version or cipher suite");
  MPSEC_TRY(validate_leaf_node(suite, kp.leaf_node, LeafNodeSource::key_package, {}, 0,
                               group_extensions, context));
  MPSEC_TRY(verify_key_package_signature(suite, kp));
  MPSEC_TRY(crypto::DhPublicKey::parse(suite.kem(), kp.init_key));
  MPSEC_ENSURE(kp.init_key != kp.leaf_node.encryption_key, Errc::policy_violation,
               "init key equals the leaf's encryption key");
  MPSEC_TRY(check_unique_extensions(kp.extensions));
  return ok();
}

}  // namespace mpsec::mls
