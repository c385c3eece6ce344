// `mpsec vectors --dir DIR [--json]`: runs every known test-vector file under DIR.
#include <iostream>

#include "commands.hpp"
#include "conformance/mls_passive_generate.hpp"
#include "conformance/runner.hpp"
#include "mls_store.hpp"

namespace mpsec::app {

void add_vectors_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string dir;
    bool json = false;
    std::string generate;
    std::string out;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("vectors", "Run the public test vectors found under a directory");
  cmd->add_option("--dir", opts->dir, "Directory searched (recursively) for known vector files")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--json", opts->json, "Print the report as JSON");
  cmd->add_option("--generate", opts->generate,
                  "Generate vectors instead: passive-client-welcome, "
                  "passive-client-handling-commit or passive-client-random");
  cmd->add_option("--out", opts->out, "Output file for --generate");
  cmd->callback([opts, &exit_code] {
    if (!opts->generate.empty()) {
      auto doc = conformance::is_generatable(opts->generate) && !opts->out.empty()
                     ? conformance::generate_vectors(opts->generate, system_random())
                     : Result<conformance::Json>(
                           fail(Errc::invalid_argument, "--generate needs a known kind and --out"));
      auto written =
          doc ? write_file(opts->out, as_bytes(doc->dump(2))) : Status(tl::unexpected(doc.error()));
      if (!written) std::cerr << "mpsec vectors: " << written.error().describe() << "\n";
      exit_code = written ? 0 : 1;
      return;
    }
    if (opts->dir.empty()) {
      std::cerr << "mpsec vectors: --dir is required\n";
      exit_code = 2;
      return;
    }
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
