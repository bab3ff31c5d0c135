// Hotline call.
// Shows: quick capture of a call as it happens — a timer (mm:ss) that starts at the first tap on
// the screen, channel, caller type and call type as big buttons, the caller's language (common
// ones on top, a search for the others), region, the ILO's eleven indicators of forced labour as
// large toggles, the actions taken, referral to law enforcement (unit and date), the follow-up
// date, the caller's name and phone (only when the caller is not anonymous) and notes; beside it
// the open follow-ups (with "Mark done") and the recent calls — codes, times and durations only,
// never a caller's name or number.
// Emits: log_call (Save: a banner and a fresh form), log_call then start_intake_from_call
// ("Becomes a shelter intake"), complete_follow_up, the call list.
// Never: keeps a name or phone for an anonymous caller, shows names in the list, or keeps the
// form or the list after wipe(). A call stays on screen when the operator goes Home and back. A
// lock (the button or auto-lock) first saves a call being taken as the operator's encrypted
// draft (core CallService::save_draft), then wipes the screen; when the same operator unlocks,
// the app opens this screen and the call is back, its timer resuming from where it stood at the
// lock (the time the device was locked is not counted: nobody can tell how much of it was the
// call). Saving or discarding the call removes the draft; an untouched draft expires like an
// intake draft (core/retention.hpp).
#include <algorithm>
#include <cmath>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <imgui_internal.h>

#include "core/calls.hpp"
#include "core/codes.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "core/search.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

constexpr std::string_view kCommonLanguages[] = {"aze", "rus", "uzb", "tgk", "kir", "ukr", "kat", "tur", "eng"};
constexpr std::int64_t kListPage = 200;
constexpr const char* kWindow = "##call";
constexpr std::size_t kRecentShown = 8, kFollowUpsShown = 12, kLanguageResults = 15;

// ---------------------------------------------------------------------------------------------
// Helpers (view side, no core services).

std::string mmss(std::int64_t seconds) {
  seconds = std::max<std::int64_t>(seconds, 0);
  return fmt::format("{:02}:{:02}", seconds / 60, seconds % 60);
}

std::string local_time(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min);
}

void scrub(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
  s.shrink_to_fit();
}
void scrub(std::optional<std::string>& s) {
  if (s) scrub(*s);
  s.reset();
}
void scrub(core::CallForm& f) {
  for (auto* s : {&f.caller_name, &f.phone, &f.notes, &f.region, &f.le_unit, &f.le_date, &f.follow_up_due, &f.language})
    scrub(*s);
  f = core::CallForm{};
}

bool has_code(std::string_view joined, std::string_view code) {
  const auto v = core::codes::split(joined);
  return std::find(v.begin(), v.end(), code) != v.end();
}

// Picker search: core/search.hpp's folding (lower case, no diacritics, ə as e, ё as е), the
// same the case search uses, so "turkiye" finds "Türkiyə".
using core::fold;

struct LangEntry {
  std::string code, name, folded;
};
const std::vector<LangEntry>& language_entries() {
  static std::vector<LangEntry> cache[3];
  auto& v = cache[static_cast<int>(language())];
  if (v.empty())
    for (const auto& l : core::IsoCodes::system().languages_sorted(language(), kCommonLanguages)) {
      auto name = language_name(l.alpha3);
      auto folded = fold(name) + "\n" + fold(l.name_en) + "\n" + l.alpha3;
      v.push_back({l.alpha3, std::move(name), std::move(folded)});
    }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Widgets beyond ui/widgets.hpp (the same as in intake_screen.cpp; see the report).




bool begin_columns(const char* id, int n) {
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(metrics().gap * 0.75f, metrics().gap * 0.3f));
  const bool open = ImGui::BeginTable(id, n, ImGuiTableFlags_SizingStretchSame);
  ImGui::PopStyleVar();
  return open;
}

