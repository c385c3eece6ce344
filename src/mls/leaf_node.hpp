// Signing and verifying LeafNodes (RFC 9420 §7.2) and KeyPackages (§10).
#pragma once

#include "crypto/cipher_suite.hpp"
#include "mls/messages.hpp"

namespace mpsec::mls {

// LeafNodeTBS: the leaf's content and, for the update and commit sources, the group id and
// the leaf's index, so a leaf signed for one group and position is valid nowhere else.
[[nodiscard]] Result<Bytes> leaf_node_tbs(const LeafNode& leaf, ByteView group_id,
                                          std::uint32_t leaf_index);
[[nodiscard]] Status sign_leaf_node(const crypto::CipherSuite& suite, const crypto::SigningKey& key,
                                    LeafNode& leaf, ByteView group_id, std::uint32_t leaf_index);
[[nodiscard]] Status verify_leaf_node_signature(const crypto::CipherSuite& suite,
                                                const LeafNode& leaf, ByteView group_id,
                                                std::uint32_t leaf_index);

// KeyPackageTBS: every field above the signature.
[[nodiscard]] Result<Bytes> key_package_tbs(const KeyPackage& kp);
[[nodiscard]] Status sign_key_package(const crypto::CipherSuite& suite,
                                      const crypto::SigningKey& key, KeyPackage& kp);
[[nodiscard]] Status verify_key_package_signature(const crypto::CipherSuite& suite,
                                                  const KeyPackage& kp);
// KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)
[[nodiscard]] Result<Bytes> key_package_ref(const crypto::CipherSuite& suite, const KeyPackage& kp);

}  // namespace mpsec::mls
