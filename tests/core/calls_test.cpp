// Hotline calls: capture with every field, validation, the list without caller identity,
// audited opening, follow-up, and who may do what.
#include <string>

#include <gtest/gtest.h>

#include "core/calls.hpp"
#include "core/validation.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

template <class T>
concept HasCallerIdentity = requires(T t) { t.caller_name; } || requires(T t) { t.phone; } ||
                            requires(T t) { t.notes; } || requires(T t) { t.name; };
static_assert(!HasCallerIdentity<CallListItem>, "the call list must never carry the caller's name or phone");
static_assert(HasCallerIdentity<CallForm>, "the check above must be able to fail");

#define EXPECT_SAME(a, b) EXPECT_TRUE((a) == (b)) << #a " differs"

CallForm full_call() {
  CallForm c;
  c.started_at = now_unix() - 3600;
  c.duration_s = 1260;
  c.channel = "messenger";
  c.caller_type = "potential_victim";
  c.language = "rus";
  c.region = "Sumqayıt";
  c.call_type = "tip";
  c.ilo_indicators = "debt_bondage,isolation,retention_of_documents";
  c.actions = "information_given,referred_law_enforcement";
  c.le_referred = true;
  c.le_unit = "Nümunə police unit 7";
  c.le_date = today(now_unix());
  c.follow_up_due = today(now_unix() + 7 * 86400);
  c.follow_up_done = false;
  c.caller_name = "Ольга Примерова";
  c.phone = "+994 70 555 44 33";
  c.notes = "Synthetic call.\nCalls back tomorrow.";
  return c;
}

CallForm minimal_call() {
  CallForm c;
  c.started_at = now_unix() - 120;
  c.duration_s = 90;
  return c;  // anonymous information call by phone
}

TEST_F(StaffFixture, LogACallWithEveryFieldAndOpenIt) {
  const CallForm form = full_call();
  std::int64_t id = 0, hotline_id = 0;
  {
    auto h = hotline();
    hotline_id = h.actor().id;
    CallForm sent = form;
    sent.id = 777;                    // the service sets these itself
    sent.created_by = 999;
    sent.case_id = 5;
    sent.hq_confirmed_at = 12345;
    sent.purged_at = 12345;
    auto r = CallService(h).log_call(sent);
    ASSERT_TRUE(r) << r.error().message;
    id = *r;
  }
  auto h = hotline();
  auto c = CallService(h).open(id);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->id, id);
  EXPECT_EQ(c->started_at, form.started_at);
  EXPECT_EQ(c->duration_s, form.duration_s);
  EXPECT_EQ(c->channel, form.channel);
  EXPECT_EQ(c->caller_type, form.caller_type);
  EXPECT_EQ(c->language, form.language);
  EXPECT_SAME(c->region, form.region);
  EXPECT_EQ(c->call_type, form.call_type);
  EXPECT_EQ(c->ilo_indicators, form.ilo_indicators);
  EXPECT_EQ(c->actions, form.actions);
  EXPECT_TRUE(c->le_referred);
  EXPECT_SAME(c->le_unit, form.le_unit);
  EXPECT_EQ(c->le_date, form.le_date);
  EXPECT_EQ(c->follow_up_due, form.follow_up_due);
  EXPECT_FALSE(c->follow_up_done);
  EXPECT_SAME(c->caller_name, form.caller_name);
  EXPECT_SAME(c->phone, form.phone);
  EXPECT_SAME(c->notes, form.notes);
  EXPECT_EQ(c->created_by, hotline_id);
  EXPECT_GE(c->created_at, form.started_at);
  EXPECT_EQ(c->updated_at, c->created_at);
  EXPECT_FALSE(c->case_id);
  EXPECT_FALSE(c->hq_confirmed_at);
  EXPECT_FALSE(c->purged_at);
  EXPECT_EQ(CallService(h).open(id + 100).error().code, Errc::NotFound);
}

