#pragma once
// Closed code lists of the records, aligned with the Human Trafficking Case Data Standard
// (HTCDS) and the CTDC dataset. A code is stored as its string; its English label is the msgid
// the UI translates. docs/data-dictionary.md lists the same lists (a test keeps them in step).
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ik::core::codes {

struct Code {
  std::string_view code;
  std::string_view label;  // English, also the gettext msgid
  std::string_view ctdc;   // CTDC column or value it maps to ("" when it has none)
};

struct CodeList {
  std::string_view name;
  std::span<const Code> codes;
  bool contains(std::string_view code) const;
  std::string_view label(std::string_view code) const;  // "" for an unknown code
};

// Every list, by name: gender, marital_status, education, exploitation_type, labour_sector,
// sexual_exploitation, means_of_control, recruitment, recruiter_relation, case_status,
// risk_level, scope, repatriation_status, referral_direction, referral_status,
// organisation_type, wing, discharge_reason, service_type, call_channel, caller_type,
// call_type, ilo_indicator, call_action, consent_kind, need, intake_source.
std::span<const CodeList> all_lists();
const CodeList& list(std::string_view name);  // aborts on an unknown list name (a programming error)

// Multi-valued fields are stored as sorted, comma-separated codes.
std::string join(std::vector<std::string> codes);
std::vector<std::string> split(std::string_view joined);

}  // namespace ik::core::codes
