// UDP datagrams, unicast and IPv4 multicast. No framing and no delivery guarantee: a datagram
// arrives whole or not at all, which the protocols above expect of UDP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"
#include "net/loop.hpp"

namespace mpsec::net {

// Callbacks run on the loop thread and may call any method, including destroying the socket.
class UdpSocket {
 public:
  // Largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP header bytes).
  static constexpr std::size_t kMaxDatagram = 65507;

  // A socket bound to host:port (port 0: a free port, see port()).
  [[nodiscard]] static Result<std::unique_ptr<UdpSocket>> bind(Loop& loop, const std::string& host,
                                                               std::uint16_t port);
  // Receives the datagrams sent to the IPv4 multicast `group` and `port`, joined on the
  // interface with address interface_address. SO_REUSEADDR lets several receivers on one
  // host share group and port; each gets every datagram. Port 0 picks a free port for the
  // first receiver; pass its port() to the others.
  [[nodiscard]] static Result<std::unique_ptr<UdpSocket>> multicast_receiver(
      Loop& loop, const std::string& group, std::uint16_t port,
      const std::string& interface_address = "127.0.0.1");
  // A socket whose multicast sends leave through interface_address with the given TTL, and
  // are looped back to receivers on this host (so a group can run entirely on 127.0.0.1).
  [[nodiscard]] static Result<std::unique_ptr<UdpSocket>> multicast_sender(
      Loop& loop, const std::string& interface_address = "127.0.0.1", int ttl = 1);

  // Cancels receiving; no callback runs afterwards.
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  std::uint16_t port() const;

  // Sends one datagram without blocking the loop: limit_exceeded over kMaxDatagram, io_error
  // if the kernel refuses it (including a full send buffer: the datagram is dropped, as the
  // network could have dropped it).
  [[nodiscard]] Status send_to(const std::string& host, std::uint16_t port, ByteView datagram);

  // peer is the sender's "ip:port".
  void on_datagram(std::function<void(Bytes, std::string peer)> fn);

  struct State;

 private:
  explicit UdpSocket(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;  // shared with the pending receive, which may outlive us
};

}  // namespace mpsec::net
