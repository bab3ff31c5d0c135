#include "storage/stats_repo.hpp"

#include <fmt/format.h>

#include "storage/row_helpers.hpp"

namespace ik::storage {

Result<Counts> StatsRepo::grouped(const std::string& sql) {
  auto st = db_.prepare(sql);
  if (!st) return std::unexpected(st.error());
  return collect<std::pair<std::string, std::int64_t>>(*st, [](const Statement& s) {
    return std::pair{s.text(0), s.int64(1)};
  });
}

Result<Counts> StatsRepo::cases_by(std::string_view column) {
  if (column != "status" && column != "risk_level" && column != "origin") return fail(Errc::Sql, "unknown column");
  return grouped(fmt::format("SELECT {0}, count(*) FROM cases GROUP BY {0} ORDER BY {0}", column));
}

Result<Counts> StatsRepo::persons_by_gender() {
  return grouped("SELECT gender, count(*) FROM persons GROUP BY gender ORDER BY gender");
}

Result<Counts> StatsRepo::calls_by(std::string_view column) {
  if (column != "call_type" && column != "caller_type" && column != "channel") return fail(Errc::Sql, "unknown column");
  return grouped(fmt::format("SELECT {0}, count(*) FROM calls GROUP BY {0} ORDER BY {0}", column));
}

Result<Counts> StatsRepo::intakes_per_month(std::int64_t since) {
  auto st = db_.prepare(
      "SELECT strftime('%Y-%m', opened_at, 'unixepoch', 'localtime') AS m, count(*) FROM cases "
      "WHERE opened_at >= ?1 GROUP BY m ORDER BY m");
  if (!st) return std::unexpected(st.error());
  st->bind(1, since);
  return collect<std::pair<std::string, std::int64_t>>(*st, [](const Statement& s) {
    return std::pair{s.text(0), s.int64(1)};
  });
}

Result<std::vector<StatsRepo::StaySpan>> StatsRepo::stays_between(std::int64_t since, std::int64_t until) {
  auto st = db_.prepare(
      "SELECT admitted_at, discharged_at FROM stays WHERE admitted_at <= ?2 "
      "AND (discharged_at IS NULL OR discharged_at >= ?1)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, since).bind(2, until);
  return collect<StaySpan>(*st, [](const Statement& s) {
    return StaySpan{s.int64(0), s.opt_int64(1)};
  });
}

Result<std::int64_t> StatsRepo::count(std::string_view table) {
  if (table != "cases" && table != "persons" && table != "calls" && table != "audit_log" && table != "beds")
    return fail(Errc::Sql, "unknown table");
  return db_.scalar(fmt::format("SELECT count(*) FROM {}", table));
}

}  // namespace ik::storage