void begin_drag_scroll(std::string_view name, ImVec2 size) { begin_scroll(fmt::format("##scroll-{}", name), size); }
void end_drag_scroll(std::string_view name) {
  end_scroll();
  semantics().add({ItemKind::Text, fmt::format("scroll:{}", name), "", "", ImGui::GetItemRectMin(),
                   ImGui::GetItemRectMax(), true});
}

// ---------------------------------------------------------------------------------------------
// The view model and its drawing.

struct Intent {
  enum class Kind { Save, ToIntake, FollowUpDone, Discard } kind;
  std::int64_t arg = 0;
};

struct CallVm {
  bool can_log = false, can_intake = false;
  std::string refusal;  // translated; set when the role may not log calls
  core::CallForm form;
  bool open = false;  // a call is being taken: the timer runs
  double started = 0;  // AppContext::now() at the first tap (minus the time restored from a draft)
  std::int64_t draft_id = 0;  // the operator's call draft this call came back from (0: none)
  std::int64_t started_unix = 0;
  double now = 0;
  std::vector<core::FieldError> errors;
  bool scroll_to_error = false;
  bool scroll_top = false;
  bool other_language = false;
  std::string language_query;
  bool confirm_discard = false;
  bool list_loaded = false;
  ImVec2 lists_min, lists_max;  // where the lists were drawn (a tap there is no call)
  std::string list_note;  // translated
  std::vector<core::CallListItem> recent, follow_ups;
  std::vector<Intent> intents;
};

std::int64_t elapsed(const CallVm& vm) {
  return vm.open ? static_cast<std::int64_t>(std::floor(vm.now - vm.started)) : 0;
}

void show_error(CallVm& vm, std::string_view field) {
  if (const char* e = field_error(vm.errors, field)) {
    error_text(e);
    if (vm.scroll_to_error) {
      ImGui::SetScrollHereY(0.25f);
      vm.scroll_to_error = false;
    }
  }
}

template <class V>
void field(CallVm& vm, std::string_view name, const char* msgid, V* value, FieldKind kind = FieldKind::Text,
           std::size_t max_chars = 200) {
  const char* e = field_error(vm.errors, name);
  text_field(name, tr(msgid), value, kind, e, max_chars);
  if (e && vm.scroll_to_error) {
    ImGui::SetScrollHereY(0.25f);
    vm.scroll_to_error = false;
  }
}

void section(const char* msgid) {
  ImGui::Dummy(ImVec2(1, metrics().gap * 0.5f));
  label(tr(msgid));
}

void draw_language(CallVm& vm) {
  auto& lang = vm.form.language;
  section(IK_N_("Language of the call"));
  ImGui::BeginGroup();
  auto item = [&](const std::string& code) {
    const bool sel = lang && *lang == code;
    if (flow_button(language_name(code), sel, fmt::format("language={}", code))) {
      if (sel) lang.reset();
      else lang = code;
      vm.other_language = false;
      keyboard().deactivate();
    }
  };
  for (const auto c : kCommonLanguages) item(std::string(c));
  if (lang && std::find(std::begin(kCommonLanguages), std::end(kCommonLanguages), *lang) == std::end(kCommonLanguages))
    item(*lang);
  if (flow_button(tr("Other\u2026"), vm.other_language, "btn:other-language")) {
    vm.other_language = !vm.other_language;
    if (!vm.other_language) keyboard().deactivate();
  }
  ImGui::NewLine();
  ImGui::EndGroup();
  if (vm.other_language) {
    text_field("language_search", tr("Search languages by name"), &vm.language_query, FieldKind::Text, nullptr, 40);
    const auto q = fold(vm.language_query);
    if (!q.empty()) {
      ImGui::BeginGroup();
      std::size_t shown = 0;
      for (const auto& en : language_entries()) {
        if (en.folded.find(q) == std::string::npos) continue;
        if (shown++ == kLanguageResults) break;
        if (std::find(std::begin(kCommonLanguages), std::end(kCommonLanguages), en.code) != std::end(kCommonLanguages))
          continue;  // already above
        if (flow_button(en.name, lang && *lang == en.code, fmt::format("language-result={}", en.code))) {
          lang = en.code;
          vm.other_language = false;
          keyboard().deactivate();
        }
      }
      ImGui::NewLine();
      ImGui::EndGroup();
      if (shown == 0) muted(tr("Nothing matches. Check the spelling or try fewer letters."));
    }
  }
  show_error(vm, "language");
}

