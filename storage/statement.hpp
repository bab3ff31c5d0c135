#pragma once
// A prepared statement. Bound text and blobs are copied by SQLite (SQLITE_TRANSIENT).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ik::storage {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::span<const std::uint8_t> blob);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<std::string>& value);
  // Named parameters (":name"); a name the statement does not use is ignored.
  Statement& bind_named(const char* name, const std::optional<std::string>& value);
  Statement& bind_named(const char* name, const std::optional<std::int64_t>& value);

  // true: a row is ready; false: done. Errors carry SQLite's message.
  Result<bool> step();
  // Runs to completion, for statements without rows.
  Result<void> run();
  void reset();

  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::vector<std::uint8_t> blob(int col) const;
  std::span<const std::uint8_t> blob_view(int col) const;  // valid until the next step/reset
  bool is_null(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

Error sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace ik::storage
