// A live self-test of one cipher suite: each primitive must round-trip and must reject a
// tampered input. Run by `mpsec suites`; applications may run it at start-up.
#pragma once

#include "crypto/cipher_suite.hpp"

namespace mpsec::crypto {

struct SuiteSelfTest {
  Status aead;       // seal/open round trip; a flipped ciphertext bit is rejected
  Status signature;  // SignWithLabel/VerifyWithLabel; another label is rejected
  Status hpke;       // EncryptWithLabel/DecryptWithLabel; another context is rejected
  bool passed() const noexcept { return aead && signature && hpke; }
};

SuiteSelfTest self_test(const CipherSuite& suite, Random& rng);

}  // namespace mpsec::crypto
