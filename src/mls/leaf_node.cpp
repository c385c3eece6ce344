#include "mls/leaf_node.hpp"

namespace mpsec::mls {

Result<Bytes> leaf_node_tbs(const LeafNode& leaf, ByteView group_id, std::uint32_t leaf_index) {
  codec::Writer w;
  leaf.encode_content(w);
  if (leaf.leaf_node_source != LeafNodeSource::key_package) {
    w.opaque(group_id);
    w.u32(leaf_index);
  }
  return std::move(w).finish();
}

Status sign_leaf_node(const crypto::CipherSuite& suite, const crypto::SigningKey& key,
                      LeafNode& leaf, ByteView group_id, std::uint32_t leaf_index) {
  auto tbs = MPSEC_TRY(leaf_node_tbs(leaf, group_id, leaf_index));
  leaf.signature = MPSEC_TRY(suite.sign_with_label(key, "LeafNodeTBS", tbs));
  return ok();
}

Status verify_leaf_node_signature(const crypto::CipherSuite& suite, const LeafNode& leaf,
                                  ByteView group_id, std::uint32_t leaf_index) {
  auto key = MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), leaf.signature_key));
  auto tbs = MPSEC_TRY(leaf_node_tbs(leaf, group_id, leaf_index));
  return suite.verify_with_label(key, "LeafNodeTBS", tbs, leaf.signature);
}

Result<Bytes> key_package_tbs(const KeyPackage& kp) {
  codec::Writer w;
  w.u16(kp.version);
  w.u16(kp.cipher_suite);
  w.opaque(kp.init_key);
  codec::encode(w, kp.leaf_node);
  codec::encode(w, kp.extensions);
  return std::move(w).finish();
}

Status sign_key_package(const crypto::CipherSuite& suite, const crypto::SigningKey& key,
                        KeyPackage& kp) {
  auto tbs = MPSEC_TRY(key_package_tbs(kp));
  kp.signature = MPSEC_TRY(suite.sign_with_label(key, "KeyPackageTBS", tbs));
  return ok();
}

Status verify_key_package_signature(const crypto::CipherSuite& suite, const KeyPackage& kp) {
  auto key = MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), kp.leaf_node.signature_key));
  auto tbs = MPSEC_TRY(key_package_tbs(kp));
  return suite.verify_with_label(key, "KeyPackageTBS", tbs, kp.signature);
}

Result<Bytes> key_package_ref(const crypto::CipherSuite& suite, const KeyPackage& kp) {
  auto bytes = MPSEC_TRY(codec::encode(kp));
  return suite.ref_hash("MLS 1.0 KeyPackage Reference", bytes);
}

}  // namespace mpsec::mls
