#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "codec/tls.hpp"
#include "store/schema.hpp"

namespace mpsec::store {

namespace {

using central::GcksCommit;
using central::GcksSnapshot;
using central::GroupConfig;
using central::MemberRecord;

constexpr int kBusyTimeoutMs = 5'000;

// Row names in the associated data. The graph's includes its seq, so a graph blob from an
// older commit does not open beside a newer seq.
Bytes graph_row(std::uint64_t seq) {
  Bytes row(as_bytes("graph").begin(), as_bytes("graph").end());
  for (int i = 7; i >= 0; --i)
    row.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
  return row;
}

Bytes member_row(std::uint32_t slot) {
  return {static_cast<std::uint8_t>(slot >> 24), static_cast<std::uint8_t>(slot >> 16),
          static_cast<std::uint8_t>(slot >> 8), static_cast<std::uint8_t>(slot)};
}

constexpr std::string_view kConfigRow = "config";

// SQLite knows signed 64-bit integers only.
Result<std::int64_t> to_sql(std::uint64_t seq) {
  MPSEC_ENSURE(seq <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
               Errc::limit_exceeded, "sequence number beyond what the store can hold");
  return static_cast<std::int64_t>(seq);
}

// A new database file is created private: its rekey log and configs are not secret, but
// nobody else needs them either. SQLite gives its -wal and -shm files the same mode.
Status create_private(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Errc::io_error, "cannot open " + path + ": " + std::strerror(errno));
  ::close(fd);
  return ok();
}

Status configure(Database& db) {
  sqlite3* h = db.handle();
  // Refuse what a damaged or hostile file could use to misbehave: schema edits, triggers and
  // views running functions with side effects.
  if (sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr) != SQLITE_OK ||
      sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr) != SQLITE_OK ||
      sqlite3_busy_timeout(h, kBusyTimeoutMs) != SQLITE_OK)
    return tl::unexpected(db.error("configure"));
  // The first statement that reads the file: a file that is not a database fails here.
  const std::string mode = MPSEC_TRY(db.exec_text("PRAGMA journal_mode=WAL"));
  MPSEC_ENSURE(mode == "wal", Errc::io_error, "sqlite: cannot use WAL mode (got " + mode + ")");
  MPSEC_TRY(db.exec("PRAGMA synchronous=FULL"));
  MPSEC_TRY(db.exec("PRAGMA foreign_keys=ON"));
  MPSEC_TRY(db.exec("PRAGMA cell_size_check=ON"));
  MPSEC_ENSURE(MPSEC_TRY(db.exec_text("PRAGMA foreign_keys")) == "1", Errc::unsupported,
               "sqlite: built without foreign keys");
  // A damaged file is refused at open rather than half-read later (linear in the file size:
  // a few milliseconds per megabyte).
  std::string check = MPSEC_TRY(db.exec_text("PRAGMA quick_check"));
  constexpr std::size_t kMaxReport = 200;  // it lists every damaged page
  if (check.size() > kMaxReport) check = check.substr(0, kMaxReport) + "...";
  MPSEC_ENSURE(check == "ok", Errc::io_error, "sqlite: database is damaged: " + check);
  return ok();
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       SecretBytes master_key, Random& rng) {
  Sealer sealer = MPSEC_TRY(Sealer::create(master_key.view(), rng));
  master_key.clear();
  MPSEC_TRY(create_private(path));
  Database db = MPSEC_TRY(Database::open(path));
  MPSEC_TRY(configure(db));
  MPSEC_TRY(prepare_schema(db, sealer));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), std::move(sealer)));
}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::commit(const GcksCommit& c) {
  Transaction tx = MPSEC_TRY(Transaction::begin(db_, Transaction::Mode::write));
  MPSEC_TRY(apply(c));
  return tx.commit();
}