TEST_F(StaffFixture, CallValidation) {
  auto h = hotline();
  CallService calls(h);
  struct Bad {
    const char* what;
    std::function<void(CallForm&)> change;
    std::string field, msgid;
  };
  const std::string anonymous_msg = "An anonymous caller has no name or phone number here.";
  const std::vector<Bad> bad{
      {"referred without a unit", [](CallForm& c) { c.le_unit.reset(); }, "le_unit", std::string(msg::kLawUnitRequired)},
      {"referred with an empty unit", [](CallForm& c) { c.le_unit = ""; }, "le_unit", std::string(msg::kLawUnitRequired)},
      {"referred without a date", [](CallForm& c) { c.le_date.reset(); }, "le_date", std::string(msg::kRequired)},
      {"referral date in the future", [](CallForm& c) { c.le_date = today(now_unix() + 3 * 86400); }, "le_date",
       std::string(msg::kFutureDate)},
      {"anonymous with a name",
       [](CallForm& c) {
         c.caller_type = "anonymous";
         c.phone.reset();
       },
       "caller_name", anonymous_msg},
      {"anonymous with a phone",
       [](CallForm& c) {
         c.caller_type = "anonymous";
         c.caller_name.reset();
       },
       "caller_name", anonymous_msg},
      {"negative duration", [](CallForm& c) { c.duration_s = -1; }, "duration_s", std::string(msg::kDurationRange)},
      {"over 24 hours", [](CallForm& c) { c.duration_s = 24 * 3600 + 1; }, "duration_s", std::string(msg::kDurationRange)},
      {"unknown ILO indicator", [](CallForm& c) { c.ilo_indicators = "debt_bondage,slavery"; }, "ilo_indicators",
       std::string(msg::kUnknownCode)},
      {"unknown action", [](CallForm& c) { c.actions = "prayed"; }, "actions", std::string(msg::kUnknownCode)},
      {"unknown channel", [](CallForm& c) { c.channel = "pigeon"; }, "channel", std::string(msg::kUnknownCode)},
      {"unknown caller type", [](CallForm& c) { c.caller_type = "alien"; }, "caller_type", std::string(msg::kUnknownCode)},
      {"unknown call type", [](CallForm& c) { c.call_type = ""; }, "call_type", std::string(msg::kRequired)},
      {"unknown language", [](CallForm& c) { c.language = "xx"; }, "language", std::string(msg::kUnknownLanguage)},
      {"started in the future", [](CallForm& c) { c.started_at = now_unix() + 3600; }, "started_at",
       std::string(msg::kFutureDate)},
      {"never started", [](CallForm& c) { c.started_at = 0; }, "started_at", std::string(msg::kFutureDate)},
      {"impossible follow-up date", [](CallForm& c) { c.follow_up_due = "2026-02-30"; }, "follow_up_due",
       std::string(msg::kBadDate)},
      {"bad phone", [](CallForm& c) { c.phone = "call me"; }, "phone", std::string(msg::kBadPhone)},
      {"long name", [](CallForm& c) { c.caller_name = std::string(101, 'x'); }, "caller_name", std::string(msg::kTooLong)},
      {"control characters", [](CallForm& c) { c.region = "Bakı\x1b[0m"; }, "region", std::string(msg::kControlChars)},
      {"long notes", [](CallForm& c) { c.notes = std::string(2001, 'n'); }, "notes", std::string(msg::kTooLong)},
  };
  for (const auto& b : bad) {
    CallForm c = full_call();
    b.change(c);
    auto r = calls.log_call(c);
    ASSERT_FALSE(r) << b.what;
    EXPECT_EQ(r.error().code, Errc::Invalid) << b.what;
    ASSERT_EQ(r.error().fields.size(), 1u) << b.what;
    EXPECT_EQ(r.error().fields[0].field, b.field) << b.what;
    EXPECT_EQ(r.error().fields[0].msgid, b.msgid) << b.what;
  }
  EXPECT_EQ(rows(h, "calls"), 0) << "a refused call is not stored";
  // Boundaries that are fine: a follow-up in the future, 0 and 24 h, an anonymous call without identity,
  // a unit named although the call was not referred.
  CallForm ok = full_call();
  ok.duration_s = 0;
  EXPECT_TRUE(calls.log_call(ok));
  ok.duration_s = 24 * 3600;
  EXPECT_TRUE(calls.log_call(ok));
  CallForm anon = minimal_call();
  EXPECT_TRUE(calls.log_call(anon));
  anon.le_unit = "Nümunə unit";
  EXPECT_TRUE(calls.log_call(anon));
  EXPECT_EQ(rows(h, "calls"), 4);
}

