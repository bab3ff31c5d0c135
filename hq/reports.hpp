#pragma once
// Headquarters' reports over what devices sent (docs/bundle-format.md, payload kind 1): counts
// for `hq-intake stats --json`, a self-contained HTML page with charts for the national action
// plan, and the CTDC export, k-anonymised. Inputs are the records as imported (one JSON object
// per case, call and bed, in the payload's own shape), so reports do not depend on the store.
#include <cstdint>
#include <filesystem>
#include <string>
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
struct CtdcExportResult {
  std::int64_t rows_written = 0, rows_suppressed = 0;
};
// CTDC columns; rows whose quasi-identifier combination has fewer than k people are suppressed.
core::Result<CtdcExportResult> export_ctdc(const ReportInput& input, int k, const std::filesystem::path& out);

}  // namespace ik::hq
