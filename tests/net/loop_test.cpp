// The event loop: timers fire in deadline order (FIFO for equal deadlines) and cancel works,
// post() is safe from another thread, stop() ends run(), signals arrive on the loop thread.
#include "net/loop.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "base/test_support.hpp"

namespace mpsec::net {
namespace {

using namespace std::chrono_literals;
using testutil::FailsWith;
using testutil::IsOk;

TEST(NetLoop, TimersFireInDeadlineOrder) {
  Loop loop;
  std::string order;
  loop.after(30ms, [&] {
    order += 'a';
    loop.stop();
  });
  loop.after(10ms, [&] { order += 'b'; });
  loop.after(20ms, [&] { order += 'c'; });
  loop.after(10ms, [&] { order += 'd'; });
  loop.after(0ms, [&] { order += 'e'; });
  loop.run_for(10s);  // a deadline for a broken test only; stop() ends it
  EXPECT_EQ(order, "ebdca");
}

TEST(NetLoop, EqualDeadlinesFireInInsertionOrder) {
  Loop loop;
  std::vector<int> order;
  // Timers set from inside a callback with the same delay share a deadline at most a few ns
  // apart; a burst of zero delays exercises the tie-break.
  loop.after(0ms, [&] {
    for (int i = 0; i < 50; ++i)
      loop.after(0ms, [&order, i] { order.push_back(i); });
    loop.after(1ms, [&] { loop.stop(); });
  });
  loop.run_for(10s);
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(NetLoop, CancelledTimerNeverFires) {
  Loop loop;
  std::string fired;
  const TimerId a = loop.after(5ms, [&] { fired += 'a'; });
  TimerId c = 0;
  loop.after(10ms, [&] {
    fired += 'b';
    EXPECT_TRUE(loop.cancel(c));  // due in the same instant range: cancelled from a callback
  });
  c = loop.after(10ms, [&] { fired += 'c'; });
  loop.after(30ms, [&] { loop.stop(); });
  EXPECT_TRUE(loop.cancel(a));
  EXPECT_FALSE(loop.cancel(a));
  EXPECT_FALSE(loop.cancel(9999));
  loop.run_for(10s);
  EXPECT_EQ(fired, "b");
  EXPECT_FALSE(loop.cancel(c));
}

TEST(NetLoop, TimerCancelledBeforeItIsDueLeavesLaterTimers) {
  Loop loop;
  std::string fired;
  const TimerId first = loop.after(1ms, [&] { fired += '1'; });
  loop.after(5ms, [&] {
    fired += '2';
    loop.stop();
  });
  ASSERT_TRUE(loop.cancel(first));  // the asio timer re-arms for the later deadline
  loop.run_for(10s);
  EXPECT_EQ(fired, "2");
}

TEST(NetLoop, HugeDelaysDoNotOverflow) {
  Loop loop;
  bool fired = false;
  const TimerId never = loop.after(Duration::max(), [&] { fired = true; });
  loop.after(1ms, [&] { loop.stop(); });
  loop.run_for(10s);
  EXPECT_FALSE(fired);
  EXPECT_TRUE(loop.cancel(never));
}

TEST(NetLoop, PostFromAnotherThread) {
  Loop loop;
  int count = 0;  // touched only on the loop thread
  const std::thread::id loop_thread = std::this_thread::get_id();
  std::atomic<bool> wrong_thread{false};
  std::thread worker([&] {
    for (int i = 0; i < 1000; ++i)
      loop.post([&] {
        if (std::this_thread::get_id() != loop_thread) wrong_thread = true;
        ++count;
      });
    loop.post([&] { loop.stop(); });
  });
  loop.run();  // returns on the posted stop()
  worker.join();
  EXPECT_EQ(count, 1000);
  EXPECT_FALSE(wrong_thread);
}

TEST(NetLoop, RunAgainAfterStop) {
  Loop loop;
  int runs = 0;
  for (int i = 0; i < 3; ++i) {
    loop.after(1ms, [&] {
      ++runs;
      loop.stop();
    });
    loop.run_for(10s);
  }
  EXPECT_EQ(runs, 3);
  // A stop() while not running ends the next run at once, then runs work normally again.
  loop.stop();
  loop.run_for(10s);
  bool ran = false;
  loop.post([&] {
    ran = true;
    loop.stop();
  });
  loop.run_for(10s);
  EXPECT_TRUE(ran);
}

TEST(NetLoop, NowIsMonotonic) {
  Loop loop;
  const Instant before = loop.now();
  Instant inside{};
  loop.after(2ms, [&] {
    inside = loop.now();
    loop.stop();
  });
  loop.run_for(10s);
  EXPECT_GE(inside, before);
  EXPECT_GE(loop.now(), inside);
}

TEST(NetLoop, SignalRunsHandlerOnLoop) {
  Loop loop;
  std::vector<int> seen;
  ASSERT_TRUE(IsOk(loop.on_signal({SIGUSR1, SIGUSR2}, [&](int signo) {
    seen.push_back(signo);
    if (seen.size() == 2) loop.stop();
  })));
  std::raise(SIGUSR1);
  std::raise(SIGUSR2);
  loop.run_for(10s);
  std::sort(seen.begin(), seen.end());  // asio does not promise order between signal numbers
  std::vector<int> expected{SIGUSR1, SIGUSR2};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
}

TEST(NetLoop, SignalRefusesBadInput) {
  Loop loop;
  EXPECT_TRUE(FailsWith(loop.on_signal({}, [](int) {}), Errc::invalid_argument));
  EXPECT_TRUE(FailsWith(loop.on_signal({SIGUSR1}, nullptr), Errc::invalid_argument));
  EXPECT_TRUE(FailsWith(loop.on_signal({-5}, [](int) {}), Errc::io_error));
}

}  // namespace
}  // namespace mpsec::net
