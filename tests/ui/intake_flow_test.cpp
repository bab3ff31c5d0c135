// The shelter intake wizard, driven like a finger on a headless kiosk: every value is tapped or
// typed on the on-screen keyboard, and what was registered is checked through core.
// Synthetic names only ("Sınaqzadə": sınaq = test).
#include <algorithm>
#include <ctime>

#include "core/cases.hpp"
#include "core/intake.hpp"
#include "core/stats.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

struct Ymd {
  int y, m, d;
};
Ymd today_ymd() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}
std::string iso(Ymd v) { return fmt::format("{:04}-{:02}-{:02}", v.y, v.m, v.d); }

class IntakeFlow : public UiTest {
 protected:
  // Drags the step's scroll region until the item's centre is in view (touch scrolling).
  bool reveal(std::string_view key, std::string_view scroll = "scroll:intake") { return driver->reveal(key, scroll); }
  bool tap_in(std::string_view key, std::string_view scroll = "scroll:intake") {
    return reveal(key, scroll) && driver->tap(key);
  }
  // Taps a field, types on the on-screen keyboard and closes it.
  bool type_in(std::string_view field, std::string_view text) {
    return tap_in(fmt::format("field:{}", field)) && keyboard().is_active(field) && driver->type(text) &&
           driver->tap("key:done");
  }
  std::string value(std::string_view field) {
    const auto* it = driver->find(fmt::format("field:{}", field));
    return it ? it->value : "<not on screen>";
  }
  bool toggle_on(std::string_view id) {
    const auto* it = driver->find(id);
    return it != nullptr && it->value == "on";
  }
  bool selected(std::string_view multi_choice_id) {  // a multi_choice button shows a tick
    const auto* it = driver->find(multi_choice_id);
    return it != nullptr && it->label.rfind("\u2713", 0) == 0;
  }
  // Picks a day on the calendar keyboard, moving by years and months as a person would.
  bool pick_date(std::string_view field, Ymd v) {
    if (!tap_in(fmt::format("field:{}", field))) return false;
    for (int i = 0; i < 60; ++i) {
      const auto* month = driver->find("calendar:month");
      if (month == nullptr) return false;
      const int cy = std::stoi(month->label.substr(0, 4)), cm = std::stoi(month->label.substr(5, 2));
      const int diff = (v.y * 12 + v.m) - (cy * 12 + cm);
      if (diff == 0) break;
      const char* key = diff >= 120 ? "key:year+10" : diff <= -120 ? "key:year-10" : diff >= 12 ? "key:year+1"
                      : diff <= -12 ? "key:year-1" : diff > 0 ? "key:month+1" : "key:month-1";
      if (!driver->tap(key)) return false;
    }
    return driver->tap(fmt::format("day:{}", iso(v))) && driver->tap("key:done");
  }
  std::vector<std::string> errors_shown() {
    std::vector<std::string> out;
    for (const auto& it : semantics().items())
      if (it.id == "error") out.push_back(it.label);
    return out;
  }
  bool shows_error(std::string_view text) {
    const auto e = errors_shown();
    return std::find(e.begin(), e.end(), text) != e.end();
  }
  bool on_step(int n) {
    const auto* it = driver->find(fmt::format("step:{}", n - 1));
    return it != nullptr && it->value == "current";
  }
  bool open_new_intake() {
    if (!driver->tap("New shelter intake")) return false;
    if (driver->find("btn:start-new") != nullptr && !driver->tap("btn:start-new")) return false;
    return on_step(1);
  }
  bool consent_all() {
    return driver->tap("consent:manage_data") && driver->tap("consent:share_law_enforcement") &&
           driver->tap("consent:referral");
  }
  core::Session session_as(std::string_view name) {
    for (const auto& s : core::kDemoStaff)
      if (s.name == name) {
        auto r = core::unlock(dir, name, test::secret(s.passphrase));
        EXPECT_TRUE(r) << r.error().message;
        if (r) return std::move(*r);
      }
    return core::Session{};
  }
  std::int64_t case_count() {
    auto s = session_as("Leyla");
    auto st = core::stats(s);
    EXPECT_TRUE(st) << st.error().message;
    return st ? st->cases : -1;
  }
};

