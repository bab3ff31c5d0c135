#pragma once
// The shelter intake: a form filled in steps (consent first), saved as an encrypted draft after
// every step so a power cut loses at most the field being typed, and registered in one
// transaction (person, consents, case, exploitation, incoming referral, bed, search index,
// audit) — all of it or nothing.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/validation.hpp"
#include "storage/records.hpp"

namespace ik::core {

class Session;
class IsoCodes;

enum class IntakeStep { Consent = 0, Person, Exploitation, NeedsRisk, StatusSource, Bed, Review };
inline constexpr int kIntakeSteps = 7;

struct ConsentAnswers {
  bool manage_data = false;
  bool share_law_enforcement = false;
  bool referral = false;
  std::optional<std::string> given_on;  // the day consent was taken
};

struct IntakeForm {
  ConsentAnswers consent;
  storage::PersonRecord person;
  storage::ExploitationRecord exploitation;
  // Needs and risk.
  std::vector<std::string> needs;
  std::string risk_level = "medium";
  bool is_witness = false;
  std::optional<std::string> protection_measures;
  // Status and referral source.
  std::string scope = "national";
  std::string intake_source = "self";
  std::optional<std::string> source_organisation_type;
  std::optional<std::string> source_organisation;
  std::string repatriation_status = "not_applicable";
  std::optional<std::string> repatriation_destination;
  std::optional<std::string> notes;
  // Bed.
  std::optional<std::int64_t> bed_id;
  // When a hotline call became this intake.
  std::optional<std::int64_t> from_call_id;
};

// The rules of one step (Review checks them all).
std::vector<FieldError> validate_step(const IntakeForm& form, IntakeStep step, const IsoCodes& iso, std::int64_t now);

std::string to_json(const IntakeForm& form);
Result<IntakeForm> intake_from_json(std::string_view json);

struct DraftInfo {
  std::int64_t id = 0;
  int step = 0;
  std::int64_t updated_at = 0;
};

class IntakeService {
 public:
  explicit IntakeService(Session& s) : s_(s) {}
  // Saves the form as the acting user's draft (new when draft_id is 0); returns the draft id.
  Result<std::int64_t> save_draft(std::int64_t draft_id, const IntakeForm& form, IntakeStep step);
  Result<std::vector<DraftInfo>> drafts();
  Result<std::pair<IntakeForm, IntakeStep>> load_draft(std::int64_t draft_id);
  Result<void> discard_draft(std::int64_t draft_id);
  // Validates every step and registers; deletes the draft when given. Returns the case id.
  // Errors: Invalid (with fields), PermissionDenied, Conflict-like Invalid with kBedTaken.
  Result<std::int64_t> register_intake(const IntakeForm& form, std::int64_t draft_id = 0);

 private:
  Session& s_;
};

// Stores an already validated form (no permission check): for register_intake() and the
// synthetic demo data, which must write exactly what a real intake writes.
Result<std::int64_t> store_intake(Session& s, const IntakeForm& form, std::int64_t opened_at, std::int64_t draft_id = 0);

}  // namespace ik::core