void draw_form(CallVm& vm) {
  auto& f = vm.form;
  section(IK_N_("Channel"));
  choice("channel", code_options("call_channel"), &f.channel);
  show_error(vm, "channel");
  section(IK_N_("Caller"));
  choice("caller_type", code_options("caller_type"), &f.caller_type);
  show_error(vm, "caller_type");
  section(IK_N_("Type of call"));
  choice("call_type", code_options("call_type"), &f.call_type);
  show_error(vm, "call_type");
  draw_language(vm);
  ImGui::Spacing();
  field(vm, "region", IK_N_("Region or town"), &f.region);

  section(IK_N_("Indicators of forced labour (ILO)"));
  muted(tr("Tick each one the caller describes."));
  if (begin_columns("##ilo", 2)) {
    for (const auto& c : core::codes::list("ilo_indicator").codes) {
      ImGui::TableNextColumn();
      bool on = has_code(f.ilo_indicators, c.code);
      if (big_toggle(tr(c.label), &on, fmt::format("ilo:{}", c.code))) {
        auto v = core::codes::split(f.ilo_indicators);
        if (on) v.emplace_back(c.code);
        else std::erase(v, std::string(c.code));
        f.ilo_indicators = core::codes::join(v);
      }
    }
    ImGui::EndTable();
  }
  show_error(vm, "ilo_indicators");

  section(IK_N_("Actions taken"));
  multi_choice("actions", code_options("call_action"), &f.actions);
  show_error(vm, "actions");
  ImGui::Spacing();
  big_toggle(tr("Referred to law enforcement"), &f.le_referred, "le_referred");
  if (f.le_referred && begin_columns("##le", 2)) {
    ImGui::TableNextColumn();
    field(vm, "le_unit", IK_N_("Law enforcement unit"), &f.le_unit);
    ImGui::TableNextColumn();
    field(vm, "le_date", IK_N_("Date of the referral"), &f.le_date, FieldKind::Date);
    ImGui::EndTable();
  }
  if (begin_columns("##follow", 2)) {
    ImGui::TableNextColumn();
    field(vm, "follow_up_due", IK_N_("Follow-up due on"), &f.follow_up_due, FieldKind::Date);
    ImGui::EndTable();
  }
  if (f.caller_type != "anonymous") {
    section(IK_N_("Contact"));
    muted(tr("Only what the caller agrees to give."));
    if (begin_columns("##contact", 2)) {
      ImGui::TableNextColumn();
      field(vm, "caller_name", IK_N_("Caller's name"), &f.caller_name);
      ImGui::TableNextColumn();
      field(vm, "phone", IK_N_("Phone"), &f.phone, FieldKind::Phone, 32);
      ImGui::EndTable();
    }
  } else {
    show_error(vm, "caller_name");
  }
  ImGui::Spacing();
  field(vm, "notes", IK_N_("Notes"), &f.notes, FieldKind::Multiline, 2000);
  ImGui::Dummy(ImVec2(1, metrics().gap * 2));
}

