// `mpsec vectors`: finds the known vector files under a directory (by file name, in any
// sub-folder), runs each, and reports per file and in total.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/report.hpp"

namespace mpsec::conformance {

using Json = nlohmann::json;

// One kind of vector file: which file names it claims and how to run a parsed file.
struct VectorKind {
  std::string name;                                        // "hpke", "wycheproof", "mls/tree-math"
  std::function<bool(std::string_view file_name)> claims;  // by file name
  std::function<void(const Json& doc, FileReport& report)> run;
};

// Every kind mpsec knows, in a fixed order.
const std::vector<VectorKind>& vector_kinds();

struct RunSummary {
  std::vector<FileReport> files;
  std::size_t passed = 0, failed = 0, skipped = 0;
};

// Runs every known file under `dir`, in path order. Files that do not parse as JSON are
// reported as one failed case.
RunSummary run_vectors(const std::filesystem::path& dir);

void print_text(const RunSummary& summary, std::ostream& out, std::ostream& err);
Json to_json(const RunSummary& summary);

// Helpers for runners: a hex field of a JSON object (fails the case when absent or not hex).
bool hex_field(const Json& obj, std::string_view key, std::vector<std::uint8_t>& out);

}  // namespace mpsec::conformance
