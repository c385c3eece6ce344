// Welcome messages and GroupInfo (RFC 9420 §12.4.3): encrypting the group secrets to each new
// member's init key, encrypting the GroupInfo under keys from the welcome secret, and their
// signatures.
#pragma once

#include "crypto/cipher_suite.hpp"
#include "mls/messages.hpp"
#include "schedule/secrets.hpp"

namespace mpsec::mls {

// welcome_key / welcome_nonce = ExpandWithLabel(welcome_secret, "key" / "nonce", "", Nk / Nn)
[[nodiscard]] Result<Bytes> encrypt_group_info(const crypto::CipherSuite& suite,
                                               const schedule::WelcomeSecret& welcome_secret,
                                               const GroupInfo& info);
[[nodiscard]] Result<GroupInfo> decrypt_group_info(const crypto::CipherSuite& suite,
                                                   const schedule::WelcomeSecret& welcome_secret,
                                                   ByteView encrypted_group_info);

// EncryptWithLabel(init_key, "Welcome", encrypted_group_info, GroupSecrets)
[[nodiscard]] Result<EncryptedGroupSecrets> encrypt_group_secrets(const crypto::CipherSuite& suite,
                                                                  const KeyPackage& new_member,
                                                                  ByteView encrypted_group_info,
                                                                  const GroupSecrets& secrets,
                                                                  Random& rng);
// Finds this key package's entry in the Welcome and decrypts it with its init key.
[[nodiscard]] Result<GroupSecrets> decrypt_group_secrets(const crypto::CipherSuite& suite,
                                                         const Welcome& welcome,
                                                         const KeyPackage& key_package,
                                                         const crypto::DhPrivateKey& init_key);

// SignWithLabel(., "GroupInfoTBS", GroupInfoTBS)
[[nodiscard]] Status sign_group_info(const crypto::CipherSuite& suite,
                                     const crypto::SigningKey& key, GroupInfo& info);
[[nodiscard]] Status verify_group_info(const crypto::CipherSuite& suite,
                                       const crypto::VerifyKey& key, const GroupInfo& info);

}  // namespace mpsec::mls
