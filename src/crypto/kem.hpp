// DHKEM (RFC 9180 §4.1): Encap/Decap and AuthEncap/AuthDecap over the groups of dh.hpp.
#pragma once

#include "crypto/dh.hpp"

namespace mpsec::crypto {

struct Encapsulation {
  SecretBytes shared_secret;
  Bytes enc;
};

[[nodiscard]] Result<Encapsulation> kem_encap(const DhPublicKey& pk_r, Random& rng);
[[nodiscard]] Result<SecretBytes> kem_decap(ByteView enc, const DhPrivateKey& sk_r);
[[nodiscard]] Result<Encapsulation> kem_auth_encap(const DhPublicKey& pk_r,
                                                   const DhPrivateKey& sk_s, Random& rng);
[[nodiscard]] Result<SecretBytes> kem_auth_decap(ByteView enc, const DhPrivateKey& sk_r,
                                                 const DhPublicKey& pk_s);

}  // namespace mpsec::crypto
