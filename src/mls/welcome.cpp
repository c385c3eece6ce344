#include "mls/welcome.hpp"

#include "crypto/aead.hpp"
#include "mls/leaf_node.hpp"

namespace mpsec::mls {

namespace {

struct WelcomeKey {
  SecretBytes key;
  SecretBytes nonce;
};

Result<WelcomeKey> welcome_key(const crypto::CipherSuite& suite,
                               const schedule::WelcomeSecret& secret) {
  WelcomeKey out;
  out.key = MPSEC_TRY(suite.expand_with_label(secret.view(), "key", {}, suite.key_size()));
  out.nonce = MPSEC_TRY(suite.expand_with_label(secret.view(), "nonce", {}, suite.nonce_size()));
  return out;
}

}  // namespace

Result<Bytes> encrypt_group_info(const crypto::CipherSuite& suite,
                                 const schedule::WelcomeSecret& welcome_secret,
                                 const GroupInfo& info) {
  auto k = MPSEC_TRY(welcome_key(suite, welcome_secret));
  auto aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), k.key.view()));
  return aead.seal(k.nonce.view(), {}, MPSEC_TRY(codec::encode(info)));
}

Result<GroupInfo> decrypt_group_info(const crypto::CipherSuite& suite,
                                     const schedule::WelcomeSecret& welcome_secret,
                                     ByteView encrypted_group_info) {
  auto k = MPSEC_TRY(welcome_key(suite, welcome_secret));
  auto aead = MPSEC_TRY(crypto::AeadKey::create(suite.aead(), k.key.view()));
  auto plain = MPSEC_TRY(aead.open(k.nonce.view(), {}, encrypted_group_info));
  return codec::decode<GroupInfo>(plain);
}

Result<EncryptedGroupSecrets> encrypt_group_secrets(const crypto::CipherSuite& suite,
                                                    const KeyPackage& new_member,
                                                    ByteView encrypted_group_info,
                                                    const GroupSecrets& secrets, Random& rng) {
  auto init_key = MPSEC_TRY(crypto::DhPublicKey::parse(suite.kem(), new_member.init_key));
  auto plain = MPSEC_TRY(codec::encode_secret(secrets));
  auto ct = MPSEC_TRY(
      suite.encrypt_with_label(init_key, "Welcome", encrypted_group_info, plain.view(), rng));
  return EncryptedGroupSecrets{MPSEC_TRY(key_package_ref(suite, new_member)),
                               {std::move(ct.kem_output), std::move(ct.ciphertext)}};
}

Result<GroupSecrets> decrypt_group_secrets(const crypto::CipherSuite& suite, const Welcome& welcome,
                                           const KeyPackage& key_package,
                                           const crypto::DhPrivateKey& init_key) {
  MPSEC_ENSURE(welcome.cipher_suite == suite.code() && key_package.cipher_suite == suite.code(),
               Errc::invalid_argument, "Welcome and KeyPackage use different cipher suites");
  const Bytes ref = MPSEC_TRY(key_package_ref(suite, key_package));
  for (const auto& entry : welcome.secrets) {
    if (entry.new_member != ref) continue;
    auto plain = MPSEC_TRY(suite.decrypt_with_label(
        init_key, "Welcome", welcome.encrypted_group_info, entry.encrypted_group_secrets.kem_output,
        entry.encrypted_group_secrets.ciphertext));
    return codec::decode<GroupSecrets>(plain.view());
  }
  return fail(Errc::not_found, "the Welcome is not for any key package held");
}

Status sign_group_info(const crypto::CipherSuite& suite, const crypto::SigningKey& key,
                       GroupInfo& info) {
  codec::Writer w;
  info.encode_tbs(w);
  info.signature =
      MPSEC_TRY(suite.sign_with_label(key, "GroupInfoTBS", MPSEC_TRY(std::move(w).finish())));
  return ok();
}

Status verify_group_info(const crypto::CipherSuite& suite, const crypto::VerifyKey& key,
                         const GroupInfo& info) {
  codec::Writer w;
  info.encode_tbs(w);
  return suite.verify_with_label(key, "GroupInfoTBS", MPSEC_TRY(std::move(w).finish()),
                                 info.signature);
}

}  // namespace mpsec::mls
