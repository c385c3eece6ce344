// Conformance runner: per-file tallies of passed, failed and skipped cases.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mpsec::conformance {

struct CaseNote {
  std::string case_id;  // "tcId 17", "vector 3 / encryption 12" ...
  std::string text;     // the skip reason, or what went wrong
};

class FileReport {
 public:
  explicit FileReport(std::string file) : file_(std::move(file)) {}

  void pass() { ++passed_; }
  void fail(std::string case_id, std::string detail) {
    failures_.push_back({std::move(case_id), std::move(detail)});
  }
  // Only for an algorithm or parameter set mpsec does not offer; the reason is printed.
  void skip(std::string case_id, std::string reason) {
    skips_.push_back({std::move(case_id), std::move(reason)});
  }
  // Records a check: passes if `ok`, otherwise fails with `detail`.
  void check(bool ok, const std::string& case_id, const std::string& detail) {
    if (ok)
      pass();
    else
      fail(case_id, detail);
  }

  const std::string& file() const noexcept { return file_; }
  std::size_t passed() const noexcept { return passed_; }
  std::size_t failed() const noexcept { return failures_.size(); }
  std::size_t skipped() const noexcept { return skips_.size(); }
  const std::vector<CaseNote>& failures() const noexcept { return failures_; }
  const std::vector<CaseNote>& skips() const noexcept { return skips_; }

 private:
  std::string file_;
  std::size_t passed_ = 0;
  std::vector<CaseNote> failures_;
  std::vector<CaseNote> skips_;
};

}  // namespace mpsec::conformance
