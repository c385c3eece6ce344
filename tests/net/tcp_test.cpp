// Framed TCP on 127.0.0.1: echo of many frames (0 bytes to 1 MiB), each bound (frame size,
// connections, idle time, send queue) closing only the offending connection, garbage and
// truncated input from raw sockets, and objects destroyed from inside their own callbacks.
// Deadlines only bound a broken test; every assertion is on what was received or counted.
#include "net/tcp.hpp"

#include <gtest/gtest.h>

#include <array>
#include <asio.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/test_support.hpp"
#include "net/frame_codec.hpp"

namespace mpsec::net {
namespace {

using namespace std::chrono_literals;
using testutil::FailsWith;
using testutil::IsOk;

// Runs the loop until pred holds; false if a generous deadline passes first.
bool run_until(Loop& loop, const std::function<bool()>& pred) {
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (!pred() && std::chrono::steady_clock::now() < end)
    loop.run_for(5ms);
  return pred();
}

Bytes random_bytes(std::mt19937& rng, std::size_t n) {
  Bytes out(n);
  for (auto& b : out)
    b = static_cast<std::uint8_t>(rng());
  return out;
}

// A server that echoes every message and records what it saw.
struct EchoServer {
  std::unique_ptr<TcpServer> server;
  std::map<ConnId, std::string> open;  // id -> peer
  std::vector<ConnId> closed;

  EchoServer(Loop& loop, TcpLimits limits = {}) {
    auto listening = TcpServer::listen(loop, "127.0.0.1", 0, limits);
    EXPECT_TRUE(IsOk(listening));
    if (!listening) return;
    server = std::move(*listening);
    server->on_open([this](ConnId id, std::string peer) { open.emplace(id, std::move(peer)); });
    // The connection may be closing (over a limit) while its last messages arrive: ignored.
    server->on_message([this](ConnId id, Bytes m) { static_cast<void>(server->send(id, m)); });
    server->on_close([this](ConnId id) {
      EXPECT_EQ(open.erase(id), 1u) << "on_close for a connection not open: " << id;
      closed.push_back(id);
    });
  }
  std::uint16_t port() const { return server->port(); }
};

// A client that records the messages it receives and whether it was closed.
struct Client {
  std::unique_ptr<TcpClient> client;
  std::vector<Bytes> received;
  int closes = 0;

