#pragma once
// Non-personal counts for coordinators and admins: cases by status, calls by type, beds.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/beds.hpp"
#include "core/error.hpp"

namespace ik::core {

class Session;

using Counts = std::vector<std::pair<std::string, std::int64_t>>;

struct Stats {
  std::int64_t persons = 0, cases = 0, calls = 0, beds = 0, beds_occupied = 0;
  Counts cases_by_status, cases_by_risk, persons_by_gender, calls_by_type, calls_by_caller;
  Counts intakes_per_month;  // the last 12 months
  std::vector<WingView> wings;
};

Result<Stats> stats(Session& s);
std::string to_json(const Stats& stats);

}  // namespace ik::core
