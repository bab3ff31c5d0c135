#pragma once
// The kiosk application: which screen is up, the unlocked session, auto-lock, language, and the
// keyboard. It is the only part of ui/ that calls core/; screens draw a view model and queue
// intents, and their controllers turn intents into core calls. No SQL, no crypto, no file paths
// beyond the data directory handed in.
//
// What must stay true: lock() drops the session (wiping the database key) and every view model
// that holds personal data before the next frame is drawn; nothing personal is ever in a window
// title, a log line or the lock screen.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "core/data_dir.hpp"
#include "core/iso_codes.hpp"
#include "core/session.hpp"
#include "core/sync_status.hpp"

namespace ik::ui {

// What the kiosk shows about sealed sync. ui/ knows core only: the sync layer (sync/outbox.hpp)
// is reached through SyncHooks, which firmware-app fills; these are the ui-side shapes of what
// the hooks return. Counts, times and reason sentences only — never personal data.
struct SyncSummaryView {
  int pending = 0;                     // bundles written and not yet confirmed by HQ
  std::int64_t pending_bytes = 0;
  std::int64_t last_receipt_at = 0;    // HQ's time on the newest accepted receipt, 0 if none
  std::uint64_t delivered_through = 0; // the highest bundle sequence HQ confirmed
  std::string last_rejection;          // HQ's reason name on its newest rejecting receipt, "" if none
  std::int64_t queued_records = 0;     // records changed since the last bundle
};

struct SyncInboxView {
  int delivered = 0, rejected = 0, ignored = 0;
  std::int64_t cases_purged = 0, calls_purged = 0, drafts_removed = 0;
};

// Empty hooks: sync is not set up on this kiosk (tests, screenshots, a device without HQ keys).
// Every hook runs on the UI thread with the unlocked session.
struct SyncHooks {
  // Seals what changed into bundles in outbox/; returns the number of bundles written.
  std::function<core::Result<int>(core::Session&)> flush_outbox;
  // Verifies HQ's receipts in inbox/, marks bundles delivered, then applies retention.
  std::function<core::Result<SyncInboxView>(core::Session&, int retention_days)> process_inbox;
  std::function<core::Result<SyncSummaryView>(core::Session&)> summary;
  // The sync agent's state; empty: core::read_agent_status(data dir). (Scenes feed fixed states.)
  std::function<core::Result<core::AgentStatus>(const core::DataDir&)> agent_status;
  bool set_up() const { return static_cast<bool>(summary); }
};

struct KioskConfig {
  core::DataDir data;
  core::Lang language = core::Lang::Az;
  // Defaults from the configuration file; the device settings an administrator saved (core/
  // device_settings.hpp) override them after each unlock.
  int auto_lock_seconds = 120;
  int retention_days = 90;
  std::vector<core::Lang> languages{core::kAllLangs.begin(), core::kAllLangs.end()};
  bool touch_only = true;
  float dpi = 96.0f;
  float scale = 1.0f;
  // Wakes the frame loop from another thread (glfwPostEmptyEvent); empty in tests.
  std::function<void()> wake;
  SyncHooks sync;
};

// What the app last read about sync (cached: the status bar reads it every frame).
struct SyncSnapshot {
  bool set_up = false;
  std::optional<SyncSummaryView> summary;
  bool summary_failed = false;
  std::optional<core::AgentStatus> agent;
  bool agent_failed = false;  // the status file is damaged or unreadable
  double read_at = -1;        // AppContext::now() when read; < 0: never
};

enum class Screen { Lock, Home, Intake, Call, Cases, Case, Beds, Admin, Dashboard, Sync, Count };

class AppContext;

// One screen's controller: builds its view model from core on entry, draws it, applies the
// intents its drawing queued, and forgets everything personal on wipe().
class ScreenController {
 public:
  virtual ~ScreenController() = default;
  virtual void enter(AppContext&) {}
  virtual void draw(AppContext& ctx) = 0;
  virtual void wipe() = 0;
  // True while the screen changes every frame without input (nothing does today).
  virtual bool animating() const { return false; }
  // Seconds until the screen changes without input (a timer's next second); large when never.
  virtual double seconds_until_next_change(double /*now*/) const { return animating() ? 0.0 : 3600.0; }
  // Called just before a lock (the button or the idle timeout), while the session is still
  // open: the last chance to keep work in progress (as an encrypted draft) before wipe().
  virtual void before_lock(AppContext&) {}
  // Right after an unlock: true when this screen has the user's work from before the lock to
  // give back (a call in progress), so the app opens it instead of Home.
  virtual bool resumes_after_unlock(AppContext&) { return false; }
};

class AppContext {
 public:
  virtual ~AppContext() = default;
  virtual core::Session* session() = 0;  // nullptr while locked
  virtual const KioskConfig& config() const = 0;
  virtual void navigate(Screen s) = 0;
  virtual void open_case(std::int64_t case_id) = 0;
  virtual void request_lock() = 0;
  virtual void notify(std::string message, bool error = false) = 0;  // a banner, already translated
  virtual double now() const = 0;                                   // seconds, monotonic
  // Hands an intake form to the wizard (a call that becomes an intake).
  virtual void start_intake_from_call(std::int64_t call_id) = 0;
  // Device settings in force: the configuration file's, overridden by what an administrator
  // saved (read at unlock). Languages offered stay in force after a lock, for the lock screen.
  virtual int auto_lock_seconds() const = 0;
  virtual int retention_days() const = 0;
  virtual const std::vector<core::Lang>& languages() const = 0;
  // Reads the saved device settings again and applies them (after an administrator saved them).
  virtual void apply_device_settings() = 0;

