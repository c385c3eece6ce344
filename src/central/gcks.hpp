// The Group Controller and Key Server of one group (RFC 4046 §4-5, seed 000's centralized
// mode), sans-I/O: messages from members come in with the connection they arrived on,
// messages for members, the multicast group and the store go out; time and randomness are
// injected, and every state change is committed to the injected journal before anything that
// depends on it is sent.
//
// Registration (docs/protocol.md): RegisterHello -> RegisterCookie (stateless) -> RegisterHello
// with the cookie -> RegisterChallenge (ephemeral DH share, signed transcript) -> RegisterAuth
// (member credential, signature, finished MAC; encrypted) -> RegisterResult (admission with the
// member's key-graph keys and the Data SA; encrypted), sent once the rekey that admits the
// member is committed. Membership changes are batched: every join and leave within the batch
// interval goes into one Rekey, signed, with a strictly increasing sequence number, sent on
// multicast (and over unicast to members that asked for it) and repeated in heartbeats.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "central/admission.hpp"
#include "central/data_epoch.hpp"
#include "central/handshake.hpp"
#include "central/journal.hpp"
#include "crypto/dh.hpp"

namespace mpsec::central {

using ConnId = std::uint64_t;

struct Outgoing {
  enum class To : std::uint8_t { connection, multicast, member };
  To to = To::multicast;
  ConnId conn = 0;         // To::connection
  std::uint32_t slot = 0;  // To::member: over the member's own connection, if it has one
  Bytes message;
};

struct GcksEvent {
  enum class Kind : std::uint8_t { registered, refused, left, ejected, rekeyed, resynced };
  Kind kind = Kind::rekeyed;
  std::uint32_t slot = 0;
  std::string who;  // the member's name (allow-list) or identity
  std::uint64_t seq = 0;
  std::string detail;
  ConnId conn = 0;  // registered, resynced: the member's connection
};

struct GcksOutput {
  std::vector<Outgoing> messages;
  std::vector<GcksEvent> events;
};

// What the GCKS refused and why: each bad input is counted once.
struct GcksCounters {
  std::uint64_t malformed = 0;           // undecodable or unexpected messages
  std::uint64_t cookies_sent = 0;        // hellos answered with a cookie
  std::uint64_t bad_cookies = 0;         // hellos with an invalid or expired cookie
  std::uint64_t replayed_nonces = 0;     // hellos reusing a member nonce
  std::uint64_t handshakes_evicted = 0;  // pending handshakes dropped (limit or timeout)
  std::uint64_t auth_failures = 0;       // RegisterAuth that did not decrypt or verify
  std::uint64_t refused = 0;             // authenticated but not admitted by the policy
  std::uint64_t sa_failures = 0;         // SaRequests with an unknown SA or a bad MAC
  std::uint64_t sa_replays = 0;          // SaRequests with a counter already seen
  std::uint64_t registrations = 0;
  std::uint64_t resyncs = 0;
  std::uint64_t rekeys = 0;
  std::uint64_t heartbeats = 0;
};

struct MemberInfo {
  std::uint32_t slot = 0;
  std::string who;
  Role role = Role::receiver;
  Bytes signature_key;
};

class Gcks {
 public:
  // A new group: its first group key, committed as sequence number 0.
  [[nodiscard]] static Result<std::unique_ptr<Gcks>> create(GroupConfig config,
                                                            crypto::SigningKey key,
                                                            Journal& journal, Random& rng,
                                                            Instant now);
  // A group restored from the store, where it was.
  [[nodiscard]] static Result<std::unique_ptr<Gcks>> restore(GcksSnapshot snapshot,
                                                             crypto::SigningKey key,
                                                             Journal& journal, Random& rng,
                                                             Instant now);
  ~Gcks();

  // A message from a member over a unicast connection. `peer` names the connection's remote
  // end (the cookie binds it). An error means the input was refused and counted; state is as
  // it was. After a journal failure (failed()) every call fails: restart from the store.
  [[nodiscard]] Result<GcksOutput> handle(ConnId conn, std::string_view peer, ByteView message,
                                          Instant now);
  void connection_closed(ConnId conn);
  // Batch deadline, periodic refresh (key expiry), heartbeats, handshake timeouts.
  [[nodiscard]] Result<GcksOutput> tick(Instant now);
  Instant next_deadline() const;