  Client(Loop& loop, std::uint16_t port, TcpLimits limits = {}) {
    auto connected = TcpClient::connect(loop, "127.0.0.1", port, limits);
    EXPECT_TRUE(IsOk(connected));
    if (!connected) return;
    client = std::move(*connected);
    client->on_message([this](Bytes m) { received.push_back(std::move(m)); });
    client->on_close([this] { ++closes; });
  }
  void send(ByteView m) { EXPECT_TRUE(IsOk(client->send(m))); }
};

// True once `c` got `message` echoed back (as its last message) within the deadline.
bool echoes(Loop& loop, Client& c, const Bytes& message) {
  const std::size_t before = c.received.size();
  c.send(message);
  return run_until(loop, [&] { return c.received.size() > before || c.closes > 0; }) &&
         c.received.size() == before + 1 && c.received.back() == message;
}

TEST(NetTcp, EchoManyFramesIncludingEmptyAndOneMiB) {
  Loop loop;
  EchoServer echo(loop);
  ASSERT_TRUE(echo.server);
  Client c(loop, echo.port());
  ASSERT_TRUE(c.client);

  std::mt19937 rng(7);
  std::vector<Bytes> sent;
  for (std::size_t n : {0, 1, 2, 3, 4, 5, 100, 16383, 16384, 16385, 65536, 1 << 20, 0})
    sent.push_back(random_bytes(rng, n));
  for (int i = 0; i < 300; ++i)
    sent.push_back(random_bytes(rng, rng() % 2000));
  for (const auto& m : sent)
    c.send(m);

  ASSERT_TRUE(run_until(loop, [&] { return c.received.size() >= sent.size() || c.closes > 0; }));
  EXPECT_EQ(c.closes, 0);
  ASSERT_EQ(c.received.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i)
    EXPECT_EQ(c.received[i], sent[i]) << "frame " << i;

  ASSERT_EQ(echo.open.size(), 1u);
  EXPECT_EQ(echo.open.begin()->second, "127.0.0.1:" + std::to_string(c.client->local_port()));
  EXPECT_EQ(c.client->peer(), "127.0.0.1:" + std::to_string(echo.port()));
  auto peer = echo.server->peer(echo.open.begin()->first);
  ASSERT_TRUE(IsOk(peer));
  EXPECT_EQ(*peer, echo.open.begin()->second);
  EXPECT_EQ(echo.server->counters().accepted, 1u);
}

TEST(NetTcp, OversizeFrameClosesOnlyThatConnection) {
  Loop loop;
  TcpLimits limits;
  limits.max_frame = 1024;
  EchoServer echo(loop, limits);
  ASSERT_TRUE(echo.server);
  Client good(loop, echo.port());
  Client bad(loop, echo.port());
  ASSERT_TRUE(good.client && bad.client);

  EXPECT_TRUE(echoes(loop, good, Bytes(1024, 1)));  // exactly max_frame passes
  bad.send(Bytes(1025, 2));                         // the client's own limit is 1 MiB
  ASSERT_TRUE(run_until(loop, [&] { return bad.closes > 0; }));
  EXPECT_EQ(bad.closes, 1);
  EXPECT_TRUE(bad.received.empty());
  EXPECT_FALSE(bad.client->is_open());
  EXPECT_TRUE(FailsWith(bad.client->send(Bytes(1, 0)), Errc::invalid_state));

  EXPECT_TRUE(echoes(loop, good, Bytes(10, 3)));
  EXPECT_EQ(good.closes, 0);
  EXPECT_EQ(echo.server->counters().oversize_frames, 1u);
  EXPECT_EQ(echo.server->connection_count(), 1u);
  EXPECT_EQ(echo.closed.size(), 1u);
}

// Raw bytes straight onto a socket, bypassing the framing, then disconnect.
void send_raw(std::uint16_t port, const Bytes& data) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  std::error_code ec;
  s.connect({asio::ip::make_address_v4("127.0.0.1"), port}, ec);
  ASSERT_FALSE(ec) << ec.message();
  // The server is not reading yet (its loop is not running): this fits the socket buffers.
  asio::write(s, asio::buffer(data), ec);
  ASSERT_FALSE(ec) << ec.message();
  s.close(ec);
}

TEST(NetTcp, GarbageAndTruncatedFramesNeverCrashTheServer) {
  Loop loop;
  TcpLimits limits;
  limits.max_frame = 4096;
  EchoServer echo(loop, limits);
  ASSERT_TRUE(echo.server);
  auto cat = [](std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts)
      append(out, p);
    return out;
  };

  std::mt19937 rng(2024);
  std::vector<Bytes> inputs = {
      Bytes{0xff, 0xff, 0xff, 0xff},                              // 4 GiB announced
      Bytes{0x00, 0x00, 0x10, 0x01},                              // max_frame + 1 announced
      cat({Bytes{0x00, 0x00, 0x00, 0x64}, Bytes(50, 7)}),         // 100 announced, 50 sent
      Bytes{0x00, 0x00},                                          // half a header
      cat({encode_frame(Bytes(5, 1)), Bytes{0x7f, 0x00, 0x00}}),  // a frame then junk
      cat({encode_frame(Bytes{}), encode_frame(Bytes(4096, 9)), Bytes{0x00}}),
  };
  for (int i = 0; i < 40; ++i) {
    Bytes blob;
    // Random mixtures of valid frames, short frames and noise.
    while (blob.size() < 3000) {
      switch (rng() % 3) {
        case 0:
          append(blob, encode_frame(random_bytes(rng, rng() % 300)));
          break;
        case 1: {
          Bytes frame = encode_frame(random_bytes(rng, rng() % 300));
          frame.resize(rng() % frame.size());
          append(blob, frame);
          break;
        }
        default:
          append(blob, random_bytes(rng, 1 + rng() % 64));
      }
    }
    blob.resize(1 + rng() % blob.size());
    inputs.push_back(std::move(blob));
  }
  for (const auto& in : inputs)
    send_raw(echo.port(), in);

