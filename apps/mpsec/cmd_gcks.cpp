// `mpsec gcks`: administration of a running mpsec-gcksd over its administration socket.
#include <cstdlib>
#include <iostream>

#include "admin_client.hpp"
#include "commands.hpp"
#include "key_file.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::app {
namespace {

void print_status(const nlohmann::json& j) {
  for (const auto& g : j["groups"]) {
    std::cout << "group " << g["id"].get<std::string>() << ": rekey " << g["seq"] << ", "
              << g["members"].size() << " members, " << g["key_graph"].get<std::string>()
              << " key graph, suite " << g["cipher_suite"] << ", multicast "
              << g["multicast"].get<std::string>() << "\n";
    for (const auto& m : g["members"])
      std::cout << "  slot " << m["slot"] << "  " << m["name"].get<std::string>() << " ("
                << m["role"].get<std::string>() << ")\n";
    std::cout << "  rejected: ";
    bool first = true;
    for (const auto& [k, v] : g["counters"].items()) {
      if (k == "registrations" || k == "rekeys" || k == "heartbeats" || k == "resyncs" ||
          k == "cookies_sent")
        continue;
      std::cout << (first ? "" : ", ") << k << " " << v;
      first = false;
    }
    std::cout << "\n";
  }
  const auto& s = j["server"];
  std::cout << "server: " << s["connections"] << " connections, " << s["messages"] << " messages, "
            << s["rejected"] << " rejected, " << s["unknown_group"] << " for unknown groups\n";
}

}  // namespace

void add_gcks_command(CLI::App& app, int& exit_code) {
  auto* gcks = app.add_subcommand("gcks", "Administer a running mpsec-gcksd");
  gcks->require_subcommand(1);
  auto socket = std::make_shared<std::string>();
  if (const char* env = std::getenv("MPSEC_ADMIN_SOCKET"))
    *socket = env;
  else
    *socket = "/run/mpsec/gcksd.sock";
  gcks->add_option("--socket", *socket, "The daemon's administration socket")
      ->capture_default_str();
  auto group = std::make_shared<std::string>();
  auto json_out = std::make_shared<bool>(false);

  auto send = [socket, json_out, &exit_code](nlohmann::json req, bool is_status) {
    auto r = admin_request(*socket, req);
    if (!r) {
      std::cerr << "mpsec gcks: " << r.error().message << "\n";
      exit_code = 1;
      return;
    }
    r->erase("ok");
    if (*json_out)
      std::cout << r->dump(2) << "\n";
    else if (is_status)
      print_status(*r);
    else
      std::cout << (r->empty() ? std::string("done") : r->dump()) << "\n";
  };

  auto* status = gcks->add_subcommand("status", "Groups, members and counters");
  status->add_flag("--json", *json_out, "JSON output");
  status->callback([=] { send({{"cmd", "status"}}, true); });

  auto* create = gcks->add_subcommand("create", "Create a group");
  auto multicast = std::make_shared<std::string>();
  auto graph = std::make_shared<std::string>("lkh");
  auto degree = std::make_shared<int>(4);
  auto suite = std::make_shared<int>(1);
  auto heartbeat = std::make_shared<int>(1000);
  create->add_option("--group", *group, "Group id")->required();
  create->add_option("--multicast", *multicast, "Multicast group:port")->required();
  create->add_option("--graph", *graph, "lkh or flat")->capture_default_str();
  create->add_option("--degree", *degree, "LKH degree (2, 4, 8)")->capture_default_str();
  create->add_option("--suite", *suite, "Cipher suite")->capture_default_str();
  create->add_option("--heartbeat-ms", *heartbeat, "Heartbeat period")->capture_default_str();
  create->add_flag("--json", *json_out, "JSON output");
  create->callback([=] {
    send({{"cmd", "create"},
          {"spec",
           {{"id", *group},
            {"multicast", *multicast},
            {"key_graph", *graph},
            {"degree", *degree},
            {"cipher_suite", *suite},
            {"heartbeat_ms", *heartbeat}}}},
         false);
  });

  auto pub = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>("receiver");
  auto name = std::make_shared<std::string>();
  auto* allow = gcks->add_subcommand("allow", "Put a member's public key on the allow-list");
  allow->add_option("--group", *group, "Group id")->required();
  allow->add_option("--pub", *pub, "The member's .pub file")->required();
  allow->add_option("--role", *role, "sender or receiver")->capture_default_str();
  allow->add_option("--name", *name, "Name (default: the key file's)");
  allow->add_flag("--json", *json_out, "JSON output");
  allow->callback([=, &exit_code] {
    auto k = read_public_key(*pub);
    if (!k) {
      std::cerr << "mpsec gcks allow: " << k.error().describe() << "\n";
      exit_code = 1;
      return;
    }
    send({{"cmd", "allow"},
          {"group", *group},
          {"public_key", to_hex(k->public_key)},
          {"role", *role},
          {"name", name->empty() ? k->name : *name}},
         false);
  });

  auto* revoke = gcks->add_subcommand("revoke", "Revoke a key (and eject its holder)");
  revoke->add_option("--group", *group, "Group id")->required();
  revoke->add_option("--pub", *pub, "The member's .pub file")->required();
  revoke->add_flag("--json", *json_out, "JSON output");
  revoke->callback([=, &exit_code] {
    auto k = read_public_key(*pub);
    if (!k) {
      std::cerr << "mpsec gcks revoke: " << k.error().describe() << "\n";
      exit_code = 1;
      return;
    }
    send({{"cmd", "revoke"}, {"group", *group}, {"public_key", to_hex(k->public_key)}}, false);
  });

  auto slot = std::make_shared<int>(-1);
  auto* eject = gcks->add_subcommand("eject", "Eject a member now (rekey at once)");
  eject->add_option("--group", *group, "Group id")->required();
  eject->add_option("--slot", *slot, "The member's slot");
  eject->add_option("--name", *name, "The member's name");
  eject->add_flag("--json", *json_out, "JSON output");
  eject->callback([=] {
    nlohmann::json req = {{"cmd", "eject"}, {"group", *group}};
    if (*slot >= 0) req["slot"] = *slot;
    if (!name->empty()) req["name"] = *name;
    send(req, false);
  });

  auto* rekey = gcks->add_subcommand("rekey", "Refresh the group key now");
  rekey->add_option("--group", *group, "Group id")->required();
  rekey->add_flag("--json", *json_out, "JSON output");
  rekey->callback([=] { send({{"cmd", "rekey"}, {"group", *group}}, false); });
}

}  // namespace mpsec::app
