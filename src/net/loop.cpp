#include "net/loop.hpp"

#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "net/asio_support.hpp"

namespace mpsec::net {

using Clock = std::chrono::steady_clock;

// Timers live in one ordered map served by a single asio timer: ordering by (deadline, id)
// gives the documented FIFO order for equal deadlines, which asio's own timer heap does not.
struct Loop::Impl {
  asio::io_context io;  // first member: destroyed last, after everything that refers to it
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::steady_timer timer{io};
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers;
  std::unordered_map<TimerId, Clock::time_point> deadlines;
  TimerId next_id = 1;
  std::optional<Clock::time_point> armed;  // deadline the asio timer waits for
  std::uint64_t generation = 0;            // identifies the current wait; older ones are stale
  std::vector<std::unique_ptr<asio::signal_set>> signal_sets;

  void arm();
  void fire_due();
  void wait_signal(asio::signal_set& set, std::shared_ptr<std::function<void(int)>> fn);
};

void Loop::Impl::arm() {
  if (timers.empty()) {
    if (armed) {
      armed.reset();
      ++generation;
      timer.cancel();
    }
    return;
  }
  const Clock::time_point first = timers.begin()->first.first;
  if (armed && *armed == first) return;
  armed = first;
  // A wait that already completed but has not run yet cannot be cancelled; the generation
  // makes it a no-op instead.
  const std::uint64_t gen = ++generation;
  timer.expires_at(first);
  timer.async_wait([this, gen](const std::error_code& ec) {
    if (ec || gen != generation) return;
    armed.reset();
    fire_due();
  });
}

void Loop::Impl::fire_due() {
  const Clock::time_point now = Clock::now();
  // A callback may set or cancel timers or stop the loop; the map is re-read each time.
  while (!timers.empty() && timers.begin()->first.first <= now && !io.stopped()) {
    auto node = timers.extract(timers.begin());
    deadlines.erase(node.key().second);
    node.mapped()();
  }
  arm();
}

void Loop::Impl::wait_signal(asio::signal_set& set, std::shared_ptr<std::function<void(int)>> fn) {
  // The signal_set lives in signal_sets until the Impl is destroyed, and a destroyed
  // io_context never runs its pending handlers, so the reference stays valid.
  set.async_wait([this, &set, fn](const std::error_code& ec, int signo) {
    if (ec) return;
    wait_signal(set, fn);
    (*fn)(signo);
  });
}

Loop::Loop() : impl_(std::make_unique<Impl>()) {}

Loop::~Loop() = default;

void Loop::run() {
  impl_->io.run();
  // Only stop() ends run() (the work guard keeps it busy); clear the stop for the next run.
  impl_->io.restart();
}

void Loop::run_for(Duration d) {
  impl_->io.run_for(d);
  if (impl_->io.stopped()) impl_->io.restart();
}

void Loop::stop() {
  impl_->io.stop();
}

void Loop::post(std::function<void()> fn) {
  asio::post(impl_->io, std::move(fn));
}

Instant Loop::now() const {
  return to_instant(Clock::now());
}

TimerId Loop::after(Duration delay, std::function<void()> fn) {
  const TimerId id = impl_->next_id++;
  const Clock::time_point deadline =
      detail::saturating_add(Clock::now(), delay < Duration::zero() ? Duration{} : delay);
  impl_->timers.emplace(std::pair{deadline, id}, std::move(fn));
  impl_->deadlines.emplace(id, deadline);
  impl_->arm();
  return id;
}

bool Loop::cancel(TimerId id) {
  auto it = impl_->deadlines.find(id);
  if (it == impl_->deadlines.end()) return false;
  impl_->timers.erase(std::pair{it->second, id});
  impl_->deadlines.erase(it);
  impl_->arm();
  return true;
}

Status Loop::on_signal(const std::vector<int>& signals, std::function<void(int)> fn) {
  MPSEC_ENSURE(!signals.empty() && fn, Errc::invalid_argument, "on_signal needs signals and fn");
  auto set = std::make_unique<asio::signal_set>(impl_->io);
  for (int signo : signals) {
    std::error_code ec;
    set->add(signo, ec);
    if (ec) return detail::io_failure("watch signal " + std::to_string(signo), ec);
  }
  impl_->wait_signal(*set, std::make_shared<std::function<void(int)>>(std::move(fn)));
  impl_->signal_sets.push_back(std::move(set));
  return ok();
}

asio::io_context& Loop::context() {
  return impl_->io;
}

}  // namespace mpsec::net
