// The sync agent's status file and the kiosk's "sync now" request (core/sync_status.hpp), on
// real files in a temp data directory.
#include "core/sync_status.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

namespace fs = std::filesystem;
using core::AgentStatus;

struct SyncStatus : ::testing::Test {
  TempDir tmp;
  core::DataDir dir{tmp.path()};
  fs::path status_file() const { return dir.sync_dir() / "status.json"; }
  void write_status_text(std::string_view text) {
    fs::create_directories(dir.sync_dir());
    write_text(status_file(), text);
  }
  std::vector<std::string> names_in(const fs::path& p) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(p)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(SyncStatus, MissingFileMeansNeverRun) {
  auto s = core::read_agent_status(dir);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->state, AgentStatus::State::Never);
  EXPECT_EQ(s->transport, "");
  EXPECT_EQ(s->files_total, 0);
}

TEST_F(SyncStatus, RoundTripsEveryFieldAtomically) {
  AgentStatus w;
  w.state = AgentStatus::State::Failed;
  w.transport = "usb";
  w.usb_present = true;
  w.files_done = 3;
  w.files_total = 7;
  w.bytes_done = 5'000'000'000;  // past 32 bits
  w.bytes_total = 9'000'000'000;
  w.updated_at = 1764400000;
  w.finished_at = 1764400005;
  w.error = "a different file named bundles/x.ikb is already on the USB stick";
  ASSERT_TRUE(core::write_agent_status(dir, w));
  // Only the file itself: the temp file was renamed into place.
  EXPECT_EQ(names_in(dir.sync_dir()), std::vector<std::string>{"status.json"});
  struct stat st {};
  ASSERT_EQ(::stat(status_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // the kiosk's user reads it through the group

  auto r = core::read_agent_status(dir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->state, AgentStatus::State::Failed);
  EXPECT_EQ(r->transport, "usb");
  EXPECT_TRUE(r->usb_present);
  EXPECT_EQ(r->files_done, 3);
  EXPECT_EQ(r->files_total, 7);
  EXPECT_EQ(r->bytes_done, 5'000'000'000);
  EXPECT_EQ(r->bytes_total, 9'000'000'000);
  EXPECT_EQ(r->updated_at, 1764400000);
  EXPECT_EQ(r->finished_at, 1764400005);
  EXPECT_EQ(r->error, w.error);

  // Every state survives the trip.
  for (auto state :
       {AgentStatus::State::Never, AgentStatus::State::Running, AgentStatus::State::Done}) {
    w.state = state;
    w.transport = "https";
    ASSERT_TRUE(core::write_agent_status(dir, w));
    auto again = core::read_agent_status(dir);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->state, state);
    EXPECT_EQ(again->transport, "https");
  }
}

// The kind of failure is part of the file: its codes are fixed here, as the kiosk of any version
// reads them.
TEST_F(SyncStatus, FailureKindsHaveFixedCodes) {
  using F = core::SyncFailure;
  const std::vector<std::pair<F, std::string_view>> want = {
      {F::UsbNotWritable, "usb-not-writable"},
      {F::UsbFull, "usb-full"},
      {F::UsbRemoved, "usb-removed"},
      {F::UsbVerifyFailed, "usb-verify-failed"},
      {F::UsbConflict, "usb-conflict"},
      {F::UsbIo, "usb-io"},
      {F::HqUnreachable, "hq-unreachable"},
      {F::HqTimeout, "hq-timeout"},
      {F::HqCertificate, "hq-certificate"},
      {F::HqBusy, "hq-busy"},
      {F::HqRefused, "hq-refused"},
      {F::HqBadAnswer, "hq-bad-answer"},
      {F::OutboxUnreadable, "outbox-unreadable"},
      {F::InboxUnwritable, "inbox-unwritable"},
      {F::Setup, "setup"},
      {F::Stopped, "stopped"},
      {F::Internal, "internal"}};
  ASSERT_EQ(want.size(), std::size(core::kAllSyncFailures));
  for (const auto& [kind, code] : want) {
    EXPECT_EQ(core::sync_failure_code(kind), code);
    EXPECT_EQ(core::parse_sync_failure(code), kind) << code;
  }
  EXPECT_EQ(core::sync_failure_code(F::Unknown), "");
  EXPECT_EQ(core::parse_sync_failure(""), F::Unknown);
  EXPECT_EQ(core::parse_sync_failure("USB-FULL"), F::Unknown);
}

TEST_F(SyncStatus, RoundTripsTheFailureKind) {
  for (const auto kind : core::kAllSyncFailures) {
    AgentStatus w;
    w.state = AgentStatus::State::Failed;
    w.transport = "usb";
    w.failure = kind;
    w.error = "the agent's own sentence";
    ASSERT_TRUE(core::write_agent_status(dir, w));
    const auto text = read_bytes(status_file());
    EXPECT_NE(std::string(text.begin(), text.end())
                  .find(fmt::format("\"error_kind\": \"{}\"", core::sync_failure_code(kind))),
              std::string::npos)
        << core::sync_failure_code(kind);
    auto r = core::read_agent_status(dir);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->failure, kind) << core::sync_failure_code(kind);
    EXPECT_EQ(r->error, w.error);
  }
  // Done: no kind.
  AgentStatus done;
  done.state = AgentStatus::State::Done;
  ASSERT_TRUE(core::write_agent_status(dir, done));
  EXPECT_EQ(core::read_agent_status(dir)->failure, core::SyncFailure::Unknown);
}

TEST_F(SyncStatus, AFileWithoutAKindOrWithAnUnknownOneIsReadAsUnknown) {
  // As an agent older than the kinds wrote it.
  const std::string old_file = R"({
  "format": "intake-kiosk/sync-status/v1", "state": "failed", "transport": "https",
  "usb_present": false, "files_done": 0, "files_total": 1, "bytes_done": 0, "bytes_total": 10,
  "updated_at": 1764400000, "finished_at": 1764400001,
  "error": "bundle 1: cannot reach HQ (Connection refused) after 5 attempts"
})";
  write_status_text(old_file);
  auto r = core::read_agent_status(dir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->state, AgentStatus::State::Failed);
  EXPECT_EQ(r->failure, core::SyncFailure::Unknown);
  EXPECT_EQ(r->error, "bundle 1: cannot reach HQ (Connection refused) after 5 attempts");

  // From a newer agent: a kind this kiosk does not know is not damage.
  std::string newer = old_file;
  newer.insert(newer.rfind('}'), ", \"error_kind\": \"usb-on-fire\"\n");
  write_status_text(newer);
  r = core::read_agent_status(dir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->failure, core::SyncFailure::Unknown);
}

