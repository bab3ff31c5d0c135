#include "ui/app.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "core/device_settings.hpp"
#include "core/permissions.hpp"
#include "core/retention.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

ImVec2 g_content_pos, g_content_size;

std::string_view role_msgid(core::Role r) {
  switch (r) {
    case core::Role::Officer: return IK_N_("Intake officer");
    case core::Role::Hotline: return IK_N_("Hotline");
    case core::Role::Coordinator: return IK_N_("Coordinator");
    case core::Role::Admin: return IK_N_("Administrator");
    case core::Role::Auditor: return IK_N_("Auditor");
  }
  return "Unknown";
}

// "14:05" today, "28.11" another day: the status bar's short form of a time.
std::string short_time(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds), now = std::time(nullptr);
  std::tm tm{}, today{};
  ::localtime_r(&t, &tm);
  ::localtime_r(&now, &today);
  if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday) return fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min);
  return fmt::format("{:02}.{:02}", tm.tm_mday, tm.tm_mon + 1);
}

bool offered(const std::vector<core::Lang>& langs, core::Lang l) {
  return std::find(langs.begin(), langs.end(), l) != langs.end();
}

}  // namespace

ImVec2 content_pos() { return g_content_pos; }
ImVec2 content_size() { return g_content_size; }

bool begin_content(const char* id) {
  ImGui::SetNextWindowPos(g_content_pos);
  ImGui::SetNextWindowSize(g_content_size);
  return ImGui::Begin(id, nullptr,
                      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                          ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoNav);
}

void end_content() { ImGui::End(); }

KioskApp::KioskApp(KioskConfig config) : config_(std::move(config)) {
  auto_lock_seconds_ = config_.auto_lock_seconds;
  retention_days_ = config_.retention_days;
  languages_ = config_.languages.empty() ? std::vector<core::Lang>(core::kAllLangs.begin(), core::kAllLangs.end())
                                         : config_.languages;
  if (!offered(languages_, config_.language)) config_.language = languages_.front();
  set_language(config_.language);
  keyboard_lang_ = config_.language;
  keyboard().layout = config_.language == core::Lang::Ru ? Layout::Ru : config_.language == core::Lang::En ? Layout::En : Layout::Az;
  controllers_[static_cast<int>(Screen::Lock)] = make_lock_screen();
  controllers_[static_cast<int>(Screen::Home)] = make_home_screen();
  controllers_[static_cast<int>(Screen::Intake)] = make_intake_screen();
  controllers_[static_cast<int>(Screen::Call)] = make_call_screen();
  controllers_[static_cast<int>(Screen::Cases)] = make_cases_screen();
  controllers_[static_cast<int>(Screen::Case)] = make_case_screen();
  controllers_[static_cast<int>(Screen::Beds)] = make_beds_screen();
  controllers_[static_cast<int>(Screen::Admin)] = make_admin_screen();
  controllers_[static_cast<int>(Screen::Dashboard)] = make_dashboard_screen();
  controllers_[static_cast<int>(Screen::Sync)] = make_sync_screen();
  controllers_[static_cast<int>(Screen::Lock)]->enter(*this);
}

KioskApp::~KioskApp() { lock(); }

void KioskApp::note_input(double now_seconds) { last_input_ = now_seconds; }

void KioskApp::set_sync_hooks(SyncHooks hooks) {
  config_.sync = std::move(hooks);
  sync_ = SyncSnapshot{};
}

void KioskApp::lock() {
  if (session()) {
    // Every screen, not only the one on top: a call left open while the operator looked at Home
    // is work in progress too.
    for (auto& c : controllers_)
      if (c && session()) c->before_lock(*this);
    // What changed in this session leaves as sealed bundles now, while the key is still here:
    // the sync agent can then carry it away while the kiosk stays locked. Best effort — a
    // failure must not keep the screen unlocked; the next lock or "Sync now" tries again.
    if (config_.sync.flush_outbox) (void)config_.sync.flush_outbox(*session_);
  }
  keyboard().deactivate();
  for (auto& c : controllers_)
    if (c) c->wipe();
  if (session_) session_->lock();  // audits the lock, wipes the key
  session_.reset();
  banner_.clear();
  sync_ = SyncSnapshot{};
  screen_ = Screen::Lock;
  lock_requested_ = false;
  // The lock screen offers the languages in force; a language no longer offered gives way.
  if (!offered(languages_, language())) set_language(offered(languages_, config_.language) ? config_.language : languages_.front());
  controllers_[static_cast<int>(Screen::Lock)]->enter(*this);
}

