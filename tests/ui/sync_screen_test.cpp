// The Sync screen and the status bar's sync line, with the sync layer's hooks stood in for by
// counting fakes (ui/ never calls sync/; firmware-app wires the real ones): what waits for HQ,
// the agent's state from its status file, "Sync now" (bundles sealed, then the request file for
// the agent), the lock sealing bundles before the key goes, receipts checked at unlock, and
// frames only while the agent runs.
#include <algorithm>
#include <filesystem>

#include "core/permissions.hpp"
#include "core/sync_status.hpp"
#include "tests/ui/harness.hpp"
#include "ui/scenes.hpp"
#include "ui/sync_messages.hpp"

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
  // A failed run as the agent writes it: a kind for the screen, an English sentence for the log.
  void failed(core::SyncFailure kind, std::string transport, std::string sentence) {
    core::AgentStatus a;
    a.state = core::AgentStatus::State::Failed;
    a.transport = std::move(transport);
    a.failure = kind;
    a.error = std::move(sentence);
    a.updated_at = a.finished_at = core::now_unix() - 60;
    ASSERT_TRUE(core::write_agent_status(dir, a));
  }
  // Back to the Sync screen, which reads the agent's status file again on entry.
  void reopen() {
    app->navigate(Screen::Home);
    app->navigate(Screen::Sync);
    driver->frames(2);
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
  // A status without a kind: the general sentence, the agent's own words only in small print.
  EXPECT_EQ(text("sync:agent-error"), sync_failure_msgid(core::SyncFailure::Unknown, "https"));
  EXPECT_EQ(text("sync:agent-code"), "For HQ support: HQ's server did not answer.");
  EXPECT_TRUE(driver->shows("Nothing is lost"));
  EXPECT_GE(screen_wait(), 3000);
  // The status bar says so too, on every screen (read again on navigation).
  ASSERT_TRUE(driver->tap("btn:home"));
  EXPECT_NE(text("status:sync").find("Sync failed: "), std::string::npos) << text("status:sync");
  EXPECT_EQ(text("status:sync").find("Last sync: "), std::string::npos) << text("status:sync");

  // A stick is put in (the agent says so): on the screen and in the status bar.
  agent(core::AgentStatus::State::Done, true);
  ASSERT_TRUE(driver->tap("Sync"));
  EXPECT_TRUE(driver->find("sync:usb")) << driver->dump();
  EXPECT_EQ(text("sync:usb"), "USB stick detected");
  EXPECT_NE(text("status:sync").find("USB stick"), std::string::npos);
  EXPECT_NE(text("sync:agent").find("The last sync finished at"), std::string::npos);
}

TEST_F(SyncScreen, ARefusedBundleIsSaidInPlainWords) {
  summary.last_rejection = "revoked-device";  // HQ's reason name, from its signed receipt
  summary.last_receipt_at = core::now_unix() - 3600;
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Admin"));
  ASSERT_TRUE(driver->tap("Sync"));
  EXPECT_EQ(text("sync:rejection"), "HQ did not accept a bundle from this kiosk.");
  EXPECT_EQ(text("sync:rejection-reason"),
            "HQ no longer accepts bundles from this kiosk. Call HQ support: this kiosk has been revoked.");
  EXPECT_EQ(text("sync:rejection-code"), "For HQ support: revoked-device");
  EXPECT_EQ(driver->find("sync:rejection-code")->value, "revoked-device");
  EXPECT_NE(text("sync:last-receipt").find("HQ's last receipt: "), std::string::npos);
  EXPECT_NE(text("status:sync").find("Last sync: "), std::string::npos) << text("status:sync");
}

// ---- the officer's language ------------------------------------------------------------------
// What the screen says is compared with the catalogues themselves (ui/po/*.po), not with tr():
// a sentence missing from a catalogue, or one the screen does not look up, fails here.

// "{}" in a translated pattern replaced by `arg`.
std::string fill(std::string pattern, std::string_view arg) {
  if (const auto at = pattern.find("{}"); at != std::string::npos) pattern.replace(at, 2, arg);
  return pattern;
}

struct Catalogue {
  core::Lang lang;
  const char* code;
  std::map<std::string, std::string> po;
  // The translation, which must exist and differ from the English msgid.
  std::string of(std::string_view msgid) const {
    const auto it = po.find(std::string(msgid));
    EXPECT_TRUE(it != po.end() && !it->second.empty()) << code << ": no translation of \"" << msgid << '"';
    EXPECT_TRUE(it == po.end() || it->second != msgid) << code << ": not translated: " << msgid;
    return it == po.end() ? std::string("<missing>") : it->second;
  }
};
std::vector<Catalogue> officer_languages() {
  return {{core::Lang::Az, "az", read_po(std::filesystem::path(IK_PO_DIR) / "az.po")},
          {core::Lang::Ru, "ru", read_po(std::filesystem::path(IK_PO_DIR) / "ru.po")}};
}

