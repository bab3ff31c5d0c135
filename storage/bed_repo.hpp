#pragma once
// Beds and shelter stays. "No bed is given twice" is a unique partial index on open stays,
// so even two racing writers cannot both succeed.
#include <vector>

#include "storage/database.hpp"
#include "storage/records.hpp"

namespace ik::storage {

struct WingOccupancy {
  std::string wing;
  std::int64_t beds = 0, occupied = 0;
};

class BedRepo {
 public:
  explicit BedRepo(Database& db) : db_(db) {}
  Result<std::int64_t> insert_bed(const std::string& wing, const std::string& label);
  Result<std::vector<BedRecord>> beds();  // with occupied_by_case filled
  Result<std::optional<BedRecord>> bed(std::int64_t id);
  Result<std::int64_t> count_beds();
  Result<std::vector<WingOccupancy>> occupancy();
  // Errc::Constraint when the bed or the case already has an open stay.
  Result<std::int64_t> admit(std::int64_t case_id, std::int64_t bed_id, std::int64_t at);
  Result<std::optional<StayRecord>> open_stay(std::int64_t case_id);
  Result<std::vector<StayRecord>> stays(std::int64_t case_id);
  Result<void> discharge(std::int64_t stay_id, std::int64_t at, const std::string& reason);

 private:
  Database& db_;
};

}  // namespace ik::storage
