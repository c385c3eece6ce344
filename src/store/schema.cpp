#include "store/schema.hpp"

#include <string>

namespace mpsec::store {

namespace {

// Secret columns (graph, record) hold sealed blobs; config and rekey messages are public and
// kept in clear (the config with a MAC). Sequence numbers are stored as SQLite's signed
// 64-bit integers: the store refuses seq >= 2^63.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE key_check (sealed BLOB NOT NULL);
CREATE TABLE groups (
  group_id   BLOB PRIMARY KEY NOT NULL,
  config     BLOB NOT NULL,
  config_mac BLOB NOT NULL,
  seq        INTEGER NOT NULL CHECK (seq >= 0),
  graph      BLOB NOT NULL
);
CREATE TABLE members (
  group_id BLOB NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
  slot     INTEGER NOT NULL CHECK (slot >= 0),
  record   BLOB NOT NULL,
  PRIMARY KEY (group_id, slot)
);
CREATE TABLE rekeys (
  group_id BLOB NOT NULL REFERENCES groups (group_id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL CHECK (seq >= 0),
  message  BLOB NOT NULL,
  PRIMARY KEY (group_id, seq)
);
)sql";

constexpr BlobPlace kKeyCheck{{}, "key_check", {}};

Result<std::int64_t> count(Database& db, const char* sql) {
  Query q = MPSEC_TRY(db.query(sql));
  MPSEC_ENSURE(MPSEC_TRY(q.step()), Errc::internal, "count returned no row");
  return q.column_int(0);
}

Status create(Database& db, const Sealer& sealer) {
  MPSEC_ENSURE(MPSEC_TRY(count(db, "SELECT count(*) FROM sqlite_master")) == 0, Errc::unsupported,
               "not an mpsec store: tables but no schema version");
  MPSEC_TRY(db.exec(kSchemaV1));
  {
    Query q = MPSEC_TRY(db.query("INSERT INTO schema_version (version) VALUES (?1)"));
    MPSEC_TRY(q.bind(1, kSchemaVersion));
    MPSEC_TRY(q.run());
  }
  const Bytes check = MPSEC_TRY(sealer.seal(kKeyCheck, {}));
  Query q = MPSEC_TRY(db.query("INSERT INTO key_check (sealed) VALUES (?1)"));
  MPSEC_TRY(q.bind(1, check));
  return q.run();
}

Status check(Database& db, const Sealer& sealer) {
  {
    Query q = MPSEC_TRY(db.query("SELECT version FROM schema_version"));
    MPSEC_ENSURE(MPSEC_TRY(q.step()), Errc::unsupported, "the store has no schema version");
    const std::int64_t version = q.column_int(0);
    MPSEC_ENSURE(!MPSEC_TRY(q.step()), Errc::unsupported, "the store has two schema versions");
    MPSEC_ENSURE(version == kSchemaVersion, Errc::unsupported,
                 "store schema version " + std::to_string(version) +
                     " is not supported (this build knows version " +
                     std::to_string(kSchemaVersion) + ")");
  }
  Query q = MPSEC_TRY(db.query("SELECT sealed FROM key_check"));
  MPSEC_ENSURE(MPSEC_TRY(q.step()), Errc::unsupported, "the store has no key check");
  if (!sealer.open(kKeyCheck, q.column_blob(0)))
    return fail(Errc::authentication_failed,
                "the master key does not open this store (another store's key?)");
  return ok();
}

}  // namespace

Status prepare_schema(Database& db, const Sealer& sealer) {
  Transaction tx = MPSEC_TRY(Transaction::begin(db, Transaction::Mode::write));
  const std::int64_t found = MPSEC_TRY(count(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"));
  if (found == 0)
    MPSEC_TRY(create(db, sealer));
  else
    MPSEC_TRY(check(db, sealer));
  return tx.commit();
}

}  // namespace mpsec::store
