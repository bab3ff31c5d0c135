// The Sync screen and the status bar's sync line, with the sync layer's hooks stood in for by
// counting fakes (ui/ never calls sync/; firmware-app wires the real ones): what waits for HQ,
// the agent's state from its status file, "Sync now" (bundles sealed, then the request file for
// the agent), the lock sealing bundles before the key goes, receipts checked at unlock, and
// frames only while the agent runs.
#include <filesystem>

#include "core/permissions.hpp"
#include "core/sync_status.hpp"
#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

struct Calls {
  int flush = 0, inbox = 0, summary = 0;
  int last_retention_days = 0;
  bool flush_had_session = false;
};

class SyncScreen : public UiTest {
 protected:
  Calls calls;
  SyncSummaryView summary{3, 2'516'582, 0, 41, "", 5};

  SyncHooks hooks() {
    SyncHooks h;
    h.flush_outbox = [this](core::Session& s) -> core::Result<int> {
      ++calls.flush;
      calls.flush_had_session = s.unlocked();
      return 2;
    };
    h.process_inbox = [this](core::Session&, int days) -> core::Result<SyncInboxView> {
      ++calls.inbox;
      calls.last_retention_days = days;
      return SyncInboxView{};
    };
    h.summary = [this](core::Session&) -> core::Result<SyncSummaryView> {
      ++calls.summary;
      return summary;
    };
    return h;  // the agent's state: the real status file under the data directory
  }
  void agent(core::AgentStatus::State state, bool usb = false) {
    core::AgentStatus a;
    a.state = state;
    a.transport = usb ? "usb" : "https";
    a.usb_present = usb;
    a.files_done = 1;
    a.files_total = 4;
    a.bytes_done = 1000;
    a.bytes_total = 4000;
    a.updated_at = a.finished_at = core::now_unix() - 60;
    if (state == core::AgentStatus::State::Failed) a.error = "HQ's server did not answer.";
    ASSERT_TRUE(core::write_agent_status(dir, a));
  }
  std::string text(std::string_view id) {
    const auto* it = driver->find(id);
    return it ? it->label : "<not on screen>";
  }
  double screen_wait() { return app->controller(Screen::Sync).seconds_until_next_change(app->now()); }
};

TEST_F(SyncScreen, ATileForTheRolesThatSync) {
  for (const char* who : {"Aysel", "Leyla", "Admin"}) {
    ASSERT_TRUE(unlock_as(who));
    EXPECT_TRUE(driver->find("Sync")) << who;
    ASSERT_TRUE(driver->tap("btn:lock"));
  }
  for (const char* who : {"Murad", "Auditor"}) {
    ASSERT_TRUE(unlock_as(who));
    EXPECT_FALSE(driver->find("Sync")) << who;
    ASSERT_TRUE(driver->tap("btn:lock"));
  }
  EXPECT_FALSE(core::allowed(core::Role::Hotline, core::Action::Sync));
  EXPECT_TRUE(core::allowed(core::Role::Officer, core::Action::Sync));
}

TEST_F(SyncScreen, WithoutHooksSyncIsNotSetUp) {
  ASSERT_TRUE(unlock_as("Leyla"));
  EXPECT_EQ(text("status:sync"), "Sync: not set up");
  ASSERT_TRUE(driver->tap("Sync"));
  ASSERT_EQ(app->screen(), Screen::Sync);
  EXPECT_TRUE(driver->shows("Sync is not set up on this kiosk.")) << driver->dump();
  EXPECT_FALSE(driver->find("btn:sync-now"));
  EXPECT_FALSE(std::filesystem::exists(dir.sync_dir() / "request"));
}

TEST_F(SyncScreen, ShowsTheSummaryAndSyncNowSealsThenAsksTheAgent) {
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Leyla"));
  EXPECT_EQ(calls.inbox, 1) << "receipts are checked at every unlock";
  EXPECT_EQ(calls.last_retention_days, 90);
  EXPECT_EQ(text("status:sync"), "To send: 3 \u00B7 Not synced yet");
  ASSERT_TRUE(driver->tap("Sync"));
  ASSERT_EQ(app->screen(), Screen::Sync);
  EXPECT_EQ(text("sync:pending"), "Sealed bundles waiting to be sent: 3") << driver->dump();
  EXPECT_EQ(driver->find("sync:pending")->value, "3");
  EXPECT_EQ(text("sync:size"), "Their size: 2.4 MB");
  EXPECT_EQ(text("sync:queued"), "Changed records not yet sealed: 5");
  EXPECT_EQ(text("sync:last-receipt"), "No receipt from HQ yet.");
  EXPECT_EQ(text("sync:delivered"), "HQ has confirmed every bundle up to number 41.");
  EXPECT_EQ(text("sync:agent"), "The sync agent has not run yet.");
  EXPECT_FALSE(driver->find("sync:rejection"));
  EXPECT_GE(screen_wait(), 3000) << "nothing running: no frames";
  ASSERT_TRUE(driver->tap("lang:ru"));
  EXPECT_NE(text("sync:size").find("2,4"), std::string::npos) << "a decimal comma in Russian";
  ASSERT_TRUE(driver->tap("lang:en"));

  ASSERT_FALSE(std::filesystem::exists(dir.sync_dir() / "request"));
  ASSERT_TRUE(driver->tap("btn:sync-now"));
  EXPECT_EQ(calls.flush, 1);
  EXPECT_TRUE(calls.flush_had_session);
  EXPECT_TRUE(std::filesystem::exists(dir.sync_dir() / "request")) << "the agent was asked";
  EXPECT_TRUE(driver->shows("New bundles sealed: 2. The sync agent was asked to send them.")) << driver->dump();
  EXPECT_LE(screen_wait(), 1.0) << "watching for the agent to start";

  // The lock seals what changed while the session is still open.
  ASSERT_TRUE(driver->tap("btn:lock"));
  EXPECT_EQ(calls.flush, 2);
  EXPECT_TRUE(calls.flush_had_session);
}

