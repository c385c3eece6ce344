// mpsec: the command-line tool of the mpsec group-security library.
#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mpsec: secure multi-party communication (TLS for groups)"};
  app.require_subcommand(1);
  int exit_code = 0;
  mpsec::app::add_suites_command(app, exit_code);
  mpsec::app::add_vectors_command(app, exit_code);
  mpsec::app::add_mls_command(app, exit_code);
  mpsec::app::add_keygen_command(app, exit_code);
  mpsec::app::add_gcks_command(app, exit_code);
  mpsec::app::add_join_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
