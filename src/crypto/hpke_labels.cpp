#include "crypto/hpke_labels.hpp"

namespace mpsec::crypto {

namespace {
constexpr std::string_view kVersionLabel = "HPKE-v1";

void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
}  // namespace

Bytes kem_suite_id(std::uint16_t kem_id) {
  Bytes out{'K', 'E', 'M'};
  put_u16(out, kem_id);
  return out;
}

Bytes hpke_suite_id(std::uint16_t kem_id, std::uint16_t kdf_id, std::uint16_t aead_id) {
  Bytes out{'H', 'P', 'K', 'E'};
  put_u16(out, kem_id);
  put_u16(out, kdf_id);
  put_u16(out, aead_id);
  return out;
}

Result<SecretBytes> labeled_extract(HashAlg alg, ByteView suite_id, ByteView salt,
                                    std::string_view label, ByteView ikm) {
  // The IKM may be secret (a DH output or a PSK), so the concatenation is too.
  SecretBytes labeled_ikm;
  labeled_ikm.reserve(kVersionLabel.size() + suite_id.size() + label.size() + ikm.size());
  labeled_ikm.append(as_bytes(kVersionLabel));
  labeled_ikm.append(suite_id);
  labeled_ikm.append(as_bytes(label));
  labeled_ikm.append(ikm);
  return hkdf_extract(alg, salt, labeled_ikm.view());
}

Result<SecretBytes> labeled_expand(HashAlg alg, ByteView suite_id, ByteView prk,
                                   std::string_view label, ByteView info, std::size_t length) {
  MPSEC_ENSURE(length <= 0xffff, Errc::invalid_argument, "LabeledExpand length above 2^16 - 1");
  Bytes labeled_info;
  labeled_info.reserve(2 + kVersionLabel.size() + suite_id.size() + label.size() + info.size());
  put_u16(labeled_info, static_cast<std::uint16_t>(length));
  append(labeled_info, as_bytes(kVersionLabel));
  append(labeled_info, suite_id);
  append(labeled_info, as_bytes(label));
  append(labeled_info, info);
  return hkdf_expand(alg, prk, labeled_info, length);
}

}  // namespace mpsec::crypto
