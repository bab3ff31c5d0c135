// The shelter's beds: configuration, assignment (never twice, never two per person), release,
// occupancy, and the storage layer's unique indexes underneath.
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/cases.hpp"
#include "core/validation.hpp"
#include "storage/bed_repo.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

std::map<std::string, std::pair<std::int64_t, std::int64_t>> wings(Session& s) {
  auto occ = BedService(s).occupancy();
  EXPECT_TRUE(occ) << occ.error().message;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
  if (occ)
    for (const auto& w : *occ) out[w.wing] = {w.beds, w.occupied};
  return out;
}
using Wings = std::map<std::string, std::pair<std::int64_t, std::int64_t>>;

TEST_F(StaffFixture, ConfigureCreatesFiftyBedsInFourWings) {
  auto a = admin();
  BedService beds(a);
  EXPECT_EQ(BedLayout{}.total(), 50);
  auto added = beds.configure(BedLayout{});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, 50);
  auto board = beds.board();
  ASSERT_TRUE(board);
  ASSERT_EQ(board->size(), 50u);
  std::map<std::string, int> per_wing;
  std::set<std::string> labels;
  for (const auto& b : *board) {
    ++per_wing[b.wing];
    labels.insert(b.label);
    EXPECT_FALSE(b.case_id);
    EXPECT_FALSE(b.case_number);
  }
  EXPECT_EQ(per_wing, (std::map<std::string, int>{{"women", 20}, {"girls", 10}, {"men", 12}, {"boys", 8}}));
  EXPECT_EQ(labels.size(), 50u);
  for (const char* l : {"W-01", "W-20", "G-10", "M-12", "B-08"}) EXPECT_TRUE(labels.count(l)) << l;
  EXPECT_FALSE(labels.count("W-21"));
  EXPECT_EQ(wings(a), (Wings{{"women", {20, 0}}, {"girls", {10, 0}}, {"men", {12, 0}}, {"boys", {8, 0}}}));
  // Configuring again adds nothing; a bigger layout adds the difference; a smaller removes none.
  EXPECT_EQ(beds.configure(BedLayout{}).value_or(-1), 0);
  BedLayout more;
  more.beds_per_wing["women"] = 22;
  EXPECT_EQ(beds.configure(more).value_or(-1), 2);
  BedLayout fewer;
  fewer.beds_per_wing = {{"women", 5}};
  EXPECT_EQ(beds.configure(fewer).value_or(-1), 0);
  EXPECT_EQ(beds.board()->size(), 52u);
  // Bad layouts are refused.
  BedLayout attic;
  attic.beds_per_wing = {{"attic", 3}};
  EXPECT_EQ(beds.configure(attic).error().code, Errc::Invalid);
  BedLayout huge;
  huge.beds_per_wing = {{"men", 501}};
  EXPECT_EQ(beds.configure(huge).error().code, Errc::Invalid);
  BedLayout negative;
  negative.beds_per_wing = {{"boys", -1}};
  EXPECT_EQ(beds.configure(negative).error().code, Errc::Invalid);
  EXPECT_EQ(beds.board()->size(), 52u);
  a.lock();
  // Only an admin configures.
  auto o = officer();
  auto r = BedService(o).configure(more);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::PermissionDenied);
}

struct BedsFixture : RecordsFixture {
  std::int64_t a = 0, b = 0, c = 0;
  void SetUp() override {
    RecordsFixture::SetUp();
    if (HasFatalFailure()) return;
    auto o = officer();
    IntakeService intake(o);
    for (auto* id : {&a, &b, &c}) {
      auto r = intake.register_intake(sample_intake(IntakeStep::StatusSource, "Sınaqova", "Leyla",
                                                    static_cast<int>(id - &a)));
      ASSERT_TRUE(r) << r.error().message;
      *id = *r;
    }
  }
};

