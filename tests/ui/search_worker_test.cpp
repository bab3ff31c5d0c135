// The case search off the UI thread: a typed search runs on a worker over its own read-only
// connection, its results arrive in a later frame, and a lock in the middle of a search leaves
// nothing — no rows, no search text, no open database file, no result delivered afterwards.
// Failure messages name ids and counts only, never what a row shows.
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "core/case_reader.hpp"
#include "core/cases.hpp"
#include "tests/ui/harness.hpp"
#include "ui/worker.hpp"

namespace ik::ui::testing {
namespace {

std::vector<std::string> ids_with(std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& it : semantics().items())
    if (it.id.starts_with(prefix)) out.push_back(it.id);
  return out;
}

// Open file descriptors of this process on the device's database (the main file).
int open_database_files(const core::DataDir& dir) {
  int n = 0;
  std::error_code ec;
  const auto db = std::filesystem::weakly_canonical(dir.database(), ec);
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code lec;
    const auto target = std::filesystem::read_symlink(e.path(), lec);
    if (!lec && target == db) ++n;
  }
  return n;
}

class SearchWorker : public UiTest {
 protected:
  // A word of a case's name, learnt the way staff would: revealing it (audited). Returns the
  // case id; the word is kept for typing, never printed.
  std::int64_t learn_a_name(std::string& word) {
    const auto masks = ids_with("btn:reveal:");
    if (masks.size() < 3) return 0;
    const auto case_id = std::stoll(masks[2].substr(std::string("btn:reveal:").size()));
    if (!driver->tap(masks[2])) return 0;
    const auto* shown = driver->find(fmt::format("name:{}", case_id));
    if (shown == nullptr) return 0;
    const std::string name = shown->label;
    word = name.substr(0, name.find_first_of(" ("));
    driver->tap(fmt::format("name:{}", case_id));  // masked again
    return case_id;
  }
};

TEST_F(SearchWorker, ATypedSearchIsAnsweredInALaterFrameByTheWorker) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  ASSERT_GT(ids_with("row:").size(), 3u);
  std::string word;
  const auto case_id = learn_a_name(word);
  ASSERT_GT(case_id, 0);
  ASSERT_FALSE(word.empty());

  ASSERT_TRUE(driver->tap("field:search"));
  ASSERT_TRUE(driver->type(word));
  EXPECT_FALSE(driver->shows("Searching")) << "typing waits for a pause";
  frame(0.5);  // the pause is over: this frame hands the search to the worker and goes on
  EXPECT_TRUE(driver->shows("Searching")) << "the frame did not wait for the query";
  ASSERT_TRUE(settle([&] { return !driver->shows("Searching"); }));
  EXPECT_TRUE(driver->find(fmt::format("row:{}", case_id))) << "the searched case is listed";
  EXPECT_TRUE(driver->shows("1 case") || driver->shows(" cases")) << "a count, not the word 'Searching'";

  // A word that matches nothing: the list says so.
  ASSERT_TRUE(driver->tap("field:search"));
  for (int i = 0; i < 40 && driver->find("field:search")->value.size() > 0; ++i) driver->tap("key:backspace");
  ASSERT_TRUE(driver->type("zzqxv"));
  ASSERT_TRUE(driver->tap("key:done"));  // closing the keyboard searches at once
  ASSERT_TRUE(settle([&] { return !driver->shows("Searching"); }));
  EXPECT_TRUE(driver->shows("No case matches.")) << ids_with("row:").size();
  EXPECT_TRUE(ids_with("row:").empty());
}

TEST_F(SearchWorker, ALockDuringASearchLeavesNothingBehind) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  std::string word;
  ASSERT_GT(learn_a_name(word), 0);
  ASSERT_TRUE(driver->tap("field:search"));
  ASSERT_TRUE(driver->type(word));
  frame(0.5);
  ASSERT_TRUE(driver->shows("Searching"));
  EXPECT_GE(open_database_files(dir), 2) << "the session's connection and the search's own";

  app->lock();  // auto-lock or the button: the same lock(), while the query is in flight
  driver->frames(3);
  EXPECT_EQ(app->screen(), Screen::Lock);
  EXPECT_EQ(app->session(), nullptr);
  EXPECT_TRUE(ids_with("row:").empty());
  EXPECT_FALSE(driver->shows("IK-"));
  EXPECT_FALSE(driver->shows(word));
  EXPECT_EQ(open_database_files(dir), 0) << "both connections closed by the lock: no key left in SQLCipher";
  // However long the worker would have taken, nothing arrives afterwards.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  driver->frames(3);
  EXPECT_FALSE(driver->shows("IK-"));
  EXPECT_FALSE(app->controller(Screen::Cases).animating()) << "no result waits to be shown";

  // The next unlock starts clean: no search text, the whole list.
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  ASSERT_NE(driver->find("field:search"), nullptr);
  EXPECT_EQ(driver->find("field:search")->value, "");
  EXPECT_FALSE(driver->shows("Searching"));
  EXPECT_GT(ids_with("row:").size(), 3u);
}

