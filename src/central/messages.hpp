// The messages of the centralized mode, each declared with its TLS encoding beside it and
// carried in an MLSMessage with a private-use wire format (limits.hpp). docs/protocol.md
// specifies them and the handshake that uses them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "central/limits.hpp"
#include "codec/tls.hpp"
#include "record/framing.hpp"
#include "record/policy.hpp"
#include "schedule/credential.hpp"
#include "tree/key_graph.hpp"

namespace mpsec::central {

using Nonce = std::array<std::uint8_t, kNonceSize>;
using schedule::Credential;

// struct { opaque group_id<V>; CipherSuite cipher_suite; opaque member_nonce[32];
//          HPKEPublicKey member_share; opaque cookie<V>; } RegisterHello;
struct RegisterHello {
  Bytes group_id;
  std::uint16_t cipher_suite = 0;
  Nonce member_nonce{};
  Bytes member_share;
  Bytes cookie;  // empty in the first hello
  MPSEC_TLS_FIELDS(group_id, cipher_suite, member_nonce, member_share, cookie)
};

// struct { opaque cookie<V>; } RegisterCookie;
struct RegisterCookie {
  Bytes cookie;
  MPSEC_TLS_FIELDS(cookie)
};

// struct { opaque gcks_nonce[32]; HPKEPublicKey gcks_share;
//          SignaturePublicKey gcks_signature_key; opaque signature<V>; } RegisterChallenge;
struct RegisterChallenge {
  Nonce gcks_nonce{};
  Bytes gcks_share;
  Bytes gcks_signature_key;
  Bytes signature;  // SignWithLabel(gcks, "mpsec gcks challenge", T1)
  MPSEC_TLS_FIELDS(gcks_nonce, gcks_share, gcks_signature_key, signature)
};

// struct { Credential credential; SignaturePublicKey signature_key; Role role;
//          uint8 unicast_delivery; opaque signature<V>; opaque finished<V>; } AuthBody;
struct AuthBody {
  Credential credential;
  Bytes signature_key;
  Role role = Role::receiver;
  std::uint8_t unicast_delivery = 0;  // 1: push rekeys over unicast (no multicast here)
  Bytes signature;                    // SignWithLabel(member, "mpsec member auth", T2)
  Bytes finished;                     // MAC(member finished key, T3)
  MPSEC_TLS_FIELDS(credential, signature_key, role, unicast_delivery, signature, finished)
};

// struct { opaque group_id<V>; opaque encrypted<V>; } RegisterAuth;
// encrypted = AEAD(member handshake key, AuthBody)
struct RegisterAuth {
  Bytes group_id;
  Bytes encrypted;
  MPSEC_TLS_FIELDS(group_id, encrypted)
};

// struct { uint32 node; uint32 version; opaque key<V>; } WireKey;
struct WireKey {
  std::uint32_t node = 0;
  std::uint32_t version = 0;
  SecretBytes key;
  MPSEC_TLS_FIELDS(node, version, key)
};

// struct { uint32 slot; SignaturePublicKey signature_key; } RosterEntry;
struct RosterEntry {
  std::uint32_t slot = 0;
  Bytes signature_key;
  MPSEC_TLS_FIELDS(slot, signature_key)
  friend bool operator==(const RosterEntry&, const RosterEntry&) = default;
};

// The Data SA policy (record::DataPolicy) and the heartbeat period on the wire.
struct WirePolicy {
  std::uint8_t sign = 0;
  std::uint32_t max_skipped = 0;
  std::uint32_t max_forward_jump = 0;
  std::uint64_t epoch_grace_ms = 0;
  std::uint32_t padding_block = 0;
  std::uint8_t compress = 0;
  std::uint64_t max_plaintext = 0;
  std::uint64_t heartbeat_ms = 0;
  MPSEC_TLS_FIELDS(sign, max_skipped, max_forward_jump, epoch_grace_ms, padding_block, compress,
                   max_plaintext, heartbeat_ms)
};
[[nodiscard]] WirePolicy to_wire(const record::DataPolicy& policy, Duration heartbeat);
// Refuses values no GCKS of ours would send (zero windows, absurd sizes).
[[nodiscard]] Result<record::DataPolicy> from_wire(const WirePolicy& policy);

// struct { uint32 leaves; RosterEntry roster<V>; WirePolicy policy; } WireDataSa;
// The epoch is the rekey sequence number; its secret comes from the group key.
struct WireDataSa {
  std::uint32_t leaves = 0;
  std::vector<RosterEntry> roster;
  WirePolicy policy;
  MPSEC_TLS_FIELDS(leaves, roster, policy)
};

// struct { uint32 slot; opaque sa_id<V>; SignaturePublicKey rekey_signature_key; uint64 seq;
//          uint32 group_key_node; WireKey keys<V>; WireDataSa data; } Admission;
struct WireAdmission {
  std::uint32_t slot = 0;
  Bytes sa_id;
  Bytes rekey_signature_key;
  std::uint64_t seq = 0;
  std::uint32_t group_key_node = 0;
  std::vector<WireKey> keys;
  WireDataSa data;
  MPSEC_TLS_FIELDS(slot, sa_id, rekey_signature_key, seq, group_key_node, keys, data)
};

// struct { uint8 accepted; opaque reason<V>; opaque finished<V>;
//          optional<Admission> admission; } ResultBody;
struct ResultBody {
  std::uint8_t accepted = 0;
  Bytes reason;
  Bytes finished;  // MAC(gcks finished key, T4)
  std::optional<WireAdmission> admission;
  MPSEC_TLS_FIELDS(accepted, reason, finished, admission)
};

// struct { opaque encrypted<V>; } RegisterResult;   AEAD(gcks handshake key, ResultBody)
struct RegisterResult {
  Bytes encrypted;
  MPSEC_TLS_FIELDS(encrypted)
};

// struct { opaque group_id<V>; uint64 seq; GraphRekey graph; uint32 leaves;
//          RosterEntry roster_added<V>; uint32 departed<V>; opaque signature<V>; } Rekey;
struct Rekey {
  Bytes group_id;
  std::uint64_t seq = 0;
  tree::GraphRekey graph;
  std::uint32_t leaves = 0;
  std::vector<RosterEntry> roster_added;
  std::vector<std::uint32_t> departed;  // slots removed by this rekey
  Bytes signature;                      // SignWithLabel(gcks, "mpsec rekey", every field above)

