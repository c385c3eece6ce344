// The configuration of mpsec-gcksd, read from a TOML file (docs/operations.md describes every
// key). Relative paths are relative to the file's folder.
#pragma once

#include <string>
#include <vector>

#include "central/group_config.hpp"

namespace mpsec::gcksd {

struct DaemonConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 7400;
  std::string admin_socket;
  std::string store_path;
  std::string master_key_file;
  std::string signing_key_file;
  std::string multicast_interface = "127.0.0.1";
  std::size_t max_connections = 1024;
  Duration idle_timeout{120'000};
  std::string log_level = "info";
  // Groups created at the first start (a group already in the store is loaded from it).
  std::vector<central::GroupConfig> groups;
};

[[nodiscard]] Result<DaemonConfig> load_config(const std::string& path);
// A group from the keys of one [[groups]] table (also used by the admin "create" command,
// whose JSON carries the same keys).
struct GroupSpec {
  std::string id, key_graph = "lkh", multicast, ca_file, ca_max_role = "receiver";
  std::int64_t cipher_suite = 1, degree = 4, id_bits = 16, heartbeat_ms = 1000,
               rekey_interval_s = 3600, batch_interval_ms = 0, epoch_grace_ms = 60'000,
               max_skipped = 128, max_forward_jump = 1024, padding_block = 0;
  bool sign = true;
  struct Allow {
    std::string public_key_file, public_key_hex, role = "receiver", name;
  };
  std::vector<Allow> allow;
};
[[nodiscard]] Result<central::GroupConfig> make_group(const GroupSpec& spec,
                                                      const std::string& base_dir);
[[nodiscard]] Result<central::Role> parse_role(const std::string& s);

}  // namespace mpsec::gcksd
