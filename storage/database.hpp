#pragma once
// An open, verified SQLCipher database. Opening does, in this order and nothing else first:
//   1. sqlite3_key with the raw 32-byte key as x'…' (the hex lives in sodium memory);
//   2. PRAGMA cipher_compatibility = 3 (ignored by 3.4.x, pins the format on 4.x);
//   3. PRAGMA cipher_page_size, explicitly, every time;
//   4. verification: cipher_version non-empty and sqlite_master readable, the application id
//      ours, the file not shorter than its pages — else a clear error, and nothing written;
//   5. temp_store = MEMORY (SQLCipher does not encrypt temp files), WAL, synchronous = FULL,
//      secure_delete (purged personal data does not linger in free pages), foreign keys;
//   6. numbered migrations under user_version.
#include <filesystem>
#include <functional>
#include <string_view>

#include "crypto/secure_buffer.hpp"
#include "storage/error.hpp"
#include "storage/statement.hpp"

struct sqlite3;

namespace ik::storage {

inline constexpr std::int32_t kApplicationId = 0x494B4442;  // "IKDB"

struct OpenOptions {
  int cipher_page_size = 4096;  // chosen with bench/sql_workload.cpp (make bench): docs/performance.md
  bool create = false;          // create a new database (refuses an existing file)
  bool migrate = true;          // apply pending migrations after opening
};

class Database {
 public:
  static Result<Database> open(const std::filesystem::path& path, const crypto::SecureBuffer& key,
                               const OpenOptions& options = {});
  Database() = default;
  ~Database();
  Database(Database&& o) noexcept;
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  bool is_open() const { return db_ != nullptr; }
  void close();

  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back when it returns an error. Inside an
  // open transaction it simply runs `body`: the outer transaction decides.
  template <class T>
  Result<T> transaction(const std::function<Result<T>()>& body);
  Result<void> transaction(const std::function<Result<void>()>& body) {
    return transaction<void>(body);
  }

  Result<std::int64_t> scalar(std::string_view sql);
  int user_version();
  std::int64_t last_insert_id() const;
  int changes() const;
  bool in_transaction() const;

  // PRAGMA integrity_check: ok, or the first problem it reports.
  Result<void> integrity_check();
  // An encrypted copy under the same key (sqlcipher_export into an attached file).
  Result<void> backup_to(const std::filesystem::path& target);
  const std::filesystem::path& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  Result<void> begin();
  Result<void> commit();
  void rollback();

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  int page_size_ = 0;
};

template <class T>
Result<T> Database::transaction(const std::function<Result<T>()>& body) {
  if (in_transaction()) return body();
  if (auto b = begin(); !b) return std::unexpected(b.error());
  auto r = body();
  if (!r) {
    rollback();
    return r;
  }
  if (auto c = commit(); !c) {
    rollback();
    return std::unexpected(c.error());
  }
  return r;
}

}  // namespace ik::storage
