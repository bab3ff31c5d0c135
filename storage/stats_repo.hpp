#pragma once
// Counts for the dashboard and `intakectl stats`: no personal data, only codes and numbers.
#include <cstdint>
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

 private:
  Result<Counts> grouped(const std::string& sql);
  Database& db_;
};

}  // namespace ik::storage
