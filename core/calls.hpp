#pragma once
// Hotline calls: quick capture (the screen starts the clock at the first tap), the ILO
// forced-labour indicators, action and referral to law enforcement, follow-up; and a call that
// becomes a shelter intake carries its data over.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/intake.hpp"
#include "storage/records.hpp"

namespace ik::core {

class Session;

// What the operator fills in; the service sets ids, authorship and times.
using CallForm = storage::CallRecord;

struct CallListItem {
  std::int64_t id = 0, started_at = 0, duration_s = 0;
  std::string channel, caller_type, call_type;
  bool le_referred = false;
  std::optional<std::string> follow_up_due;
  bool follow_up_done = false;
  std::optional<std::int64_t> case_id;
  // No caller name or phone in lists.
};

std::vector<FieldError> validate_call(const CallForm& form, std::int64_t now);

// A call being taken when the device locked, kept as the operator's encrypted draft.
struct CallDraft {
  std::int64_t id = 0;
  CallForm form;  // started_at as taken; duration_s = the timer when the device locked
  std::int64_t saved_at = 0;
};

std::string to_json(const CallForm& form);
Result<CallForm> call_from_json(std::string_view json);

class CallService {
 public:
  explicit CallService(Session& s) : s_(s) {}
  // Logs the call; deletes the operator's call draft `draft_id` (when not 0) in the same
  // transaction, so a logged call never comes back as a draft.
  Result<std::int64_t> log_call(const CallForm& form, std::int64_t draft_id = 0);
  // The call on screen when the device locks: the acting user's draft (kind "call", in the drafts
  // table inside the encrypted database), new when draft_id is 0 (replacing any older call
  // draft of theirs: one call is taken at a time). Drafts expire after kDraftLifetimeDays
  // untouched (core/retention.hpp). Returns the draft id.
  Result<std::int64_t> save_draft(std::int64_t draft_id, const CallForm& form);
  // The acting user's newest call draft, if any (never another user's). One that cannot be read
  // is removed (it could never be used) and reported as Errc::Damaged.
  Result<std::optional<CallDraft>> latest_draft();
  Result<void> discard_draft(std::int64_t draft_id);
  Result<std::vector<CallListItem>> list(std::int64_t offset, std::int64_t limit);
  Result<CallForm> open(std::int64_t call_id);  // audited
  Result<void> complete_follow_up(std::int64_t call_id);
  // An intake form filled from the call (caller's name and phone when the caller is the
  // potential victim, language, means of control suggested by the ILO indicators).
  Result<IntakeForm> intake_from_call(std::int64_t call_id);

 private:
  Session& s_;
};

}  // namespace ik::core
