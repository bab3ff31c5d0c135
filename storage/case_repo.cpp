#include "storage/case_repo.hpp"

#include <fmt/format.h>

#include "storage/record_rows.hpp"
#include "storage/row_helpers.hpp"

namespace ik::storage {
namespace {

using rows::kCaseCols;
using rows::kPersonCols;
using rows::read_case;
using rows::read_person;

void bind_case(Statement& st, const CaseRecord& c) {
  st.bind(1, c.case_number).bind(2, c.person_id).bind(3, c.origin).bind(4, c.status).bind(5, c.risk_level)
      .bind(6, std::int64_t{c.is_witness}).bind(7, c.protection_measures).bind(8, c.scope)
      .bind(9, c.repatriation_status).bind(10, c.repatriation_destination).bind(11, c.needs)
      .bind(12, c.intake_source).bind(13, c.notes).bind(14, c.opened_at).bind(15, c.closed_at)
      .bind(16, c.created_by).bind(17, c.updated_at).bind(18, c.hq_confirmed_at).bind(19, c.purged_at);
}

std::string where_clause(const CaseFilter& f) {
  std::string w;
  auto add = [&](std::string_view cond) { w += w.empty() ? " WHERE " : " AND "; w += cond; };
  if (f.status) add("c.status = :status");
  if (f.origin) add("c.origin = :origin");
  if (f.fts_query) add("c.id IN (SELECT docid FROM case_search WHERE tokens MATCH :q)");
  return w;  // empty without a filter, so count(*) can use SQLite's b-tree count
}

}  // namespace

Result<std::int64_t> CaseRepo::insert_person(const PersonRecord& p, std::int64_t now) {
  auto st = db_.prepare(
      "INSERT INTO persons (given_name, family_name, alias, gender, birth_date, age_estimate, citizenship, "
      "languages, marital_status, education, phone, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, p.given_name).bind(2, p.family_name).bind(3, p.alias).bind(4, p.gender).bind(5, p.birth_date)
      .bind(6, p.age_estimate).bind(7, p.citizenship).bind(8, p.languages).bind(9, p.marital_status)
      .bind(10, p.education).bind(11, p.phone).bind(12, now);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.last_insert_id();
}

Result<void> CaseRepo::update_person(const PersonRecord& p, std::int64_t now) {
  auto st = db_.prepare(
      "UPDATE persons SET given_name = ?2, family_name = ?3, alias = ?4, gender = ?5, birth_date = ?6, "
      "age_estimate = ?7, citizenship = ?8, languages = ?9, marital_status = ?10, education = ?11, phone = ?12, "
      "updated_at = ?13 WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, p.id).bind(2, p.given_name).bind(3, p.family_name).bind(4, p.alias).bind(5, p.gender)
      .bind(6, p.birth_date).bind(7, p.age_estimate).bind(8, p.citizenship).bind(9, p.languages)
      .bind(10, p.marital_status).bind(11, p.education).bind(12, p.phone).bind(13, now);
  if (auto r = st->run(); !r) return r;
  if (db_.changes() == 0) return fail(Errc::NotFound, "no such person");
  return {};
}

Result<std::optional<PersonRecord>> CaseRepo::person(std::int64_t id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM persons WHERE id = ?1", kPersonCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return first<PersonRecord>(*st, read_person);
}

Result<std::int64_t> CaseRepo::insert_case(const CaseRecord& c) {
  auto st = db_.prepare(
      "INSERT INTO cases (case_number, person_id, origin, status, risk_level, is_witness, protection_measures, "
      "scope, repatriation_status, repatriation_destination, needs, intake_source, notes, opened_at, closed_at, "
      "created_by, updated_at, hq_confirmed_at, purged_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
  if (!st) return std::unexpected(st.error());
  bind_case(*st, c);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.last_insert_id();
}

Result<void> CaseRepo::update_case(const CaseRecord& c) {
  auto st = db_.prepare(
      "UPDATE cases SET case_number = ?1, person_id = ?2, origin = ?3, status = ?4, risk_level = ?5, "
      "is_witness = ?6, protection_measures = ?7, scope = ?8, repatriation_status = ?9, "
      "repatriation_destination = ?10, needs = ?11, intake_source = ?12, notes = ?13, opened_at = ?14, "
      "closed_at = ?15, created_by = ?16, updated_at = ?17, hq_confirmed_at = ?18, purged_at = ?19 "
      "WHERE id = ?20");
  if (!st) return std::unexpected(st.error());
  bind_case(*st, c);
  st->bind(20, c.id);
  if (auto r = st->run(); !r) return r;
  if (db_.changes() == 0) return fail(Errc::NotFound, "no such case");
  return {};
}

Result<std::optional<CaseRecord>> CaseRepo::get(std::int64_t id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM cases WHERE id = ?1", kCaseCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return first<CaseRecord>(*st, read_case);
}

Result<void> CaseRepo::touch(std::int64_t case_id, std::int64_t now) {
  auto st = db_.prepare("UPDATE cases SET updated_at = max(updated_at, ?2) WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id).bind(2, now);
  return st->run();
}

Result<std::int64_t> CaseRepo::count_cases_opened_since(std::int64_t since) {
  auto st = db_.prepare("SELECT count(*) FROM cases WHERE opened_at >= ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, since);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return st->int64(0);
}

Result<std::string> CaseRepo::next_case_number(const std::string& prefix, const std::string& year) {
  // A counter per prefix and year in settings: O(1) however many cases there are, and a serial
  // is never reused, not even after retention reduced a case to a stub.
  const auto key = fmt::format("case_serial/{}/{}", prefix, year);
  auto st = db_.prepare("SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, key);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  const std::int64_t next = (*row ? st->int64(0) : 0) + 1;
  auto put = db_.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");
  if (!put) return std::unexpected(put.error());
  put->bind(1, key).bind(2, std::to_string(next));
  if (auto r = put->run(); !r) return std::unexpected(r.error());
  return fmt::format("{}-{}-{:04}", prefix, year, next);
}

Result<std::vector<CaseListRow>> CaseRepo::page(const CaseFilter& f, std::int64_t offset, std::int64_t limit) {
  // The page's ids first, from the (status,) opened_at, id index alone; only those 50 rows are
  // then joined with persons and beds. Joining first would look up every skipped or matching
  // row (bench/records_bench.cpp --explain: a deep page 27 ms -> 0.8 ms, a search 70 -> 12 ms).
  auto st = db_.prepare(fmt::format(
      "SELECT c.id, c.case_number, p.given_name, p.family_name, p.alias, p.gender, c.status, c.risk_level, "
      "c.origin, c.opened_at, (SELECT b.label FROM stays s JOIN beds b ON b.id = s.bed_id "
      "WHERE s.case_id = c.id AND s.discharged_at IS NULL) "
      "FROM (SELECT c.id AS id FROM cases c{} ORDER BY c.opened_at DESC, c.id DESC LIMIT :limit OFFSET :offset) k "
      // CROSS JOIN keeps the 50 ids as the outer loop (SQLite never reorders a CROSS JOIN).
      "CROSS JOIN cases c ON c.id = k.id CROSS JOIN persons p ON p.id = c.person_id "
      "ORDER BY c.opened_at DESC, c.id DESC",
      where_clause(f)));
  if (!st) return std::unexpected(st.error());
  st->bind_named(":status", f.status).bind_named(":origin", f.origin).bind_named(":q", f.fts_query);
  st->bind_named(":limit", OptInt(limit)).bind_named(":offset", OptInt(offset));
  return collect<CaseListRow>(*st, [](const Statement& s) {
    return CaseListRow{s.int64(0), s.text(1), s.opt_text(2), s.opt_text(3), s.opt_text(4), s.text(5),
                       s.text(6), s.text(7), s.text(8), s.int64(9), s.opt_text(10)};
  });
}

Result<std::int64_t> CaseRepo::count(const CaseFilter& f) {
  // A search is counted up to kCountCap (past that the list says "more than"; counting every
  // match of a one-letter search costs more than the page). A list without a search is counted
  // exactly, from the index, so every case stays reachable by scrolling.
  // A plain search is counted in the full-text index alone, without a lookup per match.
  const bool plain_search = f.fts_query && !f.status && !f.origin;
  const auto sql = plain_search ? fmt::format("SELECT count(*) FROM (SELECT docid FROM case_search WHERE tokens MATCH :q "
                                              "LIMIT {})", kCountCap + 1)
                   : f.fts_query ? fmt::format("SELECT count(*) FROM (SELECT 1 FROM cases c{} LIMIT {})",
                                               where_clause(f), kCountCap + 1)
                                 : fmt::format("SELECT count(*) FROM cases c{}", where_clause(f));
  auto st = db_.prepare(sql);
  if (!st) return std::unexpected(st.error());
  st->bind_named(":status", f.status).bind_named(":origin", f.origin).bind_named(":q", f.fts_query);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return st->int64(0);
}

Result<std::int64_t> CaseRepo::insert_consent(const ConsentRecord& c) {
  auto st = db_.prepare(
      "INSERT INTO consents (person_id, kind, granted, given_on, taken_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, c.person_id).bind(2, c.kind).bind(3, std::int64_t{c.granted}).bind(4, c.given_on)
      .bind(5, c.taken_by).bind(6, c.recorded_at);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.last_insert_id();
}

Result<std::vector<ConsentRecord>> CaseRepo::consents(std::int64_t person_id) {
  auto st = db_.prepare(
      "SELECT id, person_id, kind, granted, given_on, taken_by, recorded_at FROM consents c "
      "WHERE person_id = ?1 AND id = (SELECT max(id) FROM consents d WHERE d.person_id = c.person_id AND d.kind = c.kind) "
      "ORDER BY kind");
  if (!st) return std::unexpected(st.error());
  st->bind(1, person_id);
  return collect<ConsentRecord>(*st, [](const Statement& s) {
    return ConsentRecord{s.int64(0), s.int64(1), s.text(2), s.int64(3) != 0, s.text(4), s.int64(5), s.int64(6)};
  });
}

Result<void> CaseRepo::put_exploitation(std::int64_t case_id, const ExploitationRecord& e) {
  auto st = db_.prepare(
      "INSERT OR REPLACE INTO exploitations (case_id, types, labour_sector, sexual_exploitation, means_of_control, "
      "recruitment, recruiter_relation, countries_origin, countries_transit, countries_exploitation, started_on, "
      "ended_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id).bind(2, e.types).bind(3, e.labour_sector).bind(4, e.sexual_exploitation)
      .bind(5, e.means_of_control).bind(6, e.recruitment).bind(7, e.recruiter_relation).bind(8, e.countries_origin)
      .bind(9, e.countries_transit).bind(10, e.countries_exploitation).bind(11, e.started_on).bind(12, e.ended_on);
  return st->run();
}

Result<std::optional<ExploitationRecord>> CaseRepo::exploitation(std::int64_t case_id) {
  auto st = db_.prepare(
      "SELECT types, labour_sector, sexual_exploitation, means_of_control, recruitment, recruiter_relation, "
      "countries_origin, countries_transit, countries_exploitation, started_on, ended_on FROM exploitations "
      "WHERE case_id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id);
  return first<ExploitationRecord>(*st, [](const Statement& s) {
    return ExploitationRecord{s.text(0), s.opt_text(1), s.opt_text(2), s.text(3), s.opt_text(4), s.opt_text(5),
                              s.text(6), s.text(7), s.text(8), s.opt_text(9), s.opt_text(10)};
  });
}

namespace {
constexpr std::string_view kReferralCols =
    "id, case_id, direction, organisation_type, organisation, status, reason, created_at, updated_at, created_by";
ReferralRecord read_referral(const Statement& s) {
  return {s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.opt_text(6), s.int64(7),
          s.int64(8), s.int64(9)};
}
}  // namespace

Result<std::int64_t> CaseRepo::insert_referral(const ReferralRecord& r) {
  auto st = db_.prepare(
      "INSERT INTO referrals (case_id, direction, organisation_type, organisation, status, reason, created_at, "
      "updated_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, r.case_id).bind(2, r.direction).bind(3, r.organisation_type).bind(4, r.organisation).bind(5, r.status)
      .bind(6, r.reason).bind(7, r.created_at).bind(8, r.updated_at).bind(9, r.created_by);
  if (auto e = st->run(); !e) return std::unexpected(e.error());
  return db_.last_insert_id();
}

Result<void> CaseRepo::update_referral(const ReferralRecord& r) {
  auto st = db_.prepare("UPDATE referrals SET status = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, r.id).bind(2, r.status).bind(3, r.reason).bind(4, r.updated_at);
  return st->run();
}

Result<std::optional<ReferralRecord>> CaseRepo::referral(std::int64_t id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM referrals WHERE id = ?1", kReferralCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, id);
  return first<ReferralRecord>(*st, read_referral);
}

Result<std::vector<ReferralRecord>> CaseRepo::referrals(std::int64_t case_id) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM referrals WHERE case_id = ?1 ORDER BY id", kReferralCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id);
  return collect<ReferralRecord>(*st, read_referral);
}

Result<std::int64_t> CaseRepo::insert_service(const ServiceRecord& s) {
  auto st = db_.prepare(
      "INSERT INTO services (case_id, type, given_on, given_by, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, s.case_id).bind(2, s.type).bind(3, s.given_on).bind(4, s.given_by).bind(5, s.note).bind(6, s.created_at);
  if (auto e = st->run(); !e) return std::unexpected(e.error());
  return db_.last_insert_id();
}

Result<std::vector<ServiceRecord>> CaseRepo::services(std::int64_t case_id) {
  auto st = db_.prepare(
      "SELECT id, case_id, type, given_on, given_by, note, created_at FROM services WHERE case_id = ?1 "
      "ORDER BY given_on, id");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id);
  return collect<ServiceRecord>(*st, [](const Statement& s) {
    return ServiceRecord{s.int64(0), s.int64(1), s.text(2), s.text(3), s.int64(4), s.opt_text(5), s.int64(6)};
  });
}

Result<void> CaseRepo::set_search_tokens(std::int64_t case_id, const std::string& tokens) {
  if (auto r = remove_search_tokens(case_id); !r) return r;
  auto st = db_.prepare("INSERT INTO case_search (docid, tokens) VALUES (?1, ?2)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id).bind(2, tokens);
  return st->run();
}

Result<void> CaseRepo::remove_search_tokens(std::int64_t case_id) {
  auto st = db_.prepare("DELETE FROM case_search WHERE docid = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, case_id);
  return st->run();
}

Result<void> CaseRepo::optimize_search() {
  return db_.exec("INSERT INTO case_search (case_search) VALUES ('optimize')");
}

}  // namespace ik::storage
