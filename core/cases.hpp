#pragma once
// Following a case: the masked list and search, the case page (every opening audited), revealing
// a name (audited), services, referrals with their lifecycle (refused without consent), consent
// changes, status, risk and repatriation.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "storage/records.hpp"

namespace ik::core {

class Session;

inline constexpr std::string_view kMaskedName = "\u2022\u2022\u2022\u2022\u2022\u2022";

struct CaseListItem {
  std::int64_t id = 0;
  std::string case_number;
  std::string gender, status, risk_level;
  std::int64_t opened_at = 0;
  std::optional<std::string> bed_label;
  // Never a name: names come only through reveal_name(), one at a time, audited.
};

struct CaseQuery {
  std::optional<std::string> status;  // a case_status code
  std::string text;                   // name, alias, case number or phone, as typed
};

struct CasePage {
  std::vector<CaseListItem> items;
  std::int64_t total = 0;     // exact, except for a search: see total_capped
  bool total_capped = false;  // a search with more matches than were counted
};

struct CaseDetails {
  storage::CaseRecord record;
  storage::PersonRecord person;
  std::vector<storage::ConsentRecord> consents;
  std::optional<storage::ExploitationRecord> exploitation;
  std::vector<storage::ReferralRecord> referrals;
  std::vector<storage::ServiceRecord> services;
  std::vector<storage::StayRecord> stays;
};

struct ServiceForm {
  std::string type;
  std::optional<std::string> given_on;
  std::optional<std::string> note;
};

struct ReferralForm {
  std::string organisation_type;
  std::optional<std::string> organisation;
  std::optional<std::string> reason;
};

class CaseService {
 public:
  explicit CaseService(Session& s) : s_(s) {}
  Result<CasePage> list(const CaseQuery& q, std::int64_t offset, std::int64_t limit);
  Result<std::string> reveal_name(std::int64_t case_id);
  Result<CaseDetails> open(std::int64_t case_id);

  Result<std::int64_t> add_service(std::int64_t case_id, const ServiceForm& form);
  // An outgoing referral: needs the person's consent to be referred, and for law enforcement
  // also their consent to share with law enforcement.
  Result<std::int64_t> refer(std::int64_t case_id, const ReferralForm& form);
  // pending -> accepted | rejected (a reason is required); accepted -> done.
  Result<void> set_referral_status(std::int64_t referral_id, const std::string& status,
                                   const std::optional<std::string>& reason);
  Result<void> record_consent(std::int64_t case_id, const std::string& kind, bool granted, const std::string& given_on);
  // Closing needs the stay ended first; reopening clears closed_at.
  Result<void> set_status(std::int64_t case_id, const std::string& status);
  Result<void> set_risk(std::int64_t case_id, const std::string& risk_level);
  Result<void> set_repatriation(std::int64_t case_id, const std::string& status,
                                const std::optional<std::string>& destination);

 private:
  Result<storage::CaseRecord> load_for(std::int64_t case_id);
  Result<void> save_case(storage::CaseRecord& c, std::string_view what);
  Session& s_;
};

}  // namespace ik::core
