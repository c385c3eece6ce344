#include "mpsec/random.hpp"

#include <openssl/rand.h>

#include <climits>

namespace mpsec {

namespace {
class SystemRandom final : public Random {
 public:
  Status fill(MutableByteView out) override {
    while (!out.empty()) {
      const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
      MPSEC_ENSURE(RAND_bytes(out.data(), static_cast<int>(n)) == 1, Errc::random_failure,
                   "RAND_bytes failed");
      out = out.subspan(n);
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
