#include "central/group_config.hpp"

#include "crypto/cipher_suite.hpp"

namespace mpsec::central {

Status GroupConfig::validate() const {
  MPSEC_ENSURE(!group_id.empty() && group_id.size() <= 255, Errc::invalid_argument,
               "group id must be 1 to 255 bytes");
  MPSEC_TRY(crypto::CipherSuite::from_code(cipher_suite));
  MPSEC_ENSURE(transport.size() <= 255, Errc::invalid_argument, "transport over 255 bytes");
  if (graph == KeyGraphType::lkh) {
    MPSEC_ENSURE(degree == 2 || degree == 4 || degree == 8, Errc::invalid_argument,
                 "LKH degree must be 2, 4 or 8");
  } else {
    MPSEC_ENSURE(graph == KeyGraphType::flat, Errc::invalid_argument, "unknown key graph");
    MPSEC_ENSURE(id_bits >= 1 && id_bits <= 24, Errc::invalid_argument,
                 "flat table id bits must be 1 to 24");
  }
  MPSEC_ENSURE(valid_role(admission.ca_max_role), Errc::invalid_argument, "unknown role");
  for (const auto& a : admission.allowed)
    MPSEC_ENSURE(valid_role(a.max_role), Errc::invalid_argument, "unknown role");
  MPSEC_TRY(from_wire(to_wire(data_policy, heartbeat)));
  MPSEC_ENSURE(rekey_interval >= heartbeat, Errc::invalid_argument,
               "rekey interval shorter than the heartbeat");
  MPSEC_ENSURE(batch_interval.count() >= 0 && batch_interval <= rekey_interval,
               Errc::invalid_argument, "batch interval out of range");
  return ok();
}

// struct { opaque group_id<V>; CipherSuite cipher_suite; KeyGraphType graph; uint32 degree;
//          uint32 id_bits; AdmissionPolicy admission; WirePolicy data;
//          uint64 rekey_interval_ms; uint64 batch_interval_ms; opaque transport<V>; } GroupConfig;
void GroupConfig::tls_encode(codec::Writer& w) const {
  w.opaque(group_id);
  w.u16(cipher_suite);
  codec::encode(w, graph);
  w.u32(degree);
  w.u32(id_bits);
  codec::encode(w, admission);
  codec::encode(w, to_wire(data_policy, heartbeat));
  w.u64(static_cast<std::uint64_t>(rekey_interval.count()));
  w.u64(static_cast<std::uint64_t>(batch_interval.count()));
  w.opaque(ByteView(reinterpret_cast<const std::uint8_t*>(transport.data()), transport.size()));
}

Status GroupConfig::tls_decode(codec::Reader& r) {
  MPSEC_TRY(codec::decode(r, group_id));
  MPSEC_TRY(codec::decode(r, cipher_suite));
  MPSEC_TRY(codec::decode(r, graph));
  MPSEC_TRY(codec::decode(r, degree));
  MPSEC_TRY(codec::decode(r, id_bits));
  MPSEC_TRY(codec::decode(r, admission));
  WirePolicy wp;
  MPSEC_TRY(codec::decode(r, wp));
  data_policy = MPSEC_TRY(from_wire(wp));
  heartbeat = Duration(static_cast<std::int64_t>(wp.heartbeat_ms));
  const std::uint64_t rekey_ms = MPSEC_TRY(r.u64());
  const std::uint64_t batch_ms = MPSEC_TRY(r.u64());
  MPSEC_ENSURE(rekey_ms <= (std::uint64_t{1} << 40) && batch_ms <= rekey_ms, Errc::decode_error,
               "interval out of range");
  rekey_interval = Duration(static_cast<std::int64_t>(rekey_ms));
  batch_interval = Duration(static_cast<std::int64_t>(batch_ms));
  const ByteView t = MPSEC_TRY(r.opaque());
  MPSEC_ENSURE(t.size() <= 255, Errc::decode_error, "transport too long");
  transport.assign(t.begin(), t.end());
  return validate();
}

}  // namespace mpsec::central
