#include "mpsec/random.hpp"

#include <sys/random.h>

#include <cerrno>

namespace mpsec {

namespace {
class SystemRandom final : public Random {
 public:
  Status fill(MutableByteView out) override {
    // getrandom(2) straight from the kernel: fork-safe (no user-space state to duplicate) and
    // several times cheaper per call than OpenSSL's locked DRBG for the small draws (reuse
    // guards, nonces) the record layer makes per message.
    while (!out.empty()) {
      const ssize_t n = ::getrandom(out.data(), out.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      MPSEC_ENSURE(n > 0, Errc::random_failure, "getrandom failed");
      out = out.subspan(static_cast<std::size_t>(n));
    }
    return ok();
  }
};
}  // namespace

Random& system_random() {
  static SystemRandom instance;
  return instance;
}

}  // namespace mpsec