  // Sync: the cached snapshot (re-read when older than max_age seconds), and "sync now".
  virtual const SyncSnapshot& sync_snapshot(double max_age = 30.0) = 0;
  virtual core::Result<int> sync_now() = 0;  // bundles written; then the agent is asked
};

class KioskApp final : public AppContext {
 public:
  explicit KioskApp(KioskConfig config);
  ~KioskApp() override;

  // Draws one frame; call between ImGui::NewFrame() and ImGui::Render().
  void frame(double now_seconds);
  void note_input(double now_seconds);
  // Seconds until something changes without input (auto-lock, a running timer, the clock).
  double seconds_until_next_change(double now_seconds) const;
  bool animating() const;

  void lock();
  core::Result<void> unlock(std::string_view user, const crypto::SecureBuffer& passphrase);
  Screen screen() const { return screen_; }
  // Screenshot scenes and tests stand in for firmware-app's hooks.
  void set_sync_hooks(SyncHooks hooks);

  // AppContext
  core::Session* session() override { return session_ && session_->unlocked() ? session_.get() : nullptr; }
  const KioskConfig& config() const override { return config_; }
  void navigate(Screen s) override;
  void open_case(std::int64_t case_id) override;
  void request_lock() override { lock_requested_ = true; }
  void notify(std::string message, bool error = false) override;
  double now() const override { return now_; }
  void start_intake_from_call(std::int64_t call_id) override;
  int auto_lock_seconds() const override { return auto_lock_seconds_; }
  int retention_days() const override { return retention_days_; }
  const std::vector<core::Lang>& languages() const override { return languages_; }
  void apply_device_settings() override;
  const SyncSnapshot& sync_snapshot(double max_age = 30.0) override;
  core::Result<int> sync_now() override;

  ScreenController& controller(Screen s) { return *controllers_[static_cast<int>(s)]; }

 private:
  void draw_status_bar(ImVec2 pos, float width);
  void draw_banner(ImVec2 pos, float width);
  std::string sync_status_text();

  KioskConfig config_;
  int auto_lock_seconds_ = 120, retention_days_ = 90;
  std::vector<core::Lang> languages_;
  SyncSnapshot sync_;
  std::unique_ptr<core::Session> session_;
  Screen screen_ = Screen::Lock;
  std::array<std::unique_ptr<ScreenController>, static_cast<int>(Screen::Count)> controllers_;
  double now_ = 0, last_input_ = 0;
  bool lock_requested_ = false;
  std::string banner_;
  bool banner_error_ = false;
  double banner_until_ = 0;
  std::int64_t pending_case_ = 0;
  core::Lang keyboard_lang_ = core::Lang::Az;  // the UI language the keyboard layout last followed
};

// Factories, one per screen file (ui/screens/*.cpp).
std::unique_ptr<ScreenController> make_lock_screen();
std::unique_ptr<ScreenController> make_home_screen();
std::unique_ptr<ScreenController> make_intake_screen();
std::unique_ptr<ScreenController> make_call_screen();
std::unique_ptr<ScreenController> make_cases_screen();
std::unique_ptr<ScreenController> make_case_screen();
std::unique_ptr<ScreenController> make_beds_screen();
std::unique_ptr<ScreenController> make_admin_screen();
std::unique_ptr<ScreenController> make_dashboard_screen();
std::unique_ptr<ScreenController> make_sync_screen();

// Hooks the case page and the wizard expose to the app (set before navigating).
void case_screen_set_case(ScreenController& c, std::int64_t case_id);
void intake_screen_start_from_call(ScreenController& c, AppContext& ctx, std::int64_t call_id);

// The content area below the status bar and above the keyboard, for the current frame.
ImVec2 content_pos();
ImVec2 content_size();
// Starts the full-size content window every screen draws in; end with end_content().
bool begin_content(const char* id);
void end_content();

}  // namespace ik::ui
