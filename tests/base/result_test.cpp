// Result<T>, fail/ok, MPSEC_TRY and MPSEC_ENSURE.
#include "mpsec/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/test_support.hpp"

namespace mpsec {
namespace {

using testutil::FailsWith;
using testutil::IsOk;

// A tiny pipeline whose steps record that they ran, so tests can see where TRY stopped.
struct Trace {
  std::vector<std::string> ran;
};

Result<int> step_value(Trace& t, std::string name, int v) {
  t.ran.push_back(std::move(name));
  return v;
}

Result<int> step_fail(Trace& t, std::string name, Errc code) {
  t.ran.push_back(name);
  return fail(code, "step " + name + " failed");
}

Status status_ok(Trace& t) {
  t.ran.push_back("status_ok");
  return ok();
}

Status status_fail(Trace& t, Errc code) {
  t.ran.push_back("status_fail");
  return fail(code, "status step failed");
}

Result<int> sum_three(Trace& t, bool fail_second, bool fail_third) {
  const int a = MPSEC_TRY(step_value(t, "a", 1));
  const int b = fail_second ? MPSEC_TRY(step_fail(t, "b", Errc::decode_error))
                            : MPSEC_TRY(step_value(t, "b", 20));
  const int c = fail_third ? MPSEC_TRY(step_fail(t, "c", Errc::limit_exceeded))
                           : MPSEC_TRY(step_value(t, "c", 300));
  return a + b + c;
}

TEST(MpsecTry, AllStepsSucceed_YieldsValues) {
  Trace t;
  auto r = sum_three(t, false, false);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(*r, 321);
  EXPECT_EQ(t.ran, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(MpsecTry, FailingStep_PropagatesFirstErrorAndStops) {
  Trace t;
  auto r = sum_three(t, true, true);
  ASSERT_TRUE(FailsWith(r, Errc::decode_error));
  EXPECT_EQ(r.error().message, "step b failed");
  // The third step never ran, so its (different) error cannot have replaced the first.
  EXPECT_EQ(t.ran, (std::vector<std::string>{"a", "b"}));
}

TEST(MpsecTry, LaterFailingStep_PropagatesItsError) {
  Trace t;
  auto r = sum_three(t, false, true);
  ASSERT_TRUE(FailsWith(r, Errc::limit_exceeded));
  EXPECT_EQ(t.ran, (std::vector<std::string>{"a", "b", "c"}));
}

Result<int> with_statuses(Trace& t, bool fail_first) {
  if (fail_first) {
    MPSEC_TRY(status_fail(t, Errc::invalid_state));
  } else {
    MPSEC_TRY(status_ok(t));
  }
  MPSEC_TRY(status_fail(t, Errc::replay));
  return 7;
}

TEST(MpsecTry, ResultVoid_SuccessContinues) {
  Trace t;
  auto r = with_statuses(t, false);
  ASSERT_TRUE(FailsWith(r, Errc::replay));
  EXPECT_EQ(t.ran, (std::vector<std::string>{"status_ok", "status_fail"}));
}

TEST(MpsecTry, ResultVoid_FailureIsPropagatedIntoOtherResultType) {
  Trace t;
  auto r = with_statuses(t, true);
  ASSERT_TRUE(FailsWith(r, Errc::invalid_state));
  EXPECT_EQ(r.error().message, "status step failed");
  EXPECT_EQ(t.ran, (std::vector<std::string>{"status_fail"}));
}

Status void_pipeline(Trace& t, bool should_fail) {
  MPSEC_TRY(status_ok(t));
  const int v = MPSEC_TRY(step_value(t, "v", 5));
  if (should_fail) MPSEC_TRY(step_fail(t, "w", Errc::not_found));
  EXPECT_EQ(v, 5);
  return ok();
}

TEST(MpsecTry, InsideStatusFunction_PropagatesAndSucceeds) {
  Trace t1;
  EXPECT_TRUE(IsOk(void_pipeline(t1, false)));
  Trace t2;
  EXPECT_TRUE(FailsWith(void_pipeline(t2, true), Errc::not_found));
}

Result<std::unique_ptr<int>> make_unique_int(int v) {
  return std::make_unique<int>(v);
}

Result<int> deref_move_only() {
  std::unique_ptr<int> p = MPSEC_TRY(make_unique_int(42));
  return *p + 1;
}

TEST(MpsecTry, MoveOnlyValue_IsMovedOut) {
  auto r = deref_move_only();
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(*r, 43);
}

Result<int> counted(int& calls) {
  ++calls;
  return calls;
}

Result<int> try_counted(int& calls) {
  return MPSEC_TRY(counted(calls)) * 10;
}

TEST(MpsecTry, EvaluatesExpressionExactlyOnce) {
  int calls = 0;
  auto r = try_counted(calls);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*r, 10);
}

Result<int> doubled(int v) {
  return v * 2;
}

Result<int> nested_try(bool fail_inner) {
  Trace t;
  // One MPSEC_TRY inside another: each gets its own temporary, neither shadows the other.
  return MPSEC_TRY(doubled(
      MPSEC_TRY(fail_inner ? step_fail(t, "in", Errc::unknown_epoch) : step_value(t, "in", 21))));
}

TEST(MpsecTry, Nested_YieldsValueOrInnerError) {
  auto good = nested_try(false);
  ASSERT_TRUE(IsOk(good));
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(FailsWith(nested_try(true), Errc::unknown_epoch));
}

Result<std::string> ensure_positive(int v) {
  MPSEC_ENSURE(v > 0, Errc::invalid_argument, "value must be positive");
  MPSEC_ENSURE(v < 100, Errc::limit_exceeded, "value too large");
  return std::to_string(v);
}

TEST(MpsecEnsure, ConditionHolds_Continues) {
  auto r = ensure_positive(5);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(*r, "5");
}

TEST(MpsecEnsure, FirstViolatedCondition_ReturnsItsCodeAndMessage) {
  auto r = ensure_positive(-1);
  ASSERT_TRUE(FailsWith(r, Errc::invalid_argument));
  EXPECT_EQ(r.error().message, "value must be positive");
  auto big = ensure_positive(1000);
  ASSERT_TRUE(FailsWith(big, Errc::limit_exceeded));
  EXPECT_EQ(big.error().message, "value too large");
}

Status ensure_in_status(bool cond) {
  MPSEC_ENSURE(cond, Errc::policy_violation, "policy");
  return ok();
}

TEST(MpsecEnsure, WorksInStatusFunctions) {
  EXPECT_TRUE(IsOk(ensure_in_status(true)));
  EXPECT_TRUE(FailsWith(ensure_in_status(false), Errc::policy_violation));
}

TEST(ResultHelpers, FailBuildsTypedError) {
  Result<int> r = fail(Errc::wrong_group, "other group");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::wrong_group);
  EXPECT_EQ(r.error().message, "other group");
}

TEST(ResultHelpers, FailWithoutMessage_HasEmptyMessage) {
  Status s = fail(Errc::io_error);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, Errc::io_error);
  EXPECT_TRUE(s.error().message.empty());
}

TEST(ResultHelpers, OkIsSuccess) {
  Status s = ok();
  EXPECT_TRUE(s.has_value());
}

TEST(ResultHelpers, DefaultErrorIsInternal) {
  Error e;
  EXPECT_EQ(e.code, Errc::internal);
}

}  // namespace
}  // namespace mpsec
