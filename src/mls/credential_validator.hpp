// The Authentication Service hook (RFC 9420 §5.3.1): the application decides which
// credentials it accepts and whether a new credential may succeed an old one. mpsec ships
// a basic-credential validator and an X.509 one that verifies chains with OpenSSL against
// configured trust anchors.
#pragma once

#include <memory>
#include <vector>

#include "mls/messages.hpp"

namespace mpsec::mls {

class CredentialValidator {
 public:
  virtual ~CredentialValidator() = default;
  // The credential is acceptable and bound to `signature_key` (the LeafNode's).
  [[nodiscard]] virtual Status validate(const Credential& credential,
                                        ByteView signature_key) const = 0;
  // A canonical identifier of the client a credential presents: two credentials present the
  // same client when their ids are equal (duplicate Adds, Update and commit successors).
  // Default: the basic identity, or the end-entity certificate.
  [[nodiscard]] virtual Bytes client_id(const Credential& credential) const;
  [[nodiscard]] bool same_client(const Credential& a, const Credential& b) const {
    return client_id(a) == client_id(b);
  }
};

// Accepts basic credentials (any identity) and, unless told otherwise, refuses X.509.
class BasicCredentialValidator final : public CredentialValidator {
 public:
  Status validate(const Credential& credential, ByteView signature_key) const override;
};

// X.509 chains (end-entity first) verified against trust anchors, with the end-entity's
// public key equal to the LeafNode's signature key; basic credentials are refused unless
// `allow_basic`. The check time is injected (Unix seconds) so validation is reproducible.
class X509CredentialValidator final : public CredentialValidator {
 public:
  // `anchors_pem`: one or more PEM certificates.
  [[nodiscard]] static Result<std::shared_ptr<X509CredentialValidator>> create(
      ByteView anchors_pem, std::int64_t check_time, bool allow_basic = false);
  Status validate(const Credential& credential, ByteView signature_key) const override;
  ~X509CredentialValidator() override;

 private:
  struct Impl;
  explicit X509CredentialValidator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

const CredentialValidator& basic_credentials();

}  // namespace mpsec::mls