TEST_F(StaffFixture, ListCarriesNoIdentityAndOpeningIsAudited) {
  std::int64_t first = 0, second = 0;
  {
    auto h = hotline();
    CallService calls(h);
    CallForm a = full_call();
    a.started_at = now_unix() - 7200;
    first = *calls.log_call(a);
    second = *calls.log_call(minimal_call());
    auto list = calls.list(0, 10);
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].id, second) << "newest first";
    EXPECT_EQ((*list)[1].id, first);
    const auto& item = (*list)[1];
    EXPECT_EQ(item.started_at, a.started_at);
    EXPECT_EQ(item.duration_s, a.duration_s);
    EXPECT_EQ(item.channel, "messenger");
    EXPECT_EQ(item.caller_type, "potential_victim");
    EXPECT_EQ(item.call_type, "tip");
    EXPECT_TRUE(item.le_referred);
    EXPECT_EQ(item.follow_up_due, a.follow_up_due);
    EXPECT_FALSE(item.follow_up_done);
    auto page2 = calls.list(1, 1);
    ASSERT_TRUE(page2);
    ASSERT_EQ(page2->size(), 1u);
    EXPECT_EQ((*page2)[0].id, first);
    ASSERT_TRUE(calls.open(first));
  }
  {
    auto co = coordinator();
    ASSERT_TRUE(CallService(co).open(first)) << "a coordinator may read calls";
  }
  auto au = auditor();
  const auto log = whole_audit_log(au);
  EXPECT_EQ(count_audit(log, "view_call", "call", first), 2);
  EXPECT_EQ(count_audit(log, "view_call", "call", second), 0) << "listing is not opening";
  EXPECT_EQ(count_audit(log, "log_call", "call", first, "tip"), 1);
  EXPECT_EQ(count_audit(log, "log_call", "call", second, "information"), 1);
  for (const auto& e : log) {
    EXPECT_EQ(e.detail.find("Примерова"), std::string::npos);
    EXPECT_EQ(e.detail.find("555"), std::string::npos);
  }
}

TEST_F(StaffFixture, CompleteFollowUp) {
  auto h = hotline();
  CallService calls(h);
  auto id = calls.log_call(full_call());
  ASSERT_TRUE(id);
  const auto before = calls.open(*id)->updated_at;
  ASSERT_TRUE(calls.complete_follow_up(*id));
  auto c = calls.open(*id);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->follow_up_done);
  EXPECT_GE(c->updated_at, before);
  EXPECT_SAME(c->caller_name, full_call().caller_name) << "nothing else changed";
  EXPECT_EQ(c->le_unit, full_call().le_unit);
  auto list = calls.list(0, 10);
  ASSERT_TRUE(list);
  EXPECT_TRUE((*list)[0].follow_up_done);
  EXPECT_EQ(calls.complete_follow_up(*id + 1000).error().code, Errc::NotFound);
  h.lock();
  auto au = auditor();
  EXPECT_EQ(count_audit(whole_audit_log(au), "follow_up_done", "call", *id), 1);
}

TEST_F(StaffFixture, HotlineLogsCallsOfficersDoNot) {
  std::int64_t id = 0;
  {
    auto h = hotline();
    auto r = CallService(h).log_call(minimal_call());
    ASSERT_TRUE(r) << r.error().message;
    id = *r;
  }
  for (auto who : {kOfficer, kAuditor, std::string_view("Admin Aysel")}) {
    auto s = who == kOfficer ? officer() : who == kAuditor ? auditor() : admin();
    CallService calls(s);
    EXPECT_EQ(calls.log_call(minimal_call()).error().code, Errc::PermissionDenied) << who;
    EXPECT_EQ(calls.list(0, 10).error().code, Errc::PermissionDenied) << who;
    EXPECT_EQ(calls.open(id).error().code, Errc::PermissionDenied) << who;
    EXPECT_EQ(calls.complete_follow_up(id).error().code, Errc::PermissionDenied) << who;
  }
  {
    // A coordinator follows calls but does not take them.
    auto co = coordinator();
    EXPECT_EQ(CallService(co).log_call(minimal_call()).error().code, Errc::PermissionDenied);
    EXPECT_TRUE(CallService(co).list(0, 10));
  }
  auto h = hotline();
  EXPECT_EQ(rows(h, "calls"), 1);
  auto au = auditor();
  const auto log = whole_audit_log(au);
  // Officer, auditor and admin: log_call and complete_follow_up each; the coordinator: log_call.
  EXPECT_EQ(count_audit(log, "permission_denied", "action", 0, "log_call"), 7);
  EXPECT_EQ(count_audit(log, "permission_denied", "action", 0, "view_calls"), 6);
}

}  // namespace
}  // namespace ik::core::testing
