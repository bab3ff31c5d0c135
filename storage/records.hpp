#pragma once
// The shape of stored records: plain data, codes as strings, dates as "YYYY-MM-DD" text,
// moments as unix seconds. core/ owns their meaning and rules (code lists, validation,
// permissions, audit); storage/ only keeps them. Multi-valued codes are comma-joined.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ik::storage {

using OptText = std::optional<std::string>;
using OptInt = std::optional<std::int64_t>;

struct PersonRecord {
  std::int64_t id = 0;
  OptText given_name, family_name, alias;  // personal
  std::string gender = "unknown";
  OptText birth_date;                      // personal
  OptInt age_estimate;
  OptText citizenship;                     // ISO 3166-1 alpha-2
  std::string languages;                   // ISO 639-3, comma-joined
  OptText marital_status, education;
  OptText phone;                           // personal
};

struct ConsentRecord {
  std::int64_t id = 0, person_id = 0;
  std::string kind;
  bool granted = false;
  std::string given_on;
  std::int64_t taken_by = 0, recorded_at = 0;
};

struct ExploitationRecord {
  std::string types;
  OptText labour_sector, sexual_exploitation;
  std::string means_of_control;
  OptText recruitment, recruiter_relation;
  std::string countries_origin, countries_transit, countries_exploitation;
  OptText started_on, ended_on;
};

struct CaseRecord {
  std::int64_t id = 0;
  std::string case_number;
  std::int64_t person_id = 0;
  std::string origin = "shelter";  // shelter | hotline
  std::string status = "active";
  std::string risk_level = "medium";
  bool is_witness = false;
  OptText protection_measures;
  std::string scope = "national";
  std::string repatriation_status = "not_applicable";
  OptText repatriation_destination;
  std::string needs;
  std::string intake_source = "self";
  OptText notes;
  std::int64_t opened_at = 0;
  OptInt closed_at;
  std::int64_t created_by = 0;
  std::int64_t updated_at = 0;
  OptInt hq_confirmed_at, purged_at;
};

struct ReferralRecord {
  std::int64_t id = 0, case_id = 0;
  std::string direction, organisation_type, organisation, status = "pending";
  OptText reason;
  std::int64_t created_at = 0, updated_at = 0, created_by = 0;
};

struct BedRecord {
  std::int64_t id = 0;
  std::string wing, label;
  bool active = true;
  OptInt occupied_by_case;  // filled by listings
};

struct StayRecord {
  std::int64_t id = 0, case_id = 0, bed_id = 0, admitted_at = 0;
  OptInt discharged_at;
  OptText discharge_reason;
};

struct ServiceRecord {
  std::int64_t id = 0, case_id = 0;
  std::string type, given_on;
  std::int64_t given_by = 0;
  OptText note;
  std::int64_t created_at = 0;
};

struct CallRecord {
  std::int64_t id = 0;
  std::int64_t started_at = 0, duration_s = 0;
  std::string channel = "phone", caller_type = "anonymous";
  OptText language, region;
  std::string call_type = "information";
  std::string ilo_indicators, actions;
  bool le_referred = false;
  OptText le_unit, le_date, follow_up_due;
  bool follow_up_done = false;
  OptInt case_id;
  OptText caller_name, phone, notes;  // personal
  std::int64_t created_by = 0, created_at = 0, updated_at = 0;
  OptInt hq_confirmed_at, purged_at;
};

struct DraftRecord {
  std::int64_t id = 0, user_id = 0;
  std::string kind;
  int step = 0;
  std::string payload;  // JSON, inside the encrypted database
  std::int64_t created_at = 0, updated_at = 0;
};

struct AuditRecord {
  std::int64_t seq = 0, at = 0, actor_id = 0;
  std::string actor_name, action, entity;
  std::int64_t entity_id = 0;
  std::string detail;  // never personal data: codes, field names, counts
  std::vector<std::uint8_t> prev_hash, hash;
};

struct CheckpointRecord {
  std::int64_t seq = 0;
  std::vector<std::uint8_t> hash, signature;
  std::int64_t at = 0;
};

// One line of the case list: enough to draw it, with the name fields for masking/reveal.
struct CaseListRow {
  std::int64_t id = 0;
  std::string case_number;
  OptText given_name, family_name, alias;
  std::string gender, status, risk_level, origin;
  std::int64_t opened_at = 0;
  OptText bed_label;
};

struct CaseFilter {
  OptText status;
  OptText origin;
  OptText fts_query;  // an FTS3 MATCH expression over case_search (already normalised)
};

}  // namespace ik::storage