TEST_F(IntakeFlow, WholeIntakeByTouchAloneRegistersTheCase) {
  const auto before = case_count();
  const Ymd now = today_ymd();
  ASSERT_TRUE(unlock_as("Aysel")) << driver->dump();
  ASSERT_TRUE(open_new_intake()) << driver->dump();

  // 1. Consent.
  EXPECT_TRUE(driver->shows("Step 1 of 7"));
  for (const char* name : {"Consent", "Person", "Exploitation", "Needs and risk", "Status and source", "Bed", "Review and save"})
    EXPECT_TRUE(driver->shows(name)) << name;
  ASSERT_TRUE(consent_all());
  EXPECT_EQ(value("consent_given_on"), iso(now)) << "the day consent is taken defaults to today";
  ASSERT_TRUE(driver->tap("btn:next"));

  // 2. Person.
  ASSERT_TRUE(on_step(2)) << driver->dump();
  ASSERT_TRUE(type_in("given_name", "Xəyalə"));
  ASSERT_TRUE(type_in("family_name", "Sınaqzadə"));
  ASSERT_TRUE(tap_in("gender=female"));
  const Ymd born{now.y - 30, now.m, 10};
  ASSERT_TRUE(pick_date("birth_date", born)) << driver->dump();
  EXPECT_EQ(value("birth_date"), iso(born));
  ASSERT_TRUE(tap_in("pick:citizenship"));
  ASSERT_TRUE(driver->find("opt:AZ")) << "common countries on top";
  ASSERT_TRUE(driver->tap("field:picker:search"));
  ASSERT_TRUE(driver->type("azer"));
  ASSERT_TRUE(reveal("opt:AZ", "scroll:picker"));
  EXPECT_FALSE(driver->find("opt:RU")) << "the search filters by name";
  ASSERT_TRUE(driver->tap("opt:AZ"));  // one country: picking closes the picker
  ASSERT_TRUE(on_step(2));
  ASSERT_TRUE(tap_in("pick:languages"));
  ASSERT_TRUE(driver->tap("opt:aze"));
  ASSERT_TRUE(driver->tap("opt:rus"));
  ASSERT_TRUE(driver->tap("btn:picker-done"));
  ASSERT_TRUE(type_in("phone", "+994 55 000 11 22"));
  ASSERT_TRUE(tap_in("marital_status=single"));
  ASSERT_TRUE(tap_in("education=secondary"));
  ASSERT_TRUE(driver->tap("btn:next"));

  // 3. Exploitation.
  ASSERT_TRUE(on_step(3)) << driver->dump();
  ASSERT_TRUE(tap_in("exploitation_types=forced_labour"));
  ASSERT_TRUE(tap_in("labour_sector=construction")) << "the sector shows once forced labour is chosen";
  ASSERT_TRUE(tap_in("means_of_control=withholds_documents"));
  ASSERT_TRUE(tap_in("means_of_control=debt_bondage"));
  ASSERT_TRUE(tap_in("recruitment=job_offer"));
  ASSERT_TRUE(tap_in("recruiter_relation=friend"));
  ASSERT_TRUE(tap_in("pick:countries_origin"));
  ASSERT_TRUE(driver->tap("opt:AZ"));
  ASSERT_TRUE(driver->tap("btn:picker-done"));
  ASSERT_TRUE(tap_in("pick:countries_exploitation"));
  ASSERT_TRUE(driver->tap("field:picker:search"));
  ASSERT_TRUE(driver->type("russ"));
  ASSERT_TRUE(driver->tap("opt:RU"));
  ASSERT_TRUE(driver->tap("btn:picker-done"));
  ASSERT_TRUE(pick_date("exploitation_started_on", {now.y - 1, now.m, 1}));
  ASSERT_TRUE(driver->tap("btn:next"));

  // 4. Needs and risk.
  ASSERT_TRUE(on_step(4)) << driver->dump();
  ASSERT_TRUE(tap_in("needs=accommodation"));
  ASSERT_TRUE(tap_in("needs=medical"));
  ASSERT_TRUE(tap_in("risk_level=high"));
  ASSERT_TRUE(tap_in("is_witness"));
  ASSERT_TRUE(type_in("protection_measures", "Escort to court"));
  ASSERT_TRUE(driver->tap("btn:next"));

  // 5. Status and referral source.
  ASSERT_TRUE(on_step(5)) << driver->dump();
  ASSERT_TRUE(tap_in("intake_source=ngo"));
  ASSERT_TRUE(tap_in("source_organisation_type=ngo"));
  ASSERT_TRUE(type_in("source_organisation", "Demo NGO"));
  ASSERT_TRUE(driver->tap("btn:next"));

  // 6. Bed: the women's wing is suggested (female, 30) and comes first.
  ASSERT_TRUE(on_step(6)) << driver->dump();
  std::string first_bed;
  for (const auto& it : semantics().items())
    if (it.id.rfind("bed:", 0) == 0 && it.id != "bed:none") {
      first_bed = it.id;
      break;
    }
  ASSERT_EQ(first_bed.rfind("bed:W-", 0), 0u) << first_bed << "\n" << driver->dump();
  ASSERT_TRUE(tap_in(first_bed));
  EXPECT_EQ(driver->find(first_bed)->label, "\u2713 " + first_bed.substr(4)) << "the chosen bed is ticked";
  ASSERT_TRUE(driver->tap("btn:next"));

  // 7. Review: a readable summary, then Save.
  ASSERT_TRUE(on_step(7)) << driver->dump();
  for (const std::string& text : {std::string("Xəyalə Sınaqzadə"), country_name("AZ"), std::string("+994 55 000 11 22"),
                                 std::string("Construction"), std::string("Demo NGO"), first_bed.substr(4)})
    EXPECT_TRUE(driver->shows(text)) << text;
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_EQ(app->screen(), Screen::Case) << driver->dump();
  EXPECT_TRUE(driver->shows("Intake registered")) << driver->dump();
  ASSERT_TRUE(driver->tap("btn:lock"));
  ASSERT_EQ(app->session(), nullptr);

  // Through core: one more case, with what was tapped and typed.
  EXPECT_EQ(case_count(), before + 1);
  auto s = session_as("Aysel");
  core::CaseService cases(s);
  auto found = cases.list({std::nullopt, "Sınaqzadə"}, 0, 10);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->items.size(), 1u);
  auto c = cases.open(found->items[0].id);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->person.given_name.value_or(""), "Xəyalə");
  EXPECT_EQ(c->person.family_name.value_or(""), "Sınaqzadə");
  EXPECT_EQ(c->person.gender, "female");
  EXPECT_EQ(c->person.birth_date.value_or(""), iso(born));
  EXPECT_EQ(c->person.citizenship.value_or(""), "AZ");
  EXPECT_EQ(c->person.languages, "aze,rus");
  EXPECT_EQ(c->person.phone.value_or(""), "+994 55 000 11 22");
  EXPECT_EQ(c->person.marital_status.value_or(""), "single");
  ASSERT_TRUE(c->exploitation);
  EXPECT_EQ(c->exploitation->types, "forced_labour");
  EXPECT_EQ(c->exploitation->labour_sector.value_or(""), "construction");
  EXPECT_EQ(c->exploitation->means_of_control, "debt_bondage,withholds_documents");
  EXPECT_EQ(c->exploitation->countries_origin, "AZ");
  EXPECT_EQ(c->exploitation->countries_exploitation, "RU");
  EXPECT_EQ(c->record.needs, "accommodation,medical");
  EXPECT_EQ(c->record.risk_level, "high");
  EXPECT_TRUE(c->record.is_witness);
  EXPECT_EQ(c->record.intake_source, "ngo");
  EXPECT_EQ(c->consents.size(), 3u);
  for (const auto& consent : c->consents) EXPECT_TRUE(consent.granted) << consent.kind;
  ASSERT_EQ(c->stays.size(), 1u) << "the bed was assigned";
  EXPECT_TRUE(core::IntakeService(s).drafts()->empty()) << "the draft is gone once registered";
}

