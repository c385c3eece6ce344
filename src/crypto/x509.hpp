// X.509 chain verification with OpenSSL against configured trust anchors, for credentials
// that carry certificates (MLS X509Credential).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "crypto/signature.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

namespace mpsec::crypto {

class X509Verifier {
 public:
  // `anchors_pem`: one or more PEM certificates trusted as roots.
  [[nodiscard]] static Result<X509Verifier> create(ByteView anchors_pem);
  X509Verifier(X509Verifier&&) noexcept;
  X509Verifier& operator=(X509Verifier&&) noexcept;
  ~X509Verifier();

  // Verifies `chain` (DER certificates, end-entity first; intermediates may follow) at
  // `check_time` (Unix seconds) and returns the end-entity's public key in the MLS format
  // of `alg` (raw EdDSA key or uncompressed point). authentication_failed if the chain does
  // not verify, invalid_key if the key is not of that algorithm.
  [[nodiscard]] Result<Bytes> verify(std::span<const Bytes> chain, std::int64_t check_time,
                                     SigAlg alg) const;

 private:
  struct Impl;
  explicit X509Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpsec::crypto
