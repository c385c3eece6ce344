// `mpsec vectors --dir DIR [--json]`: runs every known test-vector file under DIR.
#include <iostream>

#include "commands.hpp"
#include "conformance/runner.hpp"

namespace mpsec::app {

void add_vectors_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string dir;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("vectors", "Run the public test vectors found under a directory");
  cmd->add_option("--dir", opts->dir, "Directory searched (recursively) for known vector files")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--json", opts->json, "Print the report as JSON");
  cmd->callback([opts, &exit_code] {
    const auto summary = conformance::run_vectors(opts->dir);
    if (opts->json) {
      std::cout << conformance::to_json(summary).dump() << "\n";
    } else {
      conformance::print_text(summary, std::cout, std::cerr);
    }
    exit_code = summary.failed == 0 && !summary.files.empty() ? 0 : 1;
    if (summary.files.empty()) std::cerr << "no known vector files under " << opts->dir << "\n";
  });
}

}  // namespace mpsec::app
