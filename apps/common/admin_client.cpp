#include "admin_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace mpsec::app {
namespace {

Status write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    MPSEC_ENSURE(w > 0, Errc::io_error, std::string("write: ") + std::strerror(errno));
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return ok();
}

Status read_all(int fd, std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    MPSEC_ENSURE(r > 0, Errc::io_error, "the daemon closed the connection");
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return ok();
}

}  // namespace

Result<nlohmann::json> admin_request(const std::string& socket_path,
                                     const nlohmann::json& request) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  MPSEC_ENSURE(socket_path.size() < sizeof(addr.sun_path), Errc::invalid_argument,
               "socket path too long");
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  MPSEC_ENSURE(fd >= 0, Errc::io_error, "socket failed");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  MPSEC_ENSURE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0,
               Errc::io_error,
               "cannot reach mpsec-gcksd at " + socket_path + ": " + std::strerror(errno));
  const std::string body = request.dump();
  const auto n = static_cast<std::uint32_t>(body.size());
  const std::uint8_t header[4] = {static_cast<std::uint8_t>(n >> 24),
                                  static_cast<std::uint8_t>(n >> 16),
                                  static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  MPSEC_TRY(write_all(fd, header, 4));
  MPSEC_TRY(write_all(fd, reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  std::uint8_t rh[4];
  MPSEC_TRY(read_all(fd, rh, 4));
  const std::uint32_t len =
      std::uint32_t{rh[0]} << 24 | std::uint32_t{rh[1]} << 16 | std::uint32_t{rh[2]} << 8 | rh[3];
  MPSEC_ENSURE(len <= (16u << 20), Errc::limit_exceeded, "response too large");
  std::string resp(len, '\0');
  MPSEC_TRY(read_all(fd, reinterpret_cast<std::uint8_t*>(resp.data()), len));
  auto j = nlohmann::json::parse(resp, nullptr, false);
  MPSEC_ENSURE(!j.is_discarded() && j.is_object(), Errc::decode_error, "bad response");
  if (!j.value("ok", false))
    return fail(Errc::invalid_state, j.value("error", std::string("request failed")));
  return j;
}

}  // namespace mpsec::app
