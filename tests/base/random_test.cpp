// system_random(): the OS CSPRNG behind the Random interface.
#include "mpsec/random.hpp"

#include <gtest/gtest.h>

#include "base/test_support.hpp"

namespace mpsec {
namespace {

using testutil::IsOk;

TEST(SystemRandom, FillsWholeBuffer_AndTwoDrawsDiffer) {
  Bytes a(64, 0);
  Bytes b(64, 0);
  ASSERT_TRUE(IsOk(system_random().fill(a)));
  ASSERT_TRUE(IsOk(system_random().fill(b)));
  // 2^-512 chance of a false failure.
  EXPECT_NE(a, b);
  EXPECT_FALSE(testutil::all_zero(a));
}

TEST(SystemRandom, EmptyFill_Succeeds) {
  Bytes empty;
  EXPECT_TRUE(IsOk(system_random().fill(empty)));
}

TEST(SystemRandom, IsOneInstance) {
  EXPECT_EQ(&system_random(), &system_random());
}

}  // namespace
}  // namespace mpsec
