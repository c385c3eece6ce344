#include "central/messages.hpp"

namespace mpsec::central {

WirePolicy to_wire(const record::DataPolicy& policy, Duration heartbeat) {
  return {policy.sign ? std::uint8_t{1} : std::uint8_t{0},
          policy.ratchet.max_skipped,
          policy.ratchet.max_forward_jump,
          static_cast<std::uint64_t>(policy.epoch_grace.count()),
          policy.padding_block,
          policy.compress ? std::uint8_t{1} : std::uint8_t{0},
          policy.max_plaintext,
          static_cast<std::uint64_t>(heartbeat.count())};
}

Result<record::DataPolicy> from_wire(const WirePolicy& w) {
  // Bounds a member accepts from its GCKS: generous, but they stop a compromised or buggy
  // server from making members hold unbounded key material.
  MPSEC_ENSURE(w.sign <= 1 && w.compress <= 1, Errc::decode_error, "policy flag is not 0 or 1");
  MPSEC_ENSURE(
      w.max_skipped <= 65536 && w.max_forward_jump >= 1 && w.max_forward_jump <= (1u << 20),
      Errc::policy_violation, "ratchet window out of range");
  MPSEC_ENSURE(w.epoch_grace_ms <= 24ull * 3600 * 1000, Errc::policy_violation,
               "epoch grace time out of range");
  MPSEC_ENSURE(w.padding_block <= 65536, Errc::policy_violation, "padding block out of range");
  MPSEC_ENSURE(w.max_plaintext >= 1 && w.max_plaintext <= (std::uint64_t{1} << 30),
               Errc::policy_violation, "plaintext limit out of range");
  MPSEC_ENSURE(w.heartbeat_ms >= 10 && w.heartbeat_ms <= 3600ull * 1000, Errc::policy_violation,
               "heartbeat interval out of range");
  record::DataPolicy p;
  p.sign = w.sign == 1;
  p.ratchet.max_skipped = w.max_skipped;
  p.ratchet.max_forward_jump = w.max_forward_jump;
  p.epoch_grace = Duration(static_cast<std::int64_t>(w.epoch_grace_ms));
  p.padding_block = w.padding_block;
  p.compress = w.compress == 1;
  p.max_plaintext = static_cast<std::size_t>(w.max_plaintext);
  return p;
}

void Rekey::encode_tbs(codec::Writer& w) const {
  w.opaque(group_id);
  w.u64(seq);
  codec::encode(w, graph);
  w.u32(leaves);
  codec::encode(w, roster_added);
  codec::encode(w, departed);
}

void Heartbeat::encode_tbs(codec::Writer& w) const {
  w.opaque(group_id);
  w.u64(seq);
  w.u64(sent_at_ms);
  codec::encode(w, recent);
}

void SaRequest::encode_tbm(codec::Writer& w) const {
  w.opaque(group_id);
  w.opaque(sa_id);
  w.u64(counter);
  codec::encode(w, kind);
}

Result<std::uint16_t> peek_wire_format(ByteView message) {
  codec::Reader r(message);
  MPSEC_ENSURE(MPSEC_TRY(r.u16()) == record::kProtocolVersionMls10, Errc::decode_error,
               "unsupported protocol version");
  return r.u16();
}

}  // namespace mpsec::central