TEST_F(IntakeFlow, BackAndNextLoseNothing) {
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(open_new_intake());
  ASSERT_TRUE(driver->tap("consent:manage_data"));
  ASSERT_TRUE(driver->tap("consent:referral"));
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(type_in("given_name", "Lalə"));
  ASSERT_TRUE(type_in("alias", "Sınaq"));
  ASSERT_TRUE(tap_in("gender=female"));
  ASSERT_TRUE(type_in("age_estimate", "27"));
  ASSERT_TRUE(tap_in("pick:citizenship"));
  ASSERT_TRUE(driver->tap("opt:UZ"));
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(on_step(3));
  ASSERT_TRUE(tap_in("exploitation_types=sexual"));
  ASSERT_TRUE(tap_in("sexual_exploitation=prostitution"));
  ASSERT_TRUE(tap_in("means_of_control=threats"));

  // Back twice, to consent: everything is still there.
  ASSERT_TRUE(driver->tap("btn:back"));
  ASSERT_TRUE(on_step(2));
  EXPECT_EQ(value("given_name"), "Lalə");
  EXPECT_EQ(value("alias"), "Sınaq");
  EXPECT_EQ(value("age_estimate"), "27");
  ASSERT_TRUE(reveal("pick:citizenship"));
  EXPECT_EQ(driver->find("pick:citizenship")->label, country_name("UZ"));
  ASSERT_TRUE(driver->tap("btn:back"));
  ASSERT_TRUE(on_step(1));
  EXPECT_TRUE(toggle_on("consent:manage_data"));
  EXPECT_FALSE(toggle_on("consent:share_law_enforcement"));
  EXPECT_TRUE(toggle_on("consent:referral"));

  // And Next again, all the way to the summary.
  ASSERT_TRUE(driver->tap("btn:next"));
  EXPECT_EQ(value("given_name"), "Lalə");
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(on_step(3));
  EXPECT_TRUE(selected("exploitation_types=sexual"));
  EXPECT_TRUE(selected("means_of_control=threats"));
  for (int step = 4; step <= 7; ++step) {
    ASSERT_TRUE(driver->tap("btn:next"));
    ASSERT_TRUE(on_step(step)) << driver->dump();
  }
  for (const std::string& text : {std::string("Lalə"), std::string("Sınaq"), std::string("about 27"), country_name("UZ"),
                                 std::string("Female"), std::string("Sexual exploitation"), std::string("Prostitution"),
                                 std::string("Threats")})
    EXPECT_TRUE(driver->shows(text)) << text;
  // "Change" on the summary goes back to that step, with its values.
  ASSERT_TRUE(tap_in("edit:1"));
  ASSERT_TRUE(on_step(2));
  EXPECT_EQ(value("given_name"), "Lalə");
}

