// The store's tables: created in a new database, checked in an existing one.
#pragma once

#include <cstdint>

#include "store/sealer.hpp"
#include "store/sqlite_db.hpp"

namespace mpsec::store {

inline constexpr std::int64_t kSchemaVersion = 1;

// Creates the schema in an empty database, or checks an existing one: a schema version this
// build knows (unsupported otherwise) and the master key it was created with
// (authentication_failed otherwise), so a wrong key is caught before anything is written.
[[nodiscard]] Status prepare_schema(Database& db, const Sealer& sealer);

}  // namespace mpsec::store
