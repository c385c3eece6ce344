// UDP on 127.0.0.1: unicast round trip (including empty and maximum-size datagrams), a typed
// error over the maximum, and one multicast sender reaching three receivers that share group
// and port on the loopback interface.
#include "net/udp.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/test_support.hpp"

namespace mpsec::net {
namespace {

using namespace std::chrono_literals;
using testutil::FailsWith;
using testutil::IsOk;

bool run_until(Loop& loop, const std::function<bool()>& pred) {
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (!pred() && std::chrono::steady_clock::now() < end)
    loop.run_for(5ms);
  return pred();
}

Bytes text(std::string_view s) {
  return to_bytes(as_bytes(s));
}

struct Received {
  std::vector<Bytes> datagrams;
  std::vector<std::string> peers;
};

std::unique_ptr<UdpSocket> must(Result<std::unique_ptr<UdpSocket>> r) {
  EXPECT_TRUE(IsOk(r));
  return r ? std::move(*r) : nullptr;
}

void record_into(UdpSocket& s, Received& out) {
  s.on_datagram([&out](Bytes d, std::string peer) {
    out.datagrams.push_back(std::move(d));
    out.peers.push_back(std::move(peer));
  });
}

TEST(NetUdp, UnicastRoundTrip) {
  Loop loop;
  auto a = must(UdpSocket::bind(loop, "127.0.0.1", 0));
  auto b = must(UdpSocket::bind(loop, "127.0.0.1", 0));
  ASSERT_TRUE(a && b);
  ASSERT_NE(a->port(), 0);
  ASSERT_NE(a->port(), b->port());
  Received at_a;
  record_into(*a, at_a);
  // b answers every datagram to its sender, prefixed with "re:".
  b->on_datagram([&](Bytes d, std::string peer) {
    const auto colon = peer.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::stoi(peer.substr(colon + 1)));
    Bytes reply = text("re:");
    append(reply, d);
    EXPECT_TRUE(IsOk(b->send_to(peer.substr(0, colon), port, reply)));
  });

  const std::vector<Bytes> sent = {text("ping"), Bytes{}, Bytes(1000, 0xab)};
  for (const auto& d : sent)
    ASSERT_TRUE(IsOk(a->send_to("127.0.0.1", b->port(), d)));
  ASSERT_TRUE(run_until(loop, [&] { return at_a.datagrams.size() == sent.size(); }));
  for (std::size_t i = 0; i < sent.size(); ++i) {
    Bytes expected = text("re:");
    append(expected, sent[i]);
    EXPECT_EQ(at_a.datagrams[i], expected);  // loopback keeps order for a few datagrams
    EXPECT_EQ(at_a.peers[i], "127.0.0.1:" + std::to_string(b->port()));
  }
}

TEST(NetUdp, MaximumDatagramPassesLargerFailsTyped) {
  Loop loop;
  auto a = must(UdpSocket::bind(loop, "127.0.0.1", 0));
  auto b = must(UdpSocket::bind(loop, "127.0.0.1", 0));
  ASSERT_TRUE(a && b);
  Received at_b;
  record_into(*b, at_b);
  std::mt19937 rng(3);
  Bytes biggest(UdpSocket::kMaxDatagram);
  for (auto& x : biggest)
    x = static_cast<std::uint8_t>(rng());
  EXPECT_TRUE(FailsWith(a->send_to("127.0.0.1", b->port(), Bytes(UdpSocket::kMaxDatagram + 1)),
                        Errc::limit_exceeded));
  ASSERT_TRUE(IsOk(a->send_to("127.0.0.1", b->port(), biggest)));
  ASSERT_TRUE(run_until(loop, [&] { return !at_b.datagrams.empty(); }));
  ASSERT_EQ(at_b.datagrams.size(), 1u);
  EXPECT_EQ(at_b.datagrams[0], biggest);
}

TEST(NetUdp, MulticastOneSenderThreeReceivers) {
  Loop loop;
  // A random group keeps concurrent runs of this test (another build's suite) apart.
  std::random_device rd;
  const std::string group =
      "239.255." + std::to_string(rd() % 256) + "." + std::to_string(1 + rd() % 254);
  auto first = UdpSocket::multicast_receiver(loop, group, 0);
  // This test never skips: multicast on lo works on this kernel even without the MULTICAST
  // link flag; if a kernel refuses, the error below says why (the join or the bind).
  ASSERT_TRUE(IsOk(first)) << "group " << group;
  std::vector<std::unique_ptr<UdpSocket>> receivers;
  receivers.push_back(std::move(*first));
  const std::uint16_t port = receivers[0]->port();
  for (int i = 0; i < 2; ++i) {
    auto r = UdpSocket::multicast_receiver(loop, group, port);
    ASSERT_TRUE(IsOk(r)) << "receiver " << i + 2 << " on " << group << ":" << port;
    receivers.push_back(std::move(*r));
  }
  std::vector<Received> got(receivers.size());
  for (std::size_t i = 0; i < receivers.size(); ++i)
    record_into(*receivers[i], got[i]);

  auto sender = must(UdpSocket::multicast_sender(loop));
  ASSERT_TRUE(sender);
  const std::vector<Bytes> sent = {text("one"), text("two"), Bytes(1200, 7), text("four")};
  for (const auto& d : sent)
    ASSERT_TRUE(IsOk(sender->send_to(group, port, d)));

  ASSERT_TRUE(run_until(loop, [&] {
    for (const auto& g : got)
      if (g.datagrams.size() < sent.size()) return false;
    return true;
  })) << "not every receiver got every datagram";
  loop.run_for(20ms);  // a duplicate would have arrived by now
  for (const auto& g : got) {
    EXPECT_EQ(g.datagrams, sent);
    for (const auto& peer : g.peers)
      EXPECT_EQ(peer, "127.0.0.1:" + std::to_string(sender->port()));
  }
}

TEST(NetUdp, MulticastRefusesBadArguments) {
  Loop loop;
  EXPECT_TRUE(
      FailsWith(UdpSocket::multicast_receiver(loop, "127.0.0.1", 0), Errc::invalid_argument));
  EXPECT_TRUE(FailsWith(UdpSocket::multicast_receiver(loop, "ff02::1", 0), Errc::unsupported));
  EXPECT_TRUE(
      FailsWith(UdpSocket::multicast_sender(loop, "127.0.0.1", 256), Errc::invalid_argument));
}

TEST(NetUdp, SocketDestroyedInsideItsCallback) {
  Loop loop;
  auto a = must(UdpSocket::bind(loop, "127.0.0.1", 0));
  auto b = must(UdpSocket::bind(loop, "127.0.0.1", 0));
  ASSERT_TRUE(a && b);
  int count = 0;
  b->on_datagram([&](Bytes, std::string) {
    ++count;
    b.reset();
  });
  const std::uint16_t port = b->port();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(IsOk(a->send_to("127.0.0.1", port, Bytes{1})));
  ASSERT_TRUE(run_until(loop, [&] { return b == nullptr; }));
  loop.run_for(20ms);
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace mpsec::net
