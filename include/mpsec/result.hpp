// Result<T>: the value or the typed Error of every fallible call. No exceptions cross the core.
#pragma once

#include <tl/expected.hpp>
#include <utility>

#include "mpsec/error.hpp"

namespace mpsec {

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

[[nodiscard]] inline tl::unexpected<Error> fail(Errc code, std::string message = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline Status ok() {
  return {};
}

namespace detail {
template <class T>
T unwrap(Result<T>&& r) {
  return std::move(*r);
}
inline void unwrap(Status&&) {}
}  // namespace detail

}  // namespace mpsec

// MPSEC_TRY(expr): evaluates a Result; on error returns it from the enclosing function,
// otherwise yields the value. Lets the happy path read straight down:
//   auto key = MPSEC_TRY(derive_key(secret));
// Not inside a braced aggregate initializer after members that own memory: g++ does not
// destroy the members already built when the statement expression returns early.
#define MPSEC_TRY(expr) MPSEC_TRY_IMPL_(expr, MPSEC_CONCAT_(mpsec_try_, __COUNTER__))
#define MPSEC_CONCAT_(a, b) MPSEC_CONCAT2_(a, b)
#define MPSEC_CONCAT2_(a, b) a##b
// A fresh name per use, so nested MPSEC_TRY expressions do not shadow one another.
#define MPSEC_TRY_IMPL_(expr, name)                     \
  ({                                                    \
    auto&& name = (expr);                               \
    if (!name) [[unlikely]]                             \
      return ::tl::unexpected(std::move(name).error()); \
    ::mpsec::detail::unwrap(std::move(name));           \
  })

// MPSEC_ENSURE(cond, code, message): returns fail(code, message) unless cond holds.
#define MPSEC_ENSURE(cond, code, message)      \
  do {                                         \
    if (!(cond)) [[unlikely]]                  \
      return ::mpsec::fail((code), (message)); \
  } while (0)