TEST_F(BedsFixture, ABedIsNeverGivenTwice) {
  auto o = officer();
  BedService beds(o);
  const auto w1 = bed_id(o, "W-01");
  ASSERT_TRUE(beds.assign(a, w1));
  auto second = beds.assign(b, w1);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::Invalid);
  ASSERT_EQ(second.error().fields.size(), 1u);
  EXPECT_EQ(second.error().fields[0].field, "bed");
  EXPECT_EQ(second.error().fields[0].msgid, msg::kBedTaken);
  auto board = beds.board();
  ASSERT_TRUE(board);
  for (const auto& bed : *board)
    if (bed.id == w1) {
      EXPECT_EQ(bed.case_id, a);
      ASSERT_TRUE(bed.case_number);
      EXPECT_EQ(bed.case_number->substr(0, 3), "IK-") << "a case number, never a name";
    }
  EXPECT_EQ(rows(o, "stays"), 1);
}

TEST_F(BedsFixture, AnIntakeWithATakenBedIsRefusedAndStoresNothing) {
  auto o = officer();
  const auto w1 = bed_id(o, "W-01");
  ASSERT_TRUE(BedService(o).assign(a, w1));
  const auto persons = rows(o, "persons"), cases = rows(o, "cases"), consents = rows(o, "consents"),
             stays = rows(o, "stays"), search = rows(o, "case_search"), referrals = rows(o, "referrals");
  IntakeForm f = sample_intake(IntakeStep::StatusSource, "Nümunəova", "Günay", 5);
  f.bed_id = w1;
  auto r = IntakeService(o).register_intake(f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Invalid);
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].field, "bed");
  EXPECT_EQ(r.error().fields[0].msgid, msg::kBedTaken);
  EXPECT_EQ(rows(o, "persons"), persons);
  EXPECT_EQ(rows(o, "cases"), cases);
  EXPECT_EQ(rows(o, "consents"), consents);
  EXPECT_EQ(rows(o, "stays"), stays);
  EXPECT_EQ(rows(o, "case_search"), search);
  EXPECT_EQ(rows(o, "referrals"), referrals);
  // With a free bed the same form goes through.
  f.bed_id = bed_id(o, "W-02");
  auto ok = IntakeService(o).register_intake(f);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(rows(o, "stays"), stays + 1);
}

TEST_F(BedsFixture, APersonHoldsOneBedAtATime) {
  auto o = officer();
  BedService beds(o);
  const auto w1 = bed_id(o, "W-01"), w2 = bed_id(o, "W-02");
  ASSERT_TRUE(beds.assign(a, w1));
  auto second = beds.assign(a, w2);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::Invalid);
  ASSERT_FALSE(second.error().fields.empty());
  EXPECT_EQ(second.error().fields[0].field, "bed");
  EXPECT_EQ(wings(o)["women"], (std::pair<std::int64_t, std::int64_t>{20, 1}));
  ASSERT_TRUE(beds.assign(b, w2)) << "W-02 is still free";
}

TEST_F(BedsFixture, ReleaseFreesTheBed) {
  auto o = officer();
  BedService beds(o);
  const auto g1 = bed_id(o, "G-01");
  ASSERT_TRUE(beds.assign(a, g1));
  EXPECT_EQ(beds.release(a, "sleeping").error().code, Errc::Invalid) << "unknown discharge reason";
  ASSERT_TRUE(beds.release(a, "transfer"));
  EXPECT_EQ(beds.release(a, "transfer").error().code, Errc::NotFound) << "nothing left to release";
  ASSERT_TRUE(beds.assign(b, g1)) << "the bed is free again";
  ASSERT_TRUE(beds.assign(a, bed_id(o, "G-02"))) << "and the person may be given a bed again";
  auto c2 = coordinator();
  auto d = CaseService(c2).open(a);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->stays.size(), 2u);
  EXPECT_EQ(d->stays[0].bed_id, g1);
  EXPECT_TRUE(d->stays[0].discharged_at);
  EXPECT_EQ(d->stays[0].discharge_reason, "transfer");
  EXPECT_FALSE(d->stays[1].discharged_at);
}

