// The event loop of the I/O runtime: one thread runs it, and every callback of src/net (socket
// events, timers, posted work, signals) runs on that thread, so protocol state machines driven
// from these callbacks need no locks. This is the only folder with sockets, threads and timers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "mpsec/result.hpp"
#include "mpsec/time.hpp"

namespace asio {
class io_context;
}  // namespace asio

namespace mpsec::net {

using TimerId = std::uint64_t;

// Wraps an asio::io_context. Every TcpServer, TcpClient and UdpSocket made on a Loop must be
// destroyed before it.
class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs callbacks until stop(), also while there is nothing to wait for. A stop() made while
  // the loop is not running makes the next run()/run_for() return at once.
  void run();
  // Runs callbacks until stop() or until `d` has passed.
  void run_for(Duration d);
  // Thread-safe.
  void stop();
  // Queues fn to run on the loop thread. Thread-safe: how other threads (a stdin reader, a
  // worker) hand work to the loop.
  void post(std::function<void()> fn);

  // Monotonic time (std::chrono::steady_clock), the clock the timers use.
  Instant now() const;

  // Runs fn once, `delay` from now. Timers due at the same instant fire in the order they
  // were set. Loop thread only.
  TimerId after(Duration delay, std::function<void()> fn);
  // False if the timer already fired or was cancelled. Loop thread only.
  bool cancel(TimerId id);

  // Calls fn(signal number) on the loop thread each time one of `signals` (e.g. SIGINT,
  // SIGTERM) arrives, until the Loop is destroyed.
  [[nodiscard]] Status on_signal(const std::vector<int>& signals, std::function<void(int)> fn);

 private:
  friend class TcpServer;
  friend class TcpClient;
  friend class UdpSocket;
  asio::io_context& context();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpsec::net
