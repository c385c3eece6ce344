#include "conformance/runner.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "conformance/kinds.hpp"
#include "mpsec/hex.hpp"

namespace mpsec::conformance {

namespace {
std::function<bool(std::string_view)> named(std::string_view expected) {
  return [expected](std::string_view name) { return name == expected; };
}
}  // namespace

const std::vector<VectorKind>& vector_kinds() {
  static const std::vector<VectorKind> kinds = {
      {"hpke", is_hpke_file, run_hpke},
      {"wycheproof", is_wycheproof_file, run_wycheproof},
      {"mls/tree-math", named("tree-math.json"), run_mls_tree_math},
      {"mls/crypto-basics", named("crypto-basics.json"), run_mls_crypto_basics},
      {"mls/deserialization", named("deserialization.json"), run_mls_deserialization},
      {"mls/key-schedule", named("key-schedule.json"), run_mls_key_schedule},
      {"mls/psk_secret", named("psk_secret.json"), run_mls_psk_secret},
      {"mls/secret-tree", named("secret-tree.json"), run_mls_secret_tree},
      {"mls/message-protection", named("message-protection.json"), run_mls_message_protection},
      {"mls/messages", named("messages.json"), run_mls_messages},
      {"mls/tree-validation", named("tree-validation.json"), run_mls_tree_validation},
      {"mls/tree-operations", named("tree-operations.json"), run_mls_tree_operations},
      {"mls/treekem", named("treekem.json"), run_mls_treekem},
      {"mls/welcome", named("welcome.json"), run_mls_welcome},
      {"mls/transcript-hashes", named("transcript-hashes.json"), run_mls_transcript_hashes},
      {"mls/passive-client", is_passive_client_file, run_mls_passive_client},
  };
  return kinds;
}

RunSummary run_vectors(const std::filesystem::path& dir) {
  std::vector<std::pair<std::filesystem::path, const VectorKind*>> found;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::follow_directory_symlink, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    for (const auto& kind : vector_kinds()) {
      if (kind.claims(name)) {
        found.emplace_back(it->path(), &kind);
        break;
      }
    }
  }
  std::sort(found.begin(), found.end());

  RunSummary summary;
  for (const auto& [path, kind] : found) {
    FileReport report(std::filesystem::relative(path, dir).generic_string());
    std::ifstream in(path, std::ios::binary);
    Json doc = Json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      report.fail("file", "not valid JSON");
    } else {
      // A runner that meets a document of an unexpected shape reports a failed case rather
      // than letting nlohmann's type errors escape.
      try {
        kind->run(doc, report);
      } catch (const std::exception& e) {
        report.fail("file", std::string("malformed vector file: ") + e.what());
      }
    }
    summary.passed += report.passed();
    summary.failed += report.failed();
    summary.skipped += report.skipped();
    summary.files.push_back(std::move(report));
  }
  return summary;
}

void print_text(const RunSummary& summary, std::ostream& out, std::ostream& err) {
  constexpr std::size_t kMaxFailuresShown = 20;
  std::size_t width = 5;
  for (const auto& f : summary.files)
    width = std::max(width, f.file().size());
  auto row = [&](std::string_view file, auto p, auto f, auto s) {
    std::ostringstream line;
    line << file << std::string(width + 2 - file.size(), ' ') << "passed " << p << "  failed " << f
         << "  skipped " << s << "\n";
    out << line.str();
  };
  for (const auto& f : summary.files) {
    row(f.file(), f.passed(), f.failed(), f.skipped());
    std::size_t shown = 0;
    for (const auto& note : f.failures()) {
      if (shown++ == kMaxFailuresShown) {
        err << "  FAIL ... and " << (f.failed() - kMaxFailuresShown) << " more\n";
        break;
      }
      err << "  FAIL " << f.file() << " " << note.case_id << ": " << note.text << "\n";
    }
  }
  row("total", summary.passed, summary.failed, summary.skipped);
  if (summary.skipped > 0) {
    out << "skipped cases (algorithm or parameter set not offered by mpsec):\n";
    for (const auto& f : summary.files)
      for (const auto& note : f.skips())
        out << "  SKIP " << f.file() << " " << note.case_id << ": " << note.text << "\n";
  }
}

Json to_json(const RunSummary& summary) {
  Json files = Json::array();
  Json skips = Json::array();
  Json failures = Json::array();
  for (const auto& f : summary.files) {
    files.push_back({{"file", f.file()},
                     {"passed", f.passed()},
                     {"failed", f.failed()},
                     {"skipped", f.skipped()}});
    for (const auto& note : f.skips())
      skips.push_back({{"file", f.file()}, {"case", note.case_id}, {"reason", note.text}});
    for (const auto& note : f.failures())
      failures.push_back({{"file", f.file()}, {"case", note.case_id}, {"detail", note.text}});
  }
  return Json{{"files", files},           {"passed", summary.passed},
              {"failed", summary.failed}, {"skipped", summary.skipped},
              {"skips", skips},           {"failures", failures}};
}

bool hex_field(const Json& obj, std::string_view key, std::vector<std::uint8_t>& out) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return false;
  auto bytes = from_hex(it->get<std::string>());
  if (!bytes) return false;
  out = std::move(*bytes);
  return true;
}

}  // namespace mpsec::conformance
