// GroupContext (RFC 9420 §8.1): the summary of a group's state that every epoch's keys are
// bound to. Every mode fills one in; the MLS mode as the RFC says, the others with their
// own tree hash and transcript.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/tls.hpp"
#include "mpsec/bytes.hpp"

namespace mpsec::schedule {

inline constexpr std::uint16_t kProtocolVersionMls10 = 1;

// struct { ExtensionType extension_type; opaque extension_data<V>; } Extension;
struct Extension {
  std::uint16_t extension_type = 0;
  Bytes extension_data;
  MPSEC_TLS_FIELDS(extension_type, extension_data)
  friend bool operator==(const Extension&, const Extension&) = default;
};

// struct {
//   ProtocolVersion version = mls10; CipherSuite cipher_suite; opaque group_id<V>;
//   uint64 epoch; opaque tree_hash<V>; opaque confirmed_transcript_hash<V>;
//   Extension extensions<V>;
// } GroupContext;
struct GroupContext {
  std::uint16_t version = kProtocolVersionMls10;
  std::uint16_t cipher_suite = 0;
  Bytes group_id;
  std::uint64_t epoch = 0;
  Bytes tree_hash;
  Bytes confirmed_transcript_hash;
  std::vector<Extension> extensions;
  MPSEC_TLS_FIELDS(version, cipher_suite, group_id, epoch, tree_hash, confirmed_transcript_hash,
                   extensions)
  friend bool operator==(const GroupContext&, const GroupContext&) = default;
};

}  // namespace mpsec::schedule
