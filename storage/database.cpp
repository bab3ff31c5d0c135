#include "storage/database.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <utility>

#include <fmt/format.h>

#include "crypto/keys.hpp"
#include "storage/migrations.hpp"

namespace ik::storage {
namespace {

constexpr std::string_view kWrongKey =
    "wrong key, or not an intake-kiosk database (cannot decrypt it)";

bool valid_page_size(int n) { return n >= 1024 && n <= 65536 && (n & (n - 1)) == 0; }

}  // namespace

Result<Database> Database::open(const std::filesystem::path& path, const crypto::SecureBuffer& key,
                                const OpenOptions& options) {
  if (key.size() != 32) return fail(Errc::WrongKeyOrNotKioskDb, "the database key must be 32 bytes");
  if (!valid_page_size(options.cipher_page_size))
    return fail(Errc::Sql, fmt::format("invalid cipher page size {}", options.cipher_page_size));
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (options.create && exists) return fail(Errc::Exists, fmt::format("{} already exists", path.string()));
  if (!options.create && !exists) return fail(Errc::NotFound, fmt::format("no database at {}", path.string()));

  Database d;
  d.path_ = path;
  d.page_size_ = options.cipher_page_size;
  // CREATE even when opening: ATTACH (backups) inherits these flags and must create its file.
  // A missing main file was refused above.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (int rc = sqlite3_open_v2(path.c_str(), &d.db_, flags, nullptr); rc != SQLITE_OK)
    return std::unexpected(sqlite_error(d.db_, rc, fmt::format("cannot open {}", path.string())));

  {
    // 1. The raw key, before anything else touches the file.
    crypto::SecureBuffer literal(2 + 64 + 1);
    literal.data()[0] = 'x';
    literal.data()[1] = '\'';
    const auto hex = crypto::to_hex_secure(key);
    std::copy(hex.data(), hex.data() + 64, literal.data() + 2);
    literal.data()[66] = '\'';
    if (int rc = sqlite3_key(d.db_, literal.data(), static_cast<int>(literal.size())); rc != SQLITE_OK)
      return std::unexpected(sqlite_error(d.db_, rc, "cannot set the database key"));
  }
  // 2-3.
  if (auto r = d.exec(fmt::format("PRAGMA cipher_compatibility = 3; PRAGMA cipher_page_size = {};",
                                  options.cipher_page_size));
      !r)
    return std::unexpected(r.error());

  // 4. Verification. Each of these only reads.
  {
    auto st = d.prepare("PRAGMA cipher_version");
    if (!st) return std::unexpected(st.error());
    auto row = st->step();
    if (!row || !*row || st->text(0).empty())
      return fail(Errc::WrongKeyOrNotKioskDb, "this SQLite library has no encryption (cipher_version is empty)");
  }
  if (auto n = d.scalar("SELECT count(*) FROM sqlite_master"); !n) {
    if (n.error().code == Errc::Damaged) return fail(Errc::Damaged, fmt::format("{}: database is damaged", path.string()));
    return fail(Errc::WrongKeyOrNotKioskDb, std::string(kWrongKey));
  }
  if (!options.create) {
    auto app = d.scalar("PRAGMA application_id");
    if (!app || *app != kApplicationId) return fail(Errc::WrongKeyOrNotKioskDb, std::string(kWrongKey));
    // A file cut short at a page boundary still decrypts page 1; its page count tells.
    // (With a WAL present the newest pages may live there, so only a partial page is damage.)
    auto pages = d.scalar("PRAGMA page_count");
    struct stat st {};
    if (!pages || ::stat(path.c_str(), &st) != 0) return fail(Errc::Io, "cannot read the database size");
    const auto file_size = static_cast<std::int64_t>(st.st_size);
    struct stat wal {};
    const bool has_wal = ::stat((path.string() + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
    if (file_size % options.cipher_page_size != 0 ||
        (!has_wal && file_size != *pages * options.cipher_page_size))
      return fail(Errc::Damaged, fmt::format("{}: database is truncated or damaged ({} bytes, {} pages expected)",
                                             path.string(), file_size, *pages));
  }

  // 5. Now it is safe to write.
  if (auto r = d.exec("PRAGMA temp_store = MEMORY; PRAGMA synchronous = FULL; "
                      "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; "
                      // 16 MiB of decrypted pages, dropped with the connection at lock: once the
                      // working set is cached, reads cost what plain SQLite's do (docs/performance.md).
                      "PRAGMA cache_size = -16384;");
      !r)
    return std::unexpected(r.error());
  {
    auto st = d.prepare("PRAGMA journal_mode = WAL");
    if (!st) return std::unexpected(st.error());
    auto row = st->step();
    if (!row || !*row || st->text(0) != "wal") return fail(Errc::Io, "cannot switch the database to WAL");
  }
  if (options.create) {
    if (auto r = d.exec(fmt::format("PRAGMA application_id = {}", kApplicationId)); !r) return std::unexpected(r.error());
  }
  // 6.
  if (options.migrate) {
    if (auto r = migrate(d); !r) return std::unexpected(r.error());
  }
  return d;
}

Database::~Database() { close(); }

Database::Database(Database&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)), page_size_(o.page_size_) {}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    close();
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
    page_size_ = o.page_size_;
  }
  return *this;
}

void Database::close() {
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);  // SQLCipher wipes its key material on close
    db_ = nullptr;
  }
}

Result<void> Database::exec(std::string_view sql) {
  const std::string s(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(db_, rc, "statement failed"));
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(db_, rc, "cannot prepare statement"));
  return Statement(db_, stmt);
}

Result<std::int64_t> Database::scalar(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::NotFound, "query returned no row");
  return st->int64(0);
}

int Database::user_version() {
  auto v = scalar("PRAGMA user_version");
  return v ? static_cast<int>(*v) : -1;
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
bool Database::in_transaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

Result<void> Database::begin() { return exec("BEGIN IMMEDIATE"); }
Result<void> Database::commit() { return exec("COMMIT"); }
void Database::rollback() {
  if (sqlite3_get_autocommit(db_) == 0) (void)exec("ROLLBACK");
}

Result<void> Database::integrity_check() {
  auto st = prepare("PRAGMA integrity_check");
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return fail(Errc::Damaged, row.error().message);
  if (!*row) return fail(Errc::Damaged, "integrity check returned nothing");
  const auto first = st->text(0);
  if (first != "ok") return fail(Errc::Damaged, fmt::format("integrity check failed: {}", first));
  return {};
}

Result<void> Database::backup_to(const std::filesystem::path& target) {
  std::error_code ec;
  if (std::filesystem::exists(target, ec)) return fail(Errc::Exists, fmt::format("{} already exists", target.string()));
  // ATTACH without KEY: the attached file uses the main database's key, so the key is never
  // spelled out in SQL text. Its page size must be set before the first write.
  auto st = prepare("ATTACH DATABASE ?1 AS backup");
  if (!st) return std::unexpected(st.error());
  st->bind(1, target.string());
  if (auto r = st->run(); !r) return r;
  auto r = exec(fmt::format("PRAGMA backup.cipher_page_size = {}; SELECT sqlcipher_export('backup'); "
                            "PRAGMA backup.user_version = {}; PRAGMA backup.application_id = {};",
                            page_size_, user_version(), kApplicationId));
  (void)exec("DETACH DATABASE backup");
  if (!r) {
    std::filesystem::remove(target, ec);
    return r;
  }
  return {};
}

}  // namespace ik::storage
