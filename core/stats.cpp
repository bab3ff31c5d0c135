#include "core/stats.hpp"

#include <nlohmann/json.hpp>

#include "core/permissions.hpp"
#include "core/session.hpp"
#include "storage/bed_repo.hpp"
#include "storage/stats_repo.hpp"

namespace ik::core {

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
  json j = {
      {"persons", st.persons},
      {"cases", {{"total", st.cases}, {"by_status", counts(st.cases_by_status)}, {"by_risk", counts(st.cases_by_risk)}}},
      {"persons_by_gender", counts(st.persons_by_gender)},
      {"calls", {{"total", st.calls}, {"by_type", counts(st.calls_by_type)}, {"by_caller", counts(st.calls_by_caller)}}},
      {"intakes_per_month", counts(st.intakes_per_month)},
      {"beds", {{"total", st.beds}, {"occupied", st.beds_occupied}, {"wings", wings}}},
  };
  return j.dump(2);
}

}  // namespace ik::core
