#include "core/case_reader.hpp"

#include <algorithm>

#include "core/codes.hpp"
#include "core/permissions.hpp"
#include "core/search.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/case_repo.hpp"

namespace ik::core {

std::optional<std::string> case_scope(Role role) {
  if (role == Role::Officer) return std::string("shelter");
  return std::nullopt;
}

Result<CasePage> list_cases(storage::Database& db, const std::optional<std::string>& origin, const CaseQuery& q,
                            std::int64_t offset, std::int64_t limit) {
  if (q.status && !codes::list("case_status").contains(*q.status))
    return invalid({{"status", std::string(msg::kUnknownCode), ""}});
  if (q.text.size() > 200 || !valid_utf8(q.text)) return invalid({{"search", std::string(msg::kNotText), ""}});
  storage::CaseFilter f;
  f.status = q.status;
  f.origin = origin;
  if (!q.text.empty()) {
    f.fts_query = match_expression(q.text);
    if (!f.fts_query) return CasePage{};
  }
  storage::CaseRepo repo(db);
  auto rows = repo.page(f, std::max<std::int64_t>(offset, 0), std::clamp<std::int64_t>(limit, 1, 500));
  if (!rows) return std::unexpected(from(rows.error()));
  auto total = repo.count(f);
  if (!total) return std::unexpected(from(total.error()));
  CasePage page;
  page.total_capped = f.fts_query && *total > storage::CaseRepo::kCountCap;
  page.total = page.total_capped ? storage::CaseRepo::kCountCap : *total;
  page.items.reserve(rows->size());
  for (auto& r : *rows)
    page.items.push_back({r.id, std::move(r.case_number), std::move(r.gender), std::move(r.status),
                          std::move(r.risk_level), r.opened_at, std::move(r.bed_label)});
  return page;
}

Result<CaseReader> CaseReader::open(Session& session) {
  if (auto p = require(session, Action::ViewCases); !p) return std::unexpected(p.error());
  storage::OpenOptions options;
  options.migrate = false;  // the session's connection migrated the schema at unlock
  auto db = storage::Database::open(session.data_dir().database(), session.database_key(), options);
  if (!db) return std::unexpected(from(db.error()));
  if (auto r = db->exec("PRAGMA query_only = 1"); !r) return std::unexpected(from(r.error()));
  CaseReader reader;
  reader.db_ = std::move(*db);
  reader.origin_ = case_scope(session.actor().role);
  return reader;
}

Result<CasePage> CaseReader::list(const CaseQuery& q, std::int64_t offset, std::int64_t limit) {
  if (!db_.is_open()) return fail(Errc::PermissionDenied, "the case reader is closed");
  return list_cases(db_, origin_, q, offset, limit);
}

}  // namespace ik::core