Status SqliteStore::apply(const GcksCommit& c) {
  const std::int64_t seq = MPSEC_TRY(to_sql(c.seq));
  std::optional<std::int64_t> stored_seq;
  {
    Query q = MPSEC_TRY(db_.query("SELECT seq FROM groups WHERE group_id = ?1"));
    MPSEC_TRY(q.bind(1, c.group_id));
    if (MPSEC_TRY(q.step())) stored_seq = q.column_int(0);
  }
  MPSEC_ENSURE(stored_seq || c.config, Errc::not_found, "commit for an unknown group");
  MPSEC_ENSURE(!stored_seq || seq >= *stored_seq, Errc::internal, "sequence number went back");

  const Bytes graph =
      MPSEC_TRY(sealer_.seal({c.group_id, "groups", graph_row(c.seq)}, c.graph.view()));
  if (c.config) {
    const Bytes mac =
        MPSEC_TRY(sealer_.mac({c.group_id, "groups", as_bytes(kConfigRow)}, *c.config));
    // An upsert, never INSERT OR REPLACE: replacing the row would cascade to its members.
    Query q = MPSEC_TRY(db_.query(
        "INSERT INTO groups (group_id, config, config_mac, seq, graph) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (group_id) DO UPDATE SET config = excluded.config,"
        " config_mac = excluded.config_mac, seq = excluded.seq, graph = excluded.graph"));
    MPSEC_TRY(q.bind(1, c.group_id));
    MPSEC_TRY(q.bind(2, *c.config));
    MPSEC_TRY(q.bind(3, mac));
    MPSEC_TRY(q.bind(4, seq));
    MPSEC_TRY(q.bind(5, graph));
    MPSEC_TRY(q.run());
  } else {
    Query q = MPSEC_TRY(db_.query("UPDATE groups SET seq = ?2, graph = ?3 WHERE group_id = ?1"));
    MPSEC_TRY(q.bind(1, c.group_id));
    MPSEC_TRY(q.bind(2, seq));
    MPSEC_TRY(q.bind(3, graph));
    MPSEC_TRY(q.run());
  }

  if (c.rekey) {
    {
      Query q = MPSEC_TRY(
          db_.query("INSERT OR REPLACE INTO rekeys (group_id, seq, message) VALUES (?1, ?2, ?3)"));
      MPSEC_TRY(q.bind(1, c.group_id));
      MPSEC_TRY(q.bind(2, seq));
      MPSEC_TRY(q.bind(3, *c.rekey));
      MPSEC_TRY(q.run());
    }
    // Everything older than the kRekeyLogDepth newest (none while there are fewer).
    Query q = MPSEC_TRY(
        db_.query("DELETE FROM rekeys WHERE group_id = ?1 AND seq <= (SELECT seq FROM rekeys"
                  " WHERE group_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)"));
    MPSEC_TRY(q.bind(1, c.group_id));
    MPSEC_TRY(q.bind(2, static_cast<std::int64_t>(central::kRekeyLogDepth)));
    MPSEC_TRY(q.run());
  }

  for (std::uint32_t slot : c.members_removed) {
    Query q = MPSEC_TRY(db_.query("DELETE FROM members WHERE group_id = ?1 AND slot = ?2"));
    MPSEC_TRY(q.bind(1, c.group_id));
    MPSEC_TRY(q.bind(2, std::int64_t{slot}));
    MPSEC_TRY(q.run());
  }
  for (const SecretBytes& m : c.members_added) {
    // The slot is inside the record; decoding also refuses a malformed one before it is kept.
    const std::uint32_t slot = MPSEC_TRY(codec::decode<MemberRecord>(m.view())).slot;
    const Bytes sealed =
        MPSEC_TRY(sealer_.seal({c.group_id, "members", member_row(slot)}, m.view()));
    Query q = MPSEC_TRY(
        db_.query("INSERT OR REPLACE INTO members (group_id, slot, record) VALUES (?1, ?2, ?3)"));
    MPSEC_TRY(q.bind(1, c.group_id));
    MPSEC_TRY(q.bind(2, std::int64_t{slot}));
    MPSEC_TRY(q.bind(3, sealed));
    MPSEC_TRY(q.run());
  }
  return ok();
}

