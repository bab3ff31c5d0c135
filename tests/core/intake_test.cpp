// The shelter intake: registered whole (or not at all), read back through the case page, drafts
// saved per step, and a hotline call turned into an intake.
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/calls.hpp"
#include "core/cases.hpp"
#include "core/validation.hpp"
#include "storage/settings_repo.hpp"
#include "storage/stats_repo.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

// Compares without printing the values (they are names and dates).
#define EXPECT_SAME(a, b) EXPECT_TRUE((a) == (b)) << #a " differs"

const std::string kYear = today(now_unix()).substr(0, 4);

struct Counts {
  std::int64_t persons, cases, consents, exploitations, referrals, stays, search, drafts, create_case;
  bool operator==(const Counts&) const = default;
};
Counts counts(Session& s) {
  return {rows(s, "persons"),  rows(s, "cases"), rows(s, "consents"), rows(s, "exploitations"), rows(s, "referrals"),
          rows(s, "stays"),    rows(s, "case_search"), rows(s, "drafts"),
          *s.db().scalar("SELECT count(*) FROM audit_log WHERE action = 'create_case'")};
}
void PrintTo(const Counts& c, std::ostream* os) {
  *os << "persons=" << c.persons << " cases=" << c.cases << " consents=" << c.consents
      << " exploitations=" << c.exploitations << " referrals=" << c.referrals << " stays=" << c.stays
      << " search=" << c.search << " drafts=" << c.drafts << " create_case=" << c.create_case;
}

TEST_F(RecordsFixture, FullIntakeIsRegisteredAndReadBack) {
  IntakeForm form = sample_intake();
  std::int64_t case_id = 0, officer_id = 0, bed = 0;
  const auto before = now_unix();
  {
    auto o = officer();
    officer_id = o.actor().id;
    bed = bed_id(o, "W-01");
    form.bed_id = bed;
    auto id = IntakeService(o).register_intake(form);
    ASSERT_TRUE(id) << id.error().message;
    case_id = *id;
  }
  auto c = coordinator();
  auto d = CaseService(c).open(case_id);
  ASSERT_TRUE(d) << d.error().message;
  // The case.
  const auto& r = d->record;
  EXPECT_TRUE(std::regex_match(r.case_number, std::regex("IK-[0-9]{4}-[0-9]{4}")));
  EXPECT_EQ(r.case_number, "IK-" + kYear + "-0001");
  EXPECT_EQ(r.origin, "shelter");
  EXPECT_EQ(r.status, "active");
  EXPECT_EQ(r.risk_level, "high");
  EXPECT_TRUE(r.is_witness);
  EXPECT_SAME(r.protection_measures, form.protection_measures);
  EXPECT_EQ(r.scope, "international");
  EXPECT_EQ(r.repatriation_status, "requested");
  EXPECT_EQ(r.repatriation_destination, "UZ");
  EXPECT_EQ(r.needs, "accommodation,medical,psychological");
  EXPECT_EQ(r.intake_source, "ngo");
  EXPECT_SAME(r.notes, form.notes);
  EXPECT_GE(r.opened_at, before);
  EXPECT_LE(r.opened_at, now_unix());
  EXPECT_FALSE(r.closed_at);
  EXPECT_EQ(r.created_by, officer_id);
  EXPECT_FALSE(r.hq_confirmed_at);
  EXPECT_FALSE(r.purged_at);
  // The person, every field.
  const auto& p = d->person;
  EXPECT_SAME(p.given_name, form.person.given_name);
  EXPECT_SAME(p.family_name, form.person.family_name);
  EXPECT_SAME(p.alias, form.person.alias);
  EXPECT_EQ(p.gender, "female");
  EXPECT_SAME(p.birth_date, form.person.birth_date);
  EXPECT_EQ(p.age_estimate, form.person.age_estimate);
  EXPECT_EQ(p.citizenship, "AZ");
  EXPECT_EQ(p.languages, "aze,rus");
  EXPECT_EQ(p.marital_status, "single");
  EXPECT_EQ(p.education, "secondary");
  EXPECT_SAME(p.phone, form.person.phone);
  // Consents, one per kind, as answered.
  ASSERT_EQ(d->consents.size(), 3u);
  for (const auto& k : d->consents) {
    EXPECT_EQ(k.given_on, *form.consent.given_on);
    EXPECT_EQ(k.taken_by, officer_id);
    if (k.kind == "manage_data" || k.kind == "referral") {
      EXPECT_TRUE(k.granted) << k.kind;
    } else if (k.kind == "share_law_enforcement") {
      EXPECT_EQ(k.granted, form.consent.share_law_enforcement);
    } else {
      ADD_FAILURE() << "unexpected consent " << k.kind;
    }
  }
  // Exploitation, every field.
  ASSERT_TRUE(d->exploitation);
  const auto& e = *d->exploitation;
  const auto& fe = form.exploitation;
  EXPECT_EQ(e.types, fe.types);
  EXPECT_EQ(e.labour_sector, fe.labour_sector);
  EXPECT_EQ(e.sexual_exploitation, fe.sexual_exploitation);
  EXPECT_EQ(e.means_of_control, fe.means_of_control);
  EXPECT_EQ(e.recruitment, fe.recruitment);
  EXPECT_EQ(e.recruiter_relation, fe.recruiter_relation);
  EXPECT_EQ(e.countries_origin, fe.countries_origin);
  EXPECT_EQ(e.countries_transit, fe.countries_transit);
  EXPECT_EQ(e.countries_exploitation, fe.countries_exploitation);
  EXPECT_EQ(e.started_on, fe.started_on);
  EXPECT_EQ(e.ended_on, fe.ended_on);
  // The incoming referral from the organisation that brought the person.
  ASSERT_EQ(d->referrals.size(), 1u);
  EXPECT_EQ(d->referrals[0].direction, "incoming");
  EXPECT_EQ(d->referrals[0].organisation_type, "ngo");
  EXPECT_EQ(d->referrals[0].organisation, *form.source_organisation);
  EXPECT_EQ(d->referrals[0].status, "accepted");
  EXPECT_TRUE(d->services.empty());
  // The bed.
  ASSERT_EQ(d->stays.size(), 1u);
  EXPECT_EQ(d->stays[0].bed_id, bed);
  EXPECT_FALSE(d->stays[0].discharged_at);
  auto page = CaseService(c).list({}, 0, 10);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].bed_label, "W-01");
  EXPECT_EQ(page->items[0].case_number, r.case_number);
  // Registering and opening were audited.
  c.lock();
  auto a = auditor();
  const auto log = whole_audit_log(a);
  EXPECT_EQ(count_audit(log, "create_case", "case", case_id), 1);
  EXPECT_EQ(count_audit(log, "view_case", "case", case_id), 1);
}

