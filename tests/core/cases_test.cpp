// Following a case: who may see what (and the audit of refusals and reveals), referrals and
// their consent rules and lifecycle, services, status, paging.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cases.hpp"
#include "core/validation.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

// The masked list has no field a name could travel in.
template <class T>
concept HasNameField = requires(T t) { t.given_name; } || requires(T t) { t.family_name; } ||
                       requires(T t) { t.alias; } || requires(T t) { t.name; } || requires(T t) { t.person; } ||
                       requires(T t) { t.phone; } || requires(T t) { t.birth_date; };
static_assert(!HasNameField<CaseListItem>, "CaseListItem must never carry a name");
static_assert(HasNameField<storage::CaseListRow>, "the check above must be able to fail");

struct CasesFixture : RecordsFixture {
  // Registers one intake as the officer; returns its case id.
  std::int64_t register_one(IntakeForm f) {
    auto o = officer();
    auto id = IntakeService(o).register_intake(f);
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }
  std::int64_t register_one(std::string family = "Nümunəova", int variant = 0) {
    return register_one(sample_intake(IntakeStep::StatusSource, std::move(family), "Günay", variant));
  }
};

void expect_denied(const auto& r, std::string_view what) {
  ASSERT_FALSE(r) << what;
  EXPECT_EQ(r.error().code, Errc::PermissionDenied) << what;
}

TEST_F(CasesFixture, AdminCannotReadCasesAndEveryRefusalIsAudited) {
  const auto id = register_one();
  {
    auto a = admin();
    CaseService cases(a);
    expect_denied(cases.open(id), "open");
    expect_denied(cases.list({}, 0, 10), "list");
    expect_denied(cases.reveal_name(id), "reveal_name");
    expect_denied(cases.set_status(id, "closed"), "set_status");
    expect_denied(cases.add_service(id, {"medical", today(now_unix()), std::nullopt}), "add_service");
    expect_denied(cases.refer(id, {"ngo", "Nümunə NGO", std::nullopt}), "refer");
  }
  auto au = auditor();
  const auto log = whole_audit_log(au);
  std::multiset<std::string> denied;
  for (const auto& e : log)
    if (e.action == "permission_denied") {
      EXPECT_EQ(e.actor_name, "Admin Aysel");
      denied.insert(e.detail);
    }
  EXPECT_EQ(denied, (std::multiset<std::string>{"view_case", "view_cases", "reveal_name", "update_case", "add_service",
                                                "refer"}));
  EXPECT_EQ(count_audit(log, "view_case"), 0) << "nothing was opened";
  EXPECT_EQ(count_audit(log, "reveal_name"), 0);
}

TEST_F(CasesFixture, AuditorAndHotlineCannotReadCases) {
  const auto id = register_one();
  {
    auto au = auditor();
    CaseService cases(au);
    expect_denied(cases.open(id), "auditor open");
    expect_denied(cases.list({}, 0, 10), "auditor list");
    expect_denied(cases.reveal_name(id), "auditor reveal");
  }
  {
    auto h = hotline();
    CaseService cases(h);
    expect_denied(cases.list({}, 0, 10), "hotline list");
    expect_denied(cases.open(id), "hotline open");
    expect_denied(cases.reveal_name(id), "hotline reveal");
  }
  {
    auto o = officer();
    CaseService cases(o);
    expect_denied(cases.set_status(id, "follow_up"), "officer update");
    expect_denied(cases.refer(id, {"ngo", "Nümunə NGO", std::nullopt}), "officer refer");
    expect_denied(cases.record_consent(id, "referral", true, today(now_unix())), "officer consent");
  }
  auto au = auditor();
  const auto log = whole_audit_log(au);
  EXPECT_EQ(count_audit(log, "permission_denied", "action", 0, "view_case"), 2);
  EXPECT_EQ(count_audit(log, "permission_denied", "action", 0, "view_cases"), 2);
  EXPECT_EQ(count_audit(log, "view_case"), 0);
}

