// A hotline call in progress survives an auto-lock: it is kept as the operator's encrypted call
// draft, the same operator gets it back (fields, toggles, a timer that resumes where it stood)
// right after unlocking, nobody else sees it, and a draft nobody comes back for expires.
// Synthetic names only ("Sınaqova": sınaq = test).
#include <algorithm>
#include <regex>

#include "core/calls.hpp"
#include "core/codes.hpp"
#include "core/retention.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

constexpr std::string_view kCaller = "Sınaqova";

class CallDraft : public UiTest {
 protected:
  bool tap_in(std::string_view key) { return driver->reveal(key, "scroll:call") && driver->tap(key); }
  bool type_in(std::string_view field, std::string_view text) {
    return tap_in(fmt::format("field:{}", field)) && keyboard().is_active(field) && driver->type(text) &&
           driver->tap("key:done");
  }
  std::string value(std::string_view id) {
    const auto* it = driver->find(id);
    return it ? it->value : "<not on screen>";
  }
  std::string timer() {
    const auto* it = driver->find("call:timer");
    return it ? it->label : "<no timer>";
  }
  static int seconds_of(const std::string& mmss) {
    std::smatch m;
    const std::regex re("([0-9]{2}):([0-9]{2})");
    return std::regex_match(mmss, m, re) ? std::stoi(m[1]) * 60 + std::stoi(m[2]) : -1;
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
  // Starts a call and fills a few things in, as an operator would while listening.
  void take_a_call() {
    ASSERT_TRUE(driver->tap("Hotline call"));
    ASSERT_EQ(app->screen(), Screen::Call);
    ASSERT_TRUE(tap_in("channel=phone"));
    ASSERT_TRUE(tap_in("caller_type=potential_victim"));
    ASSERT_TRUE(tap_in("call_type=tip"));
    ASSERT_TRUE(tap_in("ilo:deception"));
    ASSERT_TRUE(tap_in("ilo:debt_bondage"));
    ASSERT_TRUE(tap_in("language=rus"));
    ASSERT_TRUE(type_in("caller_name", kCaller));
    ASSERT_EQ(value("ilo:deception"), "on");
  }
};

TEST_F(CallDraft, ACallInProgressSurvivesAutoLockAndComesBackToTheSameOperator) {
  start(core::Lang::En, 30);
  ASSERT_TRUE(unlock_as("Murad"));
  take_a_call();
  idle(12);  // the caller talks; nobody touches the screen
  const int before_lock = seconds_of(timer());
  ASSERT_GE(before_lock, 12) << timer();

  idle(25);  // past the 30 s auto-lock
  ASSERT_EQ(app->screen(), Screen::Lock);
  EXPECT_EQ(app->session(), nullptr);
  EXPECT_FALSE(driver->shows(kCaller)) << "nothing of the call on the lock screen";
  {
    // Kept encrypted in the drafts table, as Murad's call draft.
    auto s = session_as("Murad");
    auto d = core::CallService(s).latest_draft();
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_TRUE(d->has_value());
    EXPECT_EQ((*d)->form.caller_name.value_or(""), kCaller);
    EXPECT_EQ((*d)->form.call_type, "tip");
    EXPECT_EQ((*d)->form.language.value_or(""), "rus");
    EXPECT_GE((*d)->form.duration_s, before_lock);
    EXPECT_LE((*d)->form.duration_s, before_lock + 30) << "the timer stopped at the lock";
  }

  idle(600);  // ten minutes locked
  ASSERT_TRUE(unlock_as("Murad"));
  EXPECT_EQ(app->screen(), Screen::Call) << "the call is offered back at once";
  EXPECT_TRUE(driver->find("banner")) << driver->dump();
  EXPECT_EQ(value("ilo:deception"), "on");
  EXPECT_EQ(value("ilo:debt_bondage"), "on");
  EXPECT_EQ(value("ilo:isolation"), "off");
  EXPECT_EQ(value("le_referred"), "off");
  ASSERT_TRUE(driver->reveal("field:caller_name", "scroll:call"));
  EXPECT_EQ(value("field:caller_name"), kCaller);
  // The timer resumes from where it stood: not zero, and not counting the ten locked minutes.
  const int after = seconds_of(timer());
  EXPECT_GE(after, before_lock);
  EXPECT_LT(after, before_lock + 60) << timer();
  EXPECT_EQ(value("call:timer"), "running");
  idle(5);
  EXPECT_GE(seconds_of(timer()), after + 5) << "and keeps running";

  // Saving logs the call and removes the draft, in one transaction.
  ASSERT_TRUE(tap_in("actions=information_given"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Call saved.")) << driver->dump();
  ASSERT_TRUE(driver->tap("btn:lock"));
  auto s = session_as("Murad");
  auto d = core::CallService(s).latest_draft();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->has_value()) << "a saved call leaves no draft";
  auto list = core::CallService(s).list(0, 1);
  ASSERT_TRUE(list && !list->empty());
  auto c = core::CallService(s).open(list->front().id);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->caller_name.value_or(""), kCaller);
  auto ilo = core::codes::split(c->ilo_indicators);
  std::sort(ilo.begin(), ilo.end());
  EXPECT_EQ(ilo, (std::vector<std::string>{"debt_bondage", "deception"}));
  EXPECT_EQ(c->language.value_or(""), "rus") << "the language chosen before the lock";
}

TEST_F(CallDraft, TheLockButtonKeepsTheCallTooAndNobodyElseGetsIt) {
  ASSERT_TRUE(unlock_as("Murad"));
  take_a_call();
  ASSERT_TRUE(driver->tap("btn:home"));  // the call stays open behind Home
  ASSERT_EQ(app->screen(), Screen::Home);
  ASSERT_TRUE(driver->tap("btn:lock"));

  // Another member of staff unlocks: their own screen, no call, no name.
  ASSERT_TRUE(unlock_as("Aysel"));
  EXPECT_EQ(app->screen(), Screen::Home);
  EXPECT_FALSE(driver->shows(kCaller));
  ASSERT_TRUE(driver->tap("btn:lock"));
  ASSERT_TRUE(unlock_as("Leyla"));
  EXPECT_EQ(app->screen(), Screen::Home);
  ASSERT_TRUE(driver->tap("btn:lock"));

  ASSERT_TRUE(unlock_as("Murad"));
  ASSERT_EQ(app->screen(), Screen::Call) << "left open behind Home, still kept";
  ASSERT_TRUE(driver->reveal("field:caller_name", "scroll:call"));
  EXPECT_EQ(value("field:caller_name"), kCaller);

  // Discarding it (two taps) removes the draft as well.
  ASSERT_TRUE(driver->tap("btn:discard"));
  ASSERT_TRUE(driver->tap("btn:discard"));
  EXPECT_EQ(timer(), "00:00");
  ASSERT_TRUE(driver->tap("btn:lock"));
  ASSERT_TRUE(unlock_as("Murad"));
  EXPECT_EQ(app->screen(), Screen::Home) << "nothing to come back to";
}

TEST_F(CallDraft, AnUntouchedCallDraftExpiresLikeAnIntakeDraft) {
  auto s = session_as("Murad");
  core::CallForm f;
  f.started_at = core::now_unix() - 100;
  f.duration_s = 40;
  f.caller_type = "potential_victim";
  f.caller_name = std::string(kCaller);
  auto id = core::CallService(s).save_draft(0, f);
  ASSERT_TRUE(id) << id.error().message;
  // A second call replaces the first: one call is taken at a time.
  f.call_type = "crisis";
  auto id2 = core::CallService(s).save_draft(0, f);
  ASSERT_TRUE(id2);
  auto latest = core::CallService(s).latest_draft();
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->id, *id2);
  EXPECT_EQ((*latest)->form.call_type, "crisis");
  // Updating it in place keeps its id.
  f.duration_s = 55;
  auto same = core::CallService(s).save_draft(*id2, f);
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, *id2);

  auto kept = core::apply_retention(s, 90, core::now_unix() + (core::kDraftLifetimeDays - 1) * 86400);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->drafts_removed, 0);
  auto gone = core::apply_retention(s, 90, core::now_unix() + (core::kDraftLifetimeDays + 1) * 86400);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->drafts_removed, 1);
  auto d = core::CallService(s).latest_draft();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->has_value());
}

