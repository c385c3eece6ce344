#include "mpsec/error.hpp"

namespace mpsec {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::decode_error:
      return "decode_error";
    case Errc::trailing_data:
      return "trailing_data";
    case Errc::limit_exceeded:
      return "limit_exceeded";
    case Errc::unsupported:
      return "unsupported";
    case Errc::invalid_key:
      return "invalid_key";
    case Errc::authentication_failed:
      return "authentication_failed";
    case Errc::crypto_error:
      return "crypto_error";
    case Errc::random_failure:
      return "random_failure";
    case Errc::replay:
      return "replay";
    case Errc::out_of_window:
      return "out_of_window";
    case Errc::unknown_epoch:
      return "unknown_epoch";
    case Errc::unknown_sender:
      return "unknown_sender";
    case Errc::wrong_group:
      return "wrong_group";
    case Errc::policy_violation:
      return "policy_violation";
    case Errc::invalid_state:
      return "invalid_state";
    case Errc::not_found:
      return "not_found";
    case Errc::io_error:
      return "io_error";
    case Errc::internal:
      return "internal";
  }
  return "unknown_error";
}

std::string Error::describe() const {
  std::string out(to_string(code));
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

}  // namespace mpsec
