// A thin typed layer over one SQLite connection: every SQLite failure becomes an io_error
// carrying sqlite3_errmsg, statements are prepared once and kept for the connection's life,
// and a transaction that is not committed is rolled back. Not safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "mpsec/bytes.hpp"
#include "mpsec/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mpsec::store {

class Database;

// One use of a cached statement: bind, step, read columns. The statement is reset and its
// bindings cleared when the Query goes out of scope. Bound blobs are not copied: they must
// outlive the Query.
class Query {
 public:
  Query(Database& db, sqlite3_stmt* stmt) noexcept : db_(&db), stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Parameters are numbered from 1, as in the SQL (?1, ?2 ...).
  [[nodiscard]] Status bind(int index, ByteView blob);
  [[nodiscard]] Status bind(int index, std::int64_t value);
  [[nodiscard]] Status bind_null(int index);
  // True when a row is ready, false when the statement is done.
  [[nodiscard]] Result<bool> step();
  // Steps to the end of a statement that returns no rows.
  [[nodiscard]] Status run();

  // Columns are numbered from 0; valid until the next step.
  std::int64_t column_int(int column) const noexcept;
  Bytes column_blob(int column) const;
  bool column_is_null(int column) const noexcept;

 private:
  Database* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens (creating if needed) the database file; the caller sets the pragmas.
  [[nodiscard]] static Result<Database> open(const std::string& path);
  Database(Database&& other) noexcept;
  Database& operator=(Database&&) = delete;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs SQL text that takes no parameters (pragmas, schema); rows it returns are dropped.
  [[nodiscard]] Status exec(const char* sql);
  // The first column of the first row of a parameterless statement (pragmas that answer).
  [[nodiscard]] Result<std::string> exec_text(const char* sql);
  // The statement for this SQL text, prepared on first use.
  [[nodiscard]] Result<Query> query(const char* sql);

  // io_error "<what>: <sqlite3_errmsg>".
  [[nodiscard]] Error error(std::string_view what) const;
  bool in_transaction() const noexcept;
  // Rows changed by the last INSERT, UPDATE or DELETE (cascades not counted).
  std::int64_t changes() const noexcept;
  sqlite3* handle() const noexcept { return db_; }

 private:
  explicit Database(sqlite3* db) noexcept : db_(db) {}

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

// BEGIN (IMMEDIATE for writers: the write lock is taken up front, so a writer never fails
// half-way for want of it) ... COMMIT; rolled back unless commit() succeeded.
class Transaction {
 public:
  enum class Mode : std::uint8_t { read, write };
  [[nodiscard]] static Result<Transaction> begin(Database& db, Mode mode);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  [[nodiscard]] Status commit();

 private:
  explicit Transaction(Database& db) noexcept : db_(&db) {}
  void rollback() noexcept;

  Database* db_;  // null once committed or rolled back
};

}  // namespace mpsec::store
