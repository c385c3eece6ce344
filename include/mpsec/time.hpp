// Time is injected: protocol code never reads a clock. The caller passes `Instant`s from a
// monotonic clock of its choosing (the runtime in src/net uses std::chrono::steady_clock).
#pragma once

#include <chrono>
#include <cstdint>

namespace mpsec {

struct InjectedClock {
  using rep = std::int64_t;
  using period = std::milli;
  using duration = std::chrono::milliseconds;
  using time_point = std::chrono::time_point<InjectedClock>;
  static constexpr bool is_steady = true;
};

using Duration = InjectedClock::duration;
using Instant = InjectedClock::time_point;

// An Instant from a std::chrono clock reading (e.g. steady_clock::now()).
template <class TimePoint>
Instant to_instant(TimePoint t) {
  return Instant(std::chrono::duration_cast<Duration>(t.time_since_epoch()));
}

}  // namespace mpsec
