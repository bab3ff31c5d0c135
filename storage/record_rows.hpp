#pragma once
// The column lists and row readers of persons, cases and calls, shared by the repositories that
// read whole records (CaseRepo, CallRepo, SyncRepo): one place keeps the SELECT list and the
// reader's column numbers in step. Internal to storage/.
#include <string_view>

#include "storage/records.hpp"
#include "storage/statement.hpp"

namespace ik::storage::rows {

inline constexpr std::string_view kPersonCols =
    "id, given_name, family_name, alias, gender, birth_date, age_estimate, citizenship, languages, "
    "marital_status, education, phone";
inline PersonRecord read_person(const Statement& s) {
  return {s.int64(0), s.opt_text(1), s.opt_text(2), s.opt_text(3), s.text(4), s.opt_text(5),
          s.opt_int64(6), s.opt_text(7), s.text(8), s.opt_text(9), s.opt_text(10), s.opt_text(11)};
}

inline constexpr std::string_view kCaseCols =
    "id, case_number, person_id, origin, status, risk_level, is_witness, protection_measures, scope, "
    "repatriation_status, repatriation_destination, needs, intake_source, notes, opened_at, closed_at, "
    "created_by, updated_at, hq_confirmed_at, purged_at";
inline CaseRecord read_case(const Statement& s) {
  CaseRecord c;
  c.id = s.int64(0);
  c.case_number = s.text(1);
  c.person_id = s.int64(2);
  c.origin = s.text(3);
  c.status = s.text(4);
  c.risk_level = s.text(5);
  c.is_witness = s.int64(6) != 0;
  c.protection_measures = s.opt_text(7);
  c.scope = s.text(8);
  c.repatriation_status = s.text(9);
  c.repatriation_destination = s.opt_text(10);
  c.needs = s.text(11);
  c.intake_source = s.text(12);
  c.notes = s.opt_text(13);
  c.opened_at = s.int64(14);
  c.closed_at = s.opt_int64(15);
  c.created_by = s.int64(16);
  c.updated_at = s.int64(17);
  c.hq_confirmed_at = s.opt_int64(18);
  c.purged_at = s.opt_int64(19);
  return c;
}

inline constexpr std::string_view kCallCols =
    "id, started_at, duration_s, channel, caller_type, language, region, call_type, ilo_indicators, actions, "
    "le_referred, le_unit, le_date, follow_up_due, follow_up_done, case_id, caller_name, phone, notes, created_by, "
    "created_at, updated_at, hq_confirmed_at, purged_at";

inline CallRecord read_call(const Statement& s) {
  CallRecord c;
  c.id = s.int64(0);
  c.started_at = s.int64(1);
  c.duration_s = s.int64(2);
  c.channel = s.text(3);
  c.caller_type = s.text(4);
  c.language = s.opt_text(5);
  c.region = s.opt_text(6);
  c.call_type = s.text(7);
  c.ilo_indicators = s.text(8);
  c.actions = s.text(9);
  c.le_referred = s.int64(10) != 0;
  c.le_unit = s.opt_text(11);
  c.le_date = s.opt_text(12);
  c.follow_up_due = s.opt_text(13);
  c.follow_up_done = s.int64(14) != 0;
  c.case_id = s.opt_int64(15);
  c.caller_name = s.opt_text(16);
  c.phone = s.opt_text(17);
  c.notes = s.opt_text(18);
  c.created_by = s.int64(19);
  c.created_at = s.int64(20);
  c.updated_at = s.int64(21);
  c.hq_confirmed_at = s.opt_int64(22);
  c.purged_at = s.opt_int64(23);
  return c;
}

}  // namespace ik::storage::rows
