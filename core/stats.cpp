#include "core/stats.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/permissions.hpp"
#include "core/session.hpp"
#include "storage/bed_repo.hpp"
#include "storage/stats_repo.hpp"

namespace ik::core {
namespace {

// Local midnight at the start of the day `offset` days from the day of `t` (DST-safe: mktime
// normalises the day of the month and finds the offset in force that day).
std::int64_t local_midnight(std::int64_t t, int offset) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  tm.tm_mday += offset;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm));
}

std::string local_day(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

std::vector<std::int64_t> occupied_at(std::span<const StaySpan> stays, std::span<const std::int64_t> at) {
  std::vector<std::int64_t> in, out;
  in.reserve(stays.size());
  for (const auto& s : stays) {
    in.push_back(s.admitted_at);
    if (s.discharged_at) out.push_back(*s.discharged_at);
  }
  std::sort(in.begin(), in.end());
  std::sort(out.begin(), out.end());
  std::vector<std::int64_t> counts;
  counts.reserve(at.size());
  std::size_t i = 0, o = 0;
  for (const auto t : at) {
    // Present at t: admitted at or before t, and not yet discharged (a discharge at t has left).
    while (i < in.size() && in[i] <= t) ++i;
    while (o < out.size() && out[o] <= t) ++o;
    counts.push_back(static_cast<std::int64_t>(i) - static_cast<std::int64_t>(o));
  }
  return counts;
}

Result<std::vector<DayCount>> occupancy_per_day(Session& s, int days, std::int64_t now) {
  if (auto p = require(s, Action::ViewStats); !p) return std::unexpected(p.error());
  days = std::clamp(days, 1, 3660);
  // The instant counted for each day: the last second before the next local midnight; today, now.
  std::vector<std::int64_t> at;
  std::vector<DayCount> out;
  at.reserve(static_cast<std::size_t>(days));
  out.reserve(static_cast<std::size_t>(days));
  for (int d = days - 1; d >= 0; --d) {
    const std::int64_t start = local_midnight(now, -d);
    at.push_back(d == 0 ? now : local_midnight(now, -d + 1) - 1);
    out.push_back({local_day(start), 0});
  }
  auto rows = storage::StatsRepo(s.db()).stays_between(local_midnight(now, -(days - 1)), now);
  if (!rows) return std::unexpected(from(rows.error()));
  std::vector<StaySpan> spans;
  spans.reserve(rows->size());
  for (const auto& r : *rows) spans.push_back({r.admitted_at, r.discharged_at});
  const auto counts = occupied_at(spans, at);
  for (std::size_t k = 0; k < out.size(); ++k) out[k].occupied = counts[k];
  return out;
}

Result<Stats> stats(Session& s) {
  if (auto p = require(s, Action::ViewStats); !p) return std::unexpected(p.error());
  storage::StatsRepo repo(s.db());
  Stats out;
  auto fill = [](auto result, auto& into) -> bool {
    if (!result) return false;
    into = std::move(*result);
    return true;
  };
  const bool ok = fill(repo.count("persons"), out.persons) && fill(repo.count("cases"), out.cases) &&
                  fill(repo.count("calls"), out.calls) && fill(repo.cases_by("status"), out.cases_by_status) &&
                  fill(repo.cases_by("risk_level"), out.cases_by_risk) &&
                  fill(repo.persons_by_gender(), out.persons_by_gender) &&
                  fill(repo.calls_by("call_type"), out.calls_by_type) &&
                  fill(repo.calls_by("caller_type"), out.calls_by_caller) &&
                  fill(repo.intakes_per_month(now_unix() - 366 * 86400), out.intakes_per_month);
  if (!ok) return fail(Errc::Internal, "cannot read the statistics");
  auto series = occupancy_per_day(s, kOccupancyDays, now_unix());
  if (!series) return std::unexpected(series.error());
  out.occupancy_per_day = std::move(*series);
  auto occ = storage::BedRepo(s.db()).occupancy();
  if (!occ) return std::unexpected(from(occ.error()));
  for (const auto& w : *occ) {
    out.wings.push_back({w.wing, w.beds, w.occupied});
    out.beds += w.beds;
    out.beds_occupied += w.occupied;
  }
  return out;
}

std::string to_json(const Stats& st) {
  using nlohmann::json;
  auto counts = [](const Counts& c) {
    json j = json::object();
    for (const auto& [k, v] : c) j[k] = v;
    return j;
  };
  json wings = json::object();
  for (const auto& w : st.wings) wings[w.wing] = {{"beds", w.beds}, {"occupied", w.occupied}};
  json occupancy = json::object();
  for (const auto& d : st.occupancy_per_day) occupancy[d.day] = d.occupied;
  json j = {
      {"persons", st.persons},
      {"cases", {{"total", st.cases}, {"by_status", counts(st.cases_by_status)}, {"by_risk", counts(st.cases_by_risk)}}},
      {"persons_by_gender", counts(st.persons_by_gender)},
      {"calls", {{"total", st.calls}, {"by_type", counts(st.calls_by_type)}, {"by_caller", counts(st.calls_by_caller)}}},
      {"intakes_per_month", counts(st.intakes_per_month)},
      {"beds", {{"total", st.beds}, {"occupied", st.beds_occupied}, {"wings", wings}, {"occupied_per_day", occupancy}}},
  };
  return j.dump(2);
}

}  // namespace ik::core