core::Result<void> KioskApp::unlock(std::string_view user, const crypto::SecureBuffer& passphrase) {
  auto s = core::unlock(config_.data, user, passphrase);
  if (!s) return std::unexpected(s.error());
  session_ = std::make_unique<core::Session>(std::move(*s));
  last_input_ = now_;
  apply_device_settings();
  // HQ's receipts are verified whenever the device is unlocked, then the retention policy runs
  // (process_inbox does both); without sync, retention alone. Retention only ever removes data
  // HQ has confirmed, so a failure here is reported and nothing else changes.
  bool retention_ran = false;
  if (config_.sync.process_inbox) {
    if (auto r = config_.sync.process_inbox(*session_, retention_days_); r) retention_ran = true;
    else notify(tr("Receipts from HQ could not be checked."), true);
  }
  if (!retention_ran)
    if (auto r = core::apply_retention(*session_, retention_days_, core::now_unix()); !r)
      notify(tr("The retention policy could not run."), true);
  for (int i = 0; i < static_cast<int>(Screen::Count); ++i)
    if (i != static_cast<int>(Screen::Lock) && controllers_[i]->resumes_after_unlock(*this)) {
      navigate(static_cast<Screen>(i));
      return {};
    }
  navigate(Screen::Home);
  return {};
}

void KioskApp::apply_device_settings() {
  auto* s = session();
  if (s == nullptr) return;
  auto stored = core::read_device_settings(*s);
  if (!stored) {
    notify(tr("The device settings could not be read; the kiosk's defaults apply."), true);
    return;
  }
  // Unset values fall back to the configuration file's, so removing a setting is possible.
  auto_lock_seconds_ = stored->auto_lock_minutes ? *stored->auto_lock_minutes * 60 : config_.auto_lock_seconds;
  retention_days_ = stored->retention_days.value_or(config_.retention_days);
  languages_ = stored->languages.value_or(config_.languages);
  if (languages_.empty()) languages_.assign(core::kAllLangs.begin(), core::kAllLangs.end());
  if (!offered(languages_, language())) set_language(offered(languages_, config_.language) ? config_.language : languages_.front());
}

const SyncSnapshot& KioskApp::sync_snapshot(double max_age) {
  if (sync_.read_at >= 0 && now_ - sync_.read_at < max_age) return sync_;
  SyncSnapshot snap;
  snap.read_at = now_;
  snap.set_up = config_.sync.set_up();
  if (snap.set_up && session() != nullptr) {
    if (auto v = config_.sync.summary(*session_); v) snap.summary = std::move(*v);
    else snap.summary_failed = true;
    auto agent = config_.sync.agent_status ? config_.sync.agent_status(config_.data) : core::read_agent_status(config_.data);
    if (agent) snap.agent = std::move(*agent);
    else snap.agent_failed = true;
  }
  sync_ = std::move(snap);
  return sync_;
}

core::Result<int> KioskApp::sync_now() {
  auto* s = session();
  if (s == nullptr) return core::fail(core::Errc::PermissionDenied, "the device is locked");
  if (auto p = core::require(*s, core::Action::Sync); !p) return std::unexpected(p.error());
  if (!config_.sync.set_up()) return core::fail(core::Errc::NotProvisioned, "sync is not set up on this kiosk");
  int bundles = 0;
  if (config_.sync.flush_outbox) {
    auto r = config_.sync.flush_outbox(*s);
    if (!r) return std::unexpected(r.error());
    bundles = *r;
  }
  sync_.read_at = -1;  // re-read on the next look
  if (auto r = core::request_sync(config_.data, core::now_unix()); !r) return std::unexpected(r.error());
  return bundles;
}

