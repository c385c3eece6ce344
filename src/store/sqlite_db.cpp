#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <limits>
#include <utility>

namespace mpsec::store {

namespace {
// sqlite3_bind_blob binds NULL, not an empty blob, when given a null pointer.
constexpr std::uint8_t kEmpty = 0;

// The start of a statement's SQL, to say which one failed.
std::string sql_of(sqlite3_stmt* stmt) {
  const char* sql = sqlite3_sql(stmt);
  std::string s = sql != nullptr ? sql : "?";
  constexpr std::size_t kMax = 48;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}
}  // namespace

Query::Query(Query&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Status Query::bind(int index, ByteView blob) {
  const void* data = blob.empty() ? &kEmpty : blob.data();
  MPSEC_ENSURE(blob.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
               Errc::limit_exceeded, "blob too large for SQLite");
  if (sqlite3_bind_blob(stmt_, index, data, static_cast<int>(blob.size()), SQLITE_STATIC) !=
      SQLITE_OK)
    return tl::unexpected(db_->error("bind " + sql_of(stmt_)));
  return ok();
}

Status Query::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
    return tl::unexpected(db_->error("bind " + sql_of(stmt_)));
  return ok();
}

Status Query::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
    return tl::unexpected(db_->error("bind " + sql_of(stmt_)));
  return ok();
}

Result<bool> Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(db_->error(sql_of(stmt_)));
}

Status Query::run() {
  while (MPSEC_TRY(step())) {
  }
  return ok();
}

std::int64_t Query::column_int(int column) const noexcept {
  return sqlite3_column_int64(stmt_, column);
}

Bytes Query::column_blob(int column) const {
  // Pointer first, then size: the order SQLite documents as safe.
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return Bytes(p, p + n);
}

bool Query::column_is_null(int column) const noexcept {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<Database> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail(Errc::io_error, "cannot open " + path + ": " + why);
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), statements_(std::move(other.statements_)) {
  other.statements_.clear();
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_)
    sqlite3_finalize(stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return fail(Errc::io_error, "sqlite: " + why);
  }
  return ok();
}

Result<std::string> Database::exec_text(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return tl::unexpected(error(sql));
  }
  const int rc = sqlite3_step(stmt);
  std::string out;
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    if (text != nullptr) out = reinterpret_cast<const char*>(text);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Error e = error(sql);
    sqlite3_finalize(stmt);
    return tl::unexpected(std::move(e));
  }
  sqlite3_finalize(stmt);
  return out;
}

Result<Query> Database::query(const char* sql) {
  auto it = statements_.find(std::string_view(sql));
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return tl::unexpected(error(sql));
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return Query(*this, it->second);
}

Error Database::error(std::string_view what) const {
  return Error{Errc::io_error, "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db_)};
}

bool Database::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db_) == 0;
}

std::int64_t Database::changes() const noexcept {
  return sqlite3_changes64(db_);
}

Result<Transaction> Transaction::begin(Database& db, Mode mode) {
  // A rollback that failed earlier may have left a transaction open: end it first.
  if (db.in_transaction()) MPSEC_TRY(db.exec("ROLLBACK"));
  // Prepared now, so that rolling back never needs to prepare (and cannot fail to).
  (void)MPSEC_TRY(db.query("ROLLBACK"));
  Query q = MPSEC_TRY(db.query(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN"));
  MPSEC_TRY(q.run());
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  rollback();
}

Status Transaction::commit() {
  MPSEC_ENSURE(db_ != nullptr, Errc::invalid_state, "transaction already ended");
  Status s = [&]() -> Status {
    Query q = MPSEC_TRY(db_->query("COMMIT"));
    return q.run();
  }();
  if (!s) {
    rollback();
    return s;
  }
  db_ = nullptr;
  return ok();
}

void Transaction::rollback() noexcept {
  if (db_ == nullptr) return;
  // SQLite may already have rolled back by itself (some I/O and full-disk errors).
  if (db_->in_transaction()) {
    if (auto q = db_->query("ROLLBACK")) (void)q->run();
  }
  db_ = nullptr;
}

}  // namespace mpsec::store
