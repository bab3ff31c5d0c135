#include "ui/app.hpp"

#include <ctime>

#include <fmt/format.h>

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

void KioskApp::lock() {
  if (session()) controllers_[static_cast<int>(screen_)]->before_lock(*this);
  keyboard().deactivate();
  for (auto& c : controllers_)
    if (c) c->wipe();
  if (session_) session_->lock();  // audits the lock, wipes the key
  session_.reset();
  banner_.clear();
  screen_ = Screen::Lock;
  lock_requested_ = false;
  controllers_[static_cast<int>(Screen::Lock)]->enter(*this);
}

core::Result<void> KioskApp::unlock(std::string_view user, const crypto::SecureBuffer& passphrase) {
  auto s = core::unlock(config_.data, user, passphrase);
  if (!s) return std::unexpected(s.error());
  session_ = std::make_unique<core::Session>(std::move(*s));
  last_input_ = now_;
  // The retention policy runs whenever the device is unlocked; it only ever removes data HQ
  // has confirmed, so a failure here is reported and nothing else changes.
  if (auto r = core::apply_retention(*session_, config_.retention_days, core::now_unix()); !r)
    notify(tr("The retention policy could not run."), true);
  navigate(Screen::Home);
  return {};
}

void KioskApp::navigate(Screen s) {
  keyboard().deactivate();
  if (s != Screen::Lock && session() == nullptr) s = Screen::Lock;
  screen_ = s;
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
    next = std::min(next, last_input_ + config_.auto_lock_seconds - now_seconds);
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
  if (session_ && now_ - last_input_ >= config_.auto_lock_seconds) lock_requested_ = true;
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
  // Text drawn at the bar's vertical centre, whatever came before it on the line.
  auto bar_text = [&](const std::string& text, std::string_view id, std::string_view value) {
    const ImVec2 at(ImGui::GetCursorScreenPos().x, pos.y + (h - m.font_px) * 0.5f);
    ImGui::GetWindowDrawList()->AddText(at, colour::kAccentText, text.c_str());
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    ImGui::Dummy(ImVec2(size.x, m.touch_px));
    semantics().add({ItemKind::Text, std::string(id), text, std::string(value), at, ImVec2(at.x + size.x, at.y + size.y), true});
    ImGui::SameLine(0, m.gap * 2);
  };
  bar_text(fmt::format("{} · {}", s->actor().name, tr(role_msgid(s->actor().role))), "status:user", {});
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  bar_text(fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min), "status:clock", {});
  bar_text(tr("Sync: not set up"), "status:sync", {});
  // Right side: languages and the lock button, always there.
  const float lock_w = std::max(m.touch_px * 2.5f, text_width(tr("Lock")) + m.gap * 4);
  const float lang_w = m.touch_px * 1.3f;
  ImGui::SameLine(width - lock_w - 3 * (lang_w + m.gap) - m.gap * 2);
  const char* names[] = {"AZ", "RU", "EN"};
  for (int i = 0; i < 3; ++i) {
    const auto l = core::kAllLangs[i];
    if (button(names[i], ImVec2(lang_w, 0), language() == l ? Style::Primary : Style::Secondary, true,
               fmt::format("lang:{}", core::lang_code(l))))
      set_language(l);
    ImGui::SameLine();
  }
  if (button(tr("Lock"), ImVec2(lock_w, 0), Style::Danger, true, "btn:lock")) request_lock();
  ImGui::End();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
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
