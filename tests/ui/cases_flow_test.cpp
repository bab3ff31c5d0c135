// Cases, the case page, beds, the dashboard and administration, driven like a finger on a
// headless kiosk with a demo device (synthetic records only). Failure messages list item ids,
// never what a row shows, so no name can reach the test output.
#include <algorithm>

#include "core/audit.hpp"
#include "core/beds.hpp"
#include "core/cases.hpp"
#include "core/session.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

// Every demo family name is a stem meaning "sample", "test", "example" plus -ov/-ova; a person
// without consent to keep their name has an alias "Anon-NNNN".
constexpr const char* kNameMarks[] = {"Nümunəov", "Sınaqov", "Örnəkov", "Misalov", "Fiktivov", "Uydurmaov",
                                      "Testov",   "Примеров", "Тестов", "Образцов", "Вымышленов", "Anon-"};

bool is_name(std::string_view text) {
  return std::any_of(std::begin(kNameMarks), std::end(kNameMarks),
                     [&](const char* m) { return text.find(m) != std::string_view::npos; });
}

// Items on screen that show a person's name (other than `except`, e.g. the search field).
int names_shown(std::string_view except = {}) {
  int n = 0;
  for (const auto& it : semantics().items()) n += it.id != except && (is_name(it.label) || is_name(it.value));
  return n;
}

// The ids on screen (safe to print: ids carry numbers and codes, never a name).
std::string ids() {
  std::string out;
  for (const auto& it : semantics().items())
    if (it.kind != ItemKind::Text || it.id != it.label) out += it.id + " ";  // a text's own id is its text
  return out;
}

std::vector<std::string> ids_with(std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& it : semantics().items())
    if (it.id.starts_with(prefix)) out.push_back(it.id);
  return out;
}

std::int64_t id_after(std::string_view id, std::string_view prefix) { return std::stoll(std::string(id.substr(prefix.size()))); }

std::string_view passphrase_of(std::string_view name) {
  for (const auto& s : core::kDemoStaff)
    if (s.name == name) return s.passphrase;
  return {};
}

crypto::SecureBuffer secret(std::string_view s) {
  return crypto::SecureBuffer::copy_of({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

class CasesFlow : public UiTest {
 protected:
  // A core session of its own, for checking what the screens did (the app must be locked).
  core::Session session_as(std::string_view name) {
    auto s = core::unlock(dir, name, secret(passphrase_of(name)));
    if (!s) ADD_FAILURE() << "unlock " << name << ": " << s.error().message;
    return s ? std::move(*s) : core::Session{};
  }

  std::vector<storage::AuditRecord> audit_log() {
    auto s = session_as("Auditor");
    auto all = core::audit_entries(s, 1, 1000);
    EXPECT_TRUE(all.has_value());
    return all ? *all : std::vector<storage::AuditRecord>{};
  }

  // Taps the banner's OK (a banner stays 6 s and covers the top of the content).
  void dismiss() {
    if (driver->find("btn:banner-ok")) driver->tap("btn:banner-ok");
  }

  void lock_app() {
    ASSERT_TRUE(driver->tap("btn:lock"));
    ASSERT_EQ(app->screen(), Screen::Lock);
  }
};

TEST_F(CasesFlow, CaseListMasksNamesAndARevealShowsExactlyOneAudited) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases")) << ids();
  ASSERT_EQ(app->screen(), Screen::Cases);
  const auto masks = ids_with("btn:reveal:");
  ASSERT_GE(masks.size(), 5u) << ids();
  EXPECT_EQ(names_shown(), 0) << "no name before a tap";
  EXPECT_TRUE(driver->shows(core::kMaskedName));
  EXPECT_TRUE(ids_with("name:").empty());

  const auto chosen = masks[1];
  const auto case_id = id_after(chosen, "btn:reveal:");
  ASSERT_TRUE(driver->tap(chosen));
  const auto shown = ids_with("name:");
  ASSERT_EQ(shown.size(), 1u) << ids();
  EXPECT_EQ(shown.front(), fmt::format("name:{}", case_id));
  EXPECT_EQ(names_shown(), 1) << "exactly the tapped row's name";
  EXPECT_FALSE(driver->find(chosen)) << "that row is no longer masked";
  EXPECT_EQ(ids_with("btn:reveal:").size(), masks.size() - 1);

  // Tapping the name masks it again, without another reveal.
  ASSERT_TRUE(driver->tap(fmt::format("name:{}", case_id)));
  EXPECT_EQ(names_shown(), 0);

  lock_app();
  EXPECT_EQ(names_shown(), 0);
  const auto log = audit_log();
  const auto reveals = std::count_if(log.begin(), log.end(), [&](const auto& e) { return e.action == "reveal_name"; });
  EXPECT_EQ(reveals, 1);
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [&](const auto& e) {
    return e.action == "reveal_name" && e.entity == "case" && e.entity_id == case_id && e.actor_name == "Leyla";
  }));
}

