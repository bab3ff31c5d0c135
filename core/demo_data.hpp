#pragma once
// Synthetic records for the demo, tests and benchmarks. Every family name is made from a word
// that means "sample", "test" or "example" (Nümunəova, Sınaqov, Примерова…), so no record can be
// mistaken for a real person. Deterministic for a given seed.
#include <cstdint>

#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "crypto/keys.hpp"

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

// A whole demo device (for screenshots and UI tests): one staff member per role, 50 beds and
// synthetic records. The passphrases are public on purpose: "demo-<role>-pass".
struct DemoStaff {
  std::string_view name, role, passphrase;
};
inline constexpr DemoStaff kDemoStaff[] = {
    {"Aysel", "officer", "demo-officer-pass"},     {"Leyla", "coordinator", "demo-coordinator-pass"},
    {"Murad", "hotline", "demo-hotline-pass"},     {"Admin", "admin", "demo-admin-pass"},
    {"Auditor", "auditor", "demo-auditor-pass"},
};
// HQ's public keys for the demo device. Without them (nullptr) a throwaway HQ is generated and its
// secrets dropped: the device works, but nothing can ever open its bundles or sign its receipts.
struct DemoHqKeys {
  crypto::PublicKey seal, sign, recovery;
};
Result<void> provision_demo_device(const DataDir& dir, int intakes, int calls, const DemoHqKeys* hq = nullptr);

}  // namespace ik::core
