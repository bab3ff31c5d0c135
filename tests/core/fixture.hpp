#pragma once
// A provisioned device in a temp dir, with the fastest Argon2id parameters.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/beds.hpp"
#include "core/intake.hpp"
#include "core/provision.hpp"
#include "core/session.hpp"
#include "core/users_service.hpp"
#include "storage/records.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::core::testing {

struct DeviceFixture : ::testing::Test {
  test::TempDir tmp;
  DataDir dir{tmp / "device"};
  crypto::KeyPair hq = crypto::generate_key_pair(crypto::KeyKind::HqRecovery);
  // HQ's seal and sign pairs: sync tests open the device's bundles and sign its receipts with them.
  crypto::KeyPair hq_seal = crypto::generate_key_pair(crypto::KeyKind::HqSeal);
  crypto::KeyPair hq_sign = crypto::generate_key_pair(crypto::KeyKind::HqSign);
  crypto::KdfParams fast = crypto::KdfParams::fastest();

  void SetUp() override {
    auto pass = test::secret("admin passphrase 1");
    auto r = provision({dir, "Admin Aysel", &pass, hq.pub, fast, hq_seal.pub, hq_sign.pub});
    ASSERT_TRUE(r) << r.error().message;
  }
  Session unlock_as(std::string_view name, std::string_view pass) {
    auto s = unlock(dir, name, test::secret(pass));
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : Session{};
  }
  Session admin() { return unlock_as("Admin Aysel", "admin passphrase 1"); }
};

// --- the records domain -------------------------------------------------------------------------

// One staff member of every role (added by the admin with the fastest KDF).
inline constexpr std::string_view kOfficer = "Officer Elnur", kOfficerPass = "officer pass 1";
inline constexpr std::string_view kHotline = "Hotline Nigar", kHotlinePass = "hotline pass 1";
inline constexpr std::string_view kCoordinator = "Coordinator Leyla", kCoordinatorPass = "coordinator pass 1";
inline constexpr std::string_view kAuditor = "Auditor Kamran", kAuditorPass = "auditor pass 1";

struct StaffFixture : DeviceFixture {
  void SetUp() override {
    DeviceFixture::SetUp();
    if (HasFatalFailure()) return;
    auto s = admin();
    ASSERT_TRUE(s.unlocked());
    UsersService users(s);
    for (auto [name, role, pass] : {std::tuple{kOfficer, Role::Officer, kOfficerPass},
                                    {kHotline, Role::Hotline, kHotlinePass},
                                    {kCoordinator, Role::Coordinator, kCoordinatorPass},
                                    {kAuditor, Role::Auditor, kAuditorPass}}) {
      auto r = users.add(name, role, test::secret(pass), fast);
      ASSERT_TRUE(r) << r.error().message;
    }
  }
  Session officer() { return unlock_as(kOfficer, kOfficerPass); }
  Session hotline() { return unlock_as(kHotline, kHotlinePass); }
  Session coordinator() { return unlock_as(kCoordinator, kCoordinatorPass); }
  Session auditor() { return unlock_as(kAuditor, kAuditorPass); }
};

// Staff plus the default 50 beds, configured by the admin.
struct RecordsFixture : StaffFixture {
  void SetUp() override {
    StaffFixture::SetUp();
    if (HasFatalFailure()) return;
    auto s = admin();
    auto added = BedService(s).configure(BedLayout{});
    ASSERT_TRUE(added) << added.error().message;
    ASSERT_EQ(*added, 50);
  }
};

// The id of the bed with this label ("W-01": women's wing, first bed), through the bed board.
inline std::int64_t bed_id(Session& s, std::string_view label) {
  auto board = BedService(s).board();
  EXPECT_TRUE(board) << board.error().message;
  if (!board) return 0;
  for (const auto& b : *board)
    if (b.label == label) return b.id;
  ADD_FAILURE() << "no bed " << label;
  return 0;
}

// Rows in a table, read through the session's own connection.
inline std::int64_t rows(Session& s, std::string_view table) {
  auto n = s.db().scalar(fmt::format("SELECT count(*) FROM {}", table));
  EXPECT_TRUE(n) << n.error().message;
  return n ? *n : -1;
}

// The whole audit log (as an auditor sees it).
inline std::vector<storage::AuditRecord> whole_audit_log(Session& auditor) {
  std::vector<storage::AuditRecord> out;
  for (std::int64_t from = 1;;) {
    auto batch = audit_entries(auditor, from, 1000);
    EXPECT_TRUE(batch) << batch.error().message;
    if (!batch || batch->empty()) break;
    out.insert(out.end(), batch->begin(), batch->end());
    from = batch->back().seq + 1;
  }
  return out;
}

inline std::int64_t count_audit(const std::vector<storage::AuditRecord>& log, std::string_view action,
                                std::string_view entity = {}, std::int64_t entity_id = -1,
                                std::string_view detail = {}) {
  std::int64_t n = 0;
  for (const auto& e : log)
    n += e.action == action && (entity.empty() || e.entity == entity) && (entity_id < 0 || e.entity_id == entity_id) &&
         (detail.empty() || e.detail == detail);
  return n;
}