TEST_F(CasesFlow, SearchingByATypedNameFindsTheCase) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  // Learn one name the way staff would: reveal it (a row further down, so the search must find it).
  const auto masks = ids_with("btn:reveal:");
  ASSERT_GE(masks.size(), 4u);
  const auto case_id = id_after(masks[3], "btn:reveal:");
  ASSERT_TRUE(driver->tap(masks[3]));
  const auto* shown = driver->find(fmt::format("name:{}", case_id));
  ASSERT_NE(shown, nullptr) << ids();
  // The family name (or the alias): the word that carries the demo mark.
  std::string word;
  for (std::size_t i = 0, j; i < shown->label.size(); i = j + 1) {
    j = std::min(shown->label.find_first_of(" ()", i), shown->label.size());
    const auto w = shown->label.substr(i, j - i);
    if (is_name(w)) word = w;
  }
  ASSERT_FALSE(word.empty());
  ASSERT_TRUE(driver->tap(fmt::format("name:{}", case_id)));  // masked again

  ASSERT_TRUE(driver->tap("field:search"));
  ASSERT_TRUE(driver->type(word));
  idle(0.5);  // the search runs after a short pause in typing, on the search worker
  ASSERT_TRUE(settle([&] { return !driver->shows("Searching"); })) << ids();
  EXPECT_TRUE(driver->find(fmt::format("row:{}", case_id))) << ids();
  const auto rows = ids_with("row:");
  EXPECT_LT(rows.size(), 40u) << "the search narrowed the list";
  EXPECT_EQ(names_shown("field:search"), 0) << "the typed text is in the field, no row shows a name";
  // A filter on top: only closed cases (this one may or may not be), then back to all.
  ASSERT_TRUE(driver->tap("status="));
  ASSERT_TRUE(settle([&] { return !driver->shows("Searching"); }));
  EXPECT_TRUE(driver->find(fmt::format("row:{}", case_id)));
}

TEST_F(CasesFlow, AutoLockHidesAnOpenCaseAndNothingStaleComesBack) {
  start(core::Lang::En, 30);
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  const auto rows = ids_with("row:");
  ASSERT_FALSE(rows.empty());
  const auto* row = driver->find(rows.front());
  const std::string number = row->label.substr(0, row->label.find(' '));
  ASSERT_TRUE(number.starts_with("IK-"));
  ASSERT_TRUE(driver->tap(rows.front()));
  ASSERT_EQ(app->screen(), Screen::Case);
  const auto* name_item = driver->find("case:name");
  ASSERT_NE(name_item, nullptr) << ids();
  const std::string name = name_item->label;
  ASSERT_FALSE(name.empty());
  EXPECT_TRUE(driver->shows(number));

  idle(35);
  EXPECT_EQ(app->screen(), Screen::Lock);
  EXPECT_EQ(app->session(), nullptr);
  EXPECT_FALSE(driver->shows(number));
  EXPECT_FALSE(driver->shows(name));
  EXPECT_FALSE(driver->shows("IK-"));
  EXPECT_EQ(names_shown(), 0);

  // A fresh unlock, then straight to the case page without choosing a case: nothing stale.
  ASSERT_TRUE(unlock_as("Leyla"));
  app->navigate(Screen::Case);
  driver->frames(2);
  EXPECT_EQ(app->screen(), Screen::Case);
  EXPECT_FALSE(driver->shows(number));
  EXPECT_FALSE(driver->shows(name));
  EXPECT_FALSE(driver->find("case:name"));
  EXPECT_TRUE(driver->shows("No case is open."));
  // And the list starts masked again.
  ASSERT_TRUE(driver->tap("btn:back"));
  EXPECT_EQ(app->screen(), Screen::Cases);
  EXPECT_EQ(names_shown(), 0);
}

