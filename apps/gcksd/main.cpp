// mpsec-gcksd: the Group Controller and Key Server daemon (docs/operations.md).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "gcks_server.hpp"
#include "net/loop.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mpsec-gcksd: the mpsec Group Controller and Key Server"};
  std::string config_path;
  app.add_option("-c,--config", config_path, "TOML configuration file")->required();
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("gcksd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  auto config = mpsec::gcksd::load_config(config_path);
  if (!config) {
    spdlog::critical("configuration: {}", config.error().describe());
    return 2;
  }
  const auto level = spdlog::level::from_str(config->log_level);
  // from_str maps anything unknown to "off": a typo must not silence the daemon.
  if (level == spdlog::level::off && config->log_level != "off") {
    spdlog::critical("configuration: unknown log_level \"{}\"", config->log_level);
    return 2;
  }
  spdlog::set_level(level);
  // A peer closing its connection must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);

  mpsec::net::Loop loop;
  auto server = mpsec::gcksd::GcksServer::start(loop, std::move(*config), mpsec::system_random());
  if (!server) {
    spdlog::critical("start: {}", server.error().describe());
    return 1;
  }
  auto sig = loop.on_signal({SIGINT, SIGTERM}, [&loop](int s) {
    spdlog::info("signal {}: shutting down", s);
    loop.stop();
  });
  if (!sig) {
    spdlog::critical("signals: {}", sig.error().describe());
    return 1;
  }
  spdlog::info("mpsec-gcksd ready");
  loop.run();
  const int code = (*server)->fatal();
  server->reset();
  spdlog::info("stopped");
  return code;
}
