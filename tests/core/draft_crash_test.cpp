// A power cut mid-intake loses at most the step being typed: a child process unlocks the device,
// saves the intake draft after every step and reports each saved step on a pipe; it is killed
// with SIGKILL at a random moment. The parent (which holds no session across fork()) then
// unlocks and finds the draft holding every field of every step the child reported saved.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

struct Report {
  std::int64_t draft_id = 0;
  std::int64_t step = 0;
};

const char* family_of(int round) {
  static const char* kFamilies[] = {"Nümunəova", "Sınaqova", "Примерова", "Örnəkova"};
  return kFamilies[round % 4];
}

// The fields a step fills in: those in which the form after it differs from the form before it.
FieldNames fields_of_step(IntakeStep step, int round) {
  const int k = static_cast<int>(step);
  const auto after = sample_intake(step, family_of(round), "Günay", round);
  const auto before = k == 0 ? IntakeForm{} : sample_intake(static_cast<IntakeStep>(k - 1), family_of(round), "Günay", round);
  return form_differences(before, after);
}

TEST(DraftCrash, EveryStepFillsFieldsOfItsOwn) {
  for (int k = 0; k <= static_cast<int>(IntakeStep::Bed); ++k)
    EXPECT_FALSE(fields_of_step(static_cast<IntakeStep>(k), 1).empty()) << "step " << k;
  EXPECT_EQ(fields_of_step(IntakeStep::Bed, 1), FieldNames{"bed_id"});
}

// The child: its own session, a new draft, steps Consent..Bed, then rewriting the last step
// until it is killed (so the kill can also land in the middle of a write).
[[noreturn]] void writer(const DataDir& dir, int round, int report_fd) {
  auto s = unlock(dir, kOfficer, test::secret(kOfficerPass));
  if (!s) ::_exit(3);
  IntakeService intake(*s);
  std::int64_t draft = 0;
  for (int step = static_cast<int>(IntakeStep::Consent); step <= static_cast<int>(IntakeStep::Bed); ++step) {
    const auto form = sample_intake(static_cast<IntakeStep>(step), family_of(round), "Günay", round);
    auto id = intake.save_draft(draft, form, static_cast<IntakeStep>(step));
    if (!id) ::_exit(4);
    draft = *id;
    // Only after save_draft returned: this step is durable.
    const Report r{draft, step};
    if (::write(report_fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) ::_exit(5);
  }
  const auto last = sample_intake(IntakeStep::Bed, family_of(round), "Günay", round);
  for (;;)
    if (!intake.save_draft(draft, last, IntakeStep::Bed)) ::_exit(6);
}

TEST_F(StaffFixture, DraftSurvivesSigkillAtEveryStep) {
  std::mt19937_64 rng(std::random_device{}());
  const int rounds = 12;
  std::vector<int> reached(kIntakeSteps, 0);
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      writer(dir, round, fds[1]);
    }
    ::close(fds[1]);
    // Let the child report a random number of saved steps (so the kills spread over all of
    // them), then kill it after a random delay of up to a few saves: in the middle of writing the
    // next step, or between two.
    const int wait_for = std::uniform_int_distribution<int>(1, static_cast<int>(IntakeStep::Bed) + 1)(rng);
    Report r;
    for (int i = 0; i < wait_for; ++i) {
      Report next;
      ASSERT_EQ(::read(fds[0], &next, sizeof next), static_cast<ssize_t>(sizeof next)) << "writer died in round " << round;
      if (i > 0) {
        ASSERT_EQ(next.draft_id, r.draft_id);
        ASSERT_EQ(next.step, r.step + 1);
      }
      r = next;
    }
    ::usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(0, 1'500)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with " << WEXITSTATUS(status);
    Report more;
    while (::read(fds[0], &more, sizeof more) == static_cast<ssize_t>(sizeof more)) {
      ASSERT_EQ(more.draft_id, r.draft_id);
      ASSERT_EQ(more.step, r.step + 1);
      r = more;
    }
    ::close(fds[0]);
    ++reached[static_cast<std::size_t>(r.step)];

    // The parent's own session, only now, and closed before the next fork.
    auto s = officer();
    ASSERT_TRUE(s.unlocked());
    ASSERT_TRUE(s.db().integrity_check()) << "round " << round;
    IntakeService intake(s);
    auto list = intake.drafts();
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_EQ(list->size(), static_cast<std::size_t>(round + 1)) << "one draft per round, none lost";
    bool listed = false;
    for (const auto& d : *list) listed |= d.id == r.draft_id;
    EXPECT_TRUE(listed) << "round " << round;
    auto loaded = intake.load_draft(r.draft_id);
    ASSERT_TRUE(loaded) << "round " << round << ": " << loaded.error().message;
    const int step = static_cast<int>(loaded->second);
    // Every reported step is there; at most the one in flight may be too (saved, but killed
    // before it could report).
    ASSERT_GE(step, r.step) << "round " << round << " lost a saved step";
    ASSERT_LE(step, std::min<std::int64_t>(r.step + 1, static_cast<int>(IntakeStep::Bed))) << "round " << round;
    const auto expected = sample_intake(static_cast<IntakeStep>(step), family_of(round), "Günay", round);
    EXPECT_EQ(form_differences(expected, loaded->first), FieldNames{}) << "round " << round << ", step " << step;
    // Spelled out: every field of every reported step holds what the child typed in it.
    const auto full = sample_intake(IntakeStep::Bed, family_of(round), "Günay", round);
    const auto missing = form_differences(full, loaded->first);
    for (int k = 0; k <= r.step; ++k)
      for (const auto& field : fields_of_step(static_cast<IntakeStep>(k), round))
        EXPECT_EQ(std::count(missing.begin(), missing.end(), field), 0)
            << "round " << round << ": field " << field << " of saved step " << k << " is lost";
  }
  // The killed sessions left the audit chain whole.
  auto au = auditor();
  auto v = verify_audit(au);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->intact) << v->reason;
  // Informational: where the kills landed.
  std::string where;
  for (int i = 0; i < kIntakeSteps; ++i) where += std::to_string(reached[static_cast<std::size_t>(i)]) + " ";
  RecordProperty("last_reported_step_histogram", where);
}

}  // namespace
}  // namespace ik::core::testing