TEST_F(RecordsFixture, CaseNumbersCountPerPrefixAndYear) {
  auto o = officer();
  IntakeService intake(o);
  CaseService cases(o);
  std::vector<std::string> numbers;
  for (int i = 0; i < 3; ++i) {
    auto id = intake.register_intake(sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla", i));
    ASSERT_TRUE(id) << id.error().message;
    auto d = cases.open(*id);
    ASSERT_TRUE(d);
    numbers.push_back(d->record.case_number);
  }
  EXPECT_EQ(numbers, (std::vector<std::string>{"IK-" + kYear + "-0001", "IK-" + kYear + "-0002", "IK-" + kYear + "-0003"}));
  ASSERT_TRUE(storage::SettingsRepo(o.db()).set_text("device.case_prefix", "SH"));
  auto id = intake.register_intake(sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla", 9));
  ASSERT_TRUE(id);
  EXPECT_EQ(cases.open(*id)->record.case_number, "SH-" + kYear + "-0001");
}

TEST_F(RecordsFixture, JsonRoundTripKeepsEveryField) {
  IntakeForm f = sample_intake(IntakeStep::Bed, "Nümunəova", "Günay", 7);
  f.from_call_id = 42;
  f.person.id = 0;
  auto back = intake_from_json(to_json(f));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(form_differences(f, *back), FieldNames{});
  // Every optional left empty survives as empty, and the defaults as defaults.
  IntakeForm empty;
  auto back_empty = intake_from_json(to_json(empty));
  ASSERT_TRUE(back_empty);
  EXPECT_EQ(form_differences(empty, *back_empty), FieldNames{});
  // The other way round, a changed field is noticed (the comparison itself can fail).
  IntakeForm g = f;
  g.exploitation.countries_transit = "TR";
  EXPECT_EQ(form_differences(f, g), FieldNames{"exploitation.countries_transit"});
}

TEST(IntakeJson, DamagedDraftsAreRefused) {
  for (const std::string bad : {"", "not json", "[]", "{}", "{\"v\":2}", "{\"v\":1,\"risk_level\":5}",
                                "{\"v\":1,\"person\":{\"age_estimate\":\"old\"}}", "{\"v\":1,\"needs\":\"medical\"}"}) {
    auto r = intake_from_json(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::Damaged) << bad;
  }
  std::string huge = "{\"v\":1,\"notes\":\"" + std::string(70 * 1024, 'a') + "\"}";
  auto r = intake_from_json(huge);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Damaged);
}

TEST_F(RecordsFixture, DraftSavedPerStepLoadsBackIdentical) {
  auto o = officer();
  IntakeService intake(o);
  const auto bed = bed_id(o, "G-03");
  std::int64_t draft = 0;
  for (int step = static_cast<int>(IntakeStep::Consent); step <= static_cast<int>(IntakeStep::Bed); ++step) {
    auto form = sample_intake(static_cast<IntakeStep>(step), "Nümunəova", "Günay", 3);
    if (form.bed_id) form.bed_id = bed;
    auto id = intake.save_draft(draft, form, static_cast<IntakeStep>(step));
    ASSERT_TRUE(id) << id.error().message;
    if (draft == 0) draft = *id;
    EXPECT_EQ(*id, draft) << "a draft is rewritten, not copied";
    auto list = intake.drafts();
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].id, draft);
    EXPECT_EQ((*list)[0].step, step);
    // Loaded back by a new session (as after a restart): the same form, at the same step.
    o.lock();
    o = officer();  // `intake` refers to `o`, which now holds the new session
    auto loaded = IntakeService(o).load_draft(draft);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(static_cast<int>(loaded->second), step);
    EXPECT_EQ(form_differences(form, loaded->first), FieldNames{}) << "step " << step;
  }
  // Another staff member cannot read it.
  {
    auto c = coordinator();
    auto other = IntakeService(c).load_draft(draft);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Errc::NotFound);
    EXPECT_TRUE(IntakeService(c).drafts()->empty());
  }
  // Registering from the draft removes it.
  IntakeService again(o);
  auto loaded = again.load_draft(draft);
  ASSERT_TRUE(loaded);
  auto id = again.register_intake(loaded->first, draft);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_TRUE(again.drafts()->empty());
  EXPECT_EQ(again.load_draft(draft).error().code, Errc::NotFound);
}

