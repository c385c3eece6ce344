#include "daemon_config.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "key_file.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::gcksd {
namespace {

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (std::filesystem::path(base) / p).lexically_normal().string();
}

template <class T>
Status get(const toml::table& t, const char* key, T& out, const std::string& where) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return ok();
  auto v = n->value<T>();
  MPSEC_ENSURE(v.has_value(), Errc::invalid_argument,
               where + ": \"" + key + "\" has the wrong type");
  out = *v;
  return ok();
}

Status check_keys(const toml::table& t, std::initializer_list<std::string_view> known,
                  const std::string& where) {
  for (const auto& [k, v] : t) {
    bool found = false;
    for (auto kk : known)
      found |= k.str() == kk;
    MPSEC_ENSURE(found, Errc::invalid_argument,
                 where + ": unknown key \"" + std::string(k.str()) + "\"");
  }
  return ok();
}

Result<GroupSpec> read_group(const toml::table& g, std::size_t index) {
  const std::string where = "groups[" + std::to_string(index) + "]";
  MPSEC_TRY(check_keys(
      g,
      {"id", "cipher_suite", "key_graph", "degree", "id_bits", "multicast", "heartbeat_ms",
       "rekey_interval_s", "batch_interval_ms", "sign", "epoch_grace_ms", "max_skipped",
       "max_forward_jump", "padding_block", "ca_file", "ca_max_role", "allow"},
      where));
  GroupSpec s;
  MPSEC_TRY(get(g, "id", s.id, where));
  MPSEC_TRY(get(g, "cipher_suite", s.cipher_suite, where));
  MPSEC_TRY(get(g, "key_graph", s.key_graph, where));
  MPSEC_TRY(get(g, "degree", s.degree, where));
  MPSEC_TRY(get(g, "id_bits", s.id_bits, where));
  MPSEC_TRY(get(g, "multicast", s.multicast, where));
  MPSEC_TRY(get(g, "heartbeat_ms", s.heartbeat_ms, where));
  MPSEC_TRY(get(g, "rekey_interval_s", s.rekey_interval_s, where));
  MPSEC_TRY(get(g, "batch_interval_ms", s.batch_interval_ms, where));
  MPSEC_TRY(get(g, "sign", s.sign, where));
  MPSEC_TRY(get(g, "epoch_grace_ms", s.epoch_grace_ms, where));
  MPSEC_TRY(get(g, "max_skipped", s.max_skipped, where));
  MPSEC_TRY(get(g, "max_forward_jump", s.max_forward_jump, where));
  MPSEC_TRY(get(g, "padding_block", s.padding_block, where));
  MPSEC_TRY(get(g, "ca_file", s.ca_file, where));
  MPSEC_TRY(get(g, "ca_max_role", s.ca_max_role, where));
  if (const toml::array* allow = g["allow"].as_array()) {
    for (std::size_t i = 0; i < allow->size(); ++i) {
      const toml::table* a = (*allow)[i].as_table();
      const std::string w = where + ".allow[" + std::to_string(i) + "]";
      MPSEC_ENSURE(a != nullptr, Errc::invalid_argument, w + " is not a table");
      MPSEC_TRY(check_keys(*a, {"public_key_file", "public_key", "role", "name"}, w));
      GroupSpec::Allow e;
      MPSEC_TRY(get(*a, "public_key_file", e.public_key_file, w));
      MPSEC_TRY(get(*a, "public_key", e.public_key_hex, w));
      MPSEC_TRY(get(*a, "role", e.role, w));
      MPSEC_TRY(get(*a, "name", e.name, w));
      s.allow.push_back(std::move(e));
    }
  } else {
    MPSEC_ENSURE(!g.contains("allow"), Errc::invalid_argument, where + ".allow is not an array");
  }
  return s;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  MPSEC_ENSURE(in.good(), Errc::io_error, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<central::Role> parse_role(const std::string& s) {
  if (s == "sender") return central::Role::sender;
  if (s == "receiver") return central::Role::receiver;
  return fail(Errc::invalid_argument, "role must be \"sender\" or \"receiver\", not \"" + s + "\"");
}

Result<central::GroupConfig> make_group(const GroupSpec& s, const std::string& base_dir) {
  central::GroupConfig c;
  MPSEC_ENSURE(!s.id.empty(), Errc::invalid_argument, "a group needs an id");
  c.group_id = Bytes(s.id.begin(), s.id.end());
  MPSEC_ENSURE(s.cipher_suite > 0 && s.cipher_suite < 0x10000, Errc::invalid_argument,
               "bad cipher_suite");
  c.cipher_suite = static_cast<std::uint16_t>(s.cipher_suite);
  if (s.key_graph == "lkh") {
    c.graph = central::KeyGraphType::lkh;
  } else {
    MPSEC_ENSURE(s.key_graph == "flat", Errc::invalid_argument,
                 "key_graph must be \"lkh\" or \"flat\"");
    c.graph = central::KeyGraphType::flat;
  }
  auto in_range = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return v >= lo && v <= hi;
  };
  MPSEC_ENSURE(in_range(s.degree, 2, 8) && in_range(s.id_bits, 1, 24) &&
                   in_range(s.heartbeat_ms, 10, 3'600'000) &&
                   in_range(s.rekey_interval_s, 1, 366 * 86400) &&
                   in_range(s.batch_interval_ms, 0, 3'600'000) &&
                   in_range(s.epoch_grace_ms, 0, 86'400'000) && in_range(s.max_skipped, 0, 65536) &&
                   in_range(s.max_forward_jump, 1, 1 << 20) && in_range(s.padding_block, 0, 65536),
               Errc::invalid_argument, "group " + s.id + ": a value is out of range");
  c.degree = static_cast<std::uint32_t>(s.degree);
  c.id_bits = static_cast<std::uint32_t>(s.id_bits);
  c.heartbeat = Duration(s.heartbeat_ms);
  c.rekey_interval = Duration(s.rekey_interval_s * 1000);
  c.batch_interval = Duration(s.batch_interval_ms);
  c.data_policy.sign = s.sign;
  c.data_policy.epoch_grace = Duration(s.epoch_grace_ms);
  c.data_policy.ratchet.max_skipped = static_cast<std::uint32_t>(s.max_skipped);
  c.data_policy.ratchet.max_forward_jump = static_cast<std::uint32_t>(s.max_forward_jump);
  c.data_policy.padding_block = static_cast<std::uint32_t>(s.padding_block);
  MPSEC_TRY(app::parse_endpoint(s.multicast));
  c.transport = s.multicast;
  const crypto::CipherSuite suite = MPSEC_TRY(crypto::CipherSuite::from_code(c.cipher_suite));
  if (!s.ca_file.empty()) {
    const std::string pem = MPSEC_TRY(read_text(resolve(base_dir, s.ca_file)));
    c.admission.ca_pem = Bytes(pem.begin(), pem.end());
    c.admission.ca_max_role = MPSEC_TRY(parse_role(s.ca_max_role));
  }
  for (const auto& a : s.allow) {
    central::AllowedKey k;
    k.max_role = MPSEC_TRY(parse_role(a.role));
    std::string name = a.name;
    if (!a.public_key_file.empty()) {
      app::PublicKeyFile f = MPSEC_TRY(app::read_public_key(resolve(base_dir, a.public_key_file)));
      MPSEC_ENSURE(f.alg == suite.sig(), Errc::invalid_argument,
                   a.public_key_file + ": not a key of the group's suite");
      k.signature_key = std::move(f.public_key);
      if (name.empty()) name = f.name;
    } else {
      k.signature_key = MPSEC_TRY(from_hex(a.public_key_hex));
      MPSEC_TRY(crypto::VerifyKey::parse(suite.sig(), k.signature_key));
    }
    k.name = Bytes(name.begin(), name.end());
    c.admission.allowed.push_back(std::move(k));
  }
  MPSEC_TRY(c.validate());
  return c;
}

Result<DaemonConfig> load_config(const std::string& path) {
  toml::parse_result parsed = toml::parse_file(path);
  if (!parsed) {
    std::ostringstream msg;
    msg << path << ": " << parsed.error();
    return fail(Errc::invalid_argument, msg.str());
  }
  const toml::table& root = parsed.table();
  const std::string base = std::filesystem::path(path).parent_path().string();
  MPSEC_TRY(check_keys(root, {"server", "groups"}, path));
  DaemonConfig c;
  if (const toml::table* s = root["server"].as_table()) {
    MPSEC_TRY(check_keys(*s,
                         {"listen", "admin_socket", "store", "master_key_file", "signing_key_file",
                          "multicast_interface", "max_connections", "idle_timeout_s", "log_level"},
                         "server"));
    std::string listen = "127.0.0.1:7400";
    MPSEC_TRY(get(*s, "listen", listen, "server"));
    std::tie(c.listen_host, c.listen_port) = MPSEC_TRY(app::parse_endpoint(listen));
    MPSEC_TRY(get(*s, "admin_socket", c.admin_socket, "server"));
    MPSEC_TRY(get(*s, "store", c.store_path, "server"));
    MPSEC_TRY(get(*s, "master_key_file", c.master_key_file, "server"));
    MPSEC_TRY(get(*s, "signing_key_file", c.signing_key_file, "server"));
    MPSEC_TRY(get(*s, "multicast_interface", c.multicast_interface, "server"));
    std::int64_t max_conn = 1024, idle_s = 120;
    MPSEC_TRY(get(*s, "max_connections", max_conn, "server"));
    MPSEC_TRY(get(*s, "idle_timeout_s", idle_s, "server"));
    MPSEC_ENSURE(max_conn >= 1 && max_conn <= 1'000'000 && idle_s >= 1 && idle_s <= 86400,
                 Errc::invalid_argument, "server: a value is out of range");
    c.max_connections = static_cast<std::size_t>(max_conn);
    c.idle_timeout = Duration(idle_s * 1000);
    MPSEC_TRY(get(*s, "log_level", c.log_level, "server"));
  } else {
    return fail(Errc::invalid_argument, path + ": missing [server]");
  }
  MPSEC_ENSURE(!c.store_path.empty() && !c.master_key_file.empty() && !c.signing_key_file.empty() &&
                   !c.admin_socket.empty(),
               Errc::invalid_argument,
               "server: store, master_key_file, signing_key_file and admin_socket are required");
  c.store_path = resolve(base, c.store_path);
  c.master_key_file = resolve(base, c.master_key_file);
  c.signing_key_file = resolve(base, c.signing_key_file);
  c.admin_socket = resolve(base, c.admin_socket);
  if (const toml::array* groups = root["groups"].as_array()) {
    for (std::size_t i = 0; i < groups->size(); ++i) {
      const toml::table* g = (*groups)[i].as_table();
      MPSEC_ENSURE(g != nullptr, Errc::invalid_argument, "groups must be [[groups]] tables");
      c.groups.push_back(MPSEC_TRY(make_group(MPSEC_TRY(read_group(*g, i)), base)));
    }
  }
  return c;
}

}  // namespace mpsec::gcksd