void draw_lists(CallVm& vm) {
  const auto& m = metrics();
  label(tr("Open follow-ups"));
  if (!vm.list_note.empty()) {
    error_text(vm.list_note);
    return;
  }
  const std::string today = core::today(static_cast<std::int64_t>(std::time(nullptr)));
  if (vm.follow_ups.empty()) muted(tr("No open follow-ups."));
  for (std::size_t i = 0; i < vm.follow_ups.size() && i < kFollowUpsShown; ++i) {
    const auto& c = vm.follow_ups[i];
    const auto due = c.follow_up_due.value_or("");
    const bool overdue = due < today;
    const auto line = fmt::format("{} \u00B7 {}", overdue ? trf("Overdue since {}", due) : trf("Due {}", due),
                                  tr_code("call_type", c.call_type));
    ImGui::PushStyleColor(ImGuiCol_Text, overdue ? colour::kDanger : colour::kText);
    wrapped(line);
    ImGui::PopStyleColor();
    muted(fmt::format("{} \u00B7 {}", trf("Call of {}", local_time(c.started_at)), tr_code("caller_type", c.caller_type)));
    if (button(tr("Mark done"), ImVec2(std::max(m.touch_px * 3.5f, bold_width(tr("Mark done")) + m.gap * 4), 0),
               Style::Secondary, vm.can_log, fmt::format("btn:followup-done:{}", c.id)))
      vm.intents.push_back({Intent::Kind::FollowUpDone, c.id});
    ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
  }
  ImGui::Dummy(ImVec2(1, m.gap));
  label(tr("Recent calls"));
  if (vm.recent.empty()) muted(tr("No calls yet."));
  for (std::size_t i = 0; i < vm.recent.size() && i < kRecentShown; ++i) {
    const auto& c = vm.recent[i];
    wrapped(fmt::format("{} \u00B7 {}", local_time(c.started_at), mmss(c.duration_s)));
    std::string line = fmt::format("{} \u00B7 {} \u00B7 {}", tr_code("call_channel", c.channel),
                                   tr_code("call_type", c.call_type), tr_code("caller_type", c.caller_type));
    if (c.le_referred) line += fmt::format(" \u00B7 {}", tr("law enforcement"));
    if (c.case_id) line += fmt::format(" \u00B7 {}", tr("shelter case"));
    ImGui::PushStyleColor(ImGuiCol_Text, colour::kMuted);
    wrapped(line);
    ImGui::PopStyleColor();
    ImGui::Dummy(ImVec2(1, m.gap * 0.3f));
  }
}

void draw_call(CallVm& vm) {
  const auto& m = metrics();
  const auto& style = ImGui::GetStyle();
  const bool compact = keyboard().active();
  // Header: the title, and the timer on the right.
  if (compact) label(tr("Hotline call"));
  else title(tr("Hotline call"));
  if (!vm.can_log) {
    error_text(vm.refusal);
    if (vm.list_loaded) {
      ImGui::Spacing();
      begin_drag_scroll("calls", ImVec2(0, 0));
      draw_lists(vm);
      end_drag_scroll("calls");
    }
    return;
  }
  {
    const std::string t = mmss(elapsed(vm));
    ImFont* font = compact ? fonts().bold : fonts().title;
    ImGui::PushFont(font);
    const float tw = ImGui::CalcTextSize(t.c_str()).x;
    ImGui::PopFont();
    const std::string hint = vm.open ? std::string(tr("Call time")) : std::string(tr("The timer starts at your first tap."));
    const float hw = text_width(hint);
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - tw - hw - m.gap);
    ImGui::PushStyleColor(ImGuiCol_Text, colour::kMuted);
    ImGui::TextUnformatted(hint.c_str());
    ImGui::PopStyleColor();
    semantics().add({ItemKind::Text, "call:timer-hint", hint, {}, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
    ImGui::SameLine();
    ImGui::PushFont(font);
    ImGui::PushStyleColor(ImGuiCol_Text, vm.open ? colour::kAccent : colour::kMuted);
    ImGui::TextUnformatted(t.c_str());
    ImGui::PopStyleColor();
    ImGui::PopFont();
    semantics().add({ItemKind::Text, "call:timer", t, vm.open ? "running" : "stopped", ImGui::GetItemRectMin(),
                     ImGui::GetItemRectMax(), true});
  }
  const float bar = m.touch_px + style.ItemSpacing.y;
  const float h = std::max(m.touch_px, ImGui::GetContentRegionAvail().y - bar);
  const float avail = ImGui::GetContentRegionAvail().x;
  const float left = compact ? avail : std::floor(avail * 0.64f);
  if (vm.scroll_top) {  // a fresh form starts at its top
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, 0.0f));
    vm.scroll_top = false;
  }
  begin_drag_scroll("call", ImVec2(left, h));
  draw_form(vm);
  end_drag_scroll("call");
  if (!compact) {
    ImGui::SameLine(0, m.gap * 1.5f);
    begin_drag_scroll("calls", ImVec2(0, h));
    draw_lists(vm);
    end_drag_scroll("calls");
    vm.lists_min = ImGui::GetItemRectMin();
    vm.lists_max = ImGui::GetItemRectMax();
  } else {
    vm.lists_min = vm.lists_max = ImVec2(0, 0);
  }
  // The bar: Save, Becomes a shelter intake, Discard.
  const float bw = std::max(m.touch_px * 3.5f, bold_width(tr("Save call")) + m.gap * 4);
  if (button(tr("Save call"), ImVec2(bw, 0), Style::Primary, true, "btn:save")) vm.intents.push_back({Intent::Kind::Save});
  if (vm.can_intake) {
    ImGui::SameLine();
    if (button(tr("Becomes a shelter intake"), ImVec2(0, 0), Style::Secondary, true, "btn:call-to-intake"))
      vm.intents.push_back({Intent::Kind::ToIntake});
  }
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  if (!vm.errors.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::kDanger);
    ImGui::TextUnformatted(tr("Check the fields marked in red."));
    ImGui::PopStyleColor();
  } else {
    ImGui::Dummy(ImVec2(1, 1));
  }
  const std::string discard = vm.confirm_discard ? tr("Tap again to discard") : tr("Discard call");
  const float dw = std::max(m.touch_px * 3.5f, bold_width(discard) + m.gap * 4);
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - dw);
  if (button(discard, ImVec2(dw, 0), vm.confirm_discard ? Style::Danger : Style::Quiet, vm.open || vm.confirm_discard,
             "btn:discard"))
    vm.intents.push_back({Intent::Kind::Discard});
}