  ASSERT_TRUE(run_until(loop, [&] { return echo.closed.size() == inputs.size(); }));
  EXPECT_EQ(echo.server->counters().accepted, inputs.size());
  EXPECT_GE(echo.server->counters().oversize_frames, 2u);
  EXPECT_EQ(echo.server->connection_count(), 0u);

  Client c(loop, echo.port());
  ASSERT_TRUE(c.client);
  EXPECT_TRUE(echoes(loop, c, Bytes{1, 2, 3}));
}

TEST(NetTcp, MaxConnectionsRefusesFurtherConnections) {
  Loop loop;
  TcpLimits limits;
  limits.max_connections = 2;
  EchoServer echo(loop, limits);
  ASSERT_TRUE(echo.server);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i)
    clients.push_back(std::make_unique<Client>(loop, echo.port()));

  auto closed_clients = [&] {
    int n = 0;
    for (const auto& c : clients)
      n += c->closes;
    return n;
  };
  ASSERT_TRUE(run_until(loop, [&] { return closed_clients() == 1; }));
  EXPECT_EQ(echo.server->counters().accepted, 2u);
  EXPECT_EQ(echo.server->counters().refused_over_limit, 1u);
  EXPECT_EQ(echo.open.size(), 2u);
  for (auto& c : clients) {
    if (c->closes == 0) {
      EXPECT_TRUE(echoes(loop, *c, Bytes{42}));
    }
  }

  // A slot freed by a departing client is available again.
  for (auto& c : clients) {
    if (c->closes == 0) {
      c->client->close();
      break;
    }
  }
  ASSERT_TRUE(run_until(loop, [&] { return echo.server->connection_count() == 1; }));
  Client late(loop, echo.port());
  ASSERT_TRUE(late.client);
  EXPECT_TRUE(echoes(loop, late, Bytes{7, 7}));
  EXPECT_EQ(echo.server->counters().accepted, 3u);
  EXPECT_EQ(echo.server->counters().refused_over_limit, 1u);
}

TEST(NetTcp, IdleConnectionsAreClosed) {
  Loop loop;
  TcpLimits limits;
  limits.idle_timeout = 100ms;
  EchoServer echo(loop, limits);
  ASSERT_TRUE(echo.server);
  Client silent(loop, echo.port());
  Client once(loop, echo.port());
  ASSERT_TRUE(silent.client && once.client);
  once.send(Bytes{5});

  ASSERT_TRUE(run_until(loop, [&] { return silent.closes + once.closes == 2; }));
  EXPECT_EQ(once.received, std::vector<Bytes>{Bytes{5}});
  EXPECT_EQ(echo.server->counters().idle_closed, 2u);
  EXPECT_EQ(echo.server->connection_count(), 0u);
}

