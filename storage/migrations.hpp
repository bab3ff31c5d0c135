#pragma once
// Numbered schema migrations under PRAGMA user_version. A migration is never edited once it has
// shipped: a change is a new number. Each runs in its own transaction with its version bump.
#include <span>
#include <string_view>

#include "storage/database.hpp"

namespace ik::storage {

struct Migration {
  int version;
  std::string_view sql;
};

std::span<const Migration> migrations();
int latest_schema_version();
Result<void> migrate(Database& db);

}  // namespace ik::storage