// ---------------------------------------------------------------------------------------------
// The controller.

std::string describe(const core::Error& e) {
  switch (e.code) {
    case core::Errc::PermissionDenied: return tr("Your role may not do this.");
    case core::Errc::Invalid: return tr("Some fields need attention.");
    case core::Errc::NotFound: return tr("This record is no longer on the device.");
    default: return tr("Something went wrong. Nothing was changed.");
  }
}

class CallScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    auto* s = ctx.session();
    if (s == nullptr) return;
    const auto role = s->actor().role;
    vm_.can_log = core::allowed(role, core::Action::LogCall);
    vm_.can_intake = vm_.can_log && core::allowed(role, core::Action::RegisterIntake);
    vm_.refusal = vm_.can_log ? std::string() : std::string(tr("Your role may not log hotline calls."));
    if (!vm_.open) {  // a call being taken survives going Home and back
      fresh_form();
      restore_draft(ctx);
    }
    load_list(ctx);
  }

  // The lock is coming: a call being taken goes into the operator's encrypted draft.
  void before_lock(AppContext& ctx) override {
    auto* s = ctx.session();
    if (s == nullptr || !vm_.open || !vm_.can_log) return;
    vm_.now = ctx.now();  // the timer as it stands at the lock, not at the last frame drawn
    auto f = prepared();
    auto id = core::CallService(*s).save_draft(vm_.draft_id, f);
    scrub(f);
    if (id) vm_.draft_id = *id;  // a failure cannot be shown any more: the screen is locking
  }

  // After an unlock: the operator had a call on screen when the device locked.
  bool resumes_after_unlock(AppContext& ctx) override {
    auto* s = ctx.session();
    if (s == nullptr || !core::allowed(s->actor().role, core::Action::LogCall)) return false;
    auto d = core::CallService(*s).latest_draft();
    const bool has = d && d->has_value();
    if (has) scrub((*d)->form);
    return has;
  }

  void wipe() override {
    scrub(vm_.form);
    scrub(vm_.language_query);
    vm_ = CallVm{};
  }

  // The timer shows whole seconds: one frame per second while a call is open, none otherwise.
  double seconds_until_next_change(double now) const override {
    if (!vm_.open) return 3600.0;
    const double elapsed = now - vm_.started;
    return std::max(0.0, std::ceil(elapsed + 1e-6) - elapsed);
  }

  void draw(AppContext& ctx) override {
    if (ctx.session() == nullptr) return;
    vm_.now = ctx.now();
    // The call starts at the first tap on the screen — on this screen's window, not on the
    // status bar or a banner above it, and not on the list of earlier calls (marking a
    // follow-up done is no new call).
    if (!vm_.open && vm_.can_log && ImGui::IsMouseClicked(0)) {
      const ImVec2 p = ImGui::GetIO().MousePos;
      const ImGuiWindow* hovered = ImGui::GetCurrentContext()->HoveredWindow;
      const bool on_screen = hovered != nullptr && hovered->RootWindow != nullptr &&
                             std::string_view(hovered->RootWindow->Name) == kWindow;
      const bool on_lists = p.x >= vm_.lists_min.x && p.y >= vm_.lists_min.y && p.x < vm_.lists_max.x &&
                            p.y < vm_.lists_max.y;
      if (on_screen && !on_lists) {
        vm_.open = true;
        vm_.started = vm_.now;
        vm_.started_unix = core::now_unix();
      }
    }
    begin_content(kWindow);
    draw_call(vm_);
    end_content();
    if (!vm_.errors.empty()) vm_.errors = core::validate_call(prepared(), core::now_unix());
    apply(ctx);
  }

 private:
  void fresh_form() {
    scrub(vm_.form);
    scrub(vm_.language_query);
    vm_.errors.clear();
    vm_.open = false;
    vm_.started = 0;
    vm_.started_unix = 0;
    vm_.other_language = false;
    vm_.confirm_discard = false;
    vm_.scroll_top = true;
    vm_.draft_id = 0;
  }

  // Brings back the operator's call from before a lock, if there is one.
  void restore_draft(AppContext& ctx) {
    auto* s = ctx.session();
    if (s == nullptr || !vm_.can_log) return;
    auto d = core::CallService(*s).latest_draft();
    if (!d) {  // core removed a draft it could not read; the operator is told
      ctx.notify(d.error().code == core::Errc::Damaged ? std::string(tr("The saved call could not be read.")) : describe(d.error()),
                 true);
      return;
    }
    if (!d->has_value()) return;
    auto& draft = **d;
    vm_.form = std::move(draft.form);
    scrub(draft.form);
    vm_.open = true;
    vm_.started_unix = vm_.form.started_at;
    vm_.started = ctx.now() - static_cast<double>(std::max<std::int64_t>(vm_.form.duration_s, 0));
    vm_.draft_id = draft.id;
    ctx.notify(tr("The call you were taking before the lock is back. Its timer stood still while the device was locked."));
  }

  void load_list(AppContext& ctx) {
    vm_.recent.clear();
    vm_.follow_ups.clear();
    vm_.list_note.clear();
    vm_.list_loaded = false;
    auto* s = ctx.session();
    if (s == nullptr || !core::allowed(s->actor().role, core::Action::ViewCalls)) return;
    auto calls = core::CallService(*s).list(0, kListPage);
    vm_.list_loaded = true;
    if (!calls) {
      vm_.list_note = describe(calls.error());
      return;
    }
    for (const auto& c : *calls) {
      if (vm_.recent.size() < kRecentShown) vm_.recent.push_back(c);
      if (c.follow_up_due && !c.follow_up_done) vm_.follow_ups.push_back(c);
    }
    std::stable_sort(vm_.follow_ups.begin(), vm_.follow_ups.end(),
                     [](const auto& a, const auto& b) { return a.follow_up_due < b.follow_up_due; });
  }

  // The form as it is sent: the clock's values, and nothing hidden from the operator.
  core::CallForm prepared() const {
    core::CallForm f = vm_.form;
    f.started_at = vm_.started_unix != 0 ? vm_.started_unix : core::now_unix();
    f.duration_s = elapsed(vm_);
    if (f.caller_type == "anonymous") {
      f.caller_name.reset();
      f.phone.reset();
    }
    if (!f.le_referred) {
      f.le_unit.reset();
      f.le_date.reset();
    }
    return f;
  }

  // Logs the call; on success returns its id and starts a fresh form.
  std::optional<std::int64_t> save(AppContext& ctx, bool announce) {
    auto* s = ctx.session();
    if (s == nullptr) return std::nullopt;
    keyboard().deactivate();
    auto f = prepared();
    auto id = core::CallService(*s).log_call(f, vm_.draft_id);
    scrub(f);
    if (!id) {
      if (id.error().code == core::Errc::Invalid) {
        vm_.errors = id.error().fields;
        vm_.scroll_to_error = true;
        bool shown = false;  // a problem with no field on screen (the clock) still gets said
        for (const auto& e : vm_.errors) shown |= e.field != "started_at" && e.field != "duration_s";
        ctx.notify(shown ? tr("Some fields need attention.") : tr("The call time is not valid. Check the clock."), true);
      } else {
        ctx.notify(describe(id.error()), true);
      }
      return std::nullopt;
    }
    fresh_form();
    if (announce) ctx.notify(tr("Call saved."));
    load_list(ctx);
    return *id;
  }

  void apply(AppContext& ctx) {
    auto intents = std::move(vm_.intents);
    vm_.intents.clear();
    for (const auto& in : intents) {
      auto* s = ctx.session();
      if (s == nullptr) return;
      switch (in.kind) {
        case Intent::Kind::Save: save(ctx, true); break;
        case Intent::Kind::ToIntake:
          if (auto id = save(ctx, false)) {
            ctx.notify(tr("Call saved. Now the shelter intake."));
            ctx.start_intake_from_call(*id);
            return;
          }
          break;
        case Intent::Kind::FollowUpDone:
          if (auto r = core::CallService(*s).complete_follow_up(in.arg); !r) {
            ctx.notify(describe(r.error()), true);
          } else {
            ctx.notify(tr("Follow-up marked as done."));
            load_list(ctx);
          }
          break;
        case Intent::Kind::Discard:
          if (!vm_.confirm_discard) {
            vm_.confirm_discard = true;
          } else {
            keyboard().deactivate();
            if (vm_.draft_id != 0)
              if (auto r = core::CallService(*s).discard_draft(vm_.draft_id); !r) ctx.notify(describe(r.error()), true);
            fresh_form();
          }
          break;
      }
    }
  }

  CallVm vm_;
};

}  // namespace