void KioskApp::navigate(Screen s) {
  keyboard().deactivate();
  if (s != Screen::Lock && session() == nullptr) s = Screen::Lock;
  screen_ = s;
  sync_.read_at = -1;  // the status bar's sync line is re-read on every navigation
  controllers_[static_cast<int>(s)]->enter(*this);
}

void KioskApp::open_case(std::int64_t case_id) {
  case_screen_set_case(controller(Screen::Case), case_id);
  navigate(Screen::Case);
}

void KioskApp::start_intake_from_call(std::int64_t call_id) {
  keyboard().deactivate();
  screen_ = Screen::Intake;
  intake_screen_start_from_call(controller(Screen::Intake), *this, call_id);
}

void KioskApp::notify(std::string message, bool error) {
  banner_ = std::move(message);
  banner_error_ = error;
  banner_until_ = now_ + 6.0;
}

bool KioskApp::animating() const { return controllers_[static_cast<int>(screen_)]->animating(); }

double KioskApp::seconds_until_next_change(double now_seconds) const {
  double next = 3600.0;
  if (session_) {
    next = std::min(next, last_input_ + auto_lock_seconds_ - now_seconds);
    // The status bar clock shows minutes: one redraw at the next minute.
    const std::time_t t = std::time(nullptr);
    next = std::min(next, 60.0 - static_cast<double>(t % 60) + 0.05);
  }
  if (!banner_.empty()) next = std::min(next, banner_until_ - now_seconds);
  next = std::min(next, controllers_[static_cast<int>(screen_)]->seconds_until_next_change(now_seconds));
  if (animating()) next = 0.0;
  return std::max(0.0, next);
}

void KioskApp::frame(double now_seconds) {
  now_ = now_seconds;
  if (session_ && now_ - last_input_ >= auto_lock_seconds_) lock_requested_ = true;
  if (lock_requested_) lock();
  if (!banner_.empty() && now_ >= banner_until_) banner_.clear();
  // A language switch brings the keyboard's layout along (it can still be changed on its own).
  if (language() != keyboard_lang_) {
    keyboard_lang_ = language();
    keyboard().layout = keyboard_lang_ == core::Lang::Ru ? Layout::Ru : keyboard_lang_ == core::Lang::En ? Layout::En : Layout::Az;
  }
  semantics().begin_frame();

  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const auto& m = metrics();
  const float bar = session() ? m.touch_px + m.gap * 1.5f : 0.0f;
  const float kb = keyboard().height();
  g_content_pos = ImVec2(0, bar);
  g_content_size = ImVec2(display.x, std::max(m.touch_px * 2, display.y - bar - kb));

  controllers_[static_cast<int>(screen_)]->draw(*this);
  if (session()) draw_status_bar(ImVec2(0, 0), display.x);
  if (!banner_.empty()) draw_banner(ImVec2(0, bar), display.x);
  if (kb > 0) keyboard().draw(ImVec2(0, display.y - kb), ImVec2(display.x, kb), keyboard().current_value());
  if (lock_requested_) lock();  // the lock button was pressed in this frame
}

