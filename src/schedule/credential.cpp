#include "schedule/credential.hpp"

namespace mpsec::schedule {

void Credential::tls_encode(codec::Writer& w) const {
  codec::encode(w, credential_type);
  if (credential_type == CredentialType::basic) {
    w.opaque(identity);
  } else {
    codec::encode(w, certificates);
  }
}

Status Credential::tls_decode(codec::Reader& r) {
  MPSEC_TRY(codec::decode(r, credential_type));
  switch (credential_type) {
    case CredentialType::basic:
      return codec::decode(r, identity);
    case CredentialType::x509:
      return codec::decode(r, certificates);
  }
  // The body of an unknown credential type has no known extent.
  return fail(Errc::unsupported, "unknown credential type");
}

}  // namespace mpsec::schedule