TEST(NetTcp, SlowReaderIsClosed) {
  Loop loop;
  TcpLimits limits;
  limits.max_queued = 256 * 1024;
  auto listening = TcpServer::listen(loop, "127.0.0.1", 0, limits);
  ASSERT_TRUE(IsOk(listening));
  auto& server = **listening;
  Status refused = ok();
  bool closed = false;
  // Once connected, the server sends a 64 KiB message every millisecond to a peer that never
  // reads, until a send is refused.
  std::function<void(ConnId)> pump = [&](ConnId id) {
    Status s = server.send(id, Bytes(64 * 1024, 1));
    if (!s) {
      refused = s;
      return;
    }
    loop.after(1ms, [&pump, id] { pump(id); });
  };
  server.on_open([&](ConnId id, std::string) { pump(id); });
  server.on_close([&](ConnId) { closed = true; });

  asio::io_context io;
  asio::ip::tcp::socket raw(io);
  std::error_code ec;
  raw.open(asio::ip::tcp::v4(), ec);
  raw.set_option(asio::socket_base::receive_buffer_size(4096), ec);  // fill up sooner
  raw.connect({asio::ip::make_address_v4("127.0.0.1"), server.port()}, ec);
  ASSERT_FALSE(ec) << ec.message();

  ASSERT_TRUE(run_until(loop, [&] { return closed; }));
  EXPECT_TRUE(FailsWith(refused, Errc::limit_exceeded));
  EXPECT_EQ(server.counters().slow_closed, 1u);
  EXPECT_EQ(server.connection_count(), 0u);
}

TEST(NetTcp, SendErrorsAreTyped) {
  Loop loop;
  TcpLimits limits;
  limits.max_frame = 100;
  EchoServer echo(loop, limits);
  ASSERT_TRUE(echo.server);
  EXPECT_TRUE(FailsWith(echo.server->send(12345, Bytes{1}), Errc::not_found));
  EXPECT_TRUE(FailsWith(echo.server->peer(12345), Errc::not_found));
  echo.server->close(12345);  // unknown: no-op

  Client c(loop, echo.port(), limits);
  ASSERT_TRUE(c.client);
  ASSERT_TRUE(run_until(loop, [&] { return echo.open.size() == 1; }));
  const ConnId id = echo.open.begin()->first;
  EXPECT_TRUE(FailsWith(echo.server->send(id, Bytes(101, 0)), Errc::limit_exceeded));
  EXPECT_TRUE(FailsWith(c.client->send(Bytes(101, 0)), Errc::limit_exceeded));
  EXPECT_TRUE(echoes(loop, c, Bytes(100, 0)));  // still open
}

TEST(NetTcp, ServerCloseFlushesQueuedMessagesFirst) {
  Loop loop;
  auto listening = TcpServer::listen(loop, "127.0.0.1", 0);
  ASSERT_TRUE(IsOk(listening));
  auto& server = **listening;
  std::vector<ConnId> closed;
  server.on_message([&](ConnId id, Bytes m) {
    for (int i = 0; i < 20; ++i)
      EXPECT_TRUE(IsOk(server.send(id, m)));
    server.close(id);
    EXPECT_TRUE(FailsWith(server.send(id, m), Errc::not_found));
  });
  server.on_close([&](ConnId id) { closed.push_back(id); });
  Client c(loop, server.port());
  ASSERT_TRUE(c.client);
  c.send(Bytes(200 * 1024, 4));
  ASSERT_TRUE(run_until(loop, [&] { return c.closes > 0; }));
  EXPECT_EQ(c.received.size(), 20u);
  EXPECT_EQ(closed.size(), 1u);
}

TEST(NetTcp, MaxIdleTimeoutMeansNever) {
  Loop loop;
  TcpLimits limits;
  limits.idle_timeout = Duration::max();  // must not overflow the deadline arithmetic
  EchoServer echo(loop, limits);
  ASSERT_TRUE(echo.server);
  Client c(loop, echo.port(), limits);
  ASSERT_TRUE(c.client);
  EXPECT_TRUE(echoes(loop, c, Bytes{9}));
  EXPECT_EQ(echo.server->counters().idle_closed, 0u);
}