  // Administration.
  [[nodiscard]] Result<GcksOutput> eject(std::uint32_t slot, Instant now);
  [[nodiscard]] Result<GcksOutput> allow(AllowedKey entry, Instant now);
  // Revokes a key: refused from now on, and ejected if it is a member.
  [[nodiscard]] Result<GcksOutput> revoke(ByteView signature_key, Instant now);
  [[nodiscard]] Result<GcksOutput> force_rekey(Instant now);

  const GroupConfig& config() const noexcept { return config_; }
  std::uint64_t seq() const noexcept { return seq_; }
  std::vector<MemberInfo> members() const;
  std::optional<std::uint32_t> slot_of(ByteView signature_key) const;
  const GcksCounters& counters() const noexcept { return counters_; }
  std::size_t graph_memory() const noexcept;
  bool failed() const noexcept { return failed_; }
  // Members that asked for unicast delivery (the runtime pushes rekeys to them).
  bool wants_unicast(std::uint32_t slot) const;

 private:
  struct Handshake;
  struct PendingAdmission;
  struct SaState {
    RegistrationSa sa;
    std::uint32_t slot;
    std::uint64_t last_counter = 0;
  };

  Gcks(GroupConfig config, crypto::CipherSuite suite, crypto::SigningKey key, Journal& journal,
       Random& rng);

  Result<GcksOutput> on_hello(ConnId conn, std::string_view peer, ByteView message, Instant now);
  Result<GcksOutput> on_auth(ConnId conn, ByteView message, Instant now);
  Result<GcksOutput> on_sa_request(ConnId conn, ByteView message, Instant now);
  Result<GcksOutput> reply_refused(ConnId conn, const Handshake& hs, ByteView t4,
                                   std::string reason);
  // Takes a member out of the group (pending until the next rekey).
  Status remove_member(std::uint32_t slot);
  Result<WireDataSa> data_sa() const;
  Result<std::vector<WireKey>> wire_keys(std::uint32_t slot) const;
  std::uint32_t leaves() const;
  // One rekey for everything pending; commits, then produces every message it unlocks.
  Result<GcksOutput> rekey(bool refresh, Instant now);
  Result<Bytes> heartbeat(Instant now);
  void expire(Instant now);

  GroupConfig config_;
  crypto::CipherSuite suite_;
  crypto::SigningKey key_;
  Journal& journal_;
  Random& rng_;
  AdmissionControl admission_;
  std::unique_ptr<tree::KeyGraph> graph_;
  std::uint64_t seq_ = 0;
  std::map<std::uint32_t, MemberRecord> members_;
  std::map<Bytes, SaState> sas_;                // sa_id -> live Registration SA
  std::map<Bytes, RegistrationSa> tombstones_;  // sa_id -> SA of a departed member
  std::deque<Bytes> tombstone_order_;
  SenderRoster roster_;
  std::deque<Bytes> recent_;  // the last rekeys, oldest first
  // Pending until the next rekey.
  std::vector<std::unique_ptr<PendingAdmission>> admissions_;
  std::vector<std::uint32_t> departed_;
  std::vector<std::pair<ConnId, SaResponse>> departure_acks_;
  std::vector<GcksEvent> pending_events_;
  std::optional<Instant> batch_deadline_;
  Instant last_rekey_at_{};
  Instant next_heartbeat_{};
  std::uint64_t last_heartbeat_ms_ = 0;
  // Registration.
  SecretBytes cookie_key_;
  std::map<ConnId, std::unique_ptr<Handshake>> handshakes_;
  std::set<Nonce> seen_nonces_;
  std::deque<std::pair<Instant, Nonce>> nonce_order_;  // expiry, oldest first
  std::map<Bytes, std::uint32_t> slot_by_key_;         // members by signature key
  GcksCounters counters_;
  bool failed_ = false;
};

}  // namespace mpsec::central
