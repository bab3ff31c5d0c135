// Sync screen (officers, coordinators, administrators).
// Shows: what waits for headquarters — bundles sealed and not yet confirmed (count and size),
// records changed since the last bundle, HQ's last receipt (its time) and how far HQ has
// confirmed (the bundle number), why HQ last refused a bundle, in plain words with what to do
// (ui/sync_messages.hpp) and HQ's reason name in small print; and the sync agent's state from
// its status file (never ran / sending, with a progress bar of files and bytes / done, when /
// failed, with a translated sentence for the kind of failure and its code in small print),
// "USB stick detected" while the agent sees a stick; and a big "Sync now".
// Emits: sync now -> AppContext::sync_now (seal what changed into bundles, then ask the agent
// for a network sync through core::request_sync), refresh -> AppContext::sync_snapshot.
// Never: touches a USB stick or a socket (the agent, a separate process without the database
// key, moves the sealed bundles), shows anything about a person (counts, times and reasons
// only), or draws frames while idle: it re-reads the agent's state once a second only while the
// agent is running or was just asked to run.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <ctime>
#include <string>

#include <fmt/format.h>

#include "core/permissions.hpp"
#include "core/session.hpp"
#include "core/sync_status.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/scenes.hpp"
#include "ui/sync_messages.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

// After "Sync now" the agent takes a moment to start (systemd sees the request): the screen
// keeps looking for this long, once a second.
constexpr double kWatchAfterRequest = 30.0;
constexpr double kRunningRefresh = 1.0;

std::string when(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

std::string size_text(std::int64_t bytes) {
  if (bytes < 1024) return trf("{} bytes", std::to_string(std::max<std::int64_t>(bytes, 0)));
  if (bytes < 1024 * 1024) return trf("{} KB", fmt::format("{:.0f}", static_cast<double>(bytes) / 1024.0));
  std::string mb = fmt::format("{:.1f}", static_cast<double>(bytes) / (1024.0 * 1024.0));
  if (language() != Lang::En) std::replace(mb.begin(), mb.end(), '.', ',');  // 2,4 MB in az and ru
  return trf("{} MB", mb);
}

// Muted text that wraps at the panel's edge.
void note(std::string_view text) {
  ImGui::PushTextWrapPos(0.0f);
  muted(text);
  ImGui::PopTextWrapPos();
}

// A number, large, over its caption: "3" / "Bundles waiting to be sent". The caption is a
// label, not a sentence, so no number has to agree with a noun in any language.
void stat(std::string_view id, const std::string& number, const char* caption, float width) {
  const auto& m = metrics();
  ImGui::BeginGroup();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(number.c_str());
  ImGui::PopFont();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - m.gap);
  muted(caption);
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  semantics().add({ItemKind::Text, std::string(id), fmt::format("{}: {}", caption, number), number, p,
                   ImGui::GetItemRectMax(), true});
}

// How the agent moves the bundles, as a line of its own.
void transport_line(const core::AgentStatus& a) {
  if (a.transport == "usb") muted(tr("By USB stick"));
  else if (a.transport == "https") muted(tr("Over the network"));
}

// A line of text with an id the tests can read (values are counts and times, never personal).
void fact(std::string_view id, const std::string& text, ImU32 colour = colour::kText, bool bold = false) {
  if (bold) ImGui::PushFont(fonts().bold);
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  if (bold) ImGui::PopFont();
  semantics().add({ItemKind::Text, std::string(id), text, {}, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
}

// Small print for HQ support: a code that stays as it is in every language (the agent's kind, HQ's
// reason name), under the translated sentence that explains it.
void support_code(std::string_view id, std::string_view code) {
  if (code.empty()) return;
  const auto& m = metrics();
  const std::string text = trf("For HQ support: {}", code);
  const float size = m.font_px * 0.8f;
  const float wrap = std::max(1.0f, ImGui::GetContentRegionAvail().x);
  ImFont* font = fonts().body;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, wrap, text.data(), text.data() + text.size());
  ImGui::GetWindowDrawList()->AddText(font, size, p, colour::kMuted, text.data(), text.data() + text.size(), wrap);
  ImGui::Dummy(ImVec2(std::max(extent.x, 1.0f), extent.y));
  semantics().add({ItemKind::Text, std::string(id), text, std::string(code), p, ImVec2(p.x + extent.x, p.y + extent.y),
                   true});
}

// A white panel with a heading; end with end_panel().
bool begin_panel(const char* id, const char* heading, ImVec2 size) {
  const auto& m = metrics();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, colour::kPanel);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(m.gap * 1.5f, m.gap * 1.2f));
  const bool open = ImGui::BeginChild(id, size, false, ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
  if (open) {
    label(heading);
    ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
  }
  return open;
}
void end_panel() { ImGui::EndChild(); }

