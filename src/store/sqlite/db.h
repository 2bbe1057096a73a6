// A thin RAII wrapper over one SQLite connection and its prepared statements.
// Not thread-safe: one Db per thread (the writer thread owns the write connection; readers
// borrow connections from a pool).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace crossdock::sqlite {

// A prepared statement, reset and cleared on every Prepare() from the cache.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int index, std::string_view text);
  // Binds without copying: `text` must stay alive and unchanged until Exec/Step/Reset.
  Stmt& BindStatic(int index, std::string_view text);
  Stmt& Bind(int index, int64_t value);
  Stmt& BindNull(int index);
  Stmt& BindDouble(int index, double value);
  Stmt& Bind(int index, std::optional<int64_t> value);
  // Ok(true) when a row is available, Ok(false) when done.
  Result<bool> Step();
  // Runs to completion, expecting no rows.
  Status Exec();

  std::string Text(int col) const;
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Maps an SQLite result code to a Status (BUSY/LOCKED/IOERR/FULL → Unavailable,
// CONSTRAINT → AlreadyExists, others Internal).
Status FromSqlite(int rc, sqlite3* db, std::string_view what);

class Db {
 public:
  // Opens (creating if needed) `path` with the given pragmas applied.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // A cached prepared statement, reset and ready to bind. The reference stays valid for the
  // life of the Db.
  Result<Stmt*> Prepare(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* raw() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> cache_;
};

}  // namespace crossdock::sqlite
