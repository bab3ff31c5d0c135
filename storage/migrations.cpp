#include "storage/migrations.hpp"

#include <array>

#include <fmt/format.h>

namespace ik::storage {
namespace {

// Append only. Roles are checked here as a second line behind core/'s validation.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  role        TEXT NOT NULL CHECK (role IN ('officer','hotline','coordinator','admin','auditor')),
  disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE TABLE settings (
  key    TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
  value  BLOB NOT NULL
);
)sql"},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations.back().version; }

Result<void> migrate(Database& db) {
  const int current = db.user_version();
  if (current < 0) return fail(Errc::Sql, "cannot read the schema version");
  if (current > latest_schema_version())
    return fail(Errc::TooNew, fmt::format("database schema {} is newer than this program ({}); update the kiosk",
                                          current, latest_schema_version()));
  for (const auto& m : kMigrations) {
    if (m.version <= current) continue;
    auto r = db.transaction([&]() -> Result<void> {
      if (auto e = db.exec(m.sql); !e) return e;
      return db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    });
    if (!r) return fail(r.error().code, fmt::format("migration {} failed: {}", m.version, r.error().message));
  }
  return {};
}

}  // namespace ik::storage
