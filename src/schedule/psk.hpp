// Pre-shared keys in the key schedule (RFC 9420 §8.4): PreSharedKeyID and psk_secret.
#pragma once

#include <cstdint>
#include <span>

#include "codec/tls.hpp"
#include "crypto/cipher_suite.hpp"
#include "schedule/secrets.hpp"

namespace mpsec::schedule {

enum class PskType : std::uint8_t { external = 1, resumption = 2 };
enum class ResumptionPskUsage : std::uint8_t { application = 1, reinit = 2, branch = 3 };

// struct {
//   PSKType psktype;
//   select (psktype) {
//     case external:   opaque psk_id<V>;
//     case resumption: ResumptionPSKUsage usage; opaque psk_group_id<V>; uint64 psk_epoch;
//   };
//   opaque psk_nonce<V>;
// } PreSharedKeyID;
struct PreSharedKeyId {
  PskType psktype = PskType::external;
  Bytes psk_id;                                                // external
  ResumptionPskUsage usage = ResumptionPskUsage::application;  // resumption
  Bytes psk_group_id;                                          // resumption
  std::uint64_t psk_epoch = 0;                                 // resumption
  Bytes psk_nonce;

  void tls_encode(codec::Writer& w) const;
  [[nodiscard]] Status tls_decode(codec::Reader& r);
  friend bool operator==(const PreSharedKeyId&, const PreSharedKeyId&) = default;
};

struct PskInput {
  const PreSharedKeyId* id;
  ByteView psk;
};

// psk_secret for PSKs injected in this order; all-zero (Nh bytes) for none.
[[nodiscard]] Result<PskSecret> derive_psk_secret(const crypto::CipherSuite& suite,
                                                  std::span<const PskInput> psks);

}  // namespace mpsec::schedule