TEST_F(CasesFixture, OfficerListsOpensAndRevealsAndTheRevealIsAudited) {
  const auto id = register_one("Nümunəova");
  const auto other = register_one("Sınaqova", 1);
  std::string revealed;
  {
    auto o = officer();
    CaseService cases(o);
    auto page = cases.list({}, 0, 10);
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->total, 2);
    for (const auto& item : page->items) {
      // Nothing in a list line holds a name.
      for (const auto* s : {&item.case_number, &item.gender, &item.status, &item.risk_level})
        for (const char* name : {"Nümunəova", "Sınaqova", "Günay", "Sınaq-"}) EXPECT_EQ(s->find(name), std::string::npos);
      EXPECT_EQ(item.gender, "female");
      EXPECT_EQ(item.status, "active");
    }
    ASSERT_TRUE(cases.open(id));
    auto name = cases.reveal_name(id);
    ASSERT_TRUE(name) << name.error().message;
    revealed = *name;
  }
  EXPECT_EQ(revealed, "Günay Nümunəova (Sınaq-0)");
  auto au = auditor();
  const auto log = whole_audit_log(au);
  EXPECT_EQ(count_audit(log, "reveal_name", "case", id), 1);
  EXPECT_EQ(count_audit(log, "reveal_name", "case", other), 0);
  EXPECT_EQ(count_audit(log, "view_case", "case", id), 1);
  for (const auto& e : log) {
    EXPECT_EQ(e.detail.find("Nümunəova"), std::string::npos) << "an audit detail holds a name";
    EXPECT_EQ(e.detail.find("Günay"), std::string::npos);
  }
  // A case that does not exist.
  auto o = officer();
  auto missing = CaseService(o).open(424242);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
}

TEST_F(CasesFixture, ReferralNeedsConsent) {
  IntakeForm f = sample_intake(IntakeStep::StatusSource);
  f.consent.referral = false;
  f.consent.share_law_enforcement = false;
  const auto id = register_one(f);
  auto c = coordinator();
  CaseService cases(c);
  const std::string today_s = today(now_unix());
  auto fields_of = [](const Error& e) {
    std::vector<std::string> m;
    for (const auto& fe : e.fields) m.push_back(fe.msgid);
    return m;
  };
  auto ngo = cases.refer(id, {"ngo", "Nümunə NGO", std::nullopt});
  ASSERT_FALSE(ngo);
  EXPECT_EQ(ngo.error().code, Errc::Invalid);
  EXPECT_EQ(fields_of(ngo.error()), (std::vector<std::string>{std::string(msg::kConsentRequiredForReferral)}));
  auto police = cases.refer(id, {"law_enforcement", "Nümunə police unit", std::nullopt});
  ASSERT_FALSE(police);
  EXPECT_EQ(fields_of(police.error()), (std::vector<std::string>{std::string(msg::kConsentRequiredForReferral),
                                                                 std::string(msg::kConsentRequiredForLaw)}));
  // Consent to be referred: an NGO now, but not yet the police.
  ASSERT_TRUE(cases.record_consent(id, "referral", true, today_s));
  auto ngo2 = cases.refer(id, {"ngo", "Nümunə NGO", std::string("shelter after discharge")});
  ASSERT_TRUE(ngo2) << ngo2.error().message;
  auto police2 = cases.refer(id, {"law_enforcement", "Nümunə police unit", std::nullopt});
  ASSERT_FALSE(police2);
  EXPECT_EQ(fields_of(police2.error()), (std::vector<std::string>{std::string(msg::kConsentRequiredForLaw)}));
  ASSERT_TRUE(cases.record_consent(id, "share_law_enforcement", true, today_s));
  auto police3 = cases.refer(id, {"law_enforcement", "Nümunə police unit", std::nullopt});
  ASSERT_TRUE(police3) << police3.error().message;
  // Withdrawn consent counts from then on.
  ASSERT_TRUE(cases.record_consent(id, "referral", false, today_s));
  auto after = cases.refer(id, {"health", "Nümunə clinic", std::nullopt});
  ASSERT_FALSE(after);
  EXPECT_EQ(fields_of(after.error()), (std::vector<std::string>{std::string(msg::kConsentRequiredForReferral)}));
  auto d = cases.open(id);
  ASSERT_TRUE(d);
  std::vector<std::string> outgoing;
  for (const auto& r : d->referrals)
    if (r.direction == "outgoing") {
      outgoing.push_back(r.organisation_type);
      EXPECT_EQ(r.status, "pending");
    }
  EXPECT_EQ(outgoing, (std::vector<std::string>{"ngo", "law_enforcement"}));
  // Consent input is validated.
  EXPECT_EQ(cases.record_consent(id, "everything", true, today_s).error().code, Errc::Invalid);
  EXPECT_EQ(cases.record_consent(id, "referral", true, "2024-02-30").error().code, Errc::Invalid);
  EXPECT_EQ(cases.refer(id, {"aliens", "x", std::nullopt}).error().code, Errc::Invalid);
  EXPECT_EQ(cases.refer(id, {"ngo", std::nullopt, std::nullopt}).error().code, Errc::Invalid);
}

