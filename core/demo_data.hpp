#pragma once
// Synthetic records for the demo, tests and benchmarks. Every family name is made from a word
// that means "sample", "test" or "example" (Nümunəova, Sınaqov, Примерова…), so no record can be
// mistaken for a real person. Deterministic for a given seed.
#include <cstdint>

#include "core/error.hpp"

namespace ik::core {

class Session;

struct DemoDataOptions {
  int intakes = 0;
  int calls = 0;
  std::uint64_t seed = 1;
  int years_back = 3;       // records spread over this many years before now
  bool assign_beds = true;  // fill free beds with the newest active cases
};

struct DemoDataResult {
  int intakes = 0, calls = 0, beds_assigned = 0, closed = 0;
};

// Needs GenerateDemoData (admin, coordinator). Writes in batches of 1000 per transaction.
Result<DemoDataResult> generate_demo_data(Session& s, const DemoDataOptions& options);

}  // namespace ik::core