TEST_F(RecordsFixture, DraftsNeedTheRightToRegister) {
  auto a = admin();
  auto r = IntakeService(a).save_draft(0, sample_intake(IntakeStep::Person), IntakeStep::Person);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::PermissionDenied);
  EXPECT_EQ(rows(a, "drafts"), 0);
  auto reg = IntakeService(a).register_intake(sample_intake(IntakeStep::StatusSource));
  ASSERT_FALSE(reg);
  EXPECT_EQ(reg.error().code, Errc::PermissionDenied);
  EXPECT_EQ(rows(a, "persons"), 0);
}

TEST_F(RecordsFixture, BadInputIsRefusedAndStoresNothing) {
  auto o = officer();
  IntakeService intake(o);
  const Counts empty = counts(o);
  EXPECT_EQ(empty, (Counts{0, 0, 0, 0, 0, 0, 0, 0, 0}));
  std::string long_name;
  for (int i = 0; i < 101; ++i) long_name += "Ё";
  struct Bad {
    const char* what;
    std::function<void(IntakeForm&)> change;
    std::string field, msgid;
  };
  const std::vector<Bad> cases{
      {"over-long name", [&](IntakeForm& f) { f.person.family_name = long_name; }, "family_name", std::string(msg::kTooLong)},
      {"over-long notes", [](IntakeForm& f) { f.notes = std::string(2001, 'x'); }, "notes", std::string(msg::kTooLong)},
      {"control character", [](IntakeForm& f) { f.person.given_name = "Gün\x1b[2Jay"; }, "given_name",
       std::string(msg::kControlChars)},
      {"newline in a name", [](IntakeForm& f) { f.person.alias = "a\nb"; }, "alias", std::string(msg::kControlChars)},
      {"invalid UTF-8", [](IntakeForm& f) { f.source_organisation = "\xED\xA0\x80"; }, "source_organisation",
       std::string(msg::kNotText)},
      {"impossible date", [](IntakeForm& f) { f.person.birth_date = "2023-02-30"; }, "birth_date", std::string(msg::kBadDate)},
      {"month 13", [](IntakeForm& f) { f.exploitation.started_on = "2024-13-01"; }, "exploitation_started_on",
       std::string(msg::kBadDate)},
      {"short date", [](IntakeForm& f) { f.consent.given_on = "2024-1-1"; }, "consent_given_on", std::string(msg::kBadDate)},
      {"future date", [](IntakeForm& f) { f.consent.given_on = today(now_unix() + 3 * 86400); }, "consent_given_on",
       std::string(msg::kFutureDate)},
      {"unknown gender", [](IntakeForm& f) { f.person.gender = "f"; }, "gender", std::string(msg::kUnknownCode)},
      {"unknown need", [](IntakeForm& f) { f.needs.push_back("pony"); }, "needs", std::string(msg::kUnknownCode)},
      {"unknown means", [](IntakeForm& f) { f.exploitation.means_of_control = "threats,curses"; }, "means_of_control",
       std::string(msg::kUnknownCode)},
      {"unknown source", [](IntakeForm& f) { f.intake_source = "stork"; }, "intake_source", std::string(msg::kUnknownCode)},
      {"unknown country", [](IntakeForm& f) { f.exploitation.countries_exploitation = "AE,XX"; },
       "countries_exploitation", std::string(msg::kUnknownCountry)},
      {"unknown language", [](IntakeForm& f) { f.person.languages = "aze,xx"; }, "languages",
       std::string(msg::kUnknownLanguage)},
      {"age 121", [](IntakeForm& f) { f.person.age_estimate = 121; }, "age_estimate", std::string(msg::kAgeRange)},
      {"bad phone", [](IntakeForm& f) { f.person.phone = "ring ring"; }, "phone", std::string(msg::kBadPhone)},
      {"unknown bed", [](IntakeForm& f) { f.bed_id = 999999; }, "bed", std::string(msg::kUnknownBed)},
  };
  for (const auto& bad : cases) {
    IntakeForm f = sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla");
    bad.change(f);
    auto r = intake.register_intake(f);
    ASSERT_FALSE(r) << bad.what;
    EXPECT_EQ(r.error().code, Errc::Invalid) << bad.what;
    ASSERT_FALSE(r.error().fields.empty()) << bad.what;
    EXPECT_EQ(r.error().fields[0].field, bad.field) << bad.what;
    EXPECT_EQ(r.error().fields[0].msgid, bad.msgid) << bad.what;
    EXPECT_EQ(counts(o), empty) << bad.what << " stored something";
  }
  // The refusals did not use up a case number.
  auto ok = intake.register_intake(sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(CaseService(o).open(*ok)->record.case_number, "IK-" + kYear + "-0001");
  EXPECT_EQ(counts(o), (Counts{1, 1, 3, 1, 1, 0, 1, 0, 1}));
  auto stats = storage::StatsRepo(o.db());
  EXPECT_EQ(*stats.count("persons"), 1);
  EXPECT_EQ(*stats.count("cases"), 1);
}

TEST_F(RecordsFixture, WithoutConsentANameIsRefusedButAnAliasIsKept) {
  auto o = officer();
  IntakeService intake(o);
  IntakeForm f = sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla");
  f.consent.manage_data = false;
  f.person.birth_date.reset();
  f.person.phone.reset();
  f.person.family_name.reset();
  auto r = intake.register_intake(f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Invalid);
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0], (FieldError{"given_name", std::string(msg::kNoConsentNoIdentity), ""}));
  EXPECT_EQ(rows(o, "persons"), 0);
  f.person.given_name.reset();
  f.person.alias = "Sınaq";
  auto id = intake.register_intake(f);
  ASSERT_TRUE(id) << id.error().message;
  auto d = CaseService(o).open(*id);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->person.given_name);
  EXPECT_FALSE(d->person.family_name);
  EXPECT_EQ(d->person.alias, "Sınaq");
  for (const auto& k : d->consents) {
    if (k.kind == "manage_data") {
      EXPECT_FALSE(k.granted);
    }
  }
  EXPECT_EQ(CaseService(o).reveal_name(*id).value_or("?"), "Sınaq");
}

