// Typed errors: every failure in mpsec carries one of these codes and a short message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mpsec {

enum class Errc : std::uint16_t {
  invalid_argument = 1,   // the caller passed something the API does not accept
  decode_error,           // malformed encoding (bad length, reserved prefix, bad enum ...)
  trailing_data,          // bytes left over after a complete structure
  limit_exceeded,         // a length, count or depth beyond the configured bound
  unsupported,            // an algorithm or parameter set mpsec does not offer
  invalid_key,            // key bytes that do not form a valid key (off-curve, wrong size ...)
  authentication_failed,  // an AEAD tag, MAC or signature did not verify
  crypto_error,           // the crypto library failed for another reason
  random_failure,         // the randomness source failed
  replay,                 // a message or key already consumed
  out_of_window,          // a generation or sequence number outside the accepted window
  unknown_epoch,          // an epoch that is not (or no longer) held
  unknown_sender,         // a sender that is not in the roster
  wrong_group,            // a message for another group
  policy_violation,       // the group's policy forbids this
  invalid_state,          // the operation is not allowed in the current state
  not_found,              // a requested item does not exist
  io_error,               // file or network I/O failed (never inside the sans-I/O core)
  internal,               // a broken invariant: a bug in mpsec
};

std::string_view to_string(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  std::string message;

  // "decode_error: vector length is not minimally encoded"
  std::string describe() const;
};

}  // namespace mpsec
