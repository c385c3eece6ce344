// The subcommands of the `mpsec` tool, one file each.
#pragma once

#include <CLI/CLI.hpp>

namespace mpsec::app {

// Each adds its subcommand to `app`; the callback sets `exit_code`.
void add_suites_command(CLI::App& app, int& exit_code);
void add_vectors_command(CLI::App& app, int& exit_code);
void add_mls_command(CLI::App& app, int& exit_code);
void add_keygen_command(CLI::App& app, int& exit_code);
void add_gcks_command(CLI::App& app, int& exit_code);
void add_join_command(CLI::App& app, int& exit_code);

}  // namespace mpsec::app
