#include "mls/credential_validator.hpp"

#include "crypto/x509.hpp"

namespace mpsec::mls {

Bytes CredentialValidator::client_id(const Credential& c) const {
  // The type first, so a basic identity never equals a certificate.
  Bytes id{static_cast<std::uint8_t>(static_cast<std::uint16_t>(c.credential_type) >> 8),
           static_cast<std::uint8_t>(c.credential_type)};
  if (c.credential_type == CredentialType::basic) {
    append(id, c.identity);
  } else if (!c.certificates.empty()) {
    append(id, c.certificates[0].cert_data);
  }
  return id;
}

Status BasicCredentialValidator::validate(const Credential& credential, ByteView) const {
  MPSEC_ENSURE(credential.credential_type == CredentialType::basic, Errc::policy_violation,
               "only basic credentials are accepted");
  MPSEC_ENSURE(!credential.identity.empty(), Errc::policy_violation, "empty identity");
  return ok();
}

const CredentialValidator& basic_credentials() {
  static const BasicCredentialValidator v;
  return v;
}

struct X509CredentialValidator::Impl {
  crypto::X509Verifier verifier;
  std::int64_t check_time;
  bool allow_basic;
};

X509CredentialValidator::X509CredentialValidator(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
X509CredentialValidator::~X509CredentialValidator() = default;

Result<std::shared_ptr<X509CredentialValidator>> X509CredentialValidator::create(
    ByteView anchors_pem, std::int64_t check_time, bool allow_basic) {
  auto verifier = MPSEC_TRY(crypto::X509Verifier::create(anchors_pem));
  return std::shared_ptr<X509CredentialValidator>(new X509CredentialValidator(
      std::make_unique<Impl>(Impl{std::move(verifier), check_time, allow_basic})));
}

Status X509CredentialValidator::validate(const Credential& credential,
                                         ByteView signature_key) const {
  if (credential.credential_type == CredentialType::basic) {
    MPSEC_ENSURE(impl_->allow_basic, Errc::policy_violation, "basic credentials are not accepted");
    return basic_credentials().validate(credential, signature_key);
  }
  std::vector<Bytes> chain;
  for (const auto& c : credential.certificates)
    chain.push_back(c.cert_data);
  // The scheme follows from the key's size and form; try each that matches.
  for (auto alg :
       {crypto::SigAlg::ed25519, crypto::SigAlg::ed448, crypto::SigAlg::ecdsa_secp256r1_sha256,
        crypto::SigAlg::ecdsa_secp384r1_sha384, crypto::SigAlg::ecdsa_secp521r1_sha512}) {
    if (!crypto::VerifyKey::parse(alg, signature_key)) continue;
    auto key = MPSEC_TRY(impl_->verifier.verify(chain, impl_->check_time, alg));
    MPSEC_ENSURE(equal(key, signature_key), Errc::authentication_failed,
                 "the certificate's key is not the leaf's signature key");
    return ok();
  }
  return fail(Errc::invalid_key, "signature key of no known scheme");
}

}  // namespace mpsec::mls
