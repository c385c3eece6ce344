// The policy part of a Data SA (RFC 4046 §6.3): what the record protocol guarantees and
// what it tolerates. Every member of a group must hold the same policy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mpsec/time.hpp"
#include "schedule/secret_tree.hpp"

namespace mpsec::record {

struct DataPolicy {
  // Source authentication and non-repudiation: every message is signed by its sender and
  // verified against the roster. Off, the AEAD still authenticates the group (any member
  // could have sent it) at a fraction of the cost.
  bool sign = false;
  // Out-of-order window and largest forward jump of each sender's ratchet.
  schedule::RatchetPolicy ratchet;
  // How long the keys of a past epoch stay usable after the next one is installed, so that
  // messages sent before a sender saw the rekey are still readable (seed 003 keeps old keys
  // about a minute). Cost: for that long, a compromise of this member exposes messages of
  // the old epoch that had not arrived yet.
  Duration epoch_grace{60'000};
  // Zero padding so the encrypted content is a multiple of this many bytes (0: none). Hides
  // the exact length from outsiders at the cost of bandwidth.
  std::uint32_t padding_block = 0;
  // zstd before encryption. Off by default: compressed length depends on content, so an
  // attacker who can inject chosen text next to a secret can learn it from ciphertext sizes
  // (CRIME/BREACH). Only enable for data no attacker can influence.
  bool compress = false;
  // The largest plaintext accepted, on sending and (after decompression) on receiving.
  std::size_t max_plaintext = std::size_t{1} << 20;
};

}  // namespace mpsec::record
