#include "net/tcp.hpp"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/asio_support.hpp"
#include "net/frame_codec.hpp"

namespace mpsec::net {
namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;
// One stream type for TCP and for local (AF_UNIX) sockets: the framing is the same.
using Socket = asio::generic::stream_protocol::socket;
using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
using GenericEndpoint = asio::generic::stream_protocol::endpoint;

// "ip:port" for a TCP peer, "local" for an AF_UNIX one.
std::string peer_string(const GenericEndpoint& ep) {
  const int family = ep.protocol().family();
  if (family != AF_INET && family != AF_INET6) return "local";
  tcp::endpoint t;
  if (ep.size() > t.capacity()) return "?";
  std::memcpy(t.data(), ep.data(), ep.size());
  t.resize(ep.size());
  return detail::endpoint_string(t);
}

enum class CloseReason { peer, error, oversize, slow, idle };

// One framed connection, shared by the server and the client. Its handlers hold a shared_ptr
// to it, so it outlives its owner until the socket's pending operations have completed; the
// owner's hooks hold only a weak reference back.
class Stream : public std::enable_shared_from_this<Stream> {
 public:
  using MessageFn = std::function<void(Bytes)>;
  using ClosedFn = std::function<void(CloseReason)>;

  Stream(Socket socket, const TcpLimits& limits)
      : socket_(std::move(socket)),
        idle_(socket_.get_executor()),
        limits_(limits),
        decoder_(limits.max_frame) {}

  // Starts reading. `closed` runs once if the stream closes itself (peer, error, limit), from
  // a posted event; not after close() or abort().
  void start(MessageFn message, ClosedFn closed) {
    on_message_ = std::move(message);
    on_closed_ = std::move(closed);
    std::error_code ec;
    // Messages, not a byte stream: no Nagle delay (fails harmlessly on a local socket).
    if (socket_.local_endpoint(ec).protocol().family() != AF_UNIX)
      socket_.set_option(tcp::no_delay(true), ec);
    last_frame_ = Clock::now();
    read();
    arm_idle();
  }

  bool is_open() const { return open_; }
  bool flushing() const { return closing_; }

  Status send(ByteView message) {
    MPSEC_ENSURE(open_, Errc::invalid_state, "connection is closed");
    MPSEC_ENSURE(message.size() <= limits_.max_frame, Errc::limit_exceeded,
                 "message of " + std::to_string(message.size()) + " bytes exceeds max_frame");
    const std::size_t size = kFrameHeaderSize + message.size();
    if (queued_ + size > limits_.max_queued) {
      fail(CloseReason::slow);
      return mpsec::fail(Errc::limit_exceeded,
                         "send queue over max_queued: peer not reading, connection closed");
    }
    queue_.push_back(encode_frame(message));
    queued_ += size;
    if (!writing_) write();
    return ok();
  }

  // Graceful: no more messages are delivered or accepted; the socket closes once the queue
  // is written, or after idle_timeout if the peer stops reading.
  void close() {
    if (!open_) return;
    open_ = false;
    if (!writing_) {
      close_socket();
      return;
    }
    closing_ = true;
    last_frame_ = Clock::now();  // the flush gets a full idle_timeout
  }

