#pragma once
// Headquarters' reports over what devices sent (docs/bundle-format.md, payload kind 1): counts
// for `hq-intake stats --json`, a self-contained HTML page with charts for the national action
// plan, and the CTDC export, k-anonymised. Inputs are the records as imported (one JSON object
// per case, call and bed, in the payload's own shape), so reports do not depend on the store.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ik::hq {

struct DeviceRecords {
  std::string device_key_id;  // 16 hex digits
  std::string label;          // as given at enrolment (a shelter's name or code)
  std::vector<nlohmann::json> cases, calls, beds;
};

struct ReportInput {
  std::vector<DeviceRecords> devices;
  std::int64_t generated_at = 0;
};

// Counts per device and category (no names, no free text).
nlohmann::json build_stats(const ReportInput& input);
// period "YYYY-MM": the month the page is about; charts also show the twelve months up to it.
core::Result<void> write_report_html(const ReportInput& input, const std::string& period,
                                     const std::filesystem::path& out);
// What export_ctdc did, in counts only: never a value.
struct CtdcExportResult {
  std::int64_t records = 0;          // cases held, one candidate row each
  std::int64_t rows_written = 0;     // rows in the file
  std::int64_t records_dropped = 0;  // left out: records - rows_written
  // Quasi-identifier cells emptied in the rows written, per column in file order
  // (yearOfRegistration, gender, ageBroad, majorityStatus, citizenship, CountryOfExploitation).
  std::vector<std::pair<std::string, std::int64_t>> cells_suppressed;
  std::int64_t rows_with_suppression = 0;  // rows written with at least one such cell
  std::int64_t cells_suppressed_total() const;
};
// The CTDC columns, k-anonymised: every combination of quasi-identifier values in the file is
// shared by at least k rows of it, an empty (unknown or suppressed) cell counting as a value of
// its own. Generalisation and local suppression of quasi-identifier cells come first; a record is
// left out only when no suppression keeps it (hq/reports.cpp, [SECTION] CTDC export). Fewer than
// k records in all: the file holds the header only. The file is replaced atomically, mode 0600.
core::Result<CtdcExportResult> export_ctdc(const ReportInput& input, int k, const std::filesystem::path& out);
// What `hq-intake export-ctdc` prints about it: counts and column names only, never a value.
std::string describe_ctdc_export(const CtdcExportResult& r, int k,
                                 const std::filesystem::path& out);

}  // namespace ik::hq