TEST_F(RecordsFixture, HotlineCallBecomesAnIntake) {
  std::int64_t call_id = 0, case_id = 0;
  {
    auto h = hotline();
    CallForm call;
    call.started_at = now_unix() - 600;
    call.duration_s = 540;
    call.channel = "phone";
    call.caller_type = "potential_victim";
    call.language = "aze";
    call.region = "Bakı";
    call.call_type = "crisis";
    call.ilo_indicators = "debt_bondage,deception,isolation,retention_of_documents";
    call.actions = "shelter_admission";
    call.caller_name = "Günay Sınaqova";
    call.phone = "+994 55 000 11 22";
    call.notes = "Synthetic call.";
    auto id = CallService(h).log_call(call);
    ASSERT_TRUE(id) << id.error().message;
    call_id = *id;
    // The hotline operator turns the call into an intake.
    auto form = CallService(h).intake_from_call(call_id);
    ASSERT_TRUE(form) << form.error().message;
    EXPECT_EQ(form->from_call_id, call_id);
    EXPECT_EQ(form->intake_source, "hotline");
    EXPECT_SAME(form->person.given_name, call.caller_name);
    EXPECT_SAME(form->person.phone, call.phone);
    EXPECT_EQ(form->person.languages, "aze");
    EXPECT_EQ(form->exploitation.means_of_control, "debt_bondage,false_promises,withholds_documents");
    EXPECT_SAME(form->notes, call.notes);
    // The operator completes the form: consent first.
    form->consent.manage_data = true;
    form->consent.referral = true;
    form->consent.given_on = today(now_unix());
    form->person.gender = "female";
    auto c = IntakeService(h).register_intake(*form);
    ASSERT_TRUE(c) << c.error().message;
    case_id = *c;
  }
  auto co = coordinator();
  auto call = CallService(co).open(call_id);
  ASSERT_TRUE(call) << call.error().message;
  EXPECT_EQ(call->case_id, case_id) << "the call is linked to its case";
  auto d = CaseService(co).open(case_id);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->person.given_name, "Günay Sınaqova");
  EXPECT_EQ(d->person.phone, "+994 55 000 11 22");
  EXPECT_EQ(d->person.languages, "aze");
  EXPECT_EQ(d->record.intake_source, "hotline");
  ASSERT_TRUE(d->exploitation);
  EXPECT_EQ(d->exploitation->means_of_control, "debt_bondage,false_promises,withholds_documents");
  auto list = CallService(co).list(0, 10);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].case_id, case_id);
}

TEST_F(RecordsFixture, ACallFromSomeoneElseCarriesNoName) {
  auto h = hotline();
  CallForm call;
  call.started_at = now_unix() - 60;
  call.duration_s = 60;
  call.caller_type = "family";
  call.caller_name = "Leyla Nümunəova";
  call.phone = "+994 50 111 22 33";
  call.language = "rus";
  call.call_type = "tip";
  call.ilo_indicators = "excessive_overtime,withholding_of_wages";
  auto id = CallService(h).log_call(call);
  ASSERT_TRUE(id) << id.error().message;
  auto form = CallService(h).intake_from_call(*id);
  ASSERT_TRUE(form);
  EXPECT_FALSE(form->person.given_name) << "the caller is not the person";
  EXPECT_FALSE(form->person.phone);
  EXPECT_EQ(form->person.languages, "rus");
  EXPECT_EQ(form->exploitation.means_of_control, "excessive_working_hours,takes_earnings");
}

}  // namespace
}  // namespace ik::core::testing