TEST_F(SyncStatus, LongOrOddErrorTextIsCutNotRefused) {
  AgentStatus w;
  w.state = AgentStatus::State::Failed;
  w.error = std::string(5000, 'x') + "\xff";  // too long, and not UTF-8
  ASSERT_TRUE(core::write_agent_status(dir, w));
  auto r = core::read_agent_status(dir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->error.size(), 1024u);
}

TEST_F(SyncStatus, WriteRefusesNonsense) {
  AgentStatus w;
  w.files_done = -1;
  EXPECT_FALSE(core::write_agent_status(dir, w));
  w.files_done = 0;
  w.transport = "carrier-pigeon";
  EXPECT_FALSE(core::write_agent_status(dir, w));
}

TEST_F(SyncStatus, DamagedFilesAreClearErrors) {
  AgentStatus good;
  good.state = AgentStatus::State::Done;
  ASSERT_TRUE(core::write_agent_status(dir, good));
  const std::string valid(reinterpret_cast<const char*>(read_bytes(status_file()).data()),
                          read_bytes(status_file()).size());
  ASSERT_TRUE(core::read_agent_status(dir));

  const auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = valid;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[1, 2, 3]",
      "{\"format\": \"intake-kiosk/sync-status/v1\"}",  // members missing
      replace("\"intake-kiosk/sync-status/v1\"", "\"intake-kiosk/sync-status/v9\""),
      replace("\"done\"", "\"exploded\""),
      replace("\"files_done\": 0", "\"files_done\": -4"),
      replace("\"files_done\": 0", "\"files_done\": 1e3"),
      replace("\"files_total\": 0", "\"files_total\": 99999999999"),  // beyond int
      replace("\"bytes_done\": 0", "\"bytes_done\": \"0\""),
      replace("\"usb_present\": false", "\"usb_present\": 0"),
      replace("\"transport\": \"\"", "\"transport\": \"ftp\""),
      replace("\"error\": \"\"", "\"error\": \"" + std::string(2000, 'e') + "\""),
      replace("\"error_kind\": \"\"", "\"error_kind\": 7"),
  };
  for (const auto& text : bad) {
    write_status_text(text);
    auto r = core::read_agent_status(dir);
    ASSERT_FALSE(r) << text.substr(0, 80);
    EXPECT_EQ(r.error().code, core::Errc::Damaged) << text.substr(0, 80);
    EXPECT_NE(r.error().message.find("sync status file"), std::string::npos) << r.error().message;
  }
}

