// The storage master key on disk: a file only its owner may read, holding 32 raw bytes or 64
// hex characters (and an optional newline).
#pragma once

#include <string>

#include "mpsec/random.hpp"
#include "mpsec/secret_bytes.hpp"

namespace mpsec::store {

// Errc::policy_violation for a file that group or others may access (mode & 077), so a key
// left world-readable is noticed rather than used; invalid_key for a wrong size or format;
// io_error when the file cannot be read.
[[nodiscard]] Result<SecretBytes> read_master_key(const std::string& path);

// Writes a fresh key (hex, newline) to a new file of mode 0600, synced to disk; fails with
// io_error if the file exists.
[[nodiscard]] Status create_master_key(const std::string& path, Random& rng);

}  // namespace mpsec::store
