#include "net/udp.hpp"

#include <utility>

#include "net/asio_support.hpp"

namespace mpsec::net {

using asio::ip::udp;

struct UdpSocket::State : std::enable_shared_from_this<UdpSocket::State> {
  explicit State(asio::io_context& ctx) : io(ctx), socket(ctx), rx(65536) {}

  asio::io_context& io;
  udp::socket socket;
  Bytes rx;
  udp::endpoint sender;
  std::uint16_t port = 0;
  bool closed = false;
  std::function<void(Bytes, std::string)> on_datagram;

  void receive() {
    socket.async_receive_from(
        asio::buffer(rx), sender,
        [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
          self->on_receive(ec, n);
        });
  }

  void on_receive(const std::error_code& ec, std::size_t n) {
    if (closed) return;
    if (ec) {
      if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return;
      // Transient (e.g. an ICMP error reported on the socket): keep receiving.
      receive();
      return;
    }
    if (on_datagram) {
      on_datagram(Bytes(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(n)),
                  detail::endpoint_string(sender));
      if (closed) return;  // the callback destroyed the socket
    }
    receive();
  }

  // Sends never wait: the loop must not block on a full send buffer.
  Status finish_setup(const std::string& where) {
    std::error_code ec;
    socket.non_blocking(true, ec);
    if (ec) return detail::io_failure(where, ec);
    const auto local = socket.local_endpoint(ec);
    if (ec) return detail::io_failure(where, ec);
    port = local.port();
    receive();
    return ok();
  }
};

namespace {

Result<asio::ip::address_v4> ipv4_address(asio::io_context& io, const std::string& host,
                                          std::string_view what) {
  const auto address = MPSEC_TRY(detail::resolve_address(io, host));
  MPSEC_ENSURE(address.is_v4(), Errc::unsupported,
               std::string(what) + " " + host + ": only IPv4 multicast is supported");
  return address.to_v4();
}

}  // namespace

Result<std::unique_ptr<UdpSocket>> UdpSocket::bind(Loop& loop, const std::string& host,
                                                   std::uint16_t port) {
  asio::io_context& io = loop.context();
  const auto address = MPSEC_TRY(detail::resolve_address(io, host));
  const udp::endpoint endpoint(address, port);
  const std::string where = "bind udp " + detail::endpoint_string(endpoint);
  auto state = std::make_shared<State>(io);
  std::error_code ec;
  state->socket.open(endpoint.protocol(), ec);
  if (!ec) state->socket.bind(endpoint, ec);
  if (ec) return detail::io_failure(where, ec);
  MPSEC_TRY(state->finish_setup(where));
  return std::unique_ptr<UdpSocket>(new UdpSocket(std::move(state)));
}

Result<std::unique_ptr<UdpSocket>> UdpSocket::multicast_receiver(
    Loop& loop, const std::string& group, std::uint16_t port,
    const std::string& interface_address) {
  asio::io_context& io = loop.context();
  const auto group_address = MPSEC_TRY(ipv4_address(io, group, "multicast group"));
  MPSEC_ENSURE(group_address.is_multicast(), Errc::invalid_argument,
               group + " is not a multicast address");
  const auto iface = MPSEC_TRY(ipv4_address(io, interface_address, "multicast interface"));
  // On Linux, binding to the group address keeps unicast datagrams to the same port out;
  // elsewhere a socket bound to a multicast address may not receive, so bind the wildcard.
#ifdef __linux__
  const udp::endpoint endpoint(group_address, port);
#else
  const udp::endpoint endpoint(asio::ip::address_v4::any(), port);
#endif
  const std::string where =
      "join multicast " + group + ":" + std::to_string(port) + " on " + interface_address;
  auto state = std::make_shared<State>(io);
  std::error_code ec;
  state->socket.open(udp::v4(), ec);
  if (!ec) state->socket.set_option(udp::socket::reuse_address(true), ec);
  if (!ec) state->socket.bind(endpoint, ec);
  if (!ec) state->socket.set_option(asio::ip::multicast::join_group(group_address, iface), ec);
  if (ec) return detail::io_failure(where, ec);
  MPSEC_TRY(state->finish_setup(where));
  return std::unique_ptr<UdpSocket>(new UdpSocket(std::move(state)));
}

Result<std::unique_ptr<UdpSocket>> UdpSocket::multicast_sender(Loop& loop,
                                                               const std::string& interface_address,
                                                               int ttl) {
  MPSEC_ENSURE(ttl >= 0 && ttl <= 255, Errc::invalid_argument, "multicast ttl must be 0..255");
  asio::io_context& io = loop.context();
  const auto iface = MPSEC_TRY(ipv4_address(io, interface_address, "multicast interface"));
  const std::string where = "multicast sender on " + interface_address;
  auto state = std::make_shared<State>(io);
  std::error_code ec;
  state->socket.open(udp::v4(), ec);
  // Bound to the interface, so the source address (and the replies) use that interface too.
  if (!ec) state->socket.bind(udp::endpoint(iface, 0), ec);
  if (!ec) state->socket.set_option(asio::ip::multicast::outbound_interface(iface), ec);
  if (!ec) state->socket.set_option(asio::ip::multicast::hops(ttl), ec);
  if (!ec) state->socket.set_option(asio::ip::multicast::enable_loopback(true), ec);
  if (ec) return detail::io_failure(where, ec);
  MPSEC_TRY(state->finish_setup(where));
  return std::unique_ptr<UdpSocket>(new UdpSocket(std::move(state)));
}

UdpSocket::UdpSocket(std::shared_ptr<State> state) : state_(std::move(state)) {}

UdpSocket::~UdpSocket() {
  state_->closed = true;
  std::error_code ignored;
  state_->socket.close(ignored);
}

std::uint16_t UdpSocket::port() const {
  return state_->port;
}

Status UdpSocket::send_to(const std::string& host, std::uint16_t port, ByteView datagram) {
  MPSEC_ENSURE(datagram.size() <= kMaxDatagram, Errc::limit_exceeded,
               "datagram of " + std::to_string(datagram.size()) + " bytes exceeds " +
                   std::to_string(kMaxDatagram));
  const auto address = MPSEC_TRY(detail::resolve_address(state_->io, host));
  const udp::endpoint endpoint(address, port);
  std::error_code ec;
  state_->socket.send_to(asio::buffer(datagram.data(), datagram.size()), endpoint, 0, ec);
  if (ec) return detail::io_failure("send to " + detail::endpoint_string(endpoint), ec);
  return ok();
}

void UdpSocket::on_datagram(std::function<void(Bytes, std::string)> fn) {
  state_->on_datagram = std::move(fn);
}

}  // namespace mpsec::net