// Files and bytes sent so far, as a bar with the numbers under it.
void progress(const core::AgentStatus& a) {
  const auto& m = metrics();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = m.font_px * 1.5f;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(w, h));
  double frac = 0.0;
  if (a.bytes_total > 0) frac = static_cast<double>(a.bytes_done) / static_cast<double>(a.bytes_total);
  else if (a.files_total > 0) frac = static_cast<double>(a.files_done) / static_cast<double>(a.files_total);
  frac = std::clamp(frac, 0.0, 1.0);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), IM_COL32(0xE3, 0xE8, 0xEE, 0xFF), h * 0.5f);
  if (frac > 0) dl->AddRectFilled(p, ImVec2(p.x + std::max(h, w * static_cast<float>(frac)), p.y + h), colour::kAccent, h * 0.5f);
  const std::string pct = fmt::format("{}%", static_cast<int>(std::floor(frac * 100.0)));
  dl->AddText(fonts().bold, m.font_px, ImVec2(p.x + w - bold_width(pct) - h * 0.5f, p.y + (h - m.font_px) * 0.5f),
              frac > 0.9 ? colour::kAccentText : colour::kText, pct.c_str());
  semantics().add({ItemKind::Text, "sync:progress", pct, fmt::format("{}/{}", a.files_done, a.files_total), p,
                   ImVec2(p.x + w, p.y + h), true});
  fact("sync:progress-files",
       fmt::format("{} \u00B7 {}",
                   trf("Files: {}", fmt::format("{} / {}", a.files_done, a.files_total)),
                   trf("Sent: {}", fmt::format("{} / {}", size_text(a.bytes_done), size_text(a.bytes_total)))));
}

class SyncScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    auto* s = ctx.session();
    if (s == nullptr) return;
    if (auto p = core::require(*s, core::Action::Sync); !p) {  // records the attempt
      refusal_ = error_message(p.error());
      return;
    }
    (void)ctx.sync_snapshot(0.0);  // fresh numbers on every visit
  }

  void wipe() override {
    refusal_.clear();
    watch_until_ = 0;
    now_ = 0;
    read_at_ = -1;
    running_ = false;
  }

  // Once a second while the agent runs (or was just asked to run); never otherwise.
  double seconds_until_next_change(double now) const override {
    if (!watching(now)) return 3600.0;
    return std::max(0.0, read_at_ + kRunningRefresh - now);
  }

  void draw(AppContext& ctx) override {
    if (ctx.session() == nullptr) return;
    now_ = ctx.now();
    const auto& m = metrics();
    begin_content("##sync");
    title(tr("Sync"));
    if (!refusal_.empty()) {
      error_text(refusal_);
      end_content();
      return;
    }
    const auto& snap = ctx.sync_snapshot(watching(now_) ? kRunningRefresh : 30.0);
    read_at_ = snap.read_at;
    running_ = snap.agent && snap.agent->state == core::AgentStatus::State::Running;
    if (!snap.set_up) {
      ImGui::Spacing();
      fact("sync:not-set-up", tr("Sync is not set up on this kiosk."));
      muted(tr("HQ's keys and the sync agent are installed when the device is provisioned. Ask HQ's technician."));
      end_content();
      return;
    }
    // "Sync now", big, on the right of the title.
    const std::string now_label = tr("Sync now");
    const float bw = std::max(m.touch_px * 5.0f, bold_width(now_label) + m.gap * 6);
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw);
    ImGui::SetCursorPosY(ImGui::GetStyle().WindowPadding.y);
    bool sync_now = button(now_label, ImVec2(bw, m.touch_px * 1.4f), Style::Primary, !running_, "btn:sync-now");
    ImGui::Dummy(ImVec2(1, m.gap * 0.5f));

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float col_w = std::floor((avail.x - m.gap) * 0.5f);
    if (begin_panel("##waiting", tr("Waiting for HQ"), ImVec2(col_w, avail.y))) draw_summary(snap);
    end_panel();
    ImGui::SameLine();
    if (begin_panel("##agent", tr("The sync agent"), ImVec2(avail.x - col_w - m.gap, avail.y))) draw_agent(snap);
    end_panel();
    end_content();
    if (sync_now) run_sync(ctx);
  }

 private:
  bool watching(double now) const { return running_ || now < watch_until_; }

  static void draw_summary(const SyncSnapshot& snap) {
    const auto& m = metrics();
    if (!snap.summary) {
      fact("sync:summary-error", tr("What waits for HQ cannot be read right now."), colour::kDanger);
      return;
    }
    const auto& s = *snap.summary;
    const float w = ImGui::GetContentRegionAvail().x, col = std::floor((w - m.gap * 2) / 3.0f);
    stat("sync:pending", std::to_string(s.pending), tr("Sealed bundles waiting to be sent"), col);
    ImGui::SameLine(col + m.gap * 2.5f);
    stat("sync:size", s.pending > 0 ? size_text(s.pending_bytes) : std::string("\u2014"), tr("Their size"), col);
    ImGui::SameLine(2 * col + m.gap * 3.5f);
    stat("sync:queued", std::to_string(s.queued_records), tr("Changed records not yet sealed"), col);
    ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
    note(tr("What changed is sealed into bundles at every lock and with Sync now."));
    ImGui::Dummy(ImVec2(1, m.gap * 0.6f));
    fact("sync:last-receipt", s.last_receipt_at > 0 ? trf("HQ's last receipt: {}", when(s.last_receipt_at))
                                                    : std::string(tr("No receipt from HQ yet.")));
    fact("sync:delivered", s.delivered_through > 0
                               ? trf("HQ has confirmed every bundle up to number {}.", std::to_string(s.delivered_through))
                               : std::string(tr("HQ has not confirmed any bundle yet.")));
    if (!s.last_rejection.empty()) {
      // HQ's signed receipt said no: the reason name (docs/bundle-format.md) is said in plain
      // words, and stays below in small print for HQ support.
      ImGui::Dummy(ImVec2(1, m.gap * 0.6f));
      fact("sync:rejection", tr("HQ did not accept a bundle from this kiosk."), colour::kDanger, true);
      fact("sync:rejection-reason", tr(hq_rejection_msgid(s.last_rejection)));
      support_code("sync:rejection-code", s.last_rejection);
    }
    ImGui::Dummy(ImVec2(1, m.gap * 0.6f));
    note(tr("Bundles are sealed for HQ alone: a lost USB stick shows nothing. Records stay on this device until HQ confirms them."));
  }

  static void draw_agent(const SyncSnapshot& snap) {
    const auto& m = metrics();
    if (snap.agent && snap.agent->usb_present) {
      // A badge: a stick is in and the agent sees it.
      const std::string t = tr("USB stick detected");
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const ImVec2 size(bold_width(t) + m.gap * 2, m.font_px + m.gap);
      ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), colour::kOk, m.gap * 0.5f);
      ImGui::GetWindowDrawList()->AddText(fonts().bold, m.font_px, ImVec2(p.x + m.gap, p.y + m.gap * 0.5f), colour::kAccentText,
                                          t.c_str());
      ImGui::Dummy(size);
      semantics().add({ItemKind::Text, "sync:usb", t, {}, p, ImVec2(p.x + size.x, p.y + size.y), true});
      ImGui::Dummy(ImVec2(1, m.gap * 0.4f));
    }
    if (!snap.agent) {
      fact("sync:agent", tr("The sync agent's state cannot be read."), colour::kDanger, true);
      return;
    }
    const auto& a = *snap.agent;
    using S = core::AgentStatus::State;
    switch (a.state) {
      case S::Never:
        fact("sync:agent", tr("The sync agent has not run yet."), colour::kText, true);
        note(tr("It runs when a USB stick is put in, on a timer, and after Sync now."));
        break;
      case S::Running:
        fact("sync:agent", tr("Sending now\u2026"), colour::kAccent, true);
        transport_line(a);
        ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
        progress(a);
        if (a.transport == "usb") note(tr("Leave the USB stick in until this says it is done."));
        break;
      case S::Done:
        fact("sync:agent", trf("The last sync finished at {}.", when(a.finished_at)), colour::kOk, true);
        transport_line(a);
        if (a.files_total > 0)
          note(trf("Files: {}", fmt::format("{} / {}", a.files_done, a.files_total)) + " \u00B7 " + size_text(a.bytes_total));
        break;
      case S::Failed:
        fact("sync:agent", trf("The last sync failed at {}.", when(a.finished_at > 0 ? a.finished_at : a.updated_at)),
             colour::kDanger, true);
        transport_line(a);
        ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
        // What went wrong and what to do, in the officer's language. The agent's English
        // sentence is for the journal; only a file without a known kind (an older agent) has
        // nothing else to give HQ support, so then it is the small print.
        fact("sync:agent-error", tr(sync_failure_msgid(a.failure, a.transport)));
        support_code("sync:agent-code", a.failure != core::SyncFailure::Unknown ? core::sync_failure_code(a.failure)
                                                                                : std::string_view(a.error));
        ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
        note(tr("Nothing is lost: the bundles stay in the outbox and go with the next sync."));
        break;
    }
  }

  void run_sync(AppContext& ctx) {
    auto r = ctx.sync_now();
    if (!r) {
      ctx.notify(r.error().code == core::Errc::PermissionDenied ? error_message(r.error())
                                                                : std::string(tr("Sync could not start. Nothing was lost; try again.")),
                 true);
      return;
    }
    ctx.notify(*r == 0 ? std::string(tr("Nothing new to seal. The sync agent was asked to send what is waiting."))
                       : trf("New bundles sealed: {}. The sync agent was asked to send them.", std::to_string(*r)));
    watch_until_ = ctx.now() + kWatchAfterRequest;
    (void)ctx.sync_snapshot(0.0);
  }

  std::string refusal_;
  double watch_until_ = 0, now_ = 0, read_at_ = -1;
  bool running_ = false;
};

