// RFC 9180 §4 LabeledExtract / LabeledExpand, with the suite_id that separates KEM and
// HPKE uses. Internal to src/crypto.
#pragma once

#include <cstddef>
#include <string_view>

#include "crypto/hash.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::crypto {

// suite_id = "KEM" || I2OSP(kem_id, 2)
Bytes kem_suite_id(std::uint16_t kem_id);
// suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)
Bytes hpke_suite_id(std::uint16_t kem_id, std::uint16_t kdf_id, std::uint16_t aead_id);

// Extract(salt, "HPKE-v1" || suite_id || label || ikm)
[[nodiscard]] Result<SecretBytes> labeled_extract(HashAlg alg, ByteView suite_id, ByteView salt,
                                                  std::string_view label, ByteView ikm);
// Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)
[[nodiscard]] Result<SecretBytes> labeled_expand(HashAlg alg, ByteView suite_id, ByteView prk,
                                                 std::string_view label, ByteView info,
                                                 std::size_t length);

}  // namespace mpsec::crypto