TEST_F(CasesFixture, ReferralLifecycle) {
  const auto id = register_one();
  auto c = coordinator();
  CaseService cases(c);
  auto refer = [&]() {
    auto r = cases.refer(id, {"legal", "Nümunə legal aid", std::nullopt});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(0);
  };
  auto status_of = [&](std::int64_t ref) -> std::string {
    auto d = cases.open(id);
    EXPECT_TRUE(d);
    for (const auto& r : d->referrals)
      if (r.id == ref) return r.status;
    return "missing";
  };
  const auto a = refer();
  ASSERT_TRUE(cases.set_referral_status(a, "accepted", std::nullopt));
  EXPECT_EQ(status_of(a), "accepted");
  ASSERT_TRUE(cases.set_referral_status(a, "done", std::nullopt));
  EXPECT_EQ(status_of(a), "done");
  for (const char* s : {"pending", "accepted", "rejected", "done"}) {
    auto r = cases.set_referral_status(a, s, std::string("reason"));
    ASSERT_FALSE(r) << "done -> " << s;
    EXPECT_EQ(r.error().code, Errc::Invalid);
  }
  const auto b = refer();
  auto no_reason = cases.set_referral_status(b, "rejected", std::nullopt);
  ASSERT_FALSE(no_reason);
  ASSERT_EQ(no_reason.error().fields.size(), 1u);
  EXPECT_EQ(no_reason.error().fields[0], (FieldError{"reason", std::string(msg::kRequired), ""}));
  EXPECT_EQ(cases.set_referral_status(b, "rejected", std::string("")).error().code, Errc::Invalid);
  EXPECT_EQ(status_of(b), "pending");
  ASSERT_TRUE(cases.set_referral_status(b, "rejected", std::string("no capacity")));
  EXPECT_EQ(status_of(b), "rejected");
  EXPECT_FALSE(cases.set_referral_status(b, "accepted", std::nullopt));
  EXPECT_FALSE(cases.set_referral_status(b, "done", std::nullopt));
  const auto d = refer();
  EXPECT_FALSE(cases.set_referral_status(d, "done", std::nullopt)) << "pending -> done skips a step";
  EXPECT_FALSE(cases.set_referral_status(d, "pending", std::nullopt));
  EXPECT_EQ(cases.set_referral_status(d, "lost", std::nullopt).error().code, Errc::Invalid);
  ASSERT_TRUE(cases.set_referral_status(d, "accepted", std::nullopt));
  EXPECT_FALSE(cases.set_referral_status(d, "rejected", std::string("too late"))) << "accepted -> rejected";
  EXPECT_EQ(status_of(d), "accepted");
  EXPECT_EQ(cases.set_referral_status(987654, "accepted", std::nullopt).error().code, Errc::NotFound);
}

TEST_F(CasesFixture, Services) {
  const auto id = register_one();
  std::int64_t officer_id = 0;
  {
    auto o = officer();
    officer_id = o.actor().id;
    CaseService cases(o);
    auto s = cases.add_service(id, {"psychological", std::string("2025-02-01"), std::string("First session.\nCalm.")});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(cases.add_service(id, {"massage", std::string("2025-02-01"), std::nullopt}).error().code, Errc::Invalid);
    EXPECT_EQ(cases.add_service(id, {"medical", std::nullopt, std::nullopt}).error().code, Errc::Invalid);
    EXPECT_EQ(cases.add_service(id, {"medical", today(now_unix() + 3 * 86400), std::nullopt}).error().code, Errc::Invalid);
    EXPECT_EQ(cases.add_service(id, {"medical", std::string("2025-02-01"), std::string("a\x01")}).error().code,
              Errc::Invalid);
    EXPECT_EQ(cases.add_service(999999, {"medical", std::string("2025-02-01"), std::nullopt}).error().code,
              Errc::NotFound);
  }
  {
    auto h = hotline();
    expect_denied(CaseService(h).add_service(id, {"medical", std::string("2025-02-01"), std::nullopt}), "hotline");
  }
  auto c = coordinator();
  CaseService cases(c);
  ASSERT_TRUE(cases.add_service(id, {"medical", std::string("2025-01-15"), std::nullopt}));
  auto d = cases.open(id);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->services.size(), 2u);
  EXPECT_EQ(d->services[0].type, "medical");  // ordered by date
  EXPECT_EQ(d->services[1].type, "psychological");
  EXPECT_EQ(d->services[1].given_on, "2025-02-01");
  EXPECT_EQ(d->services[1].note, "First session.\nCalm.");
  EXPECT_EQ(d->services[1].given_by, officer_id);
}