Result<std::vector<Bytes>> SqliteStore::groups() const {
  Transaction tx = MPSEC_TRY(Transaction::begin(db_, Transaction::Mode::read));
  std::vector<Bytes> out;
  {
    Query q = MPSEC_TRY(db_.query("SELECT group_id FROM groups ORDER BY group_id"));
    while (MPSEC_TRY(q.step()))
      out.push_back(q.column_blob(0));
  }
  MPSEC_TRY(tx.commit());
  return out;
}

Result<GcksSnapshot> SqliteStore::load(ByteView group_id) const {
  // One read transaction: every row from the same commit.
  Transaction tx = MPSEC_TRY(Transaction::begin(db_, Transaction::Mode::read));
  GcksSnapshot s = MPSEC_TRY(read(group_id));
  MPSEC_TRY(tx.commit());
  return s;
}

Result<GcksSnapshot> SqliteStore::read(ByteView group_id) const {
  GcksSnapshot s;
  {
    Query q = MPSEC_TRY(
        db_.query("SELECT config, config_mac, seq, graph FROM groups WHERE group_id = ?1"));
    MPSEC_TRY(q.bind(1, group_id));
    MPSEC_ENSURE(MPSEC_TRY(q.step()), Errc::not_found, "no such group");
    const Bytes config = q.column_blob(0);
    MPSEC_TRY(sealer_.verify({group_id, "groups", as_bytes(kConfigRow)}, config, q.column_blob(1)));
    s.config = MPSEC_TRY(codec::decode<GroupConfig>(config));
    const std::int64_t seq = q.column_int(2);
    MPSEC_ENSURE(seq >= 0, Errc::decode_error, "negative sequence number in the store");
    s.seq = static_cast<std::uint64_t>(seq);
    s.graph = MPSEC_TRY(sealer_.open({group_id, "groups", graph_row(s.seq)}, q.column_blob(3)));
  }
  {
    Query q =
        MPSEC_TRY(db_.query("SELECT slot, record FROM members WHERE group_id = ?1 ORDER BY slot"));
    MPSEC_TRY(q.bind(1, group_id));
    while (MPSEC_TRY(q.step())) {
      const std::int64_t slot = q.column_int(0);
      MPSEC_ENSURE(slot >= 0 && slot <= std::numeric_limits<std::uint32_t>::max(),
                   Errc::decode_error, "member slot out of range in the store");
      const auto s32 = static_cast<std::uint32_t>(slot);
      const SecretBytes plain =
          MPSEC_TRY(sealer_.open({group_id, "members", member_row(s32)}, q.column_blob(1)));
      MemberRecord rec = MPSEC_TRY(codec::decode<MemberRecord>(plain.view()));
      MPSEC_ENSURE(rec.slot == s32, Errc::decode_error, "member record stored under another slot");
      s.members.push_back(std::move(rec));
    }
  }
  Query q = MPSEC_TRY(db_.query("SELECT message FROM rekeys WHERE group_id = ?1 ORDER BY seq"));
  MPSEC_TRY(q.bind(1, group_id));
  while (MPSEC_TRY(q.step()))
    s.recent_rekeys.push_back(q.column_blob(0));
  return s;
}

Status SqliteStore::delete_group(ByteView group_id) {
  Transaction tx = MPSEC_TRY(Transaction::begin(db_, Transaction::Mode::write));
  {
    // Members and rekeys go with it (ON DELETE CASCADE).
    Query q = MPSEC_TRY(db_.query("DELETE FROM groups WHERE group_id = ?1"));
    MPSEC_TRY(q.bind(1, group_id));
    MPSEC_TRY(q.run());
  }
  MPSEC_ENSURE(db_.changes() > 0, Errc::not_found, "no such group");
  return tx.commit();
}

}  // namespace mpsec::store