TEST_F(CallDraft, OnlyTheOperatorsOwnCallDraftAndOnlyForRolesThatLogCalls) {
  auto murad = session_as("Murad");
  core::CallForm f;
  f.started_at = core::now_unix() - 100;
  f.caller_name = std::string(kCaller);
  f.caller_type = "potential_victim";
  auto id = core::CallService(murad).save_draft(0, f);
  ASSERT_TRUE(id);
  murad.lock();
  auto leyla = session_as("Leyla");  // a coordinator does not log calls
  auto d = core::CallService(leyla).latest_draft();
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, core::Errc::PermissionDenied);
  EXPECT_FALSE(core::CallService(leyla).discard_draft(*id));
  // Round trip of every field through the draft's JSON.
  f.channel = "whatsapp";
  f.language = "rus";
  f.region = "Sumqayıt";
  f.ilo_indicators = "deception,isolation";
  f.actions = "information_given";
  f.le_referred = true;
  f.le_unit = "Unit 1";
  f.le_date = "2026-01-02";
  f.follow_up_due = "2026-02-03";
  f.phone = "+994 50 000 00 00";
  f.notes = "Line one\nline two";
  auto back = core::call_from_json(core::to_json(f));
  ASSERT_TRUE(back);
  EXPECT_EQ(core::to_json(*back), core::to_json(f));
  EXPECT_FALSE(core::call_from_json("{\"v\":2}"));
  EXPECT_FALSE(core::call_from_json("not json"));
}

}  // namespace
}  // namespace ik::ui::testing
