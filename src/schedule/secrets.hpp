// One C++ type per kind of key-schedule secret (RFC 9420 §8), so that one can never be
// passed where another is expected. Each owns self-wiping bytes; copies are explicit.
#pragma once

#include "mpsec/secret_bytes.hpp"

namespace mpsec::schedule {

template <class Tag>
class Secret {
 public:
  Secret() = default;
  explicit Secret(SecretBytes bytes) : bytes_(std::move(bytes)) {}
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;

  [[nodiscard]] Secret clone() const { return Secret(bytes_.clone()); }
  [[nodiscard]] SecretBytes clone_bytes() const { return bytes_.clone(); }
  ByteView view() const noexcept { return bytes_.view(); }
  std::size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  friend bool operator==(const Secret& a, const Secret& b) noexcept { return a.bytes_ == b.bytes_; }

 private:
  SecretBytes bytes_;
};

#define MPSEC_SECRET_KIND(Name) \
  struct Name##Tag;             \
  using Name = Secret<Name##Tag>

MPSEC_SECRET_KIND(InitSecret);
MPSEC_SECRET_KIND(CommitSecret);
MPSEC_SECRET_KIND(PskSecret);
MPSEC_SECRET_KIND(JoinerSecret);
MPSEC_SECRET_KIND(WelcomeSecret);
MPSEC_SECRET_KIND(EpochSecret);
MPSEC_SECRET_KIND(SenderDataSecret);
MPSEC_SECRET_KIND(EncryptionSecret);
MPSEC_SECRET_KIND(ExporterSecret);
MPSEC_SECRET_KIND(ExternalSecret);
MPSEC_SECRET_KIND(ConfirmationKey);
MPSEC_SECRET_KIND(MembershipKey);
MPSEC_SECRET_KIND(ResumptionPsk);
MPSEC_SECRET_KIND(EpochAuthenticator);

#undef MPSEC_SECRET_KIND

}  // namespace mpsec::schedule