TEST_F(CasesFlow, AnAdminCannotSeeCases) {
  ASSERT_TRUE(unlock_as("Admin"));
  EXPECT_FALSE(driver->find("Cases")) << "no Cases tile for an admin";
  app->navigate(Screen::Cases);
  driver->frames(2);
  EXPECT_TRUE(driver->shows("Your role may not do this.")) << ids();
  EXPECT_TRUE(ids_with("row:").empty());
  EXPECT_TRUE(ids_with("btn:reveal:").empty());
  EXPECT_FALSE(driver->shows("IK-"));
  EXPECT_EQ(names_shown(), 0);
  // Nor a case page.
  app->open_case(1);
  driver->frames(2);
  EXPECT_FALSE(driver->find("case:name"));
  EXPECT_FALSE(driver->shows("IK-"));
  EXPECT_EQ(names_shown(), 0);

  lock_app();
  const auto log = audit_log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const auto& e) {
    return e.action == "permission_denied" && e.actor_name == "Admin" && e.detail == "view_cases";
  })) << "core recorded the refused attempt";
}

TEST_F(CasesFlow, CasePageActionsAndARefusalShownAsABanner) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  // An active case with a bed (the demo puts the newest active cases in beds).
  std::string row;
  for (const auto& id : ids_with("row:"))
    if (driver->find(id)->label.find("Bed ") != std::string::npos && driver->find(id)->label.find("Active") != std::string::npos) {
      row = id;
      break;
    }
  ASSERT_FALSE(row.empty()) << ids();
  ASSERT_TRUE(driver->tap(row));
  ASSERT_EQ(app->screen(), Screen::Case);

  // Closing while the person still has a bed: core refuses, the page says why, nothing breaks.
  ASSERT_TRUE(driver->tap("btn:close")) << ids();
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_EQ(app->screen(), Screen::Case);
  const auto* banner = driver->find("banner");
  ASSERT_NE(banner, nullptr) << ids();
  EXPECT_EQ(banner->label, "Discharge the person from their bed before closing the case.");
  dismiss();
  EXPECT_TRUE(driver->shows("Discharge the person from their bed before closing the case.")) << "also under the form";
  ASSERT_TRUE(driver->tap("btn:cancel"));

  // A service.
  ASSERT_TRUE(driver->tap("btn:add-service"));
  ASSERT_TRUE(driver->tap("service-type=medical"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Service: Medical care")) << ids();
  dismiss();

  // Discharge, then closing works.
  ASSERT_TRUE(driver->tap("btn:discharge"));
  ASSERT_TRUE(driver->tap("discharge=reintegration"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Discharged: Reintegration"));
  EXPECT_FALSE(driver->find("btn:discharge")) << "no bed left to release";
  dismiss();
  ASSERT_TRUE(driver->tap("btn:close"));
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Case closed"));
  EXPECT_TRUE(driver->find("btn:reopen"));
}

TEST_F(CasesFlow, AReferralIsRefusedWithoutConsentThenFollowsItsLifecycle) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  ASSERT_TRUE(driver->tap("status=active"));
  const auto rows = ids_with("row:");
  ASSERT_FALSE(rows.empty());
  ASSERT_TRUE(driver->tap(rows.front()));
  ASSERT_EQ(app->screen(), Screen::Case);

  // The person withdraws their consent to be referred.
  ASSERT_TRUE(driver->tap("btn:consent"));
  ASSERT_TRUE(driver->tap("consent-kind=referral"));
  ASSERT_TRUE(driver->tap("consent-granted"));
  ASSERT_EQ(driver->find("consent-granted")->value, "off");
  ASSERT_TRUE(driver->tap("btn:save"));
  EXPECT_TRUE(driver->shows("Consent to be referred: refused or withdrawn")) << ids();
  dismiss();

  auto fill_referral = [&] {
    ASSERT_TRUE(driver->tap("btn:refer"));
    ASSERT_TRUE(driver->tap("org-type=ngo"));
    ASSERT_TRUE(driver->tap("field:org-name"));
    ASSERT_TRUE(driver->type("Sample NGO"));
    ASSERT_TRUE(driver->tap("key:done"));
    ASSERT_TRUE(driver->tap("btn:save"));
  };
  fill_referral();
  ASSERT_NE(driver->find("banner"), nullptr);
  EXPECT_EQ(driver->find("banner")->label, "The person has not consented to be referred.");
  EXPECT_EQ(app->screen(), Screen::Case);
  dismiss();
  ASSERT_TRUE(driver->tap("btn:cancel"));

  // Consent given: the referral goes out, then is accepted and done.
  ASSERT_TRUE(driver->tap("btn:consent"));
  ASSERT_TRUE(driver->tap("consent-kind=referral"));
  ASSERT_EQ(driver->find("consent-granted")->value, "on");
  ASSERT_TRUE(driver->tap("btn:save"));
  dismiss();
  fill_referral();
  dismiss();
  EXPECT_TRUE(driver->shows("Referred to Sample NGO (NGO)")) << ids();
  EXPECT_TRUE(driver->shows("Status: Pending"));
  const auto accept = ids_with("btn:ref-accept:");
  ASSERT_EQ(accept.size(), 1u) << ids();
  ASSERT_TRUE(driver->tap(accept.front()));
  dismiss();
  EXPECT_TRUE(driver->shows("Status: Accepted"));
  const auto done = ids_with("btn:ref-done:");
  ASSERT_EQ(done.size(), 1u);
  ASSERT_TRUE(driver->tap(done.front()));
  EXPECT_TRUE(driver->shows("Status: Done"));
  EXPECT_TRUE(ids_with("btn:ref-").empty());
}

TEST_F(CasesFlow, AnOfficerSeesNoActionsBeyondTheirRole) {
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(driver->tap("Cases"));
  const auto rows = ids_with("row:");
  ASSERT_FALSE(rows.empty());
  ASSERT_TRUE(driver->tap(rows.front()));
  ASSERT_EQ(app->screen(), Screen::Case);
  EXPECT_TRUE(driver->find("btn:add-service"));
  for (const char* id : {"btn:refer", "btn:consent", "btn:risk", "btn:repatriation", "btn:close", "btn:reopen"})
    EXPECT_FALSE(driver->find(id)) << id;
}

TEST_F(CasesFlow, BedsBoardMatchesCoreAndReleasesAndAssigns) {
  ASSERT_TRUE(unlock_as("Aysel"));
  ASSERT_TRUE(driver->tap("Beds"));
  ASSERT_EQ(app->screen(), Screen::Beds);
  auto count = [&](std::string_view state) {
    int n = 0;
    for (const auto& it : semantics().items()) n += it.id.starts_with("bed:") && it.value == state;
    return n;
  };
  const int free0 = count("free"), taken0 = count("taken");
  std::map<std::string, std::string> wings;
  for (const auto& id : ids_with("wing:")) wings[id.substr(5)] = driver->find(id)->value;
  EXPECT_EQ(names_shown(), 0);

  // Release a taken bed, then give it back to the same case.
  std::string bed;
  for (const auto& it : semantics().items())
    if (it.id.starts_with("bed:") && it.value == "taken") {
      bed = it.id;
      break;
    }
  ASSERT_FALSE(bed.empty());
  const std::string number = driver->find(bed)->label.substr(driver->find(bed)->label.find(' ') + 1);
  ASSERT_TRUE(driver->tap(bed));
  EXPECT_TRUE(driver->find("btn:open-case"));
  ASSERT_TRUE(driver->tap("btn:release"));
  ASSERT_TRUE(driver->tap("discharge=transfer"));
  ASSERT_TRUE(driver->tap("btn:confirm-release"));
  EXPECT_EQ(driver->find(bed)->value, "free");
  EXPECT_EQ(count("free"), free0 + 1);
  dismiss();
  std::string assign;
  for (const auto& id : ids_with("assign:"))
    if (driver->find(id)->label.starts_with(number)) assign = id;
  ASSERT_FALSE(assign.empty()) << "the released case is offered for the free bed: " << ids();
  ASSERT_TRUE(driver->tap(assign));
  EXPECT_EQ(driver->find(bed)->value, "taken");
  EXPECT_EQ(count("free"), free0);

  lock_app();
  auto s = session_as("Aysel");
  auto occ = core::BedService(s).occupancy();
  ASSERT_TRUE(occ);
  std::int64_t beds = 0, occupied = 0;
  for (const auto& w : *occ) {
    beds += w.beds;
    occupied += w.occupied;
    EXPECT_EQ(wings[w.wing], fmt::format("{} / {}", w.occupied, w.beds)) << w.wing;
  }
  EXPECT_EQ(taken0, occupied);
  EXPECT_EQ(free0 + taken0, beds);
}

TEST_F(CasesFlow, DashboardDrawsChartsWithLabelsAndNumbers) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Dashboard"));
  ASSERT_EQ(app->screen(), Screen::Dashboard);
  EXPECT_EQ(ids_with("chart:intakes:").size(), 12u) << ids();
  EXPECT_EQ(ids_with("chart:calls:").size(), 6u);
  EXPECT_EQ(ids_with("chart:occupancy:").size(), 4u);
  EXPECT_EQ(ids_with("chart:status:").size(), 4u);
  ASSERT_NE(driver->find("chart:occupancy:women"), nullptr);
  EXPECT_TRUE(driver->find("chart:occupancy:women")->label.starts_with("Women: "));
  ASSERT_NE(driver->find("totals"), nullptr);
  EXPECT_NE(driver->find("totals")->label.find("Cases: 40"), std::string::npos);
  std::int64_t calls = 0;
  for (const auto& id : ids_with("chart:calls:")) calls += std::stoll(driver->find(id)->value);
  EXPECT_EQ(calls, 60);
  const ImDrawData* dd = ImGui::GetDrawData();
  ASSERT_NE(dd, nullptr);
  EXPECT_GT(dd->TotalVtxCount, 2000) << "bars and labels were drawn";
  EXPECT_EQ(names_shown(), 0);
}

TEST_F(CasesFlow, AnAdminAddsStaffWhoCanThenUnlock) {
  ASSERT_TRUE(unlock_as("Admin"));
  ASSERT_TRUE(driver->tap("Administration"));
  ASSERT_EQ(app->screen(), Screen::Admin);
  EXPECT_TRUE(driver->find("fp:device"));
  EXPECT_TRUE(driver->find("fp:hq-recovery")) << ids();
  EXPECT_TRUE(driver->find("btn:reset:Aysel"));
  ASSERT_TRUE(driver->tap("field:new-name"));
  ASSERT_TRUE(driver->type("Nigar"));
  ASSERT_TRUE(driver->tap("new-role=hotline"));
  ASSERT_TRUE(driver->tap("field:new-pass"));
  ASSERT_TRUE(driver->type("nigar-pass-1"));
  // A mismatch is caught before core is asked.
  ASSERT_TRUE(driver->tap("field:new-pass2"));
  ASSERT_TRUE(driver->type("nigar-pass-2"));
  ASSERT_TRUE(driver->tap("btn:add-staff"));
  EXPECT_TRUE(driver->shows("The two passphrases are not the same. Type both again."));
  EXPECT_FALSE(driver->find("btn:reset:Nigar"));
  ASSERT_TRUE(driver->tap("field:new-pass"));
  ASSERT_TRUE(driver->type("nigar-pass-1"));
  ASSERT_TRUE(driver->tap("field:new-pass2"));
  ASSERT_TRUE(driver->type("nigar-pass-1"));
  EXPECT_FALSE(driver->shows("nigar-pass")) << "a passphrase is never shown";
  ASSERT_TRUE(driver->tap("btn:add-staff"));
  EXPECT_TRUE(driver->find("btn:reset:Nigar")) << ids();

  lock_app();
  ASSERT_TRUE(driver->tap("staff:Nigar")) << ids();
  ASSERT_TRUE(driver->type("nigar-pass-1"));
  ASSERT_TRUE(driver->tap("btn:unlock"));
  ASSERT_EQ(app->screen(), Screen::Home);
  ASSERT_NE(driver->find("status:user"), nullptr);
  EXPECT_TRUE(driver->find("status:user")->label.starts_with("Nigar \u00B7 "));
  EXPECT_TRUE(driver->find("Hotline call"));
}

TEST_F(CasesFlow, AnAdminResetUnlocksALockedSlot) {
  for (int i = 0; i < 10; ++i) {  // lock Murad's slot for good (the waits are bypassed by core's clock)
    auto s = core::unlock(dir, "Murad", secret("not-his-pass"), core::now_unix() + 3600 * (i + 1));
    ASSERT_FALSE(s);
  }
  start(core::Lang::En);
  ASSERT_TRUE(unlock_as("Admin"));
  ASSERT_TRUE(driver->tap("Administration"));
  ASSERT_TRUE(driver->shows("Locked after too many wrong passphrases")) << ids();
  ASSERT_TRUE(driver->tap("btn:reset:Murad"));
  ASSERT_TRUE(driver->tap("field:new-pass"));
  ASSERT_TRUE(driver->type("murad-new-pass"));
  ASSERT_TRUE(driver->tap("field:new-pass2"));
  ASSERT_TRUE(driver->type("murad-new-pass"));
  ASSERT_TRUE(driver->tap("btn:save-passphrase"));
  EXPECT_FALSE(driver->shows("Locked after too many wrong passphrases"));
  lock_app();
  ASSERT_TRUE(driver->tap("staff:Murad"));
  ASSERT_TRUE(driver->type("murad-new-pass"));
  ASSERT_TRUE(driver->tap("btn:unlock"));
  EXPECT_EQ(app->screen(), Screen::Home);
}

TEST_F(CasesFlow, TheAuditorVerifiesTheChainAndReadsTheLogNewestFirst) {
  ASSERT_TRUE(unlock_as("Auditor"));
  ASSERT_TRUE(driver->tap("Audit log"));
  ASSERT_EQ(app->screen(), Screen::Admin);
  EXPECT_FALSE(driver->find("btn:add-staff")) << "the auditor sees the log, not staff management";
  const auto rows = ids_with("audit:");
  ASSERT_GE(rows.size(), 5u) << ids();
  EXPECT_GT(id_after(rows[0], "audit:"), id_after(rows[1], "audit:")) << "newest first";
  EXPECT_EQ(driver->find(rows[0])->value, "login") << "the newest entry is the auditor's own unlock";
  EXPECT_EQ(names_shown(), 0);
  ASSERT_TRUE(driver->tap("btn:verify"));
  const auto* result = driver->find("verify:result");
  ASSERT_NE(result, nullptr) << ids();
  EXPECT_EQ(result->value, "intact");
  EXPECT_TRUE(driver->shows("The audit chain is intact."));
  // Scrolling down by dragging fetches older pages.
  ASSERT_TRUE(driver->drag(rows[3], -600));
  const auto later = ids_with("audit:");
  ASSERT_FALSE(later.empty());
  EXPECT_LT(id_after(later.front(), "audit:"), id_after(rows[0], "audit:"));
}

TEST_F(CasesFlow, TheCaseListScrollsByDraggingAndFetchesPagesOnDemand) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  const auto before = ids_with("row:");
  ASSERT_FALSE(before.empty());
  ASSERT_TRUE(driver->drag(before[2], -400));
  driver->frames(2);
  const auto after = ids_with("row:");
  ASSERT_FALSE(after.empty());
  EXPECT_NE(after.front(), before.front()) << "the list moved";
  EXPECT_EQ(app->screen(), Screen::Cases) << "a drag is not a tap";
  EXPECT_EQ(names_shown(), 0);
}

}  // namespace
}  // namespace ik::ui::testing
