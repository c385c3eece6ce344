#include "store/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/sealer.hpp"

namespace mpsec::store {

namespace {

constexpr std::size_t kHexSize = 2 * kMasterKeySize;

tl::unexpected<Error> os_error(const std::string& what, const std::string& path) {
  return fail(Errc::io_error, what + " " + path + ": " + std::strerror(errno));
}

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

int hex_value(std::uint8_t c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status write_all(int fd, ByteView data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("cannot write", path);
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return ok();
}

// The new file's directory entry survives a crash too.
Status sync_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return os_error("cannot sync directory of", path);
  return ok();
}

}  // namespace

Result<SecretBytes> read_master_key(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open master key file", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return os_error("cannot stat master key file", path);
  MPSEC_ENSURE(S_ISREG(st.st_mode), Errc::invalid_argument,
               "master key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(Errc::policy_violation, "master key file " + path + " is accessible by group or " +
                                            "others (mode " + mode + "); chmod 600 it");
  }
  // One byte more than the longest accepted form, to see a file that is too long.
  SecretArray<kHexSize + 2> buf;
  std::size_t len = 0;
  while (len < buf.size()) {
    const ssize_t n = ::read(fd.get(), buf.data() + len, buf.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot read master key file", path);
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  if (len == kMasterKeySize) return SecretBytes(buf.view(len));
  if (len == kHexSize + 1 && buf.data()[kHexSize] == '\n') len = kHexSize;
  MPSEC_ENSURE(len == kHexSize, Errc::invalid_key,
               "master key file " + path + " must hold 32 raw bytes or 64 hex characters");
  SecretBytes key(kMasterKeySize);
  for (std::size_t i = 0; i < kMasterKeySize; ++i) {
    const int hi = hex_value(buf.data()[2 * i]);
    const int lo = hex_value(buf.data()[2 * i + 1]);
    MPSEC_ENSURE(hi >= 0 && lo >= 0, Errc::invalid_key,
                 "master key file " + path + " holds a character that is not hex");
    key.data()[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return key;
}

Status create_master_key(const std::string& path, Random& rng) {
  SecretArray<kMasterKeySize> key;
  MPSEC_TRY(rng.fill(MutableByteView(key.data(), key.size())));
  SecretArray<kHexSize + 1> text;
  constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < kMasterKeySize; ++i) {
    text.data()[2 * i] = static_cast<std::uint8_t>(kDigits[key.data()[i] >> 4]);
    text.data()[2 * i + 1] = static_cast<std::uint8_t>(kDigits[key.data()[i] & 0xf]);
  }
  text.data()[kHexSize] = '\n';
  // O_EXCL: never overwrite a key, which would lose every store sealed under it.
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return os_error("cannot create master key file", path);
  Status s = write_all(fd.get(), text.view(), path);
  if (s && ::fsync(fd.get()) != 0) s = os_error("cannot sync", path);
  if (!s) {
    ::unlink(path.c_str());
    return s;
  }
  return sync_directory(path);
}

}  // namespace mpsec::store
