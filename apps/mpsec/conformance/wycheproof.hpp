// Wycheproof runner internals: the case loop shared by every schema family, and the rules that
// turn a case's "result" and "flags" into what mpsec must do with it.
#pragma once

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "conformance/runner.hpp"
#include "mpsec/bytes.hpp"
#include "mpsec/error.hpp"

namespace mpsec::conformance::wycheproof {

// What mpsec did with one case.
struct Outcome {
  enum class Kind {
    accepted,   // the operation succeeded and matched every expected output
    mismatch,   // the operation succeeded but an output differs from the vector
    rejected,   // mpsec refused the input (a key, a tag, a signature, a size ...)
    skipped,    // the algorithm or parameter set is not offered by mpsec
    malformed,  // the vector itself lacks a field or has a bad one
  };
  Kind kind;
  std::string text;  // why rejected, what differs, the skip reason, or the bad field

  static Outcome accepted() { return {Kind::accepted, {}}; }
  static Outcome mismatch(std::string what) { return {Kind::mismatch, std::move(what)}; }
  static Outcome rejected(std::string why) { return {Kind::rejected, std::move(why)}; }
  static Outcome rejected(std::string_view step, const Error& e) {
    return {Kind::rejected, std::string(step) + ": " + e.describe()};
  }
  static Outcome skipped(std::string reason) { return {Kind::skipped, std::move(reason)}; }
  static Outcome malformed(std::string what) { return {Kind::malformed, std::move(what)}; }
};

// How an "acceptable" case is decided: by a flag the case carries. A case carrying a flag
// with a reject rule must be rejected; otherwise one with an accept rule must succeed with
// the vector's output. An acceptable case that no rule covers fails, so that a new flag in a
// future Wycheproof release gets a deliberate decision instead of a silent pass.
struct FlagRule {
  enum class Expect { accept, reject };
  std::string_view flag;
  Expect expect;
  std::string_view why;  // what mpsec deliberately does, for the reader
};

using CaseFn = std::function<Outcome(const Json& group, const Json& test)>;

// Runs every test of every group of `doc` through `run_case`, counting each case once in
// `report` under "tcId N": valid cases must be accepted, invalid ones rejected, acceptable
// ones as `rules` decide. Also checks the file's numberOfTests against the cases seen.
void run_cases(const Json& doc, FileReport& report, std::span<const FlagRule> rules,
               const CaseFn& run_case);

// Skips every case of `doc` with `reason` (an algorithm mpsec does not offer at all).
void skip_all(const Json& doc, FileReport& report, const std::string& reason);

// Reads hex fields of `obj` into the given buffers; returns the first field that is missing
// or not hex, or an empty string when all were read.
struct HexField {
  std::string_view key;
  Bytes& out;
};
std::string read_hex(const Json& obj, std::initializer_list<HexField> fields);

// An Outcome for an operation that produced `got` where the vector expects `want`.
Outcome compare(std::string_view what, ByteView got, ByteView want);

// Does the case carry `flag`?
bool has_flag(const Json& test, std::string_view flag);

// The string value of obj[key], or "" when absent or not a string.
std::string string_field(const Json& obj, std::string_view key);

// The schema families; each lives in its own wycheproof_<family>.cpp.
void run_aead(const Json& doc, FileReport& report);
void run_xdh(const Json& doc, FileReport& report);
void run_ecdh_ecpoint(const Json& doc, FileReport& report);
void run_eddsa(const Json& doc, FileReport& report);
void run_ecdsa(const Json& doc, FileReport& report, bool p1363);
void run_hkdf(const Json& doc, FileReport& report);
void run_mac(const Json& doc, FileReport& report);

}  // namespace mpsec::conformance::wycheproof