// A connection closed by close() keeps writing its queue, but not past the server's life.
TEST(NetTcp, DestroyingServerAbortsConnectionsStillFlushing) {
  Loop loop;
  auto listening = TcpServer::listen(loop, "127.0.0.1", 0);
  ASSERT_TRUE(IsOk(listening));
  std::unique_ptr<TcpServer> server = std::move(*listening);
  bool closed = false;
  server->on_open([&](ConnId id, std::string) {
    // More than the peer's socket buffers take while it does not read.
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(IsOk(server->send(id, Bytes(1 << 20, 1))));
    server->close(id);
  });
  server->on_close([&](ConnId) { closed = true; });

  asio::io_context io;
  asio::ip::tcp::socket raw(io);
  std::error_code ec;
  raw.open(asio::ip::tcp::v4(), ec);
  raw.set_option(asio::socket_base::receive_buffer_size(4096), ec);
  raw.connect({asio::ip::make_address_v4("127.0.0.1"), server->port()}, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(run_until(loop, [&] { return closed; }));
  loop.run_for(20ms);  // the flush is now stuck on the peer
  server.reset();

  // The peer drains what arrived and then sees the connection end, well before 3 MiB.
  raw.non_blocking(true, ec);
  std::size_t total = 0;
  std::array<std::uint8_t, 65536> buf{};
  const auto end = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    const std::size_t n = raw.read_some(asio::buffer(buf), ec);
    total += n;
    if (!ec) continue;
    if (ec != asio::error::would_block || std::chrono::steady_clock::now() >= end) break;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_LT(total, std::size_t{3} << 20);
}

TEST(NetTcp, ClientCloseReportsOnce) {
  Loop loop;
  EchoServer echo(loop);
  ASSERT_TRUE(echo.server);
  Client c(loop, echo.port());
  ASSERT_TRUE(c.client);
  EXPECT_TRUE(echoes(loop, c, Bytes{1}));
  c.client->close();
  c.client->close();
  EXPECT_FALSE(c.client->is_open());
  EXPECT_TRUE(FailsWith(c.client->send(Bytes{1}), Errc::invalid_state));
  ASSERT_TRUE(run_until(loop, [&] { return echo.closed.size() == 1; }));
  loop.run_for(20ms);  // a second on_close would be due by now
  EXPECT_EQ(c.closes, 1);
}

TEST(NetTcp, ObjectsDestroyedInsideTheirCallbacks) {
  Loop loop;
  EchoServer echo(loop);
  ASSERT_TRUE(echo.server);
  // A client destroyed from its own on_message, with more messages already buffered.
  auto connected = TcpClient::connect(loop, "127.0.0.1", echo.port());
  ASSERT_TRUE(IsOk(connected));
  std::unique_ptr<TcpClient> client = std::move(*connected);
  int messages = 0;
  client->on_message([&](Bytes) {
    ++messages;
    client.reset();
  });
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(IsOk(client->send(Bytes{1})));
  ASSERT_TRUE(run_until(loop, [&] { return echo.closed.size() == 1; }));
  EXPECT_EQ(messages, 1);

  // A server destroyed from its on_message while other connections are open.
  Client a(loop, echo.port());
  Client b(loop, echo.port());
  ASSERT_TRUE(a.client && b.client);
  echo.server->on_message([&](ConnId, Bytes) { echo.server.reset(); });
  a.send(Bytes{2});
  b.send(Bytes{3});
  ASSERT_TRUE(run_until(loop, [&] { return a.closes == 1 && b.closes == 1; }));
  EXPECT_EQ(echo.server, nullptr);
}

TEST(NetTcp, ConnectToClosedPortFails) {
  Loop loop;
  std::uint16_t port = 0;
  {
    auto listening = TcpServer::listen(loop, "127.0.0.1", 0);
    ASSERT_TRUE(IsOk(listening));
    port = (*listening)->port();
  }
  EXPECT_TRUE(FailsWith(TcpClient::connect(loop, "127.0.0.1", port), Errc::io_error));
  // A port taken by another listener (without SO_REUSEPORT, reuse_address does not share it).
  auto first = TcpServer::listen(loop, "127.0.0.1", 0);
  ASSERT_TRUE(IsOk(first));
  EXPECT_TRUE(FailsWith(TcpServer::listen(loop, "127.0.0.1", (*first)->port()), Errc::io_error));
}

}  // namespace
}  // namespace mpsec::net
