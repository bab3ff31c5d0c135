#include "core/intake.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/audit.hpp"
#include "core/codes.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/search.hpp"
#include "core/session.hpp"
#include "storage/bed_repo.hpp"
#include "storage/call_repo.hpp"
#include "storage/case_repo.hpp"
#include "storage/draft_repo.hpp"
#include "storage/settings_repo.hpp"

namespace ik::core {
namespace {

constexpr std::size_t kMaxDraftJson = 64 * 1024;

void person_rules(Validator& v, const IntakeForm& f, const IsoCodes& iso) {
  const auto& p = f.person;
  v.text("given_name", p.given_name, 100);
  v.text("family_name", p.family_name, 100);
  v.text("alias", p.alias, 100);
  v.code("gender", p.gender, "gender", true);
  v.date("birth_date", p.birth_date);
  v.integer("age_estimate", p.age_estimate, 0, 120, msg::kAgeRange);
  v.country("citizenship", p.citizenship, iso);
  v.languages("languages", p.languages, iso);
  v.code("marital_status", p.marital_status, "marital_status");
  v.code("education", p.education, "education");
  v.phone("phone", p.phone);
  auto filled = [](const std::optional<std::string>& s) { return s && !s->empty(); };
  if (!f.consent.manage_data) {
    // Without consent the kiosk keeps nothing that identifies the person.
    for (const auto& [name, value] : {std::pair{"given_name", &p.given_name}, {"family_name", &p.family_name},
                                      {"birth_date", &p.birth_date}, {"phone", &p.phone}})
      if (filled(*value)) v.add(name, msg::kNoConsentNoIdentity);
  } else if (!filled(p.given_name) && !filled(p.family_name) && !filled(p.alias)) {
    v.add("given_name", msg::kNameOrAlias);
  }
}

void exploitation_rules(Validator& v, const storage::ExploitationRecord& e, const IsoCodes& iso) {
  v.codes("exploitation_types", e.types, "exploitation_type");
  v.code("labour_sector", e.labour_sector, "labour_sector");
  v.code("sexual_exploitation", e.sexual_exploitation, "sexual_exploitation");
  v.codes("means_of_control", e.means_of_control, "means_of_control");
  v.code("recruitment", e.recruitment, "recruitment");
  v.code("recruiter_relation", e.recruiter_relation, "recruiter_relation");
  v.countries("countries_origin", e.countries_origin, iso);
  v.countries("countries_transit", e.countries_transit, iso);
  v.countries("countries_exploitation", e.countries_exploitation, iso);
  v.date("exploitation_started_on", e.started_on);
  v.date("exploitation_ended_on", e.ended_on);
  v.date_order("exploitation_started_on", e.started_on, "exploitation_ended_on", e.ended_on);
}

}  // namespace

std::vector<FieldError> validate_step(const IntakeForm& f, IntakeStep step, const IsoCodes& iso, std::int64_t now) {
  Validator v(now);
  const bool all = step == IntakeStep::Review;
  if (all || step == IntakeStep::Consent) v.date("consent_given_on", f.consent.given_on, true);
  if (all || step == IntakeStep::Person) person_rules(v, f, iso);
  if (all || step == IntakeStep::Exploitation) exploitation_rules(v, f.exploitation, iso);
  if (all || step == IntakeStep::NeedsRisk) {
    v.codes("needs", codes::join(f.needs), "need");
    v.code("risk_level", f.risk_level, "risk_level", true);
    v.text("protection_measures", f.protection_measures, 1000, false, true);
  }
  if (all || step == IntakeStep::StatusSource) {
    v.code("scope", f.scope, "scope", true);
    v.code("intake_source", f.intake_source, "intake_source", true);
    v.code("source_organisation_type", f.source_organisation_type, "organisation_type");
    v.text("source_organisation", f.source_organisation, 200);
    v.code("repatriation_status", f.repatriation_status, "repatriation_status", true);
    v.country("repatriation_destination", f.repatriation_destination, iso);
    v.text("notes", f.notes, 2000, false, true);
  }
  return v.errors();
}

// --- drafts as JSON -------------------------------------------------------------------------

namespace {
using nlohmann::json;

template <class T>
void put(json& j, const char* k, const std::optional<T>& v) {
  if (v) j[k] = *v;
}
template <class T>
void get(const json& j, const char* k, std::optional<T>& v) {
  if (j.contains(k) && !j.at(k).is_null()) v = j.at(k).get<T>();
}
template <class T>
void get(const json& j, const char* k, T& v) {
  if (j.contains(k)) v = j.at(k).get<T>();
}
}  // namespace

std::string to_json(const IntakeForm& f) {
  json j;
  j["v"] = 1;
  j["consent"] = {{"manage_data", f.consent.manage_data},
                  {"share_law_enforcement", f.consent.share_law_enforcement},
                  {"referral", f.consent.referral}};
  put(j["consent"], "given_on", f.consent.given_on);
  json p;
  const auto& pr = f.person;
  put(p, "given_name", pr.given_name);
  put(p, "family_name", pr.family_name);
  put(p, "alias", pr.alias);
  p["gender"] = pr.gender;
  put(p, "birth_date", pr.birth_date);
  put(p, "age_estimate", pr.age_estimate);
  put(p, "citizenship", pr.citizenship);
  p["languages"] = pr.languages;
  put(p, "marital_status", pr.marital_status);
  put(p, "education", pr.education);
  put(p, "phone", pr.phone);
  j["person"] = p;
  json e;
  const auto& ex = f.exploitation;
  e["types"] = ex.types;
  put(e, "labour_sector", ex.labour_sector);
  put(e, "sexual_exploitation", ex.sexual_exploitation);
  e["means_of_control"] = ex.means_of_control;
  put(e, "recruitment", ex.recruitment);
  put(e, "recruiter_relation", ex.recruiter_relation);
  e["countries_origin"] = ex.countries_origin;
  e["countries_transit"] = ex.countries_transit;
  e["countries_exploitation"] = ex.countries_exploitation;
  put(e, "started_on", ex.started_on);
  put(e, "ended_on", ex.ended_on);
  j["exploitation"] = e;
  j["needs"] = f.needs;
  j["risk_level"] = f.risk_level;
  j["is_witness"] = f.is_witness;
  put(j, "protection_measures", f.protection_measures);
  j["scope"] = f.scope;
  j["intake_source"] = f.intake_source;
  put(j, "source_organisation_type", f.source_organisation_type);
  put(j, "source_organisation", f.source_organisation);
  j["repatriation_status"] = f.repatriation_status;
  put(j, "repatriation_destination", f.repatriation_destination);
  put(j, "notes", f.notes);
  put(j, "bed_id", f.bed_id);
  put(j, "from_call_id", f.from_call_id);
  return j.dump();
}

Result<IntakeForm> intake_from_json(std::string_view text) {
  if (text.size() > kMaxDraftJson) return fail(Errc::Damaged, "draft is too large");
  try {
    const json j = json::parse(text);
    if (!j.is_object() || j.value("v", 0) != 1) return fail(Errc::Damaged, "draft has an unknown format");
    IntakeForm f;
    if (j.contains("consent")) {
      const auto& c = j.at("consent");
      get(c, "manage_data", f.consent.manage_data);
      get(c, "share_law_enforcement", f.consent.share_law_enforcement);
      get(c, "referral", f.consent.referral);
      get(c, "given_on", f.consent.given_on);
    }
    if (j.contains("person")) {
      const auto& p = j.at("person");
      auto& pr = f.person;
      get(p, "given_name", pr.given_name);
      get(p, "family_name", pr.family_name);
      get(p, "alias", pr.alias);
      get(p, "gender", pr.gender);
      get(p, "birth_date", pr.birth_date);
      get(p, "age_estimate", pr.age_estimate);
      get(p, "citizenship", pr.citizenship);
      get(p, "languages", pr.languages);
      get(p, "marital_status", pr.marital_status);
      get(p, "education", pr.education);
      get(p, "phone", pr.phone);
    }
    if (j.contains("exploitation")) {
      const auto& e = j.at("exploitation");
      auto& ex = f.exploitation;
      get(e, "types", ex.types);
      get(e, "labour_sector", ex.labour_sector);
      get(e, "sexual_exploitation", ex.sexual_exploitation);
      get(e, "means_of_control", ex.means_of_control);
      get(e, "recruitment", ex.recruitment);
      get(e, "recruiter_relation", ex.recruiter_relation);
      get(e, "countries_origin", ex.countries_origin);
      get(e, "countries_transit", ex.countries_transit);
      get(e, "countries_exploitation", ex.countries_exploitation);
      get(e, "started_on", ex.started_on);
      get(e, "ended_on", ex.ended_on);
    }
    get(j, "needs", f.needs);
    get(j, "risk_level", f.risk_level);
    get(j, "is_witness", f.is_witness);
    get(j, "protection_measures", f.protection_measures);
    get(j, "scope", f.scope);
    get(j, "intake_source", f.intake_source);
    get(j, "source_organisation_type", f.source_organisation_type);
    get(j, "source_organisation", f.source_organisation);
    get(j, "repatriation_status", f.repatriation_status);
    get(j, "repatriation_destination", f.repatriation_destination);
    get(j, "notes", f.notes);
    get(j, "bed_id", f.bed_id);
    get(j, "from_call_id", f.from_call_id);
    return f;
  } catch (const json::exception&) {
    return fail(Errc::Damaged, "draft is not readable");
  }
}

// --- service ----------------------------------------------------------------------------------

Result<std::int64_t> IntakeService::save_draft(std::int64_t draft_id, const IntakeForm& form, IntakeStep step) {
  if (auto p = require(s_, Action::RegisterIntake); !p) return std::unexpected(p.error());
  const auto now = now_unix();
  storage::DraftRecord d{draft_id, s_.actor().id, "intake", static_cast<int>(step), to_json(form), now, now};
  auto id = storage::DraftRepo(s_.db()).save(d);
  if (!id) return std::unexpected(from(id.error()));
  return *id;
}

Result<std::vector<DraftInfo>> IntakeService::drafts() {
  if (auto p = require(s_, Action::RegisterIntake); !p) return std::unexpected(p.error());
  auto rows = storage::DraftRepo(s_.db()).for_user(s_.actor().id, "intake");
  if (!rows) return std::unexpected(from(rows.error()));
  std::vector<DraftInfo> out;
  for (const auto& r : *rows) out.push_back({r.id, r.step, r.updated_at});
  return out;
}

Result<std::pair<IntakeForm, IntakeStep>> IntakeService::load_draft(std::int64_t draft_id) {
  if (auto p = require(s_, Action::RegisterIntake); !p) return std::unexpected(p.error());
  auto row = storage::DraftRepo(s_.db()).get(draft_id);
  if (!row) return std::unexpected(from(row.error()));
  if (!*row || (*row)->user_id != s_.actor().id) return fail(Errc::NotFound, "no such draft");
  auto form = intake_from_json((*row)->payload);
  if (!form) return std::unexpected(form.error());
  const int step = std::clamp((*row)->step, 0, kIntakeSteps - 1);
  return std::pair{std::move(*form), static_cast<IntakeStep>(step)};
}

Result<void> IntakeService::discard_draft(std::int64_t draft_id) {
  auto d = load_draft(draft_id);
  if (!d) return std::unexpected(d.error());
  if (auto r = storage::DraftRepo(s_.db()).remove(draft_id); !r) return std::unexpected(from(r.error()));
  return {};
}

Result<std::int64_t> IntakeService::register_intake(const IntakeForm& form, std::int64_t draft_id) {
  if (auto p = require(s_, Action::RegisterIntake); !p) return std::unexpected(p.error());
  const auto now = now_unix();
  auto errors = validate_step(form, IntakeStep::Review, IsoCodes::system(), now);
  if (!errors.empty()) return invalid(std::move(errors));
  return store_intake(s_, form, now, draft_id);
}

Result<std::int64_t> store_intake(Session& s, const IntakeForm& form, std::int64_t opened_at, std::int64_t draft_id) {
  auto& db = s.db();
  const auto now = now_unix();
  storage::CaseRepo cases(db);
  std::optional<Error> refusal;
  auto r = db.transaction<std::int64_t>([&]() -> storage::Result<std::int64_t> {
    auto person_id = cases.insert_person(form.person, now);
    if (!person_id) return std::unexpected(person_id.error());
    const auto given_on = form.consent.given_on.value_or(today(opened_at));
    for (const auto& [kind, granted] : {std::pair{"manage_data", form.consent.manage_data},
                                        {"share_law_enforcement", form.consent.share_law_enforcement},
                                        {"referral", form.consent.referral}}) {
      storage::ConsentRecord c{0, *person_id, kind, granted, given_on, s.actor().id, now};
      if (auto e = cases.insert_consent(c); !e) return std::unexpected(e.error());
    }
    auto prefix = storage::SettingsRepo(db).get_text("device.case_prefix");
    if (!prefix) return std::unexpected(prefix.error());
    auto number = cases.next_case_number(prefix->value_or("IK"), today(opened_at).substr(0, 4));
    if (!number) return std::unexpected(number.error());
    storage::CaseRecord c;
    c.case_number = *number;
    c.person_id = *person_id;
    c.origin = "shelter";
    c.status = "active";
    c.risk_level = form.risk_level;
    c.is_witness = form.is_witness;
    c.protection_measures = form.protection_measures;
    c.scope = form.scope;
    c.repatriation_status = form.repatriation_status;
    c.repatriation_destination = form.repatriation_destination;
    c.needs = codes::join(form.needs);
    c.intake_source = form.intake_source;
    c.notes = form.notes;
    c.opened_at = opened_at;
    c.created_by = s.actor().id;
    c.updated_at = now;
    auto case_id = cases.insert_case(c);
    if (!case_id) return std::unexpected(case_id.error());
    if (auto e = cases.put_exploitation(*case_id, form.exploitation); !e) return std::unexpected(e.error());
    if (form.source_organisation && !form.source_organisation->empty()) {
      storage::ReferralRecord ref{0, *case_id, "incoming", form.source_organisation_type.value_or("other"),
                                  *form.source_organisation, "accepted", std::nullopt, now, now, s.actor().id};
      if (auto e = cases.insert_referral(ref); !e) return std::unexpected(e.error());
    }
    if (form.bed_id) {
      storage::BedRepo beds(db);
      auto bed = beds.bed(*form.bed_id);
      if (!bed) return std::unexpected(bed.error());
      if (!*bed || !(*bed)->active) {
        refusal = Error{Errc::Invalid, "unknown bed", {{"bed", std::string(msg::kUnknownBed), ""}}};
        return storage::fail(storage::Errc::Constraint, "unknown bed");
      }
      if (auto e = beds.admit(*case_id, *form.bed_id, opened_at); !e) {
        if (e.error().code == storage::Errc::Constraint)
          refusal = Error{Errc::Invalid, "bed already taken", {{"bed", std::string(msg::kBedTaken), ""}}};
        return std::unexpected(e.error());
      }
    }
    if (auto e = cases.set_search_tokens(*case_id, search_tokens(form.person, c.case_number)); !e)
      return std::unexpected(e.error());
    if (form.from_call_id) {
      storage::CallRepo calls(db);
      auto call = calls.get(*form.from_call_id);
      if (!call) return std::unexpected(call.error());
      if (*call) {
        (*call)->case_id = *case_id;
        (*call)->updated_at = now;
        if (auto e = calls.update(**call); !e) return std::unexpected(e.error());
      }
    }
    if (draft_id != 0) {
      if (auto e = storage::DraftRepo(db).remove(draft_id); !e) return std::unexpected(e.error());
    }
    if (auto a = audit(s, "create_case", "case", *case_id, form.bed_id ? "intake, bed assigned" : "intake"); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return *case_id;
  });
  if (!r) {
    if (refusal) return std::unexpected(*refusal);
    return std::unexpected(from(r.error()));
  }
  return *r;
}

}  // namespace ik::core
