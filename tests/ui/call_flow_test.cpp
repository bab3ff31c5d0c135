// The hotline call screen, driven like a finger on a headless kiosk; what was logged is checked
// through core. Synthetic names only.
#include <algorithm>
#include <ctime>
#include <regex>
#include <set>

#include "core/calls.hpp"
#include "core/intake.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

std::string today_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

class CallFlow : public UiTest {
 protected:
  bool reveal(std::string_view key, std::string_view scroll) { return driver->reveal(key, scroll); }
  bool tap_in(std::string_view key, std::string_view scroll = "scroll:call") {
    return reveal(key, scroll) && driver->tap(key);
  }
  bool type_in(std::string_view field, std::string_view text) {
    return tap_in(fmt::format("field:{}", field)) && keyboard().is_active(field) && driver->type(text) &&
           driver->tap("key:done");
  }
  bool date_today(std::string_view field) {
    return tap_in(fmt::format("field:{}", field)) && driver->tap("key:today") && driver->tap("key:done");
  }
  std::string value(std::string_view field) {
    const auto* it = driver->find(fmt::format("field:{}", field));
    return it ? it->value : "<not on screen>";
  }
  // The call screen's own "keep drawing" (the app also animates while a banner shows).
  // A running call timer asks for its next frame within a second (never continuous frames).
  bool call_animating() {
    const auto& c = app->controller(Screen::Call);
    EXPECT_FALSE(c.animating()) << "the call screen never needs continuous frames";
    return c.seconds_until_next_change(app->now()) <= 1.0;
  }
  std::string timer() {
    const auto* it = driver->find("call:timer");
    return it ? it->label : "<no timer>";
  }
  void dismiss_banner() {
    if (driver->find("btn:banner-ok")) driver->tap("btn:banner-ok");
  }
  std::set<std::string> follow_up_buttons() {
    std::set<std::string> out;
    for (const auto& it : semantics().items())
      if (it.id.rfind("btn:followup-done:", 0) == 0) out.insert(it.id);
    return out;
  }
  bool open_call_screen(std::string_view who = "Murad") {
    return unlock_as(who) && driver->tap("Hotline call") && app->screen() == Screen::Call;
  }
  std::vector<std::string> errors_shown() {
    std::vector<std::string> out;
    for (const auto& it : semantics().items())
      if (it.id == "error") out.push_back(it.label);
    return out;
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
  // The newest call, read through core after the kiosk is locked.
  core::CallForm newest_call() {
    if (app->session() != nullptr) driver->tap("btn:lock");
    auto s = session_as("Murad");
    core::CallService calls(s);
    auto list = calls.list(0, 1);
    EXPECT_TRUE(list && !list->empty());
    if (!list || list->empty()) return {};
    auto c = calls.open(list->front().id);
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : core::CallForm{};
  }
};

TEST_F(CallFlow, AWholeCallWithIloIndicatorsIsLogged) {
  ASSERT_TRUE(open_call_screen()) << driver->dump();
  EXPECT_EQ(timer(), "00:00");
  EXPECT_FALSE(call_animating()) << "no call yet: nothing to redraw";
  ASSERT_TRUE(tap_in("channel=phone"));
  EXPECT_TRUE(call_animating()) << "the timer runs from the first tap";
  ASSERT_TRUE(tap_in("caller_type=potential_victim"));
  ASSERT_TRUE(tap_in("call_type=crisis"));
  ASSERT_TRUE(tap_in("language=aze"));
  ASSERT_TRUE(type_in("region", "Ganja"));
  for (const char* ilo : {"ilo:deception", "ilo:debt_bondage", "ilo:retention_of_documents"}) {
    ASSERT_TRUE(tap_in(ilo)) << ilo;
    EXPECT_EQ(driver->find(ilo)->value, "on") << ilo;
  }
  EXPECT_EQ(driver->find("ilo:isolation")->value, "off");
  std::size_t ilo_toggles = 0;
  for (const auto& it : semantics().items()) ilo_toggles += it.kind == ItemKind::Toggle && it.id.rfind("ilo:", 0) == 0;
  EXPECT_EQ(ilo_toggles, 11u) << "the ILO's eleven indicators";
  ASSERT_TRUE(tap_in("actions=information_given"));
  ASSERT_TRUE(tap_in("actions=referred_law_enforcement"));
  ASSERT_TRUE(tap_in("le_referred"));
  ASSERT_TRUE(type_in("le_unit", "Demo police unit"));
  ASSERT_TRUE(date_today("le_date"));
  ASSERT_TRUE(date_today("follow_up_due"));
  ASSERT_TRUE(type_in("caller_name", "Səbinə"));
  ASSERT_TRUE(type_in("phone", "+994 70 000 00 01"));
  ASSERT_TRUE(type_in("notes", "Synthetic test call"));
  idle(65);
  EXPECT_TRUE(std::regex_match(timer(), std::regex("01:[0-5][0-9]"))) << timer();

  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Call saved.")) << driver->dump();
  EXPECT_EQ(timer(), "00:00") << "a fresh form";
  EXPECT_FALSE(call_animating());
  EXPECT_EQ(value("region"), "");
  EXPECT_FALSE(driver->find("field:caller_name")) << "the fresh form's caller is anonymous";
  EXPECT_FALSE(driver->shows("Səbinə")) << "the list of calls shows no names";
  EXPECT_FALSE(driver->shows("+994 70 000 00 01"));

  const auto c = newest_call();
  EXPECT_EQ(c.channel, "phone");
  EXPECT_EQ(c.caller_type, "potential_victim");
  EXPECT_EQ(c.call_type, "crisis");
  EXPECT_EQ(c.language.value_or(""), "aze");
  EXPECT_EQ(c.region.value_or(""), "Ganja");
  EXPECT_EQ(c.ilo_indicators, "debt_bondage,deception,retention_of_documents");
  EXPECT_EQ(c.actions, "information_given,referred_law_enforcement");
  EXPECT_TRUE(c.le_referred);
  EXPECT_EQ(c.le_unit.value_or(""), "Demo police unit");
  EXPECT_EQ(c.le_date.value_or(""), today_iso());
  EXPECT_EQ(c.follow_up_due.value_or(""), today_iso());
  EXPECT_EQ(c.caller_name.value_or(""), "Səbinə");
  EXPECT_EQ(c.phone.value_or(""), "+994 70 000 00 01");
  EXPECT_EQ(c.notes.value_or(""), "Synthetic test call");
  EXPECT_GE(c.duration_s, 65);
  EXPECT_LT(c.duration_s, 120);
}

TEST_F(CallFlow, TheTimerStartsAtTheFirstTapAndShowsWholeSeconds) {
  ASSERT_TRUE(open_call_screen());
  idle(5);
  EXPECT_EQ(timer(), "00:00") << "nothing runs before the first tap";
  EXPECT_FALSE(call_animating());
  ASSERT_TRUE(tap_in("call_type=information"));
  idle(2.5);
  EXPECT_EQ(timer(), "00:02");
  idle(60);
  EXPECT_EQ(timer(), "01:02");
  EXPECT_TRUE(call_animating());
  // Going Home and back keeps the call being taken.
  ASSERT_TRUE(driver->tap("btn:home"));
  ASSERT_TRUE(driver->tap("Hotline call"));
  EXPECT_TRUE(std::regex_match(timer(), std::regex("01:0[2-9]"))) << timer();
  // Discard asks twice, then the form is fresh and the timer stops.
  ASSERT_TRUE(driver->tap("btn:discard"));
  EXPECT_TRUE(call_animating());
  ASSERT_TRUE(driver->tap("btn:discard"));
  EXPECT_EQ(timer(), "00:00");
  EXPECT_FALSE(call_animating());
}

TEST_F(CallFlow, ACallThatBecomesAnIntakeCarriesNameAndPhoneIntoTheWizard) {
  ASSERT_TRUE(open_call_screen());
  ASSERT_TRUE(tap_in("caller_type=potential_victim"));
  ASSERT_TRUE(tap_in("call_type=crisis"));
  ASSERT_TRUE(tap_in("language=rus"));
  ASSERT_TRUE(tap_in("ilo:debt_bondage"));
  ASSERT_TRUE(type_in("caller_name", "Gülnar"));
  ASSERT_TRUE(type_in("phone", "+994 50 000 00 02"));
  ASSERT_TRUE(driver->tap("btn:call-to-intake"));
  ASSERT_EQ(app->screen(), Screen::Intake) << driver->dump();
  const auto* step = driver->find("step:0");
  ASSERT_TRUE(step != nullptr && step->value == "current") << "the wizard starts at consent";
  ASSERT_TRUE(driver->tap("consent:manage_data"));
  ASSERT_TRUE(driver->tap("btn:next"));
  EXPECT_EQ(value("given_name"), "Gülnar");
  EXPECT_EQ(value("phone"), "+994 50 000 00 02");
  ASSERT_TRUE(reveal("pick:languages", "scroll:intake"));
  EXPECT_EQ(driver->find("pick:languages")->label, language_name("rus"));
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(reveal("means_of_control=debt_bondage", "scroll:intake"));
  EXPECT_EQ(driver->find("means_of_control=debt_bondage")->label.rfind("\u2713", 0), 0u)
      << "the ILO indicator suggests the means of control";
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(driver->tap("btn:next"));
  // The hotline role has no bed board: the wizard says so instead of failing.
  EXPECT_TRUE(driver->shows(tr("Your role cannot see the bed board. The shelter staff will give the person a bed.")))
      << driver->dump();
  ASSERT_TRUE(driver->tap("btn:next"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_EQ(app->screen(), Screen::Home) << "a hotline operator cannot open cases: back Home\n" << driver->dump();
  EXPECT_TRUE(driver->shows("Intake registered"));

  const auto c = newest_call();
  EXPECT_EQ(c.caller_name.value_or(""), "Gülnar");
  EXPECT_TRUE(c.case_id.has_value()) << "the call is linked to the new case";
}

TEST_F(CallFlow, AnAnonymousCallerHasNoNameOrPhoneFields) {
  ASSERT_TRUE(open_call_screen());
  EXPECT_FALSE(driver->find("field:caller_name")) << "the default caller is anonymous";
  ASSERT_TRUE(tap_in("caller_type=witness"));
  ASSERT_TRUE(type_in("caller_name", "Sınaq"));
  ASSERT_TRUE(tap_in("caller_type=anonymous"));
  EXPECT_FALSE(driver->find("field:caller_name"));
  EXPECT_FALSE(driver->find("field:phone"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Call saved.")) << driver->dump();
  const auto c = newest_call();
  EXPECT_EQ(c.caller_type, "anonymous");
  EXPECT_FALSE(c.caller_name.has_value()) << "nothing kept for an anonymous caller";
}

TEST_F(CallFlow, AReferralWithoutItsUnitShowsTheErrorsInlineInTheChosenLanguage) {
  ASSERT_TRUE(open_call_screen());
  ASSERT_TRUE(tap_in("call_type=tip"));
  ASSERT_TRUE(tap_in("le_referred"));
  ASSERT_TRUE(type_in("notes", "Synthetic tip"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_EQ(app->screen(), Screen::Call);
  const auto en_errors = errors_shown();
  EXPECT_EQ(std::count(en_errors.begin(), en_errors.end(), tr("Name the law enforcement unit.")), 1) << driver->dump();
  EXPECT_EQ(std::count(en_errors.begin(), en_errors.end(), tr("This field is required.")), 1) << driver->dump();
  EXPECT_EQ(value("notes"), "Synthetic tip") << "nothing typed is lost";
  ASSERT_TRUE(driver->tap("lang:ru"));
  const auto errors = errors_shown();
  EXPECT_EQ(std::count(errors.begin(), errors.end(), tr("Name the law enforcement unit.")), 1) << driver->dump();
  EXPECT_EQ(std::count(errors.begin(), errors.end(), tr("This field is required.")), 1);
  ASSERT_TRUE(type_in("le_unit", "Demo unit"));
  ASSERT_TRUE(date_today("le_date"));
  EXPECT_TRUE(errors_shown().empty()) << driver->dump();
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows(tr("Call saved.")));
}

TEST_F(CallFlow, AFollowUpIsMarkedDone) {
  ASSERT_TRUE(open_call_screen());
  const auto before = follow_up_buttons();
  ASSERT_TRUE(tap_in("caller_type=family"));
  ASSERT_TRUE(tap_in("call_type=tip"));
  ASSERT_TRUE(date_today("follow_up_due"));
  ASSERT_TRUE(driver->tap("btn:save"));
  dismiss_banner();
  std::string ours;
  for (const auto& id : follow_up_buttons())
    if (!before.contains(id)) ours = id;
  ASSERT_FALSE(ours.empty()) << driver->dump();
  ASSERT_TRUE(tap_in(ours, "scroll:calls"));
  EXPECT_TRUE(driver->shows("Follow-up marked as done.")) << driver->dump();
  EXPECT_FALSE(driver->find(ours));
  EXPECT_FALSE(call_animating()) << "a tap on the list of calls starts no new call";
  EXPECT_TRUE(newest_call().follow_up_done);
}

TEST_F(CallFlow, RolesThatMayNotLogCallsAreRefusedOnScreen) {
  // An officer has no hotline tile; reaching the screen anyway shows the refusal, not a form.
  ASSERT_TRUE(unlock_as("Aysel"));
  EXPECT_FALSE(driver->shows("Hotline call"));
  app->navigate(Screen::Call);
  driver->frames(2);
  EXPECT_TRUE(driver->shows(tr("Your role may not log hotline calls."))) << driver->dump();
  EXPECT_FALSE(driver->find("btn:save"));
  EXPECT_FALSE(driver->find("field:notes"));
  ASSERT_TRUE(driver->tap("btn:home"));
  EXPECT_FALSE(call_animating());
  ASSERT_TRUE(driver->tap("btn:lock"));
  // A coordinator sees the calls (codes only) but logs none.
  ASSERT_TRUE(unlock_as("Leyla"));
  EXPECT_FALSE(driver->shows("Hotline call"));
  app->navigate(Screen::Call);
  driver->frames(2);
  EXPECT_TRUE(driver->shows(tr("Your role may not log hotline calls.")));
  EXPECT_TRUE(driver->shows(tr("Recent calls"))) << driver->dump();
  for (const auto& it : semantics().items())
    if (it.id.rfind("btn:followup-done:", 0) == 0) {
      EXPECT_FALSE(it.enabled) << it.id;
    }
}

}  // namespace
}  // namespace ik::ui::testing