  void encode_tbs(codec::Writer& w) const;
  MPSEC_TLS_FIELDS(group_id, seq, graph, leaves, roster_added, departed, signature)
};

// struct { opaque group_id<V>; uint64 seq; uint64 sent_at_ms; opaque recent<V><V>;
//          opaque signature<V>; } Heartbeat;   recent: the last rekeys, as MLSMessages
struct Heartbeat {
  Bytes group_id;
  std::uint64_t seq = 0;
  std::uint64_t sent_at_ms = 0;  // strictly increasing: an old heartbeat cannot be replayed
  std::vector<Bytes> recent;
  Bytes signature;  // SignWithLabel(gcks, "mpsec heartbeat", every field above)

  void encode_tbs(codec::Writer& w) const;
  MPSEC_TLS_FIELDS(group_id, seq, sent_at_ms, recent, signature)
};

enum class SaRequestKind : std::uint8_t { resync = 1, deregister = 2 };

// struct { opaque group_id<V>; opaque sa_id<V>; uint64 counter; SaRequestKind kind;
//          opaque mac<V>; } SaRequest;
struct SaRequest {
  Bytes group_id;
  Bytes sa_id;
  std::uint64_t counter = 0;
  SaRequestKind kind = SaRequestKind::resync;
  Bytes mac;  // MAC(Registration SA mac key, every field above)

  void encode_tbm(codec::Writer& w) const;
  MPSEC_TLS_FIELDS(group_id, sa_id, counter, kind, mac)
};

// struct { uint8 member; uint64 seq; uint32 group_key_node; WireKey keys<V>;
//          WireDataSa data; } ResyncBody;
struct ResyncBody {
  std::uint8_t member = 0;  // 0: no longer a member (left or ejected); nothing follows
  std::uint64_t seq = 0;
  std::uint32_t group_key_node = 0;
  std::vector<WireKey> keys;
  WireDataSa data;
  MPSEC_TLS_FIELDS(member, seq, group_key_node, keys, data)
};

// struct { opaque sa_id<V>; uint64 counter; opaque nonce<V>; opaque encrypted<V>; } SaResponse;
// encrypted = AEAD(Registration SA key, nonce, aad = sa_id || counter, ResyncBody); the nonce
// is random per response.
struct SaResponse {
  Bytes sa_id;
  std::uint64_t counter = 0;  // the request's
  Bytes nonce;
  Bytes encrypted;
  MPSEC_TLS_FIELDS(sa_id, counter, nonce, encrypted)
};

template <class T>
struct WireFormatOf;
#define MPSEC_CENTRAL_WIRE(T, wf)                                     \
  template <>                                                         \
  struct WireFormatOf<T> {                                            \
    static constexpr CentralWireFormat value = CentralWireFormat::wf; \
  };
MPSEC_CENTRAL_WIRE(RegisterHello, register_hello)
MPSEC_CENTRAL_WIRE(RegisterCookie, register_cookie)
MPSEC_CENTRAL_WIRE(RegisterChallenge, register_challenge)
MPSEC_CENTRAL_WIRE(RegisterAuth, register_auth)
MPSEC_CENTRAL_WIRE(RegisterResult, register_result)
MPSEC_CENTRAL_WIRE(Rekey, rekey)
MPSEC_CENTRAL_WIRE(Heartbeat, heartbeat)
MPSEC_CENTRAL_WIRE(SaRequest, sa_request)
MPSEC_CENTRAL_WIRE(SaResponse, sa_response)
#undef MPSEC_CENTRAL_WIRE

// An MLSMessage of the centralized mode: version, wire format, body.
template <class T>
[[nodiscard]] Result<Bytes> encode_message(const T& body) {
  codec::Writer w;
  w.u16(record::kProtocolVersionMls10);
  w.u16(static_cast<std::uint16_t>(WireFormatOf<T>::value));
  codec::encode(w, body);
  return std::move(w).finish();
}

// The wire format of an MLSMessage (after checking the version), for dispatch: a
// centralized-mode value, or the raw value of another MLS wire format.
[[nodiscard]] Result<std::uint16_t> peek_wire_format(ByteView message);
inline bool is_central(std::uint16_t wf) {
  return wf >= kFirstCentralWireFormat && wf <= kLastCentralWireFormat;
}

// Decodes a message of the expected type, strictly (size limit, no trailing bytes).
template <class T>
[[nodiscard]] Result<T> decode_message(ByteView message) {
  MPSEC_ENSURE(message.size() <= kMaxMessage, Errc::limit_exceeded, "message too large");
  MPSEC_ENSURE(
      MPSEC_TRY(peek_wire_format(message)) == static_cast<std::uint16_t>(WireFormatOf<T>::value),
      Errc::decode_error, "unexpected message type");
  return codec::decode<T>(message.subspan(4));
}

}  // namespace mpsec::central
