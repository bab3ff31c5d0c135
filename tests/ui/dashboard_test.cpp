// Occupancy over time: the daily series of occupied beds core computes from the stays (a sweep
// over admissions and discharges, counted at the end of each local day), and the dashboard's
// chart of it — one labelled point per day, today's count matching the beds board.
#include <ctime>

#include "core/beds.hpp"
#include "core/stats.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

TEST(Occupancy, TheSweepCountsWhoIsThereAtEachInstant) {
  using core::StaySpan;
  const std::vector<StaySpan> stays = {
      {100, 200}, {150, std::nullopt}, {200, 300}, {50, 120}, {400, std::nullopt}, {500, 500},
  };
  const std::vector<std::int64_t> at = {0, 50, 99, 100, 119, 120, 150, 199, 200, 299, 300, 399, 400, 500, 1000};
  const std::vector<std::int64_t> want = {0, 1, 1, 2, 2, 1, 2, 2, 2, 2, 1, 1, 2, 2, 2};
  // At 200 one leaves and one arrives; a discharge at t has left at t; a stay of no length
  // (admitted and discharged at 500) never counts.
  EXPECT_EQ(core::occupied_at(stays, at), want);
  EXPECT_EQ(core::occupied_at({}, at), std::vector<std::int64_t>(at.size(), 0));
}

class Dashboard : public UiTest {
 protected:
  core::Session session_as(std::string_view name) {
    for (const auto& s : core::kDemoStaff)
      if (s.name == name) {
        auto r = core::unlock(dir, name, test::secret(s.passphrase));
        EXPECT_TRUE(r) << r.error().message;
        if (r) return std::move(*r);
      }
    return core::Session{};
  }
  static std::string day_of(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  }
  std::vector<std::string> ids_with(std::string_view prefix) {
    std::vector<std::string> out;
    for (const auto& it : semantics().items())
      if (it.id.starts_with(prefix)) out.push_back(it.id);
    return out;
  }
};

TEST_F(Dashboard, TheOccupancyChartHasNinetyDaysEndingWithTodaysBedCount) {
  const auto now = core::now_unix();
  const auto today = day_of(now), yesterday = day_of(now - 86400);
  std::int64_t occupied = 0, first_case = 0;
  {
    auto s = session_as("Leyla");
    auto series = core::occupancy_per_day(s, core::kOccupancyDays, now);
    ASSERT_TRUE(series) << series.error().message;
    ASSERT_EQ(series->size(), 90u);
    EXPECT_EQ(series->back().day, today);
    EXPECT_EQ((*series)[88].day, yesterday);
    auto board = core::BedService(s).board();
    ASSERT_TRUE(board);
    for (const auto& b : *board)
      if (b.case_id) {
        ++occupied;
        if (first_case == 0) first_case = *b.case_id;
      }
    EXPECT_EQ(series->back().occupied, occupied) << "today's point is the board's count";
    for (std::size_t i = 1; i < series->size(); ++i)
      EXPECT_LE((*series)[i - 1].occupied, (*series)[i].occupied) << "the demo only admits";
    ASSERT_GT(occupied, 0);
    // One person leaves now: today's point drops, yesterday's stays.
    ASSERT_TRUE(core::BedService(s).release(first_case, "reintegration"));
    auto after = core::occupancy_per_day(s, 7, now + 1);
    ASSERT_TRUE(after);
    ASSERT_EQ(after->size(), 7u);
    EXPECT_EQ(after->back().occupied, occupied - 1);
    EXPECT_EQ((*after)[5].occupied, (*series)[88].occupied);
    // Not for a role without statistics.
    s.lock();
    auto aysel = session_as("Aysel");
    auto refused = core::occupancy_per_day(aysel, 90, now);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, core::Errc::PermissionDenied);
  }

  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Dashboard"));
  ASSERT_EQ(app->screen(), Screen::Dashboard);
  EXPECT_EQ(ids_with("chart:beds-per-day:").size(), 90u);
  const auto* last = driver->find("chart:beds-per-day:" + today);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->value, std::to_string(occupied - 1));
  EXPECT_TRUE(driver->shows("Occupied beds, last 90 days"));
  const auto* cap = driver->find("chart:beds-capacity");
  ASSERT_NE(cap, nullptr);
  EXPECT_EQ(cap->label, "50 beds");
  // Drawn left to right, oldest first, inside the panel.
  const auto* first = driver->find(ids_with("chart:beds-per-day:").front());
  ASSERT_NE(first, nullptr);
  EXPECT_LT(first->centre().x, last->centre().x);
}

}  // namespace
}  // namespace ik::ui::testing