TEST_F(SyncScreen, TheAgentRunningWithProgressThenFailedThenAStick) {
  app->set_sync_hooks(hooks());
  agent(core::AgentStatus::State::Running);
  ASSERT_TRUE(unlock_as("Aysel"));
  EXPECT_NE(text("status:sync").find("Syncing now"), std::string::npos) << text("status:sync");
  ASSERT_TRUE(driver->tap("Sync"));
  EXPECT_EQ(text("sync:agent"), "Sending now\u2026");
  ASSERT_NE(driver->find("sync:progress"), nullptr) << driver->dump();
  EXPECT_EQ(driver->find("sync:progress")->value, "1/4");
  EXPECT_EQ(text("sync:progress"), "25%");
  EXPECT_FALSE(driver->find("btn:sync-now")->enabled) << "one sync at a time";
  EXPECT_LE(screen_wait(), 1.0) << "a frame a second while the agent runs";
  EXPECT_FALSE(app->controller(Screen::Sync).animating());

  // The agent finishes badly: seen within a second, and the screen goes quiet.
  agent(core::AgentStatus::State::Failed);
  idle(1.1);
  EXPECT_NE(text("sync:agent").find("The last sync failed at"), std::string::npos) << driver->dump();
  EXPECT_TRUE(driver->shows("HQ's server did not answer."));
  EXPECT_TRUE(driver->shows("Nothing is lost"));
  EXPECT_GE(screen_wait(), 3000);

  // A stick is put in (the agent says so): on the screen and in the status bar.
  agent(core::AgentStatus::State::Done, true);
  ASSERT_TRUE(driver->tap("btn:home"));
  ASSERT_TRUE(driver->tap("Sync"));
  EXPECT_TRUE(driver->find("sync:usb")) << driver->dump();
  EXPECT_EQ(text("sync:usb"), "USB stick detected");
  EXPECT_NE(text("status:sync").find("USB stick"), std::string::npos);
  EXPECT_NE(text("sync:agent").find("The last sync finished at"), std::string::npos);
}

TEST_F(SyncScreen, ARefusedReceiptIsSaidInPlainWords) {
  summary.last_rejection = "bundle 42: the receipt's signature is not HQ's.";
  summary.last_receipt_at = core::now_unix() - 3600;
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Admin"));
  ASSERT_TRUE(driver->tap("Sync"));
  EXPECT_TRUE(driver->find("sync:rejection"));
  EXPECT_TRUE(driver->shows("bundle 42: the receipt's signature is not HQ's."));
  EXPECT_NE(text("sync:last-receipt").find("HQ's last receipt: "), std::string::npos);
  EXPECT_NE(text("status:sync").find("Last sync: "), std::string::npos) << text("status:sync");
}

TEST_F(SyncScreen, TheStatusBarLineIsCachedNotReadEveryFrame) {
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Leyla"));
  driver->frames(5);
  const int after_unlock = calls.summary;
  ASSERT_GE(after_unlock, 1);
  driver->frames(60);
  EXPECT_EQ(calls.summary, after_unlock) << "a second of frames, no new read";
  idle(31);
  EXPECT_EQ(calls.summary, after_unlock + 1) << "re-read after 30 s";
  summary.pending = 0;
  ASSERT_TRUE(driver->tap("Beds"));  // navigation re-reads
  EXPECT_EQ(calls.summary, after_unlock + 2);
  EXPECT_EQ(text("status:sync"), "Nothing to send \u00B7 Not synced yet");
}

TEST_F(SyncScreen, AHotlineOperatorIsRefusedAndTheRefusalIsRecorded) {
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Murad"));
  app->navigate(Screen::Sync);
  driver->frames(2);
  EXPECT_TRUE(driver->shows("Your role may not do this.")) << driver->dump();
  EXPECT_FALSE(driver->find("btn:sync-now"));
  auto r = app->sync_now();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::PermissionDenied);
  EXPECT_EQ(calls.flush, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.sync_dir() / "request"));
}

}  // namespace
}  // namespace ik::ui::testing
