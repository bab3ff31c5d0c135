#pragma once
// A second, read-only connection to the case list, for running a search off the kiosk's UI
// thread. The Session's connection belongs to the thread that unlocked (the UI): SQLite
// connections are not shared between threads here, so a search on another thread gets a
// connection of its own, opened from the session's key (SQLCipher copies the key into the
// connection and wipes it on close) with PRAGMA query_only, so nothing it runs can write.
// In WAL mode it reads a consistent snapshot while the UI thread's connection writes.
//
// What must stay true:
// - open() runs on the session's thread (it checks ViewCases, and a refusal is audited on the
//   session's connection); list() runs on one thread at a time, any thread;
// - it dies no later than the session: whoever holds one closes it before the session locks
//   (the kiosk's case list does so in wipe(), which the lock calls first);
// - the same rules as CaseService::list (permission, officer's shelter-only scope, validation,
//   folded FTS query, capped counts): list_cases() below is that code, and CaseService::list
//   calls it too.
#include <cstdint>
#include <optional>
#include <string>

#include "core/cases.hpp"
#include "core/error.hpp"
#include "core/role.hpp"
#include "storage/database.hpp"

namespace ik::core {

class Session;

class CaseReader {
 public:
  static Result<CaseReader> open(Session& session);
  CaseReader() = default;
  CaseReader(CaseReader&&) = default;
  CaseReader& operator=(CaseReader&&) = default;

  bool is_open() const { return db_.is_open(); }
  Result<CasePage> list(const CaseQuery& q, std::int64_t offset, std::int64_t limit);
  void close() { db_.close(); }

 private:
  storage::Database db_;
  std::optional<std::string> origin_;  // the officer's scope, fixed at open
};

// The case list on a given connection, without the permission check (the caller made it):
// validation, scope, search folding, page and capped count.
Result<CasePage> list_cases(storage::Database& db, const std::optional<std::string>& origin, const CaseQuery& q,
                            std::int64_t offset, std::int64_t limit);
// Officers see their shelter's cases; every other role that may list cases sees all of them.
std::optional<std::string> case_scope(Role role);

}  // namespace ik::core