TEST_F(SearchWorker, LeavingForACasePageStopsTheSearchToo) {
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Cases"));
  std::string word;
  ASSERT_GT(learn_a_name(word), 0);
  ASSERT_TRUE(driver->tap("field:search"));
  ASSERT_TRUE(driver->type(word));
  frame(0.5);
  ASSERT_TRUE(settle([&] { return !driver->shows("Searching"); }));
  const auto rows = ids_with("row:");
  ASSERT_FALSE(rows.empty());
  ASSERT_TRUE(driver->tap(rows.front()));
  ASSERT_EQ(app->screen(), Screen::Case);
  EXPECT_FALSE(app->controller(Screen::Cases).animating()) << "nothing left to deliver";
  // (SQLite keeps a closed connection's file descriptor while another connection of the
  // process holds locks on the file, so open files are counted only when everything is shut.)
  ASSERT_TRUE(driver->tap("btn:back"));
  ASSERT_EQ(app->screen(), Screen::Cases);
  EXPECT_EQ(driver->find("field:search")->value, "") << "the search text went with the list";
  EXPECT_FALSE(driver->shows("Searching"));
}

TEST(CaseReader, AnswersLikeTheSessionAndCannotWrite) {
  test::TempDir tmp;
  core::DataDir dir{tmp / "device"};
  std::filesystem::copy(demo_template() / "device", dir.root, std::filesystem::copy_options::recursive);
  auto s = core::unlock(dir, "Aysel", test::secret("demo-officer-pass"));
  ASSERT_TRUE(s) << s.error().message;
  auto reader = core::CaseReader::open(*s);
  ASSERT_TRUE(reader) << reader.error().message;
  for (const char* status : {"", "active", "closed"}) {
    core::CaseQuery q;
    if (*status) q.status = status;
    auto a = core::CaseService(*s).list(q, 0, 500);
    auto b = reader->list(q, 0, 500);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->total, b->total) << status;
    ASSERT_EQ(a->items.size(), b->items.size()) << status;
    for (std::size_t i = 0; i < a->items.size(); ++i) EXPECT_EQ(a->items[i].id, b->items[i].id);
  }
  // The reader refuses what core refuses: a status that is no code.
  core::CaseQuery q;
  core::CaseQuery bad;
  bad.status = "no-such-status";
  auto r = reader->list(bad, 0, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::Invalid);
  reader->close();
  EXPECT_FALSE(reader->list(q, 0, 1));
}

TEST(CaseReader, IsRefusedToARoleThatMayNotSeeCases) {
  test::TempDir tmp;
  core::DataDir dir{tmp / "device"};
  std::filesystem::copy(demo_template() / "device", dir.root, std::filesystem::copy_options::recursive);
  auto s = core::unlock(dir, "Admin", test::secret("demo-admin-pass"));
  ASSERT_TRUE(s) << s.error().message;
  auto reader = core::CaseReader::open(*s);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, core::Errc::PermissionDenied);
}

TEST(Worker, DeliversOnTheCallersThreadWakesAndDropsEverythingOnStop) {
  std::atomic<int> wakes{0};
  Worker w([&] { ++wakes; });
  int delivered = 0;
  const auto ui_thread = std::this_thread::get_id();
  std::thread::id ran_on;
  w.post([&]() -> Worker::Deliver {
    ran_on = std::this_thread::get_id();
    return [&] {
      EXPECT_EQ(std::this_thread::get_id(), ui_thread);
      ++delivered;
    };
  });
  for (int i = 0; i < 1000 && !w.has_results(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(w.has_results());
  EXPECT_NE(ran_on, ui_thread) << "the job ran on the worker";
  EXPECT_EQ(wakes.load(), 1);
  EXPECT_EQ(delivered, 0) << "nothing runs on the UI side until deliver()";
  EXPECT_EQ(w.deliver(), 1);
  EXPECT_EQ(delivered, 1);
  EXPECT_TRUE(w.idle());

  // A slow job, then stop(): it is waited for, its result and the queued job are dropped.
  std::atomic<bool> started{false}, second_ran{false};
  w.post([&]() -> Worker::Deliver {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return [&] { ++delivered; };
  });
  w.post([&]() -> Worker::Deliver {
    second_ran = true;
    return [&] { ++delivered; };
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  w.stop();
  EXPECT_FALSE(second_ran);
  EXPECT_FALSE(w.has_results());
  EXPECT_EQ(w.deliver(), 0);
  EXPECT_EQ(delivered, 1);
  w.post([&]() -> Worker::Deliver { return [&] { ++delivered; }; });  // refused once stopped
  EXPECT_TRUE(w.idle());
}

}  // namespace
}  // namespace ik::ui::testing
