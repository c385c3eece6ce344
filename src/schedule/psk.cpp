#include "schedule/psk.hpp"

namespace mpsec::schedule {

void PreSharedKeyId::tls_encode(codec::Writer& w) const {
  codec::encode(w, psktype);
  if (psktype == PskType::external) {
    w.opaque(psk_id);
  } else {
    codec::encode(w, usage);
    w.opaque(psk_group_id);
    w.u64(psk_epoch);
  }
  w.opaque(psk_nonce);
}

Status PreSharedKeyId::tls_decode(codec::Reader& r) {
  MPSEC_TRY(codec::decode(r, psktype));
  switch (psktype) {
    case PskType::external:
      MPSEC_TRY(codec::decode(r, psk_id));
      break;
    case PskType::resumption: {
      MPSEC_TRY(codec::decode(r, usage));
      const auto u = static_cast<std::uint8_t>(usage);
      MPSEC_ENSURE(u >= 1 && u <= 3, Errc::decode_error, "unknown ResumptionPSKUsage");
      MPSEC_TRY(codec::decode(r, psk_group_id));
      MPSEC_TRY(codec::decode(r, psk_epoch));
      break;
    }
    default:
      return fail(Errc::decode_error, "unknown PSKType");
  }
  return codec::decode(r, psk_nonce);
}

namespace {
// struct { PreSharedKeyID id; uint16 index; uint16 count; } PSKLabel;
struct PskLabel {
  PreSharedKeyId id;
  std::uint16_t index = 0;
  std::uint16_t count = 0;
  MPSEC_TLS_FIELDS(id, index, count)
};
}  // namespace

Result<PskSecret> derive_psk_secret(const crypto::CipherSuite& suite,
                                    std::span<const PskInput> psks) {
  MPSEC_ENSURE(psks.size() <= 0xffff, Errc::limit_exceeded, "too many PSKs");
  const Bytes zero(suite.hash_size(), 0);
  SecretBytes psk_secret{ByteView(zero)};
  for (std::size_t i = 0; i < psks.size(); ++i) {
    // psk_extracted = Extract(0, psk); psk_input = ExpandWithLabel(., "derived psk", PSKLabel, Nh)
    auto extracted = MPSEC_TRY(suite.kdf_extract(zero, psks[i].psk));
    const PskLabel label{*psks[i].id, static_cast<std::uint16_t>(i),
                         static_cast<std::uint16_t>(psks.size())};
    auto label_bytes = MPSEC_TRY(codec::encode(label));
    auto input = MPSEC_TRY(
        suite.expand_with_label(extracted.view(), "derived psk", label_bytes, suite.hash_size()));
    // psk_secret_[i+1] = Extract(psk_input_[i], psk_secret_[i])
    psk_secret = MPSEC_TRY(suite.kdf_extract(input.view(), psk_secret.view()));
  }
  return PskSecret(std::move(psk_secret));
}

}  // namespace mpsec::schedule
