#pragma once
// Counts for the dashboard and `intakectl stats`: no personal data, only codes and numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/database.hpp"

namespace ik::storage {

using Counts = std::vector<std::pair<std::string, std::int64_t>>;

class StatsRepo {
 public:
  explicit StatsRepo(Database& db) : db_(db) {}
  Result<Counts> cases_by(std::string_view column);  // status, risk_level, origin
  Result<Counts> persons_by_gender();
  Result<Counts> calls_by(std::string_view column);  // call_type, caller_type, channel
  // "YYYY-MM" -> cases opened that month (local time), from `since` on.
  Result<Counts> intakes_per_month(std::int64_t since);
  Result<std::int64_t> count(std::string_view table);
  // Every stay that was open at some moment in [since, until]: admitted before `until` and not
  // discharged before `since`. Bed stays are few (one per admission), so the caller sweeps them.
  struct StaySpan {
    std::int64_t admitted_at = 0;
    std::optional<std::int64_t> discharged_at;
  };
  Result<std::vector<StaySpan>> stays_between(std::int64_t since, std::int64_t until);

 private:
  Result<Counts> grouped(const std::string& sql);
  Database& db_;
};

}  // namespace ik::storage
