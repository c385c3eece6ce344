#include "crypto/openssl.hpp"

#include <openssl/err.h>

#include <string>

namespace mpsec::crypto::ossl {

Error error(Errc code, std::string_view what) {
  std::string msg(what);
  const unsigned long e = ERR_peek_last_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    msg += " (";
    msg += buf;
    msg += ")";
  }
  ERR_clear_error();
  return Error{code, std::move(msg)};
}

void clear_errors() noexcept {
  ERR_clear_error();
}

}  // namespace mpsec::crypto::ossl
