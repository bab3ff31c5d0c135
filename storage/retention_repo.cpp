#include "storage/retention_repo.hpp"

#include <fmt/format.h>

namespace ik::storage {
namespace {
// ?1 = cutoff. Eligible: closed at or before the cutoff, and HQ confirmed the version as it is now.
constexpr std::string_view kEligibleCases =
    "SELECT id FROM cases WHERE status IN ('closed','closed_referred') AND purged_at IS NULL "
    "AND closed_at IS NOT NULL AND closed_at <= ?1 AND hq_confirmed_at IS NOT NULL AND hq_confirmed_at >= updated_at";
}  // namespace

Result<int> RetentionRepo::run(std::string_view sql, std::int64_t a, std::int64_t b) {
  auto st = db_.prepare(sql);
  if (!st) return std::unexpected(st.error());
  st->bind(1, a);
  if (sql.find("?2") != std::string_view::npos) st->bind(2, b);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.changes();
}

Result<void> RetentionRepo::confirm_case(std::int64_t case_id, std::int64_t at) {
  auto r = run("UPDATE cases SET hq_confirmed_at = ?2 WHERE id = ?1", case_id, at);
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> RetentionRepo::confirm_call(std::int64_t call_id, std::int64_t at) {
  auto r = run("UPDATE calls SET hq_confirmed_at = ?2 WHERE id = ?1", call_id, at);
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<std::int64_t> RetentionRepo::purge_cases(std::int64_t cutoff, std::int64_t now) {
  // Age at intake survives as a number before the birth date goes.
  const std::string steps[] = {
      fmt::format("UPDATE persons SET age_estimate = coalesce(age_estimate, CAST((julianday(date("
                  "(SELECT opened_at FROM cases WHERE person_id = persons.id LIMIT 1), 'unixepoch')) - "
                  "julianday(birth_date)) / 365.25 AS INTEGER)) "
                  "WHERE birth_date IS NOT NULL AND id IN (SELECT person_id FROM cases WHERE id IN ({}))",
                  kEligibleCases),
      fmt::format("UPDATE persons SET given_name = NULL, family_name = NULL, alias = NULL, birth_date = NULL, "
                  "phone = NULL, purged_at = ?2 WHERE id IN (SELECT person_id FROM cases WHERE id IN ({}))",
                  kEligibleCases),
      fmt::format("UPDATE services SET note = NULL WHERE case_id IN ({})", kEligibleCases),
      fmt::format("UPDATE referrals SET reason = NULL WHERE case_id IN ({})", kEligibleCases),
      fmt::format("DELETE FROM case_search WHERE docid IN ({})", kEligibleCases),
  };
  for (const auto& sql : steps)
    if (auto r = run(sql, cutoff, now); !r) return std::unexpected(r.error());
  auto cases = run(fmt::format("UPDATE cases SET protection_measures = NULL, notes = NULL, purged_at = ?2 "
                               "WHERE id IN ({})", kEligibleCases),
                   cutoff, now);
  if (!cases) return std::unexpected(cases.error());
  return *cases;
}

Result<std::int64_t> RetentionRepo::purge_calls(std::int64_t cutoff, std::int64_t now) {
  auto calls = run(
      "UPDATE calls SET caller_name = NULL, phone = NULL, notes = NULL, le_unit = NULL, purged_at = ?2 "
      "WHERE purged_at IS NULL AND started_at <= ?1 AND hq_confirmed_at IS NOT NULL "
      "AND hq_confirmed_at >= updated_at AND (follow_up_due IS NULL OR follow_up_done = 1)",
      cutoff, now);
  if (!calls) return std::unexpected(calls.error());
  return *calls;
}

Result<std::int64_t> RetentionRepo::purge_drafts(std::int64_t cutoff) {
  auto r = run("DELETE FROM drafts WHERE updated_at <= ?1", cutoff, 0);
  if (!r) return std::unexpected(r.error());
  return *r;
}

Result<void> RetentionRepo::compact_search() {
  return db_.exec("INSERT INTO case_search (case_search) VALUES ('optimize')");
}

}  // namespace ik::storage
