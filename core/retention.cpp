#include "core/retention.hpp"

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "storage/retention_repo.hpp"

namespace ik::core {

Result<void> confirm_received_by_hq(Session& s, const std::vector<std::int64_t>& case_ids,
                                    const std::vector<std::int64_t>& call_ids, std::int64_t at) {
  if (!s.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  storage::RetentionRepo repo(s.db());
  auto r = s.db().transaction([&]() -> storage::Result<void> {
    for (auto id : case_ids)
      if (auto e = repo.confirm_case(id, at); !e) return e;
    for (auto id : call_ids)
      if (auto e = repo.confirm_call(id, at); !e) return e;
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return {};
}

Result<RetentionResult> apply_retention(Session& s, int days, std::int64_t now) {
  if (!s.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  if (days < 1 || days > 3650) return invalid({{"retention_days", IK_N_("Enter a number of days between 1 and 3650."), ""}});
  const std::int64_t cutoff = now - std::int64_t{days} * 86400;
  storage::RetentionRepo repo(s.db());
  RetentionResult out;
  auto r = s.db().transaction([&]() -> storage::Result<void> {
    auto cases = repo.purge_cases(cutoff, now);
    if (!cases) return std::unexpected(cases.error());
    auto calls = repo.purge_calls(cutoff, now);
    if (!calls) return std::unexpected(calls.error());
    auto drafts = repo.purge_drafts(now - std::int64_t{kDraftLifetimeDays} * 86400);
    if (!drafts) return std::unexpected(drafts.error());
    out = {*cases, *calls, *drafts};
    if (out.cases_purged + out.calls_purged + out.drafts_removed == 0) return {};
    if (auto a = audit(s, "retention_purge", "device", 0,
                       fmt::format("cases={} calls={} drafts={}", out.cases_purged, out.calls_purged, out.drafts_removed));
        !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  // Deleted search tokens stay in old FTS segments until a merge: merge now, so the names leave
  // the file too (secure_delete zeroes the freed pages).
  if (out.cases_purged > 0) {
    if (auto e = repo.compact_search(); !e) return std::unexpected(from(e.error()));
  }
  return out;
}

}  // namespace ik::core
