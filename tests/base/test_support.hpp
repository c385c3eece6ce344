// Helpers shared by the unit tests of the foundation layers: assertions on Result<T> that
// print the Error on failure, and hex literals.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "mpsec/bytes.hpp"
#include "mpsec/error.hpp"
#include "mpsec/hex.hpp"
#include "mpsec/result.hpp"

namespace mpsec::testutil {

// EXPECT_TRUE(IsOk(r)): passes when r holds a value; otherwise prints the error.
template <class T>
::testing::AssertionResult IsOk(const Result<T>& r) {
  if (r.has_value()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with " << r.error().describe();
}

// EXPECT_TRUE(FailsWith(r, Errc::decode_error)): passes only for an error with that code.
template <class T>
::testing::AssertionResult FailsWith(const Result<T>& r, Errc code) {
  if (r.has_value())
    return ::testing::AssertionFailure() << "succeeded, expected " << to_string(code);
  if (r.error().code != code)
    return ::testing::AssertionFailure()
           << "failed with " << r.error().describe() << ", expected " << to_string(code);
  return ::testing::AssertionSuccess();
}

// Bytes from a hex literal in a test; a malformed literal is a test bug and fails the test.
inline Bytes hex(std::string_view s) {
  auto r = from_hex(s);
  if (!r) {
    ADD_FAILURE() << "bad hex literal in test: " << r.error().describe();
    return {};
  }
  return *std::move(r);
}

inline bool all_zero(ByteView v) {
  for (std::uint8_t b : v)
    if (b != 0) return false;
  return true;
}

}  // namespace mpsec::testutil
