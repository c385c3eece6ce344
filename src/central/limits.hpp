// Every wire value, size, label and limit of the centralized mode in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mpsec/time.hpp"

namespace mpsec::central {

// MLSMessage wire formats of the centralized mode, from MLS's private-use range
// (RFC 9420 §17.2: 0xf000-0xffff).
enum class CentralWireFormat : std::uint16_t {
  register_hello = 0xf001,
  register_cookie = 0xf002,
  register_challenge = 0xf003,
  register_auth = 0xf004,
  register_result = 0xf005,
  rekey = 0xf006,
  heartbeat = 0xf007,
  sa_request = 0xf008,
  sa_response = 0xf009,
};
inline constexpr std::uint16_t kFirstCentralWireFormat = 0xf001;
inline constexpr std::uint16_t kLastCentralWireFormat = 0xf009;

// What a member may do with the Data SA: receive only, or also send (be in the roster of
// authorized senders).
enum class Role : std::uint8_t { receiver = 1, sender = 2 };
inline bool valid_role(Role r) {
  return r == Role::receiver || r == Role::sender;
}

inline constexpr std::size_t kNonceSize = 32;
inline constexpr std::size_t kCookieMacSize = 16;
inline constexpr std::size_t kSaIdSize = 16;

// A cookie is valid in the time bucket it was made in and the next one.
inline constexpr Duration kCookieBucket{30'000};
// Handshakes waiting for their RegisterAuth, per group (the oldest is evicted beyond).
inline constexpr std::size_t kMaxPendingHandshakes = 4096;
inline constexpr Duration kHandshakeTimeout{30'000};
// Member nonces remembered to refuse replayed hellos, for the life of a cookie.
inline constexpr std::size_t kMaxRememberedNonces = 65536;
// Rekeys the GCKS keeps in memory (and the store in its log) to repeat them.
inline constexpr std::size_t kRekeyLogDepth = 64;
// Rekeys repeated in each heartbeat (RFC 4046 §5: repeated transmission).
inline constexpr std::size_t kHeartbeatDepth = 3;
// Departed members whose Registration SA is kept to tell them, authenticated, that they are
// no longer members.
inline constexpr std::size_t kMaxTombstones = 4096;
// Rekeys a member buffers while it waits for a missing one.
inline constexpr std::size_t kMaxBufferedRekeys = 64;
// Heartbeats a member may miss before it considers its keys expired and resynchronises.
inline constexpr int kMissedHeartbeats = 3;
// The largest message either side accepts.
inline constexpr std::size_t kMaxMessage = std::size_t{1} << 20;
// The largest leaf count a member accepts (flat tables have at most 2^24 ids; an LKH tree of
// 2^20 members has at most 2^21 leaves). The Data SA's roster is indexed by leaf, so an
// absurd count from a faulty or compromised GCKS must not make a member allocate gigabytes.
inline constexpr std::uint32_t kMaxGroupLeaves = std::uint32_t{1} << 24;

// Signature labels (SignWithLabel prefixes "MLS 1.0 ").
inline constexpr std::string_view kChallengeLabel = "mpsec gcks challenge";
inline constexpr std::string_view kMemberAuthLabel = "mpsec member auth";
inline constexpr std::string_view kRekeyLabel = "mpsec rekey";
inline constexpr std::string_view kHeartbeatLabel = "mpsec heartbeat";
// Key-derivation labels (ExpandWithLabel prefixes "MLS 1.0 ").
inline constexpr std::string_view kMemberKeyLabel = "mpsec reg member key";
inline constexpr std::string_view kMemberNonceLabel = "mpsec reg member nonce";
inline constexpr std::string_view kGcksKeyLabel = "mpsec reg gcks key";
inline constexpr std::string_view kGcksNonceLabel = "mpsec reg gcks nonce";
inline constexpr std::string_view kMemberFinishedLabel = "mpsec reg member finished";
inline constexpr std::string_view kGcksFinishedLabel = "mpsec reg gcks finished";
inline constexpr std::string_view kSaSecretLabel = "mpsec registration sa";
inline constexpr std::string_view kSaMacLabel = "mpsec sa mac";
inline constexpr std::string_view kSaKeyLabel = "mpsec sa key";
inline constexpr std::string_view kSaNonceLabel = "mpsec sa nonce";
inline constexpr std::string_view kEpochSecretLabel = "mpsec epoch secret";

}  // namespace mpsec::central
