// A member of a centrally keyed group, sans-I/O: it registers with the GCKS (docs/protocol.md),
// then follows the group through rekeys and heartbeats (multicast or unicast), detects gaps and
// expired keys, and resynchronises over its Registration SA after a random back-off (RFC 4046
// §5: repeated transmission plus repair by unicast). Group data goes through the record
// protocol's Data SA, whose epoch is the rekey sequence number.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "central/data_epoch.hpp"
#include "central/handshake.hpp"
#include "crypto/dh.hpp"

namespace mpsec::central {

struct MemberConfig {
  Bytes group_id;
  std::uint16_t cipher_suite = 1;
  Credential credential;
  crypto::SigningKey signing_key;
  Role role = Role::receiver;
  bool unicast_delivery = false;
  // The GCKS's signature public key, configured out of band (pinned).
  Bytes gcks_signature_key;
  // Upper bound of the random wait before asking for resynchronisation, so that members that
  // missed the same rekey do not all ask at once.
  Duration max_backoff{500};
};

enum class MemberState : std::uint8_t { idle, registering, active, refused, departed };

struct MemberEvent {
  enum class Kind : std::uint8_t {
    joined,    // admitted: slot, seq
    refused,   // the GCKS refused admission: detail
    rekeyed,   // a new epoch: seq
    gap,       // a missing rekey or expired keys: resynchronisation scheduled
    resynced,  // keys restored from the GCKS: seq
    departed,  // ejected or deregistered: no more keys
  };
  Kind kind = Kind::rekeyed;
  std::uint64_t seq = 0;
  std::string detail;
};

struct MemberOutput {
  std::vector<Bytes> to_gcks;  // over the unicast connection
  std::vector<MemberEvent> events;
  std::vector<record::Received> data;
};

struct MemberCounters {
  std::uint64_t duplicates = 0;        // rekeys already applied (repeats, replays)
  std::uint64_t forged = 0;            // rekeys or heartbeats whose signature did not verify
  std::uint64_t stale_heartbeats = 0;  // heartbeats not newer than the last one
  std::uint64_t buffered = 0;          // rekeys held until a missing one arrived
  std::uint64_t resync_requests = 0;
  std::uint64_t rejected_data = 0;  // group messages that did not unprotect
};

class Member {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Member>> create(MemberConfig config, Random& rng);
  ~Member();

  // Starts (or restarts) registration: the RegisterHello to send to the GCKS.
  [[nodiscard]] Result<Bytes> hello(Instant now);
  // Any message from the GCKS or the group, unicast or multicast. An error means it was
  // refused (and counted); the member's state is as it was.
  [[nodiscard]] Result<MemberOutput> handle(ByteView message, Instant now);
  // Back-off expiry (resynchronisation requests and their retries), heartbeat liveness.
  [[nodiscard]] Result<MemberOutput> tick(Instant now);
  Instant next_deadline() const;

  // Group data (senders only).
  [[nodiscard]] Result<Bytes> protect(ByteView plaintext, ByteView authenticated_data = {});
  // Leaves the group: the SaRequest to send; the GCKS acknowledges with a SaResponse.
  [[nodiscard]] Result<Bytes> deregister();

  MemberState state() const noexcept { return state_; }
  std::uint32_t slot() const noexcept { return slot_; }
  std::uint64_t seq() const noexcept { return seq_; }
  std::optional<std::uint64_t> epoch() const;
  const MemberCounters& counters() const noexcept { return counters_; }
  // The group key currently held (tests compare members with it).
  [[nodiscard]] Result<tree::GraphKey> group_key() const;

 private:
  struct Registration;
  Member(MemberConfig config, crypto::CipherSuite suite, Random& rng);

  Result<MemberOutput> on_cookie(ByteView message);
  Result<MemberOutput> on_challenge(ByteView message);
  Result<MemberOutput> on_result(ByteView message, Instant now);
  Result<MemberOutput> on_rekey(ByteView message, Instant now);
  Result<MemberOutput> on_heartbeat(ByteView message, Instant now);
  Result<MemberOutput> on_sa_response(ByteView message, Instant now);
  Result<MemberOutput> on_data(ByteView message, Instant now);
  Result<Rekey> verify_rekey(ByteView message) const;
  // Applies rekeys in order while the next one is buffered.
  Status apply_rekey(const Rekey& rk, Instant now, MemberOutput& out);
  Status drain(Instant now, MemberOutput& out);
  Status install(std::uint64_t seq, std::uint32_t leaves, const tree::MemberKeyRing& ring,
                 const SenderRoster& roster, Instant now);
  void schedule_resync(Instant now, std::string why, MemberOutput& out);
  void depart(std::string why, MemberOutput& out);

  MemberConfig config_;
  crypto::CipherSuite suite_;
  Random& rng_;
  MemberState state_ = MemberState::idle;
  std::unique_ptr<Registration> reg_;
  // Active membership.
  std::uint32_t slot_ = 0;
  std::uint64_t seq_ = 0;
  std::uint32_t leaves_ = 1;
  std::optional<RegistrationSa> sa_;
  std::optional<crypto::VerifyKey> rekey_key_;
  std::optional<tree::MemberKeyRing> ring_;
  SenderRoster roster_;
  record::DataPolicy policy_;
  Duration heartbeat_{1'000};
  std::optional<record::DataSA> data_;
  std::map<std::uint64_t, Rekey> buffered_;
  std::uint64_t last_heartbeat_ms_ = 0;
  Instant last_fresh_{};  // when the GCKS was last heard (fresh heartbeat or rekey)
  // Resynchronisation.
  std::optional<Instant> resync_at_;
  std::uint64_t counter_ = 0;
  std::optional<std::uint64_t> awaiting_;
  Duration backoff_{};
  MemberCounters counters_;
};

}  // namespace mpsec::central
