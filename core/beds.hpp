#pragma once
// The shelter's beds: wings (women, girls, men, boys), 50 beds by default, configurable. A bed
// is assigned at intake or later and released at discharge; never given twice (the storage
// layer's unique index makes even a race lose cleanly).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace ik::core {

class Session;

struct BedLayout {
  std::map<std::string, int> beds_per_wing{{"women", 20}, {"girls", 10}, {"men", 12}, {"boys", 8}};
  int total() const;
};

struct BedView {
  std::int64_t id = 0;
  std::string wing, label;
  std::optional<std::string> case_number;  // who is in it — a case number, never a name
  std::optional<std::int64_t> case_id;
};

struct WingView {
  std::string wing;
  std::int64_t beds = 0, occupied = 0;
};

// The wing a person would normally sleep in (women, girls, men, boys), from gender and age at
// `now`; nullopt when gender or age is unknown (staff decide).
std::optional<std::string> suggested_wing(const std::string& gender, const std::optional<std::string>& birth_date,
                                          const std::optional<std::int64_t>& age_estimate, std::int64_t now);

class BedService {
 public:
  explicit BedService(Session& s) : s_(s) {}
  // Adds beds up to the layout (never removes one); admin only. Returns how many were added.
  Result<int> configure(const BedLayout& layout);
  Result<std::vector<BedView>> board();
  Result<std::vector<WingView>> occupancy();
  Result<void> assign(std::int64_t case_id, std::int64_t bed_id);
  // Ends the case's stay with a discharge reason code.
  Result<void> release(std::int64_t case_id, const std::string& reason);

 private:
  Session& s_;
};

}  // namespace ik::core
