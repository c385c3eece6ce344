// Internal to src/net: Asio error and address helpers shared by the socket classes. The public
// headers of src/net do not include Asio, so code above the runtime does not compile it.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "mpsec/result.hpp"
#include "mpsec/time.hpp"

namespace mpsec::net::detail {

// io_error carrying what was attempted and the OS reason.
inline tl::unexpected<Error> io_failure(std::string_view what, const std::error_code& ec) {
  return fail(Errc::io_error, std::string(what) + ": " + ec.message());
}

// t + d, clamped to the clock's end instead of overflowing (e.g. an idle_timeout of
// Duration::max() meaning "never").
inline std::chrono::steady_clock::time_point saturating_add(std::chrono::steady_clock::time_point t,
                                                            Duration d) {
  using TimePoint = std::chrono::steady_clock::time_point;
  const auto room = std::chrono::duration_cast<Duration>(TimePoint::max() - t);
  return d >= room ? TimePoint::max() : t + d;
}

// "ip:port", "[ip]:port" for IPv6.
std::string endpoint_string(const asio::ip::address& address, std::uint16_t port);

template <class Endpoint>
std::string endpoint_string(const Endpoint& ep) {
  return endpoint_string(ep.address(), ep.port());
}

// A numeric address as is; otherwise a name looked up synchronously (e.g. "localhost"). An
// empty host is the IPv4 wildcard.
Result<asio::ip::address> resolve_address(asio::io_context& io, const std::string& host);

}  // namespace mpsec::net::detail