TEST_F(IntakeFlow, BadInputShowsTheTranslatedErrorInlineAndKeepsWhatWasTyped) {
  const Ymd now = today_ymd();
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(open_new_intake());
  ASSERT_TRUE(consent_all());
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(type_in("given_name", "Nərmin"));
  const Ymd future{now.y + 1, now.m, 15};
  ASSERT_TRUE(pick_date("birth_date", future));
  const std::string too_long(101, 'a');
  ASSERT_TRUE(type_in("family_name", too_long));
  ASSERT_TRUE(driver->tap("btn:next"));

  // English: Next refused, both errors under their fields, nothing lost.
  EXPECT_TRUE(on_step(2)) << "Next does not advance past a refused step";
  EXPECT_TRUE(shows_error(tr("This date is in the future."))) << driver->dump();
  EXPECT_TRUE(shows_error(trf("At most {} characters.", "100"))) << driver->dump();
  EXPECT_EQ(value("given_name"), "Nərmin");
  EXPECT_EQ(value("birth_date"), iso(future));
  EXPECT_EQ(value("family_name"), too_long);

  // Azerbaijani and Russian: the same errors, in the language chosen.
  for (const char* lang : {"lang:az", "lang:ru"}) {
    ASSERT_TRUE(driver->tap(lang));
    EXPECT_EQ(fmt::format("lang:{}", core::lang_code(language())), lang);
    EXPECT_TRUE(shows_error(tr("This date is in the future."))) << lang << "\n" << driver->dump();
    if (std::string_view(tr("This date is in the future.")) != "This date is in the future.") {
      EXPECT_FALSE(shows_error("This date is in the future.")) << lang << ": the English message is gone";
    }
    EXPECT_TRUE(shows_error(trf("At most {} characters.", "100"))) << lang;
    EXPECT_TRUE(driver->shows(tr("Person"))) << "the step name follows the language";
    EXPECT_EQ(value("given_name"), "Nərmin");
    EXPECT_EQ(value("family_name"), too_long);
  }

  // Correcting a field clears its error as it is corrected; Next then goes on.
  ASSERT_TRUE(tap_in("field:birth_date"));
  ASSERT_TRUE(driver->tap("key:clear"));
  ASSERT_TRUE(driver->tap("key:done"));
  EXPECT_FALSE(shows_error(tr("This date is in the future.")));
  EXPECT_TRUE(shows_error(trf("At most {} characters.", "100")));
  ASSERT_TRUE(tap_in("field:family_name"));
  ASSERT_TRUE(driver->tap("key:backspace"));
  ASSERT_TRUE(driver->tap("key:done"));
  EXPECT_TRUE(errors_shown().empty()) << driver->dump();
  ASSERT_TRUE(driver->tap("btn:next"));
  EXPECT_TRUE(on_step(3));
}