TEST_F(BedsFixture, OccupancyPerWing) {
  auto o = officer();
  BedService beds(o);
  ASSERT_TRUE(beds.assign(a, bed_id(o, "W-03")));
  ASSERT_TRUE(beds.assign(b, bed_id(o, "W-04")));
  ASSERT_TRUE(beds.assign(c, bed_id(o, "B-08")));
  EXPECT_EQ(wings(o), (Wings{{"women", {20, 2}}, {"girls", {10, 0}}, {"men", {12, 0}}, {"boys", {8, 1}}}));
  ASSERT_TRUE(beds.release(b, "left"));
  EXPECT_EQ(wings(o), (Wings{{"women", {20, 1}}, {"girls", {10, 0}}, {"men", {12, 0}}, {"boys", {8, 1}}}));
  auto board = beds.board();
  ASSERT_TRUE(board);
  int occupied = 0;
  for (const auto& bed : *board) occupied += bed.case_id.has_value();
  EXPECT_EQ(occupied, 2);
  // An admin sees the board (numbers only) but cannot move people.
  o.lock();
  auto ad = admin();
  EXPECT_EQ(wings(ad)["boys"], (std::pair<std::int64_t, std::int64_t>{8, 1}));
  EXPECT_EQ(BedService(ad).assign(b, bed_id(ad, "M-01")).error().code, Errc::PermissionDenied);
  EXPECT_EQ(BedService(ad).release(a, "left").error().code, Errc::PermissionDenied);
}

TEST_F(BedsFixture, UnknownBedsAndCasesAndRoles) {
  auto o = officer();
  BedService beds(o);
  auto unknown = beds.assign(a, 987654);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::Invalid);
  ASSERT_EQ(unknown.error().fields.size(), 1u);
  EXPECT_EQ(unknown.error().fields[0].msgid, msg::kUnknownBed);
  EXPECT_EQ(beds.assign(987654, bed_id(o, "W-01")).error().code, Errc::NotFound);
  EXPECT_EQ(rows(o, "stays"), 0);
  o.lock();
  auto h = hotline();
  EXPECT_EQ(BedService(h).assign(a, 1).error().code, Errc::PermissionDenied);
  EXPECT_EQ(BedService(h).board().error().code, Errc::PermissionDenied);
}

TEST_F(BedsFixture, AClosedCaseIsNotGivenABed) {
  // Closing a case needs its stay ended first; a closed case must not then get a bed either.
  {
    auto co = coordinator();
    ASSERT_TRUE(CaseService(co).set_status(a, "closed"));
  }
  auto o = officer();
  auto r = BedService(o).assign(a, bed_id(o, "W-01"));
  EXPECT_FALSE(r) << "a bed was given to a closed case";
  EXPECT_EQ(rows(o, "stays"), 0);
}

TEST_F(BedsFixture, UniqueIndexesHoldWithoutTheService) {
  auto o = officer();
  const auto w1 = bed_id(o, "W-01"), w2 = bed_id(o, "W-02");
  storage::BedRepo repo(o.db());
  auto first = repo.admit(a, w1, now_unix());
  ASSERT_TRUE(first) << first.error().message;
  auto same_bed = repo.admit(b, w1, now_unix());
  ASSERT_FALSE(same_bed) << "two open stays in one bed";
  EXPECT_EQ(same_bed.error().code, storage::Errc::Constraint);
  auto same_person = repo.admit(a, w2, now_unix());
  ASSERT_FALSE(same_person) << "two open stays for one case";
  EXPECT_EQ(same_person.error().code, storage::Errc::Constraint);
  // Raw SQL fares no better.
  auto raw = o.db().exec(fmt::format("INSERT INTO stays (case_id, bed_id, admitted_at) VALUES ({}, {}, 1)", c, w1));
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().code, storage::Errc::Constraint);
  EXPECT_EQ(rows(o, "stays"), 1);
  // A discharged stay does not block the bed.
  ASSERT_TRUE(repo.discharge(*first, now_unix(), "left"));
  EXPECT_TRUE(repo.admit(b, w1, now_unix()));
  EXPECT_TRUE(repo.admit(a, w2, now_unix()));
}

}  // namespace
}  // namespace ik::core::testing
