#pragma once
// Non-personal counts for coordinators and admins: cases by status, calls by type, beds, and
// the beds occupied day by day.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/beds.hpp"
#include "core/error.hpp"

namespace ik::core {

class Session;

using Counts = std::vector<std::pair<std::string, std::int64_t>>;

// One day of the occupancy series: the beds taken at the end of that (local) day — a midnight
// census, the way shelters count bed-nights — or, for today, right now.
struct DayCount {
  std::string day;  // local "YYYY-MM-DD"
  std::int64_t occupied = 0;
};

inline constexpr int kOccupancyDays = 90;

struct Stats {
  std::int64_t persons = 0, cases = 0, calls = 0, beds = 0, beds_occupied = 0;
  Counts cases_by_status, cases_by_risk, persons_by_gender, calls_by_type, calls_by_caller;
  Counts intakes_per_month;  // the last 12 months
  std::vector<WingView> wings;
  std::vector<DayCount> occupancy_per_day;  // the last kOccupancyDays days, oldest first
};

Result<Stats> stats(Session& s);
std::string to_json(const Stats& stats);

// The occupancy series alone: `days` days ending with the day of `now`, oldest first.
Result<std::vector<DayCount>> occupancy_per_day(Session& s, int days, std::int64_t now);

// The sweep behind it, apart from the database: stays as [admitted_at, discharged_at) (nullopt:
// still there) counted at each instant of `at` (ascending). O((stays + instants) log stays).
struct StaySpan {
  std::int64_t admitted_at = 0;
  std::optional<std::int64_t> discharged_at;
};
std::vector<std::int64_t> occupied_at(std::span<const StaySpan> stays, std::span<const std::int64_t> at);

}  // namespace ik::core
