#include "key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mpsec/hex.hpp"

namespace mpsec::app {
namespace {

Status write_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  MPSEC_ENSURE(fd >= 0, Errc::io_error, "cannot create " + path + " (does it exist already?)");
  const ssize_t n = ::write(fd, text.data(), text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  MPSEC_ENSURE(n == static_cast<ssize_t>(text.size()) && synced, Errc::io_error,
               "cannot write " + path);
  return ok();
}

Result<nlohmann::json> read_json(const std::string& path) {
  std::ifstream in(path);
  MPSEC_ENSURE(in.good(), Errc::io_error, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  MPSEC_ENSURE(!j.is_discarded() && j.is_object(), Errc::decode_error, path + " is not a key file");
  return j;
}

Result<std::string> field(const nlohmann::json& j, const char* name, const std::string& path) {
  MPSEC_ENSURE(j.contains(name) && j[name].is_string(), Errc::decode_error,
               path + ": missing \"" + name + "\"");
  return j[name].get<std::string>();
}

}  // namespace

Status write_key_files(const std::string& base, const crypto::SigningKey& key,
                       const std::string& name) {
  const SecretBytes priv = MPSEC_TRY(key.serialize());
  const std::string pub_hex = to_hex(key.verify_key().bytes());
  const auto alg = static_cast<std::uint16_t>(key.alg());
  nlohmann::json pub = {
      {"type", "mpsec public key"}, {"sig_alg", alg}, {"name", name}, {"public", pub_hex}};
  // The private hex lives in a std::string only as long as it takes to write it.
  std::string priv_hex = to_hex(priv.view());
  nlohmann::json k = pub;
  k["type"] = "mpsec signing key";
  k["private"] = priv_hex;
  std::string text = k.dump(2) + "\n";
  secure_wipe(priv_hex.data(), priv_hex.size());
  Status s = write_file(base + ".key", text, 0600);
  secure_wipe(text.data(), text.size());
  MPSEC_TRY(s);
  return write_file(base + ".pub", pub.dump(2) + "\n", 0644);
}

Result<crypto::SigningKey> read_signing_key(const std::string& path) {
  struct stat st {};
  MPSEC_ENSURE(::stat(path.c_str(), &st) == 0, Errc::io_error, "cannot read " + path);
  MPSEC_ENSURE((st.st_mode & 077) == 0, Errc::policy_violation,
               path + " is readable by others: chmod 600 it");
  nlohmann::json j = MPSEC_TRY(read_json(path));
  MPSEC_ENSURE(j.value("type", "") == "mpsec signing key", Errc::decode_error,
               path + " is not a signing key file");
  MPSEC_ENSURE(j.contains("sig_alg") && j["sig_alg"].is_number_unsigned(), Errc::decode_error,
               path + ": missing sig_alg");
  const crypto::SigAlg alg = MPSEC_TRY(crypto::sig_from_code(j["sig_alg"].get<std::uint16_t>()));
  std::string hex = MPSEC_TRY(field(j, "private", path));
  auto raw = from_hex(hex);
  secure_wipe(hex.data(), hex.size());
  j["private"] = "";
  MPSEC_ENSURE(raw.has_value(), Errc::decode_error, path + ": bad private key hex");
  const SecretBytes priv(*raw);
  secure_wipe(raw->data(), raw->size());
  return crypto::SigningKey::parse(alg, priv.view());
}

Result<PublicKeyFile> read_public_key(const std::string& path) {
  const nlohmann::json j = MPSEC_TRY(read_json(path));
  MPSEC_ENSURE(j.contains("sig_alg") && j["sig_alg"].is_number_unsigned(), Errc::decode_error,
               path + ": missing sig_alg");
  PublicKeyFile out{
      MPSEC_TRY(crypto::sig_from_code(j["sig_alg"].get<std::uint16_t>())), {}, j.value("name", "")};
  auto pub = from_hex(MPSEC_TRY(field(j, "public", path)));
  MPSEC_ENSURE(pub.has_value(), Errc::decode_error, path + ": bad public key hex");
  MPSEC_TRY(crypto::VerifyKey::parse(out.alg, *pub));
  out.public_key = std::move(*pub);
  return out;
}

Result<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& s) {
  const auto colon = s.rfind(':');
  MPSEC_ENSURE(colon != std::string::npos && colon > 0 && colon + 1 < s.size(),
               Errc::invalid_argument, "expected host:port, got \"" + s + "\"");
  const std::string port = s.substr(colon + 1);
  MPSEC_ENSURE(port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos,
               Errc::invalid_argument, "bad port in \"" + s + "\"");
  const unsigned long p = std::stoul(port);
  MPSEC_ENSURE(p <= 65535, Errc::invalid_argument, "bad port in \"" + s + "\"");
  return std::pair{s.substr(0, colon), static_cast<std::uint16_t>(p)};
}

}  // namespace mpsec::app