TEST_F(SyncStatus, OversizedFileIsRefusedBeforeReading) {
  write_status_text(std::string(64 * 1024 + 1, ' '));
  auto r = core::read_agent_status(dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::Damaged);
  EXPECT_NE(r.error().message.find("too large"), std::string::npos) << r.error().message;
}

TEST_F(SyncStatus, CountsOnlyFinishedBundlesInOutbox) {
  EXPECT_EQ(core::count_outbox_files(dir), 0);  // no outbox/ yet
  fs::create_directories(dir.outbox());
  const std::string id = "00112233445566778899aabbccddeeff";
  write_text(dir.outbox() / ("0000000000000001-" + id + ".ikb"), "x");
  write_text(dir.outbox() / ("0000000000000002-" + std::string(32, 'a') + ".ikb"), "x");
  write_text(dir.outbox() / (".0000000000000003-" + id + ".ikb.1234.tmp"),
             "x");  // a writer's temp file
  write_text(dir.outbox() / "notes.txt", "x");
  write_text(dir.outbox() / ("000000000000000x-" + id + ".ikb"), "x");
  write_text(dir.outbox() / ("0000000000000004-" + std::string(32, 'A') + ".ikb"),
             "x");                                                           // upper case
  fs::create_directory(dir.outbox() / ("0000000000000005-" + id + ".ikb"));  // a folder
  fs::create_symlink("/etc/hostname",
                     dir.outbox() / ("0000000000000006-" + id + ".ikb"));  // a link
  EXPECT_EQ(core::count_outbox_files(dir), 2);
}

TEST_F(SyncStatus, RequestSyncTouchesRequestFileAtomically) {
  ASSERT_TRUE(core::request_sync(dir, 1764400000));
  EXPECT_EQ(names_in(dir.sync_dir()), std::vector<std::string>{"request"});
  const auto first = read_bytes(dir.sync_dir() / "request");
  EXPECT_EQ(std::string(first.begin(), first.end()), "1764400000\n");
  ASSERT_TRUE(core::request_sync(dir, 1764400060));
  const auto second = read_bytes(dir.sync_dir() / "request");
  EXPECT_EQ(std::string(second.begin(), second.end()), "1764400060\n");
  EXPECT_EQ(names_in(dir.sync_dir()), std::vector<std::string>{"request"});
}

TEST_F(SyncStatus, RequestSyncReportsAnUnwritableDataDirectory) {
  core::DataDir missing{tmp / "no" / "such" / "device"};
  auto r = core::request_sync(missing, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::Io);
}

}  // namespace
}  // namespace ik::test