  // At once, discarding the queue.
  void abort() {
    open_ = false;
    close_socket();
  }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(rx_),
                            [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
                              self->on_read(ec, n);
                            });
  }

  void on_read(const std::error_code& ec, std::size_t n) {
    if (!open_) return;
    if (ec) {
      fail(ec == asio::error::eof ? CloseReason::peer : CloseReason::error);
      return;
    }
    decoder_.feed(ByteView(rx_.data(), n));
    for (;;) {
      auto frame = decoder_.next();
      if (!frame) {
        fail(CloseReason::oversize);
        return;
      }
      if (!*frame) break;
      last_frame_ = Clock::now();
      if (on_message_) on_message_(std::move(**frame));
      if (!open_) return;  // the callback closed the connection or destroyed its owner
    }
    read();
  }

  void write() {
    writing_ = true;
    // Everything queued in one gather write (bounded, to keep the buffer list small).
    wbufs_.clear();
    for (std::size_t i = 0; i < queue_.size() && i < kMaxGather; ++i)
      wbufs_.push_back(asio::buffer(queue_[i]));
    asio::async_write(socket_, wbufs_,
                      [self = shared_from_this()](const std::error_code& ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(const std::error_code& ec) {
    writing_ = false;
    if (!socket_open_) return;
    if (ec) {
      fail(CloseReason::error);
      return;
    }
    for (std::size_t i = 0; i < wbufs_.size(); ++i) {
      queued_ -= queue_.front().size();
      queue_.pop_front();
    }
    wbufs_.clear();
    if (!queue_.empty()) {
      write();
    } else if (closing_) {
      close_socket();
    }
  }

  void arm_idle() {
    if (limits_.idle_timeout <= Duration::zero()) return;
    idle_.expires_at(detail::saturating_add(last_frame_, limits_.idle_timeout));
    idle_.async_wait([self = shared_from_this()](const std::error_code& ec) {
      if (ec || !self->socket_open_) return;
      // The deadline is not pushed back on every frame; it is checked when it expires.
      if (Clock::now() - self->last_frame_ < self->limits_.idle_timeout) {
        self->arm_idle();
      } else if (self->closing_) {
        self->close_socket();  // the flush of a closed connection timed out
      } else {
        self->fail(CloseReason::idle);
      }
    });
  }

  void fail(CloseReason reason) {
    if (!open_) return;
    abort();
    // Posted: fail() can run inside send(), and the owner's on_close must not re-enter the
    // caller.
    asio::post(socket_.get_executor(), [self = shared_from_this(), reason] {
      if (self->on_closed_) self->on_closed_(reason);
    });
  }

  void close_socket() {
    if (!socket_open_) return;
    socket_open_ = false;
    closing_ = false;
    std::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_both, ec);
    socket_.close(ec);
    idle_.cancel();
  }

  static constexpr std::size_t kMaxGather = 64;

  Socket socket_;
  asio::steady_timer idle_;
  TcpLimits limits_;
  FrameDecoder decoder_;
  std::array<std::uint8_t, 16 * 1024> rx_{};
  std::deque<Bytes> queue_;  // encoded frames; references stay valid while a write is pending
  std::size_t queued_ = 0;
  std::vector<asio::const_buffer> wbufs_;
  bool writing_ = false;
  bool open_ = true;         // delivering and accepting messages
  bool socket_open_ = true;  // false once the socket is closed
  bool closing_ = false;     // close() called, flushing the queue
  Clock::time_point last_frame_;
  MessageFn on_message_;
  ClosedFn on_closed_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// TcpServer

struct TcpServer::State : std::enable_shared_from_this<TcpServer::State> {
  State(asio::io_context& ctx, const TcpLimits& l)
      : io(ctx), acceptor(ctx), retry(ctx), limits(l) {}

  struct Conn {
    std::shared_ptr<Stream> stream;
    std::string peer;
  };

  asio::io_context& io;
  Acceptor acceptor;
  asio::steady_timer retry;  // accept again after a failure such as EMFILE, without spinning
  TcpLimits limits;
  std::uint16_t port = 0;
  bool closed = false;
  ConnId next_id = 1;
  std::unordered_map<ConnId, Conn> conns;
  // Connections closed by close() that are still writing their queue: aborted with the server.
  std::vector<std::weak_ptr<Stream>> flushing;
  TcpCounters counters;
  std::function<void(ConnId, std::string)> on_open;
  std::function<void(ConnId, Bytes)> on_message;
  std::function<void(ConnId)> on_close;

  void accept() {
    acceptor.async_accept([self = shared_from_this()](const std::error_code& ec, Socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(const std::error_code& ec, Socket socket) {
    if (closed) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      if (ec == asio::error::connection_aborted) {
        accept();  // the peer gave up before accept: nothing wrong with the listener
        return;
      }
      retry.expires_after(std::chrono::milliseconds(50));
      retry.async_wait([self = shared_from_this()](const std::error_code& wait_ec) {
        if (!wait_ec && !self->closed) self->accept();
      });
      return;
    }
    accept();
    if (conns.size() >= limits.max_connections) {
      ++counters.refused_over_limit;
      std::error_code ignored;
      socket.close(ignored);
      return;
    }
    std::error_code ep_ec;
    const auto remote = socket.remote_endpoint(ep_ec);
    std::string peer_name = ep_ec ? std::string("?") : peer_string(remote);
    const ConnId id = next_id++;
    auto stream = std::make_shared<Stream>(std::move(socket), limits);
    conns.emplace(id, Conn{stream, peer_name});
    ++counters.accepted;
    if (on_open) on_open(id, std::move(peer_name));
    if (closed || !conns.contains(id)) return;  // on_open closed it or destroyed the server
    std::weak_ptr<State> weak = weak_from_this();
    stream->start(
        [weak, id](Bytes message) {
          auto self = weak.lock();  // keeps the state alive if the callback destroys the server
          if (self && !self->closed && self->on_message) self->on_message(id, std::move(message));
        },
        [weak, id](CloseReason reason) {
          if (auto self = weak.lock()) self->stream_closed(id, reason);
        });
  }

  void stream_closed(ConnId id, CloseReason reason) {
    if (closed) return;
    auto it = conns.find(id);
    if (it == conns.end()) return;  // close() already removed it and reported it
    conns.erase(it);
    switch (reason) {
      case CloseReason::oversize:
        ++counters.oversize_frames;
        break;
      case CloseReason::idle:
        ++counters.idle_closed;
        break;
      case CloseReason::slow:
        ++counters.slow_closed;
        break;
      case CloseReason::peer:
      case CloseReason::error:
        break;
    }
    if (on_close) on_close(id);
  }

  void shutdown() {
    closed = true;
    std::error_code ignored;
    acceptor.close(ignored);
    retry.cancel();
    for (auto& [id, conn] : conns)
      conn.stream->abort();
    conns.clear();
    for (auto& weak : flushing)
      if (auto stream = weak.lock()) stream->abort();
    flushing.clear();
  }
};

namespace {

// Opens, binds and listens. `before_listen` runs between bind and listen: a local socket gets
// its permissions there, before any client can connect.
Status open_acceptor(Acceptor& acceptor, const GenericEndpoint& endpoint, bool reuse_address,
                     const std::string& where, const std::function<Status()>& before_listen) {
  std::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return detail::io_failure(where, ec);
  // Restarting a daemon must not wait for the TIME_WAIT of its previous connections.
  if (reuse_address) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec) return detail::io_failure(where, ec);
  if (before_listen) MPSEC_TRY(before_listen());
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return detail::io_failure(where, ec);
  return ok();
}

}  // namespace

Result<std::unique_ptr<TcpServer>> TcpServer::listen(Loop& loop, const std::string& host,
                                                     std::uint16_t port, TcpLimits limits) {
  MPSEC_ENSURE(limits.max_frame <= 0xffffffffu, Errc::invalid_argument,
               "max_frame must fit the 32-bit length prefix");
  asio::io_context& io = loop.context();
  const auto address = MPSEC_TRY(detail::resolve_address(io, host));
  const tcp::endpoint endpoint(address, port);
  const std::string where = "listen on " + detail::endpoint_string(endpoint);
  auto state = std::make_shared<State>(io, limits);
  MPSEC_TRY(open_acceptor(state->acceptor, GenericEndpoint(endpoint), true, where, {}));
  std::error_code ec;
  const auto local = state->acceptor.local_endpoint(ec);
  if (ec) return detail::io_failure(where, ec);
  tcp::endpoint bound;
  std::memcpy(bound.data(), local.data(), std::min(local.size(), bound.capacity()));
  bound.resize(std::min(local.size(), bound.capacity()));
  state->port = bound.port();
  state->accept();
  return std::unique_ptr<TcpServer>(new TcpServer(std::move(state)));
}

Result<std::unique_ptr<TcpServer>> TcpServer::listen_local(Loop& loop, const std::string& path,
                                                           TcpLimits limits) {
  MPSEC_ENSURE(limits.max_frame <= 0xffffffffu, Errc::invalid_argument,
               "max_frame must fit the 32-bit length prefix");
  MPSEC_ENSURE(!path.empty() && path.size() < sizeof(sockaddr_un::sun_path), Errc::invalid_argument,
               "socket path empty or too long: " + path);
  const std::string where = "listen on " + path;
  // A socket file left by a process that died is removed; any other file is not ours.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    MPSEC_ENSURE(S_ISSOCK(st.st_mode), Errc::io_error,
                 where + ": the path exists and is not a socket");
    ::unlink(path.c_str());
  }
  auto state = std::make_shared<State>(loop.context(), limits);
  const asio::local::stream_protocol::endpoint endpoint(path);
  MPSEC_TRY(
      open_acceptor(state->acceptor, GenericEndpoint(endpoint), false, where, [&]() -> Status {
        // Owner only: whoever can connect can administer.
        MPSEC_ENSURE(::chmod(path.c_str(), 0600) == 0, Errc::io_error,
                     where + ": chmod: " + std::strerror(errno));
        return ok();
      }));
  state->accept();
  return std::unique_ptr<TcpServer>(new TcpServer(std::move(state)));
}

TcpServer::TcpServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

TcpServer::~TcpServer() {
  state_->shutdown();
}

std::uint16_t TcpServer::port() const {
  return state_->port;
}

void TcpServer::on_open(std::function<void(ConnId, std::string)> fn) {
  state_->on_open = std::move(fn);
}

void TcpServer::on_message(std::function<void(ConnId, Bytes)> fn) {
  state_->on_message = std::move(fn);
}

void TcpServer::on_close(std::function<void(ConnId)> fn) {
  state_->on_close = std::move(fn);
}

Status TcpServer::send(ConnId id, ByteView message) {
  auto it = state_->conns.find(id);
  MPSEC_ENSURE(it != state_->conns.end() && it->second.stream->is_open(), Errc::not_found,
               "no open connection " + std::to_string(id));
  return it->second.stream->send(message);
}

void TcpServer::close(ConnId id) {
  auto it = state_->conns.find(id);
  if (it == state_->conns.end()) return;
  it->second.stream->close();
  if (it->second.stream->flushing()) {
    std::erase_if(state_->flushing, [](const auto& weak) { return weak.expired(); });
    state_->flushing.push_back(it->second.stream);
  }
  state_->conns.erase(it);
  asio::post(state_->io, [weak = std::weak_ptr<State>(state_), id] {
    auto self = weak.lock();
    if (self && !self->closed && self->on_close) self->on_close(id);
  });
}

Result<std::string> TcpServer::peer(ConnId id) const {
  auto it = state_->conns.find(id);
  MPSEC_ENSURE(it != state_->conns.end(), Errc::not_found,
               "no open connection " + std::to_string(id));
  return it->second.peer;
}

std::size_t TcpServer::connection_count() const {
  return state_->conns.size();
}

TcpCounters TcpServer::counters() const {
  return state_->counters;
}

// ---------------------------------------------------------------------------------------------
// TcpClient

struct TcpClient::State {
  explicit State(asio::io_context& ctx) : io(ctx) {}

  asio::io_context& io;
  std::shared_ptr<Stream> stream;
  std::string peer;
  std::uint16_t local_port = 0;
  bool open = true;  // until on_close is due
  std::function<void(Bytes)> on_message;
  std::function<void()> on_close;

  void report_close() {
    if (!open) return;
    open = false;
    if (on_close) on_close();
  }
};

Result<std::unique_ptr<TcpClient>> TcpClient::connect(Loop& loop, const std::string& host,
                                                      std::uint16_t port, TcpLimits limits) {
  MPSEC_ENSURE(limits.max_frame <= 0xffffffffu, Errc::invalid_argument,
               "max_frame must fit the 32-bit length prefix");
  asio::io_context& io = loop.context();
  const auto address = MPSEC_TRY(detail::resolve_address(io, host));
  const tcp::endpoint endpoint(address, port);
  tcp::socket socket(io);
  std::error_code ec;
  socket.connect(endpoint, ec);
  if (ec) return detail::io_failure("connect to " + detail::endpoint_string(endpoint), ec);
  auto state = std::make_shared<State>(io);
  state->peer = detail::endpoint_string(endpoint);
  const auto local = socket.local_endpoint(ec);
  if (!ec) state->local_port = local.port();
  state->stream = std::make_shared<Stream>(Socket(std::move(socket)), limits);
  std::weak_ptr<State> weak = state;
  state->stream->start(
      [weak](Bytes message) {
        auto self = weak.lock();  // keeps the state alive if the callback destroys the client
        if (self && self->open && self->on_message) self->on_message(std::move(message));
      },
      [weak](CloseReason) {
        if (auto self = weak.lock()) self->report_close();
      });
  return std::unique_ptr<TcpClient>(new TcpClient(std::move(state)));
}

TcpClient::TcpClient(std::shared_ptr<State> state) : state_(std::move(state)) {}

TcpClient::~TcpClient() {
  state_->open = false;
  state_->stream->abort();
}

void TcpClient::on_message(std::function<void(Bytes)> fn) {
  state_->on_message = std::move(fn);
}

void TcpClient::on_close(std::function<void()> fn) {
  state_->on_close = std::move(fn);
}

Status TcpClient::send(ByteView message) {
  MPSEC_ENSURE(state_->open, Errc::invalid_state, "connection is closed");
  return state_->stream->send(message);
}

void TcpClient::close() {
  if (!state_->open) return;
  state_->stream->close();
  asio::post(state_->io, [weak = std::weak_ptr<State>(state_)] {
    if (auto self = weak.lock()) self->report_close();
  });
}

bool TcpClient::is_open() const {
  return state_->open && state_->stream->is_open();
}

const std::string& TcpClient::peer() const {
  return state_->peer;
}

std::uint16_t TcpClient::local_port() const {
  return state_->local_port;
}

}  // namespace mpsec::net