TEST_F(CasesFixture, CannotCloseWhileThePersonHasABed) {
  IntakeForm f = sample_intake(IntakeStep::StatusSource);
  {
    auto o = officer();
    f.bed_id = bed_id(o, "W-05");
  }
  const auto id = register_one(f);
  auto c = coordinator();
  CaseService cases(c);
  for (const char* closing : {"closed", "closed_referred"}) {
    auto r = cases.set_status(id, closing);
    ASSERT_FALSE(r) << closing;
    EXPECT_EQ(r.error().code, Errc::Invalid);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].field, "status");
  }
  EXPECT_EQ(cases.open(id)->record.status, "active");
  ASSERT_TRUE(cases.set_status(id, "follow_up")) << "other statuses are fine";
  ASSERT_TRUE(BedService(c).release(id, "reintegration"));
  ASSERT_TRUE(cases.set_status(id, "closed"));
  auto d = cases.open(id);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->record.status, "closed");
  ASSERT_TRUE(d->record.closed_at);
  EXPECT_LE(*d->record.closed_at, now_unix());
  ASSERT_EQ(d->stays.size(), 1u);
  EXPECT_EQ(d->stays[0].discharge_reason, "reintegration");
  // Reopening clears closed_at.
  ASSERT_TRUE(cases.set_status(id, "active"));
  EXPECT_FALSE(cases.open(id)->record.closed_at);
  EXPECT_EQ(cases.set_status(id, "archived").error().code, Errc::Invalid);
}

TEST_F(CasesFixture, RiskAndRepatriation) {
  const auto id = register_one();
  auto c = coordinator();
  CaseService cases(c);
  ASSERT_TRUE(cases.set_risk(id, "low"));
  EXPECT_EQ(cases.set_risk(id, "extreme").error().code, Errc::Invalid);
  ASSERT_TRUE(cases.set_repatriation(id, "in_progress", std::string("KG")));
  EXPECT_EQ(cases.set_repatriation(id, "teleported", std::nullopt).error().code, Errc::Invalid);
  EXPECT_EQ(cases.set_repatriation(id, "completed", std::string("XX")).error().code, Errc::Invalid);
  auto d = cases.open(id);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->record.risk_level, "low");
  EXPECT_EQ(d->record.repatriation_status, "in_progress");
  EXPECT_EQ(d->record.repatriation_destination, "KG");
}

TEST_F(CasesFixture, ListPagesAndFiltersByStatus) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(register_one("Sınaqova", i));
  auto c = coordinator();
  CaseService cases(c);
  ASSERT_TRUE(cases.set_status(ids[1], "follow_up"));
  ASSERT_TRUE(cases.set_status(ids[4], "follow_up"));
  ASSERT_TRUE(cases.set_status(ids[5], "closed"));
  std::vector<std::int64_t> seen;
  for (std::int64_t offset = 0; offset < 9; offset += 3) {
    auto page = cases.list({}, offset, 3);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->total, 7);
    EXPECT_EQ(page->items.size(), offset == 6 ? 1u : 3u);
    for (const auto& i : page->items) seen.push_back(i.id);
  }
  // Newest first (same second: higher id first), each case exactly once.
  EXPECT_EQ(seen, (std::vector<std::int64_t>(ids.rbegin(), ids.rend())));
  auto beyond = cases.list({}, 50, 3);
  ASSERT_TRUE(beyond);
  EXPECT_TRUE(beyond->items.empty());
  EXPECT_EQ(beyond->total, 7);
  auto follow = cases.list({.status = std::string("follow_up"), .text = ""}, 0, 10);
  ASSERT_TRUE(follow);
  EXPECT_EQ(follow->total, 2);
  ASSERT_EQ(follow->items.size(), 2u);
  EXPECT_EQ(follow->items[0].id, ids[4]);
  EXPECT_EQ(follow->items[1].id, ids[1]);
  auto first = cases.list({.status = std::string("follow_up"), .text = ""}, 0, 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->total, 2);
  EXPECT_EQ(first->items.size(), 1u);
  auto closed = cases.list({.status = std::string("closed"), .text = ""}, 0, 10);
  ASSERT_TRUE(closed);
  ASSERT_EQ(closed->total, 1);
  EXPECT_EQ(closed->items[0].id, ids[5]);
  auto active = cases.list({.status = std::string("active"), .text = ""}, 0, 10);
  EXPECT_EQ(active->total, 4);
  auto bad = cases.list({.status = std::string("gone"), .text = ""}, 0, 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::Invalid);
}

}  // namespace
}  // namespace ik::core::testing
