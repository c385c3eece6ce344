// Framed TCP: each message travels as a 4-byte big-endian length and the bytes. The server and
// the client bound what a peer can make them hold (frame size, send queue, connections, idle
// time); a peer that breaks a bound loses its connection, never the process.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"
#include "mpsec/time.hpp"
#include "net/loop.hpp"

namespace mpsec::net {

// Identifies one accepted connection of a TcpServer; never reused by that server.
using ConnId = std::uint64_t;

struct TcpLimits {
  // Largest message in either direction. A longer frame from the peer closes the connection;
  // send() refuses a longer message.
  std::size_t max_frame = std::size_t{1} << 20;
  // Bytes (frames with their headers) waiting to be written to one peer. Beyond it the peer
  // is not reading fast enough: the connection is closed rather than buffering without bound.
  std::size_t max_queued = std::size_t{4} << 20;
  // Open connections of a server; further accepted connections are closed at once.
  std::size_t max_connections = 1024;
  // A connection that delivers no complete frame for this long is closed. Zero: never.
  Duration idle_timeout = std::chrono::seconds(60);
};

struct TcpCounters {
  std::uint64_t accepted = 0;            // connections reported by on_open
  std::uint64_t refused_over_limit = 0;  // closed at accept: max_connections reached
  std::uint64_t oversize_frames = 0;     // closed: a frame over max_frame
  std::uint64_t idle_closed = 0;         // closed: idle_timeout
  std::uint64_t slow_closed = 0;         // closed: send queue over max_queued
};

// Callbacks run on the loop thread and may call any method, including destroying the object.
// Set them before control returns to the loop: events are delivered only while it runs.
class TcpServer {
 public:
  // Listens on host:port (port 0: a free port, see port()). host is an address or a name;
  // "" is every IPv4 interface.
  [[nodiscard]] static Result<std::unique_ptr<TcpServer>> listen(Loop& loop,
                                                                 const std::string& host,
                                                                 std::uint16_t port,
                                                                 TcpLimits limits = {});
  // Listens on a local (AF_UNIX) stream socket at `path`, mode 0600, replacing a socket file
  // left by an earlier process; the same framing and limits. Peers are reported as "local"
  // and port() is 0.
  [[nodiscard]] static Result<std::unique_ptr<TcpServer>> listen_local(Loop& loop,
                                                                       const std::string& path,
                                                                       TcpLimits limits = {});
  // Closes the listener and every connection at once; no callback runs afterwards.
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  std::uint16_t port() const;

  // peer is "ip:port".
  void on_open(std::function<void(ConnId, std::string peer)> fn);
  void on_message(std::function<void(ConnId, Bytes)> fn);
  // Once per connection reported by on_open, whatever closed it (the peer, an error, a limit
  // or close()); always from its own loop event, never from inside a call into the server.
  void on_close(std::function<void(ConnId)> fn);

  // Queues one message; writes go out in order. not_found for a closed or unknown connection,
  // limit_exceeded for a message over max_frame, or for a send queue over max_queued, which
  // also closes the connection (slow reader).
  [[nodiscard]] Status send(ConnId id, ByteView message);
  // Stops delivering messages of this connection and closes it once the messages already
  // queued are written (or after idle_timeout). No-op for an unknown connection.
  void close(ConnId id);

  [[nodiscard]] Result<std::string> peer(ConnId id) const;
  std::size_t connection_count() const;
  TcpCounters counters() const;

  struct State;

 private:
  explicit TcpServer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;  // shared with in-flight handlers, which outlive the server
};

// One framed connection to a server. Same limits as the server side, except max_connections.
class TcpClient {
 public:
  // Connects synchronously (blocking the caller for the handshake); reads and writes then run
  // on the loop.
  [[nodiscard]] static Result<std::unique_ptr<TcpClient>> connect(Loop& loop,
                                                                  const std::string& host,
                                                                  std::uint16_t port,
                                                                  TcpLimits limits = {});
  // Closes at once; no callback runs afterwards.
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  void on_message(std::function<void(Bytes)> fn);
  // Once, whatever closed the connection (including close()), from its own loop event.
  void on_close(std::function<void()> fn);

  // As TcpServer::send; invalid_state once the connection is closed.
  [[nodiscard]] Status send(ByteView message);
  // As TcpServer::close: queued messages are still written.
  void close();
  bool is_open() const;
  // The server's "ip:port" and the local port of this connection.
  const std::string& peer() const;
  std::uint16_t local_port() const;

  struct State;

 private:
  explicit TcpClient(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace mpsec::net
