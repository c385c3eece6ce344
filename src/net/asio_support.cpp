#include "net/asio_support.hpp"

#include <exception>

namespace mpsec::net::detail {

std::string endpoint_string(const asio::ip::address& address, std::uint16_t port) {
  std::string ip;
  try {
    ip = address.to_string();
  } catch (const std::exception&) {
    ip = "?";  // inet_ntop failed: cannot happen for an address asio built; never escape
  }
  if (address.is_v6()) ip = "[" + ip + "]";
  return ip + ":" + std::to_string(port);
}

Result<asio::ip::address> resolve_address(asio::io_context& io, const std::string& host) {
  if (host.empty()) return asio::ip::address(asio::ip::address_v4::any());
  std::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return address;
  asio::ip::udp::resolver resolver(io);
  auto results = resolver.resolve(host, "", ec);
  if (ec) return io_failure("resolve " + host, ec);
  // Prefer IPv4: the loopback setups and multicast groups mpsec uses are IPv4.
  for (const auto& entry : results)
    if (entry.endpoint().address().is_v4()) return entry.endpoint().address();
  if (results.empty()) return fail(Errc::io_error, "resolve " + host + ": no address");
  return results.begin()->endpoint().address();
}

}  // namespace mpsec::net::detail