void KioskApp::draw_status_bar(ImVec2 pos, float width) {
  const auto& m = metrics();
  const float h = m.touch_px + m.gap * 1.5f;
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(ImVec2(width, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, colour::kStatusBar);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(m.gap, m.gap * 0.75f));
  ImGui::Begin("##status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoNav);
  const auto* s = session();
  if (screen_ != Screen::Home) {
    if (button(tr("Home"), ImVec2(0, 0), Style::Secondary, true, "btn:home")) navigate(Screen::Home);
    ImGui::SameLine();
  }
  // Right side: languages and the lock button, always there.
  const float lock_w = std::max(m.touch_px * 2.5f, text_width(tr("Lock")) + m.gap * 4);
  const float lang_w = m.touch_px * 1.3f;
  const float n_langs = static_cast<float>(languages_.size());
  const float right_x = width - lock_w - n_langs * (lang_w + m.gap) - m.gap * 2;
  // Text drawn at the bar's vertical centre, whatever came before it on the line, cut short
  // (not wrapped) where the right side begins.
  auto bar_text = [&](const std::string& text, std::string_view id, std::string_view value) {
    const ImVec2 at(ImGui::GetCursorScreenPos().x, pos.y + (h - m.font_px) * 0.5f);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const float room = std::max(0.0f, pos.x + right_x - m.gap - at.x);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(ImVec2(at.x, pos.y), ImVec2(at.x + room, pos.y + h), true);
    dl->AddText(at, colour::kAccentText, text.c_str());
    dl->PopClipRect();
    ImGui::Dummy(ImVec2(std::min(size.x, room), m.touch_px));
    semantics().add({ItemKind::Text, std::string(id), text, std::string(value), at,
                     ImVec2(at.x + std::min(size.x, room), at.y + size.y), true});
    ImGui::SameLine(0, m.gap * 2);
  };
  bar_text(fmt::format("{} · {}", s->actor().name, tr(role_msgid(s->actor().role))), "status:user", {});
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  bar_text(fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min), "status:clock", {});
  bar_text(sync_status_text(), "status:sync", {});
  ImGui::SameLine(right_x);
  for (const auto l : languages_) {
    const std::string code(core::lang_code(l));
    std::string name = code;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (button(name, ImVec2(lang_w, 0), language() == l ? Style::Primary : Style::Secondary, true, "lang:" + code))
      set_language(l);
    ImGui::SameLine();
  }
  if (button(tr("Lock"), ImVec2(lock_w, 0), Style::Danger, true, "btn:lock")) request_lock();
  ImGui::End();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
}

// Pending bundles and the last sync, from the cached snapshot (re-read every 30 s at most, and
// on navigation): "To send: 3 · Last sync: 14:05 · USB stick", or "… · Sync failed: 14:05".
std::string KioskApp::sync_status_text() {
  const auto& snap = sync_snapshot();
  if (!snap.set_up) return tr("Sync: not set up");
  if (!snap.summary) return tr("Sync: status unknown");
  std::vector<std::string> parts;
  const auto& sum = *snap.summary;
  parts.push_back(sum.pending == 0 ? std::string(tr("Nothing to send")) : trf("To send: {}", std::to_string(sum.pending)));
  std::int64_t last = sum.last_receipt_at;
  if (snap.agent && snap.agent->state == core::AgentStatus::State::Done) last = std::max(last, snap.agent->finished_at);
  if (snap.agent && snap.agent->state == core::AgentStatus::State::Running) parts.push_back(tr("Syncing now"));
  // The agent's last run failed and nothing has come through since: the officer should see it
  // without opening the Sync screen (which says why, and what to do).
  else if (snap.agent && snap.agent->state == core::AgentStatus::State::Failed && snap.agent->finished_at >= last)
    parts.push_back(trf("Sync failed: {}", short_time(snap.agent->finished_at)));
  else parts.push_back(last > 0 ? trf("Last sync: {}", short_time(last)) : std::string(tr("Not synced yet")));
  if (snap.agent && snap.agent->usb_present) parts.push_back(tr("USB stick"));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " \u00B7 ") + p;
  return out;
}

void KioskApp::draw_banner(ImVec2 pos, float width) {
  const auto& m = metrics();
  ImGui::SetNextWindowPos(ImVec2(pos.x + m.gap * 4, pos.y + m.gap));
  ImGui::SetNextWindowSize(ImVec2(width - m.gap * 8, 0));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, banner_error_ ? colour::kDanger : colour::kOk);
  ImGui::PushStyleColor(ImGuiCol_Text, colour::kAccentText);
  ImGui::Begin("##banner", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize |
                                        ImGuiWindowFlags_NoNav);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(banner_.c_str());
  ImGui::PopTextWrapPos();
  semantics().add({ItemKind::Text, "banner", banner_, {}, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
  if (button(tr("OK"), ImVec2(0, 0), Style::Secondary, true, "btn:banner-ok")) banner_.clear();
  ImGui::End();
  ImGui::PopStyleColor(2);
}

}  // namespace ik::ui