std::unique_ptr<ScreenController> make_call_screen() { return std::make_unique<CallScreen>(); }

// ---------------------------------------------------------------------------------------------
// Screenshot scenes (synthetic data only).
namespace {

bool reveal(Driver& d, std::string_view key, std::string_view scroll = "scroll:call") { return d.reveal(key, scroll, 16); }
bool tap_in(Driver& d, std::string_view key) { return reveal(d, key) && d.tap(key); }

bool scene_call(Driver& d) {
  return unlock_demo(d, "Murad") && d.tap(tr("Hotline call")) && tap_in(d, "channel=phone") &&
         tap_in(d, "caller_type=potential_victim") && tap_in(d, "call_type=crisis") && tap_in(d, "language=aze") &&
         tap_in(d, "ilo:deception") && tap_in(d, "ilo:retention_of_documents") && tap_in(d, "ilo:debt_bondage");
}

const bool kScenes =
    register_scene({30, "call", scene_call}) &&
    register_scene({31, "call-contact",
                    [](Driver& d) {
                      return scene_call(d) && tap_in(d, "actions=information_given") && tap_in(d, "field:caller_name") &&
                             d.type("Səbinə");
                    }}) &&
    register_scene({32, "call-saved", [](Driver& d) {
                      return scene_call(d) && tap_in(d, "actions=information_given") &&
                             tap_in(d, "field:follow_up_due") && d.tap("key:today") && d.tap("key:done") &&
                             d.tap("btn:save");
                    }});

}  // namespace

}  // namespace ik::ui