// A complete, valid intake with synthetic data: the form as it stands after `upto` (fields of
// later steps keep their defaults). `variant` makes the values of one form differ from another's.
// From the Bed step on, bed_id is a placeholder (1000 + variant): to register such a form, put a
// real bed in it (bed_id()). The default stops before the Bed step, so it registers as it is.
inline IntakeForm sample_intake(IntakeStep upto = IntakeStep::StatusSource, std::string family = "Nümunəova",
                                std::string given = "Günay", int variant = 0) {
  IntakeForm f;
  const auto at_least = [&](IntakeStep s) { return static_cast<int>(upto) >= static_cast<int>(s); };
  if (at_least(IntakeStep::Consent)) {
    f.consent.manage_data = true;
    f.consent.share_law_enforcement = variant % 2 == 0;
    f.consent.referral = true;
    f.consent.given_on = fmt::format("2025-03-{:02}", 1 + variant % 28);
  }
  if (at_least(IntakeStep::Person)) {
    auto& p = f.person;
    p.given_name = given;
    p.family_name = family;
    p.alias = fmt::format("Sınaq-{}", variant);
    p.gender = "female";
    p.birth_date = fmt::format("{}-04-02", 1990 + variant % 20);
    p.age_estimate = 20 + variant % 50;
    p.citizenship = "AZ";
    p.languages = "aze,rus";
    p.marital_status = "single";
    p.education = "secondary";
    p.phone = fmt::format("+994 50 123 45 {:02}", 10 + variant % 90);
  }
  if (at_least(IntakeStep::Exploitation)) {
    auto& e = f.exploitation;
    e.types = "forced_labour,sexual";
    e.labour_sector = "domestic_work";
    e.sexual_exploitation = "prostitution";
    e.means_of_control = "debt_bondage,withholds_documents";
    e.recruitment = "job_offer";
    e.recruiter_relation = "friend";
    e.countries_origin = "AZ";
    e.countries_transit = "GE";
    e.countries_exploitation = "AE,TR";
    e.started_on = "2023-05-01";
    e.ended_on = fmt::format("2024-11-{:02}", 1 + variant % 28);
  }
  if (at_least(IntakeStep::NeedsRisk)) {
    f.needs = {"accommodation", "medical", "psychological"};
    f.risk_level = "high";
    f.is_witness = true;
    f.protection_measures = fmt::format("Escort to hearings ({}).\nNo visitors.", variant);
  }
  if (at_least(IntakeStep::StatusSource)) {
    f.scope = "international";
    f.intake_source = "ngo";
    f.source_organisation_type = "ngo";
    f.source_organisation = "Nümunə Yardım NGO";
    f.repatriation_status = "requested";
    f.repatriation_destination = "UZ";
    f.notes = fmt::format("Synthetic test record {}.\nSecond line.", variant);
  }
  if (at_least(IntakeStep::Bed)) f.bed_id = 1000 + variant;
  return f;
}

// The names of the fields in which two forms differ (names only: no values are printed).
inline std::vector<std::string> form_differences(const IntakeForm& a, const IntakeForm& b) {
  std::vector<std::string> d;
#define IK_CMP(field) \
  if (!(a.field == b.field)) d.push_back(#field)
  IK_CMP(consent.manage_data);
  IK_CMP(consent.share_law_enforcement);
  IK_CMP(consent.referral);
  IK_CMP(consent.given_on);
  IK_CMP(person.id);
  IK_CMP(person.given_name);
  IK_CMP(person.family_name);
  IK_CMP(person.alias);
  IK_CMP(person.gender);
  IK_CMP(person.birth_date);
  IK_CMP(person.age_estimate);
  IK_CMP(person.citizenship);
  IK_CMP(person.languages);
  IK_CMP(person.marital_status);
  IK_CMP(person.education);
  IK_CMP(person.phone);
  IK_CMP(exploitation.types);
  IK_CMP(exploitation.labour_sector);
  IK_CMP(exploitation.sexual_exploitation);
  IK_CMP(exploitation.means_of_control);
  IK_CMP(exploitation.recruitment);
  IK_CMP(exploitation.recruiter_relation);
  IK_CMP(exploitation.countries_origin);
  IK_CMP(exploitation.countries_transit);
  IK_CMP(exploitation.countries_exploitation);
  IK_CMP(exploitation.started_on);
  IK_CMP(exploitation.ended_on);
  IK_CMP(needs);
  IK_CMP(risk_level);
  IK_CMP(is_witness);
  IK_CMP(protection_measures);
  IK_CMP(scope);
  IK_CMP(intake_source);
  IK_CMP(source_organisation_type);
  IK_CMP(source_organisation);
  IK_CMP(repatriation_status);
  IK_CMP(repatriation_destination);
  IK_CMP(notes);
  IK_CMP(bed_id);
  IK_CMP(from_call_id);
#undef IK_CMP
  return d;
}

using FieldNames = std::vector<std::string>;

}  // namespace ik::core::testing