// ---------------------------------------------------------------------------------------------
// Screenshot scenes: the sync layer's hooks stood in for by fixed, synthetic states.

SyncHooks fake_hooks(SyncSummaryView summary, core::AgentStatus agent) {
  SyncHooks h;
  h.flush_outbox = [](core::Session&) -> core::Result<int> { return 0; };
  h.summary = [summary](core::Session&) -> core::Result<SyncSummaryView> { return summary; };
  h.agent_status = [agent](const core::DataDir&) -> core::Result<core::AgentStatus> { return agent; };
  return h;
}

bool open_sync(Driver& d, SyncHooks hooks) {
  d.app().set_sync_hooks(std::move(hooks));
  return unlock_demo(d, "Leyla") && d.tap(tr("Sync"));
}

SyncSummaryView some_pending() {
  SyncSummaryView s;
  s.pending = 3;
  s.pending_bytes = 2'516'582;
  s.last_receipt_at = core::now_unix() - 2 * 86400 - 3 * 3600;
  s.delivered_through = 41;
  s.queued_records = 7;
  return s;
}

const bool kScenes =
    register_scene({90, "sync-idle",
                    [](Driver& d) {
                      core::AgentStatus a;
                      a.state = core::AgentStatus::State::Done;
                      a.transport = "https";
                      a.files_done = a.files_total = 2;
                      a.bytes_total = 1'204'224;
                      a.finished_at = core::now_unix() - 26 * 3600;
                      return open_sync(d, fake_hooks(some_pending(), a));
                    }}) &&
    register_scene({91, "sync-running",
                    [](Driver& d) {
                      core::AgentStatus a;
                      a.state = core::AgentStatus::State::Running;
                      a.transport = "usb";
                      a.usb_present = true;
                      a.files_done = 1;
                      a.files_total = 3;
                      a.bytes_done = 1'048'576;
                      a.bytes_total = 2'516'582;
                      a.updated_at = core::now_unix();
                      return open_sync(d, fake_hooks(some_pending(), a));
                    }}) &&
    register_scene({92, "sync-failed", [](Driver& d) {
                      core::AgentStatus a;
                      a.state = core::AgentStatus::State::Failed;
                      a.transport = "https";
                      a.finished_at = core::now_unix() - 600;
                      // As the agent writes it: the kind for the screen, its sentence for the log.
                      a.failure = core::SyncFailure::HqTimeout;
                      a.error = "bundle 42: cannot reach HQ (Operation timed out after 60000 milliseconds) after 5 attempts";
                      auto s = some_pending();
                      s.last_rejection = "revoked-device";  // a reason name, as HQ's receipt carries it
                      return open_sync(d, fake_hooks(s, a));
                    }}) &&
    register_scene({93, "sync-failed-usb", [](Driver& d) {
                      core::AgentStatus a;
                      a.state = core::AgentStatus::State::Failed;
                      a.transport = "usb";
                      a.files_done = 1;
                      a.files_total = 3;
                      a.finished_at = core::now_unix() - 120;
                      a.failure = core::SyncFailure::UsbRemoved;
                      a.error = "stopped by SIGTERM before it finished (was the USB stick taken out?)";
                      return open_sync(d, fake_hooks(some_pending(), a));
                    }});

}  // namespace

std::unique_ptr<ScreenController> make_sync_screen() { return std::make_unique<SyncScreen>(); }

}  // namespace ik::ui
