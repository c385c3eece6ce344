// The credential of a member, as RFC 9420 §5.3 encodes it: shared by every mode (MLS leaf
// nodes, centralized-mode registration), so it lives below them.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/tls.hpp"

namespace mpsec::schedule {

enum class CredentialType : std::uint16_t { basic = 1, x509 = 2 };

// struct { opaque cert_data<V>; } Certificate;
struct Certificate {
  Bytes cert_data;
  MPSEC_TLS_FIELDS(cert_data)
  friend bool operator==(const Certificate&, const Certificate&) = default;
};

// struct { CredentialType credential_type; select { basic: opaque identity<V>;
//          x509: Certificate certificates<V>; } } Credential;
struct Credential {
  CredentialType credential_type = CredentialType::basic;
  Bytes identity;                         // basic
  std::vector<Certificate> certificates;  // x509, end-entity first

  static Credential basic(Bytes identity) {
    return {CredentialType::basic, std::move(identity), {}};
  }
  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const Credential&, const Credential&) = default;
};

}  // namespace mpsec::schedule
