#include "central/admission.hpp"

#include <algorithm>

#include "mpsec/hex.hpp"

namespace mpsec::central {
namespace {

std::string printable(ByteView b) {
  const bool text =
      !b.empty() && b.size() <= 64 &&
      std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
  return text ? std::string(b.begin(), b.end())
              : to_hex(b.first(std::min<std::size_t>(b.size(), 16)));
}

}  // namespace

std::string describe_identity(const Credential& credential) {
  if (credential.credential_type == schedule::CredentialType::basic)
    return printable(credential.identity);
  return "x509";
}

Result<AdmissionControl> AdmissionControl::create(const AdmissionPolicy& policy,
                                                  crypto::SigAlg alg) {
  std::optional<crypto::X509Verifier> ca;
  if (!policy.ca_pem.empty()) ca = MPSEC_TRY(crypto::X509Verifier::create(policy.ca_pem));
  return AdmissionControl(policy, alg, std::move(ca));
}

Result<Admitted> AdmissionControl::authorize(const Credential& credential, ByteView signature_key,
                                             Role role, std::int64_t unix_time) const {
  MPSEC_ENSURE(valid_role(role), Errc::decode_error, "unknown role");
  for (const Bytes& r : policy_.revoked)
    MPSEC_ENSURE(!ct_equal(r, signature_key), Errc::policy_violation, "revoked key");
  for (const AllowedKey& a : policy_.allowed) {
    if (!ct_equal(a.signature_key, signature_key)) continue;
    MPSEC_ENSURE(role <= a.max_role, Errc::policy_violation, "role not granted to this key");
    return Admitted{a.name.empty() ? describe_identity(credential) : printable(a.name)};
  }
  MPSEC_ENSURE(ca_.has_value(), Errc::policy_violation, "key not on the allow-list");
  MPSEC_ENSURE(credential.credential_type == schedule::CredentialType::x509, Errc::policy_violation,
               "key not on the allow-list and no certificate");
  std::vector<Bytes> chain;
  for (const auto& c : credential.certificates)
    chain.push_back(c.cert_data);
  auto key = ca_->verify(chain, unix_time, alg_);
  MPSEC_ENSURE(key.has_value(), Errc::policy_violation,
               "certificate chain rejected: " + key.error().message);
  MPSEC_ENSURE(ct_equal(*key, signature_key), Errc::policy_violation,
               "certificate is not for the signature key");
  MPSEC_ENSURE(role <= policy_.ca_max_role, Errc::policy_violation,
               "role not granted to certificate holders");
  return Admitted{"x509:" + to_hex(ByteView(*key).first(std::min<std::size_t>(key->size(), 8)))};
}

}  // namespace mpsec::central
