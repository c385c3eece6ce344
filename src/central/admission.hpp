// The admission policy of a group, applied to a member that has proven it holds its signature
// key: on the allow-list, or holding an X.509 chain to the group's CA whose end-entity key is
// that signature key; never a revoked key; never a role above the one granted.
#pragma once

#include <optional>
#include <string>

#include "central/group_config.hpp"
#include "crypto/x509.hpp"

namespace mpsec::central {

struct Admitted {
  std::string who;  // the allow-list name, or the credential's identity
};

class AdmissionControl {
 public:
  [[nodiscard]] static Result<AdmissionControl> create(const AdmissionPolicy& policy,
                                                       crypto::SigAlg alg);
  // policy_violation (with the reason) when the member may not join in that role.
  [[nodiscard]] Result<Admitted> authorize(const Credential& credential, ByteView signature_key,
                                           Role role, std::int64_t unix_time) const;

 private:
  AdmissionControl(const AdmissionPolicy& policy, crypto::SigAlg alg,
                   std::optional<crypto::X509Verifier> ca)
      : policy_(policy), alg_(alg), ca_(std::move(ca)) {}

  AdmissionPolicy policy_;
  crypto::SigAlg alg_;
  std::optional<crypto::X509Verifier> ca_;
};

// A printable name of a credential: the basic identity if it is printable, else hex.
std::string describe_identity(const Credential& credential);

}  // namespace mpsec::central
