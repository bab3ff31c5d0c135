#pragma once
// Persons, cases and what hangs off a case: consents, exploitation, referrals, services, and the
// case search index (FTS3, inside the encrypted database).
#include <vector>

#include "storage/database.hpp"
#include "storage/records.hpp"

namespace ik::storage {

class CaseRepo {
 public:
  explicit CaseRepo(Database& db) : db_(db) {}

  Result<std::int64_t> insert_person(const PersonRecord& p, std::int64_t now);
  Result<void> update_person(const PersonRecord& p, std::int64_t now);
  Result<std::optional<PersonRecord>> person(std::int64_t id);

  Result<std::int64_t> insert_case(const CaseRecord& c);
  Result<void> update_case(const CaseRecord& c);
  Result<std::optional<CaseRecord>> get(std::int64_t id);
  // Marks the case changed: anything hanging off it (service, referral, consent, stay) is part of
  // the case as HQ must confirm it, so retention compares against this time.
  Result<void> touch(std::int64_t case_id, std::int64_t now);
  Result<std::int64_t> count_cases_opened_since(std::int64_t since);
  // "PREFIX-YEAR-NNNN" from a per-prefix, per-year counter (call inside the insert's transaction).
  Result<std::string> next_case_number(const std::string& prefix, const std::string& year);

  Result<std::vector<CaseListRow>> page(const CaseFilter& f, std::int64_t offset, std::int64_t limit);
  // Matches; for a search at most kCountCap + 1 (meaning "more than kCountCap").
  static constexpr std::int64_t kCountCap = 10000;
  Result<std::int64_t> count(const CaseFilter& f);

  Result<std::int64_t> insert_consent(const ConsentRecord& c);
  // The newest consent of each kind for a person.
  Result<std::vector<ConsentRecord>> consents(std::int64_t person_id);

  Result<void> put_exploitation(std::int64_t case_id, const ExploitationRecord& e);
  Result<std::optional<ExploitationRecord>> exploitation(std::int64_t case_id);

  Result<std::int64_t> insert_referral(const ReferralRecord& r);
  Result<void> update_referral(const ReferralRecord& r);
  Result<std::optional<ReferralRecord>> referral(std::int64_t id);
  Result<std::vector<ReferralRecord>> referrals(std::int64_t case_id);

  Result<std::int64_t> insert_service(const ServiceRecord& s);
  Result<std::vector<ServiceRecord>> services(std::int64_t case_id);

  // The search index holds normalised tokens only (see core/search.hpp).
  Result<void> set_search_tokens(std::int64_t case_id, const std::string& tokens);
  Result<void> remove_search_tokens(std::int64_t case_id);
  // Merges FTS3 segments so deleted tokens are really gone from the file.
  Result<void> optimize_search();

 private:
  Database& db_;
};

}  // namespace ik::storage