TEST_F(IntakeFlow, WithoutConsentNoNameIsKept) {
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(open_new_intake());
  ASSERT_TRUE(driver->tap("btn:next"));  // no consent given
  ASSERT_TRUE(type_in("given_name", "Aytən"));
  ASSERT_TRUE(driver->tap("btn:next"));
  EXPECT_TRUE(on_step(2));
  EXPECT_TRUE(shows_error(tr("Without consent to manage personal data, leave names, birth date and phone empty.")))
      << driver->dump();
}

TEST_F(IntakeFlow, TheDraftSurvivesALockAndResumesWithEveryField) {
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(open_new_intake());
  ASSERT_TRUE(driver->tap("consent:manage_data"));
  ASSERT_TRUE(driver->tap("consent:share_law_enforcement"));
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(type_in("given_name", "Lalə"));
  ASSERT_TRUE(tap_in("gender=female"));
  ASSERT_TRUE(tap_in("pick:citizenship"));
  ASSERT_TRUE(driver->tap("opt:TJ"));
  ASSERT_TRUE(tap_in("education=higher"));
  // Mid-typing: the keyboard is still open on the family name when the lock is tapped.
  ASSERT_TRUE(tap_in("field:family_name"));
  ASSERT_TRUE(driver->type("Uydurmalı"));
  ASSERT_TRUE(keyboard().is_active("family_name"));
  ASSERT_TRUE(driver->tap("btn:lock"));
  ASSERT_EQ(app->screen(), Screen::Lock);
  ASSERT_EQ(app->session(), nullptr);
  EXPECT_FALSE(driver->shows("Lalə"));
  EXPECT_FALSE(driver->shows("Uydurmalı"));

  // Unlock again: the wizard offers the draft (no name in the offer), and resumes it.
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(driver->tap("New shelter intake"));
  ASSERT_TRUE(driver->find("btn:start-new")) << driver->dump();
  EXPECT_FALSE(driver->shows("Lalə")) << "the list of drafts shows no names";
  ASSERT_TRUE(driver->tap("Resume draft"));
  ASSERT_TRUE(on_step(2)) << driver->dump();
  EXPECT_EQ(value("given_name"), "Lalə");
  EXPECT_EQ(value("family_name"), "Uydurmalı") << "the field being typed when the lock came is kept too";
  ASSERT_TRUE(reveal("pick:citizenship"));
  EXPECT_EQ(driver->find("pick:citizenship")->label, country_name("TJ"));
  ASSERT_TRUE(driver->tap("btn:back"));
  EXPECT_TRUE(toggle_on("consent:manage_data"));
  EXPECT_TRUE(toggle_on("consent:share_law_enforcement"));
  EXPECT_FALSE(toggle_on("consent:referral"));
  for (int step = 2; step <= 7; ++step) ASSERT_TRUE(driver->tap("btn:next")) << step;
  ASSERT_TRUE(on_step(7));
  for (const char* text : {"Lalə Uydurmalı", "Female", "Higher"}) EXPECT_TRUE(driver->shows(text)) << text;

  // Another user does not see Aysel's draft.
  ASSERT_TRUE(driver->tap("btn:lock"));
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("New shelter intake"));
  EXPECT_FALSE(driver->find("btn:start-new")) << "no draft offered to someone else";
  EXPECT_TRUE(on_step(1));
}

TEST_F(IntakeFlow, ARoleWithoutIntakesIsRefusedOnScreen) {
  ASSERT_TRUE(unlock_as("Auditor"));
  EXPECT_FALSE(driver->shows("New shelter intake")) << "no tile for it";
  app->navigate(Screen::Intake);  // as if a stale button led here
  driver->frames(2);
  EXPECT_EQ(app->screen(), Screen::Intake);
  EXPECT_TRUE(driver->shows(tr("Your role may not register shelter intakes."))) << driver->dump();
  EXPECT_FALSE(driver->find("btn:next"));
  ASSERT_TRUE(driver->tap("btn:refused-home"));
  EXPECT_EQ(app->screen(), Screen::Home);
}

}  // namespace
}  // namespace ik::ui::testing