TEST_F(SyncScreen, EveryKindOfFailureIsSaidInAzerbaijaniAndRussian) {
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Sync"));
  for (const auto& cat : officer_languages()) {
    ASSERT_TRUE(driver->tap(fmt::format("lang:{}", cat.code)));
    for (const auto kind : core::kAllSyncFailures) {
      const std::string code(core::sync_failure_code(kind));
      // The agent's English sentence for its log: it must not be what the officer reads.
      const std::string english = fmt::format("bundle 7: the agent's own words for {}", code);
      for (const char* transport : {"usb", "https"}) {
        failed(kind, transport, english);
        reopen();
        const std::string want = cat.of(sync_failure_msgid(kind, transport));
        EXPECT_EQ(text("sync:agent-error"), want) << cat.code << " " << code << "\n" << driver->dump();
        EXPECT_EQ(text("sync:agent-code"), fill(cat.of("For HQ support: {}"), code)) << cat.code << " " << code;
        EXPECT_FALSE(driver->shows(english)) << cat.code << " " << code << ": the English sentence is on screen";
        const std::string heading = cat.of("The last sync failed at {}.");
        EXPECT_EQ(text("sync:agent").substr(0, heading.find("{}")), heading.substr(0, heading.find("{}")));
      }
    }
  }
}

TEST_F(SyncScreen, AFailureWithoutAKnownKindGetsTheGeneralSentence) {
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Sync"));
  const std::string older_agent = "bundle 3: cannot reach HQ (Connection refused) after 5 attempts";
  for (const auto& cat : officer_languages()) {
    ASSERT_TRUE(driver->tap(fmt::format("lang:{}", cat.code)));
    // A file from an agent older than the kinds: no "error_kind" at all.
    failed(core::SyncFailure::Unknown, "https", older_agent);
    reopen();
    EXPECT_EQ(text("sync:agent-error"),
              cat.of("The last sync did not finish. Press Sync now to try again; if it fails again, call HQ support."))
        << cat.code;
    // Its English sentence is all HQ support has: small print, never the main text.
    EXPECT_NE(text("sync:agent-code").find(older_agent), std::string::npos) << cat.code;
    EXPECT_EQ(text("sync:agent-error").find(older_agent), std::string::npos);

    // A kind from a newer agent that this kiosk does not know: the same, for a USB sync.
    test::write_text(dir.sync_dir() / "status.json", R"({"format": "intake-kiosk/sync-status/v1", "state": "failed", "transport": "usb",
      "usb_present": false, "files_done": 0, "files_total": 0, "bytes_done": 0, "bytes_total": 0,
      "updated_at": 1764400000, "finished_at": 1764400000, "error": "", "error_kind": "usb-on-fire"})");
    reopen();
    EXPECT_EQ(text("sync:agent-error"),
              cat.of("The last sync with the USB stick did not finish. Take the stick out and put it in again; if "
                     "it fails again, call HQ support."))
        << cat.code;
    EXPECT_FALSE(driver->find("sync:agent-code")) << "nothing to show HQ support";
  }
}

TEST_F(SyncScreen, EveryReasonHqCanGiveIsSaidInAzerbaijaniAndRussian) {
  app->set_sync_hooks(hooks());
  ASSERT_TRUE(unlock_as("Leyla"));
  ASSERT_TRUE(driver->tap("Sync"));
  // The reasons of docs/bundle-format.md a receipt this kiosk matches can carry, one a receipt for
  // an unopened bundle carries, and one no HQ sends today.
  const std::vector<std::pair<std::string, std::string>> reasons = {
      {"unknown-device",
       "HQ does not know this kiosk: it has not been enrolled at HQ. Call HQ support to enrol it; until then its "
       "bundles wait here."},
      {"revoked-device", "HQ no longer accepts bundles from this kiosk. Call HQ support: this kiosk has been revoked."},
      {"signature", "HQ could not confirm that this kiosk signed the bundle. Call HQ support."},
      {"payload-hash", "The bundle's contents did not match what this kiosk signed. Call HQ support."},
      {"replay", "HQ already has a different bundle with the same number from this kiosk. Call HQ support."},
      {"payload-json", "HQ could not read the records in the bundle. Call HQ support."},
      {"chunk-auth",
       "HQ could not open the bundle: it was damaged, cut short or sealed for another key. Call HQ support."},
      {"some-future-reason", "Call HQ support and give them the code below."},
  };
  for (const auto& cat : officer_languages()) {
    ASSERT_TRUE(driver->tap(fmt::format("lang:{}", cat.code)));
    for (const auto& [reason, msgid] : reasons) {
      ASSERT_EQ(std::string(hq_rejection_msgid(reason)), msgid) << reason;
      summary.last_rejection = reason;
      reopen();
      EXPECT_EQ(text("sync:rejection"), cat.of("HQ did not accept a bundle from this kiosk.")) << cat.code;
      EXPECT_EQ(text("sync:rejection-reason"), cat.of(msgid)) << cat.code << " " << reason;
      // The spec's name stays, as it is, for HQ support.
      EXPECT_EQ(driver->find("sync:rejection-code")->value, reason);
      EXPECT_NE(text("sync:rejection-code").find(reason), std::string::npos);
    }
  }
}

// The screenshot scene the README shows: a translated failure, not the agent's English.
TEST_F(SyncScreen, TheSyncFailedSceneIsTranslated) {
  for (const auto& cat : officer_languages()) {
    start(cat.lang);
    const auto all = scenes();
    const auto scene = std::find_if(all.begin(), all.end(), [](const Scene& s) { return s.name == "sync-failed"; });
    ASSERT_NE(scene, all.end());
    ASSERT_TRUE(scene->setup(*driver)) << driver->dump();
    driver->frames(2);
    EXPECT_EQ(text("sync:agent-error"), cat.of(sync_failure_msgid(core::SyncFailure::HqTimeout, "https")))
        << cat.code;
    EXPECT_EQ(text("sync:rejection-reason"), cat.of(hq_rejection_msgid("revoked-device"))) << cat.code;
    EXPECT_FALSE(driver->shows("cannot reach HQ")) << cat.code << ": the agent's English is on screen";
  }
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
