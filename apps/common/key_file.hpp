// Signature key files of the command-line tools: a private key file (JSON, mode 0600) and a
// public key file beside it, as `mpsec keygen` writes them and the daemon and members read.
#pragma once

#include <string>

#include "crypto/cipher_suite.hpp"

namespace mpsec::app {

struct PublicKeyFile {
  crypto::SigAlg alg;
  Bytes public_key;
  std::string name;
};

// Writes `<base>.key` (private, 0600, refuses to overwrite) and `<base>.pub`.
[[nodiscard]] Status write_key_files(const std::string& base, const crypto::SigningKey& key,
                                     const std::string& name);
[[nodiscard]] Result<crypto::SigningKey> read_signing_key(const std::string& path);
// Reads a .pub file (or the public half of a .key file).
[[nodiscard]] Result<PublicKeyFile> read_public_key(const std::string& path);

// "host:port" -> host, port.
[[nodiscard]] Result<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& s);

}  // namespace mpsec::app
