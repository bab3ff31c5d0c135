// Administration screen: two faces, by role (the home screen's "Administration" tile for the
// admin and "Audit log" tile for the auditor both lead here).
// Admin: the staff (name, role, and the keyslot's state from core::staff_slots: failed attempts,
// waiting, locked), adding a staff member (name, role, passphrase typed twice in secret fields),
// disabling one (confirmed), resetting a passphrase (which also unlocks a locked slot); the
// device settings, editable: auto-lock minutes (1-30), the languages offered (at least one),
// retention days (30-3650) — checked by core/device_settings with the problem under each field
// in the current language (what was typed stays), saved encrypted and audited, applied at once
// (the kiosk's configuration file gives only the defaults); the device key's and the HQ
// recovery key's fingerprints, large, for comparing by eye.
// Auditor: the audit log, newest first (paged from core::audit_entries, virtualised with
// ImGuiListClipper; each row: sequence, time, staff, action, entity, detail — codes and counts,
// never personal data) and "Verify chain" with core::verify_audit's result.
// Emits: add_staff -> UsersService::add, disable -> UsersService::disable, reset ->
// UsersService::set_passphrase, save_settings -> save_device_settings (then the app applies
// them), verify -> verify_audit, need_rows -> audit_entries, refresh.
// Never: keeps a passphrase outside sodium memory (secret fields, SecureBuffer), shows a record
// of a person, shows a face the role may not use (core refuses: the refusal is shown), or keeps
// anything after wipe() (lock).
#include <algorithm>
#include <cfloat>
#include <climits>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/device_settings.hpp"
#include "core/permissions.hpp"
#include "core/role.hpp"
#include "core/session.hpp"
#include "core/users_service.hpp"
#include "crypto/key_files.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

constexpr std::size_t kMaxPassphrase = 256;
constexpr std::int64_t kAuditPage = 100;
constexpr std::size_t kAuditPages = 6;


const char* role_label(core::Role r) {
  switch (r) {
    case core::Role::Officer: return tr("Intake officer");
    case core::Role::Hotline: return tr("Hotline");
    case core::Role::Coordinator: return tr("Coordinator");
    case core::Role::Admin: return tr("Administrator");
    case core::Role::Auditor: return tr("Auditor");
  }
  return tr("Unknown");
}

std::string time_of(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

// A passphrase being typed: only in sodium memory.
struct Secret {
  crypto::SecureBuffer buf{kMaxPassphrase};
  std::size_t len = 0;
  void clear() {
    buf.clear();
    len = 0;
  }
  crypto::SecureBuffer copy() const { return crypto::SecureBuffer::copy_of({buf.data(), len}); }
  bool same_as(const Secret& o) const { return len == o.len && copy().equals(o.copy()); }
};

// ---------------------------------------------------------------------------------------------
// View model and intents

enum class Face { None, Admin, Auditor };
enum class Panel { Add, Reset, Disable };

struct StaffRow {
  std::string name;
  core::Role role = core::Role::Officer;
  bool disabled = false, has_slot = false, locked = false, waiting = false;
  std::uint32_t failed = 0;
};

struct AdminVm {
  Face face = Face::None;
  std::string refusal;
  std::string me;  // the acting admin's name
  // Admin face.
  std::vector<StaffRow> staff;
  int auto_lock_seconds = 0;  // in force now
  core::DeviceSettingsForm settings;  // as typed
  std::vector<core::FieldError> settings_errors;
  std::string device_fp, device_id, hq_fp, hq_id, hq_error;
  Panel panel = Panel::Add;
  std::string target;  // staff member of the reset / disable panel
  std::string new_name, new_role = "officer";
  Secret pass1, pass2;
  std::string name_error, pass_error, pass2_error, form_error;
  // Auditor face.
  std::int64_t last_seq = 0;
  std::map<std::int64_t, std::vector<storage::AuditRecord>> pages;
  std::optional<bool> verified;
  std::string verify_text, verify_detail;

  const storage::AuditRecord* entry(std::int64_t seq) const {
    const auto it = pages.find((last_seq - seq) / kAuditPage);
    if (it == pages.end()) return nullptr;
    const auto& v = it->second;
    const auto e = std::lower_bound(v.begin(), v.end(), seq, [](const auto& r, std::int64_t s) { return r.seq < s; });
    return e != v.end() && e->seq == seq ? &*e : nullptr;
  }
};

struct AdminIntents {
  std::optional<Panel> panel;
  std::string target;
  bool add = false, reset = false, disable = false, cancel = false, save_settings = false;
  bool verify = false, refresh = false;
  std::optional<std::pair<std::int64_t, std::int64_t>> visible;  // audit rows [first, last)
};

// ---------------------------------------------------------------------------------------------
// Drawing

// Hex groups in equal cells, big, so two screens can be compared digit by digit.
void fingerprint(std::string_view id, std::string_view fp) {
  const auto& m = metrics();
  ImFont* f = fonts().title;
  float cell = 0;
  for (const char* c : {"0", "2", "4", "8", "A", "B", "C", "D", "E", "F"})
    cell = std::max(cell, f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, c).x);
  cell += m.gap * 0.15f;
  const float dash = cell * 0.8f;  // the group separator, a little narrower
  const ImVec2 p = ImGui::GetCursorScreenPos();
  float w = 0;
  for (char ch : fp) w += ch == '-' ? dash : cell;
  ImGui::Dummy(ImVec2(w, f->FontSize + m.gap * 0.5f));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(p.x - m.gap * 0.5f, p.y - m.gap * 0.2f), ImVec2(p.x + w + m.gap * 0.5f, p.y + f->FontSize + m.gap * 0.3f),
                    IM_COL32(0xEE, 0xF1, 0xF4, 0xFF), m.gap * 0.4f);
  float x = p.x;
  for (char c : fp) {
    const char ch[2] = {c, 0};
    const float cw = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0, ch).x, slot = c == '-' ? dash : cell;
    dl->AddText(f, f->FontSize, ImVec2(x + (slot - cw) * 0.5f, p.y), c == '-' ? colour::kMuted : colour::kText, ch);
    x += slot;
  }
  semantics().add({ItemKind::Text, std::string(id), std::string(fp), {}, p, ImVec2(p.x + w, p.y + f->FontSize), true});
}

void draw_staff(const AdminVm& vm, AdminIntents& out) {
  const auto& m = metrics();
  label(tr("Staff"));
  if (!ImGui::BeginTable("##staff", 3, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
  ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 0.27f);
  ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthStretch, 0.25f);
  ImGui::TableSetupColumn("do", ImGuiTableColumnFlags_WidthStretch, 0.48f);
  for (const auto& s : vm.staff) {
    ImGui::TableNextRow(0, m.touch_px);
    ImGui::TableSetColumnIndex(0);
    label(s.name);
    muted(role_label(s.role));
    ImGui::TableSetColumnIndex(1);
    if (s.disabled) muted(tr("Disabled"));
    else if (!s.has_slot) error_text(tr("No passphrase slot"));
    else if (s.locked) error_text(tr("Locked after too many wrong passphrases"));
    else if (s.failed > 0)
      wrapped(trf("{} failed attempts", std::to_string(s.failed)) + (s.waiting ? std::string(" \u00B7 ") + tr("waiting") : ""));
    else muted(tr("Can unlock"));
    ImGui::TableSetColumnIndex(2);
    if (!s.disabled) {
      const float w = ImGui::GetContentRegionAvail().x;
      const float disable_w = std::max(m.touch_px * 2.2f, text_width(tr("Disable")) + m.gap * 3);
      if (button(s.locked ? tr("Unlock: new passphrase") : tr("Reset passphrase"), ImVec2(w - disable_w - m.gap, 0),
                 s.locked ? Style::Primary : Style::Secondary, true, "btn:reset:" + s.name)) {
        out.panel = Panel::Reset;
        out.target = s.name;
      }
      if (s.name != vm.me) ImGui::SameLine();
      if (s.name != vm.me &&
          button(tr("Disable"), ImVec2(disable_w, 0), Style::Secondary, true, "btn:disable:" + s.name)) {
        out.panel = Panel::Disable;
        out.target = s.name;
      }
    }
  }
  ImGui::EndTable();
}

// The languages' own names: a language is offered to people who read it.
constexpr std::pair<core::Lang, const char*> kLangNames[] = {
    {core::Lang::Az, "Az\u0259rbaycan dili"}, {core::Lang::Ru, "\u0420\u0443\u0441\u0441\u043A\u0438\u0439"}, {core::Lang::En, "English"}};

void draw_device(AdminVm& vm, AdminIntents& out) {
  const auto& m = metrics();
  ImGui::Spacing();
  label(tr("Device settings"));
  const auto& f = vm.settings;
  text_field("auto_lock_minutes", tr("Lock after this many minutes without a touch (1\u201330)"), &vm.settings.auto_lock_minutes,
             FieldKind::Number, field_error(vm.settings_errors, "auto_lock_minutes"), 4);
  if (vm.auto_lock_seconds % 60 != 0)
    muted(trf("In force now: {} seconds (the configuration file).", std::to_string(vm.auto_lock_seconds)));
  text_field("retention_days", tr("Days to keep records HQ has confirmed (30\u20133650)"),
             &vm.settings.retention_days, FieldKind::Number, field_error(vm.settings_errors, "retention_days"), 6);
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(tr("Languages offered"));
  ImGui::PopFont();
  bool first = true;
  for (const auto& [lang, name] : kLangNames) {
    bool on = std::find(f.languages.begin(), f.languages.end(), lang) != f.languages.end();
    const float w = m.touch_px * 0.7f + text_width(name) + m.gap * 3;
    if (!first && ImGui::GetCursorScreenPos().x + w > ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
      ImGui::NewLine();
    first = false;
    if (toggle(name, &on, fmt::format("offer:{}", core::lang_code(lang)))) {
      if (on) vm.settings.languages.push_back(lang);
      else std::erase(vm.settings.languages, lang);
    }
    ImGui::SameLine(0, m.gap * 2);
  }
  ImGui::NewLine();
  if (const char* e = field_error(vm.settings_errors, "languages")) error_text(e);
  ImGui::Spacing();
  if (button(tr("Save settings"), ImVec2(std::max(m.touch_px * 4, bold_width(tr("Save settings")) + m.gap * 4), 0),
             Style::Primary, true, "btn:save-settings"))
    out.save_settings = true;
  ImGui::PushTextWrapPos(0.0f);
  muted(tr("Saved settings apply at once and for everyone; the kiosk's configuration file only gives the defaults."));
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  label(tr("This device's key"));
  fingerprint("fp:device", vm.device_fp);
  muted(trf("Key id {}", vm.device_id));
  ImGui::Spacing();
  label(tr("HQ recovery key"));
  if (!vm.hq_error.empty()) {
    error_text(vm.hq_error);
  } else {
    fingerprint("fp:hq-recovery", vm.hq_fp);
    muted(trf("Key id {}", vm.hq_id));
  }
  muted(tr("Compare these with the fingerprints HQ holds, digit by digit."));
}

void draw_staff_form(AdminVm& vm, AdminIntents& out) {
  const auto& m = metrics();
  const float w = ImGui::GetContentRegionAvail().x - m.gap;
  auto err = [](const std::string& e) { return e.empty() ? nullptr : e.c_str(); };
  switch (vm.panel) {
    case Panel::Add: {
      label(tr("Add a staff member"));
      text_field("new-name", tr("Name"), &vm.new_name, FieldKind::Text, err(vm.name_error), 64);
      ImGui::PushFont(fonts().bold);
      ImGui::TextUnformatted(tr("Role"));
      ImGui::PopFont();
      const std::vector<std::pair<std::string, std::string>> roles = {
          {"officer", role_label(core::Role::Officer)},         {"hotline", role_label(core::Role::Hotline)},
          {"coordinator", role_label(core::Role::Coordinator)}, {"admin", role_label(core::Role::Admin)},
          {"auditor", role_label(core::Role::Auditor)}};
      choice("new-role", roles, &vm.new_role);
      secret_field("new-pass", tr("Passphrase (at least 8 characters)"), &vm.pass1.buf, &vm.pass1.len, err(vm.pass_error));
      secret_field("new-pass2", tr("The same passphrase again"), &vm.pass2.buf, &vm.pass2.len, err(vm.pass2_error));
      if (button(tr("Add staff member"), ImVec2(w, 0), Style::Primary, true, "btn:add-staff")) out.add = true;
      break;
    }
    case Panel::Reset:
      label(trf("New passphrase for {}", vm.target));
      muted(tr("This also lifts a lock after too many wrong passphrases."));
      secret_field("new-pass", tr("Passphrase (at least 8 characters)"), &vm.pass1.buf, &vm.pass1.len, err(vm.pass_error));
      secret_field("new-pass2", tr("The same passphrase again"), &vm.pass2.buf, &vm.pass2.len, err(vm.pass2_error));
      if (button(tr("Set passphrase"), ImVec2(w, 0), Style::Primary, true, "btn:save-passphrase")) out.reset = true;
      if (button(tr("Cancel"), ImVec2(w, 0), Style::Secondary, true, "btn:cancel")) out.cancel = true;
      break;
    case Panel::Disable:
      label(trf("Disable {}?", vm.target));
      wrapped(tr("Their passphrase will no longer open this device, not even from a copy of its files."));
      if (button(tr("Disable"), ImVec2(w, 0), Style::Danger, true, "btn:confirm-disable")) out.disable = true;
      if (button(tr("Cancel"), ImVec2(w, 0), Style::Secondary, true, "btn:cancel")) out.cancel = true;
      break;
  }
  if (!vm.form_error.empty()) error_text(vm.form_error);
}

void draw_admin(AdminVm& vm, AdminIntents& out) {
  const auto& m = metrics();
  title(tr("Administration"));
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left_w = std::floor((avail.x - m.gap) * 0.58f);
  if (begin_scroll("##admin-left", ImVec2(left_w, avail.y))) {
    ImGui::Indent(m.gap);
    ImGui::Dummy(ImVec2(0, m.gap * 0.5f));
    draw_staff(vm, out);
    draw_device(vm, out);
    ImGui::Dummy(ImVec2(0, m.gap));
    ImGui::Unindent(m.gap);
  }
  end_scroll();
  semantics().add({ItemKind::Text, "scroll:admin", "", "", ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
  ImGui::SameLine();
  if (begin_scroll("##admin-right", ImVec2(avail.x - left_w - m.gap, avail.y))) {
    ImGui::Indent(m.gap);
    ImGui::Dummy(ImVec2(0, m.gap * 0.5f));
    draw_staff_form(vm, out);
    ImGui::Dummy(ImVec2(0, m.gap));
    ImGui::Unindent(m.gap);
  }
  end_scroll();
}

void draw_audit(const AdminVm& vm, AdminIntents& out) {
  const auto& m = metrics();
  title(tr("Audit log"));
  ImGui::SameLine(0, m.gap * 3);
  if (button(tr("Verify chain"), ImVec2(0, 0), Style::Primary, true, "btn:verify")) out.verify = true;
  ImGui::SameLine();
  if (button(tr("Refresh"), ImVec2(0, 0), Style::Secondary, true, "btn:refresh")) out.refresh = true;
  if (vm.verified) {
    ImGui::PushStyleColor(ImGuiCol_Text, *vm.verified ? colour::kOk : colour::kDanger);
    ImGui::PushFont(fonts().bold);
    ImGui::TextUnformatted(vm.verify_text.c_str());
    ImGui::PopFont();
    ImGui::PopStyleColor();
    semantics().add({ItemKind::Text, "verify:result", vm.verify_text, *vm.verified ? "intact" : "broken",
                     ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
    if (!vm.verify_detail.empty()) muted(vm.verify_detail);
  } else {
    muted(tr("Newest first. Details hold codes and counts only, never a person's data."));
  }
  // Columns: seq, time, staff, action, entity, detail.
  const float w = ImGui::GetContentRegionAvail().x - m.gap * 2;
  const float xs[] = {0.0f, 0.07f, 0.24f, 0.36f, 0.53f, 0.66f, 1.0f};
  const char* heads[] = {tr("No."), tr("Time"), tr("Staff"), tr("Action"), tr("Entity"), tr("Detail")};
  {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(w, m.font_px * 1.2f));
    for (int c = 0; c < 6; ++c)
      ImGui::GetWindowDrawList()->AddText(fonts().bold, m.font_px, ImVec2(p.x + m.gap + w * xs[c], p.y), colour::kMuted, heads[c]);
  }
  const float row_h = m.font_px * 1.7f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (begin_scroll("##audit-list", ImVec2(avail.x, std::max(avail.y, row_h)))) {
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(m.gap, 0));
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(std::min<std::int64_t>(vm.last_seq, INT_MAX)), row_h);
    std::int64_t first = -1, last = -1;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        if (first < 0 || i < first) first = i;
        last = std::max<std::int64_t>(last, i);
        const std::int64_t seq = vm.last_seq - i;
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::Dummy(ImVec2(w, row_h));
        if (i % 2) dl->AddRectFilled(p, ImVec2(p.x + w + m.gap * 2, p.y + row_h), IM_COL32(0xF6, 0xF4, 0xEF, 0xFF));
        const auto* e = vm.entry(seq);
        const float ty = p.y + (row_h - m.font_px) * 0.5f;
        if (e == nullptr) {
          dl->AddText(ImVec2(p.x + m.gap, ty), colour::kMuted, "\u2026");
          continue;
        }
        const std::string cells[] = {std::to_string(e->seq), time_of(e->at), e->actor_name, e->action,
                                     e->entity_id ? fmt::format("{} #{}", e->entity, e->entity_id) : e->entity, e->detail};
        for (int c = 0; c < 6; ++c) {
          const float x0 = p.x + m.gap + w * xs[c], x1 = p.x + m.gap + w * xs[c + 1] - m.gap * 0.5f;
          dl->PushClipRect(ImVec2(x0, p.y), ImVec2(x1, p.y + row_h), true);
          dl->AddText(c == 3 ? fonts().bold : fonts().body, m.font_px, ImVec2(x0, ty), c == 0 ? colour::kMuted : colour::kText,
                      cells[c].c_str());
          dl->PopClipRect();
        }
        semantics().add({ItemKind::Text, fmt::format("audit:{}", e->seq),
                         fmt::format("{} {} {} {} {} {}", cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]), e->action,
                         p, ImVec2(p.x + w, p.y + row_h), true});
      }
    }
    ImGui::PopStyleVar();
    if (last >= 0) out.visible = {first, last + 1};
  }
  end_scroll();
}

void draw_screen(AdminVm& vm, AdminIntents& out) {
  begin_content("##admin");
  switch (vm.face) {
    case Face::Admin: draw_admin(vm, out); break;
    case Face::Auditor: draw_audit(vm, out); break;
    case Face::None:
      title(tr("Administration"));
      if (!vm.refusal.empty()) error_text(vm.refusal);
      break;
  }
  end_content();
}

// ---------------------------------------------------------------------------------------------
// Controller

class AdminScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    auto* s = ctx.session();
    if (s == nullptr) return;
    const auto role = s->actor().role;
    vm_.me = s->actor().name;
    if (core::allowed(role, core::Action::ManageUsers)) {
      vm_.face = Face::Admin;
      load_admin(ctx);
    } else if (core::allowed(role, core::Action::ViewAudit)) {
      vm_.face = Face::Auditor;
      load_audit(ctx);
    } else if (auto r = core::require(*s, core::Action::ManageUsers); !r) {  // records the attempt
      vm_.refusal = error_message(r.error());
      ctx.notify(vm_.refusal, true);
    }
  }

  void wipe() override {
    vm_.pass1.clear();
    vm_.pass2.clear();
    vm_.face = Face::None;
    vm_.refusal.clear();
    vm_.me.clear();
    vm_.staff.clear();
    vm_.settings = core::DeviceSettingsForm{};
    vm_.settings_errors.clear();
    vm_.device_fp.clear();
    vm_.device_id.clear();
    vm_.hq_fp.clear();
    vm_.hq_id.clear();
    vm_.hq_error.clear();
    vm_.panel = Panel::Add;
    vm_.target.clear();
    vm_.new_name.clear();
    vm_.new_role = "officer";
    clear_errors();
    vm_.last_seq = 0;
    vm_.pages.clear();
    vm_.verified.reset();
    vm_.verify_text.clear();
    vm_.verify_detail.clear();
    redraw_ = false;
  }

  bool animating() const override { return redraw_; }

  void draw(AppContext& ctx) override {
    redraw_ = false;
    if (ctx.session() == nullptr) return;
    AdminIntents in;
    draw_screen(vm_, in);
    // Once problems are shown, they follow the corrections as they are typed.
    if (!vm_.settings_errors.empty()) vm_.settings_errors = core::validate_device_settings(vm_.settings);
    apply(ctx, in);
  }

 private:
  void clear_errors() {
    vm_.name_error.clear();
    vm_.pass_error.clear();
    vm_.pass2_error.clear();
    vm_.form_error.clear();
  }

  void load_admin(AppContext& ctx) {
    auto* s = ctx.session();
    load_settings(ctx);
    vm_.device_fp = s->device_key().pub.fingerprint();
    vm_.device_id = s->device_key().pub.id_hex();
    if (auto hq = crypto::read_public_key_file(ctx.config().data.hq_recovery_public_key(), crypto::KeyKind::HqRecovery)) {
      vm_.hq_fp = hq->fingerprint();
      vm_.hq_id = hq->id_hex();
      vm_.hq_error.clear();
    } else {
      vm_.hq_error = tr("The HQ recovery key file is missing or damaged.");
    }
    load_staff(ctx);
  }

  // The settings in force, as the form starts.
  void load_settings(AppContext& ctx) {
    vm_.auto_lock_seconds = ctx.auto_lock_seconds();
    vm_.settings.auto_lock_minutes = std::to_string(std::clamp((ctx.auto_lock_seconds() + 30) / 60, 1, 30));
    vm_.settings.retention_days = std::to_string(ctx.retention_days());
    vm_.settings.languages = ctx.languages();
    vm_.settings_errors.clear();
  }

  void save_settings(AppContext& ctx) {
    keyboard().deactivate();
    auto r = core::save_device_settings(*ctx.session(), vm_.settings);
    if (!r) {
      // The problems go under their fields; what was typed stays, to be corrected.
      vm_.settings_errors = r.error().fields;
      ctx.notify(r.error().code == core::Errc::Invalid ? std::string(tr("Some fields need attention."))
                                                       : error_message(r.error()),
                 true);
      return;
    }
    ctx.apply_device_settings();
    load_settings(ctx);
    ctx.notify(tr("Device settings saved."));
  }

  void load_staff(AppContext& ctx) {
    vm_.staff.clear();
    auto* s = ctx.session();
    auto list = core::UsersService(*s).list();
    if (!list) {
      ctx.notify(error_message(list.error()), true);
      return;
    }
    auto slots = core::staff_slots(ctx.config().data);
    for (const auto& u : *list) {
      StaffRow r{u.name, u.role, u.disabled};
      if (slots)
        for (const auto& sl : *slots)
          if (sl.name == u.name) {
            r.has_slot = true;
            r.locked = sl.locked;
            r.failed = sl.failed;
            r.waiting = sl.not_before > core::now_unix();
          }
      vm_.staff.push_back(std::move(r));
    }
    // Enabled first, then by name.
    std::stable_sort(vm_.staff.begin(), vm_.staff.end(), [](const StaffRow& a, const StaffRow& b) {
      return a.disabled != b.disabled ? !a.disabled : a.name < b.name;
    });
  }

  // Argon2id parameters for a new slot: the same as the acting admin's own slot (tuned for this
  // device when it was set up), else the library's defaults.
  crypto::KdfParams kdf(AppContext& ctx) const {
    if (auto slots = core::staff_slots(ctx.config().data))
      for (const auto& sl : *slots)
        if (sl.name == vm_.me && sl.params.valid()) return sl.params;
    return crypto::KdfParams{};
  }

  // On a problem both fields are emptied, to be typed again.
  bool check_passphrases() {
    bool ok = true;
    if (vm_.pass1.len < 8) {
      vm_.pass_error = tr("A passphrase needs at least 8 characters.");
      ok = false;
    } else if (!vm_.pass1.same_as(vm_.pass2)) {
      vm_.pass2_error = tr("The two passphrases are not the same. Type both again.");
      ok = false;
    }
    if (!ok) {
      keyboard().deactivate();
      vm_.pass1.clear();
      vm_.pass2.clear();
    }
    return ok;
  }

  void to_panel(Panel p, std::string target = {}) {
    keyboard().deactivate();
    vm_.panel = p;
    vm_.target = std::move(target);
    vm_.pass1.clear();
    vm_.pass2.clear();
    clear_errors();
  }

  void apply_admin(AppContext& ctx, const AdminIntents& in) {
    auto& s = *ctx.session();
    if (in.save_settings) save_settings(ctx);
    if (in.panel) to_panel(*in.panel, in.target);
    if (in.cancel) to_panel(Panel::Add);
    if (in.add) {
      clear_errors();
      const auto& n = vm_.new_name;
      bool ok = true;
      if (n.empty() || n.front() == ' ' || n.back() == ' ') {
        vm_.name_error = tr("Enter a name, without spaces at the start or end.");
        ok = false;
      } else if (std::any_of(vm_.staff.begin(), vm_.staff.end(), [&](const StaffRow& r) { return r.name == n; })) {
        vm_.name_error = tr("There is already a staff member with this name.");
        ok = false;
      }
      ok = check_passphrases() && ok;
      if (ok) {
        keyboard().deactivate();
        const auto role = core::parse_role(vm_.new_role).value_or(core::Role::Officer);
        const auto pass = vm_.pass1.copy();
        if (auto r = core::UsersService(s).add(n, role, pass, kdf(ctx)); !r) {
          vm_.form_error = error_message(r.error());
          ctx.notify(vm_.form_error, true);
        } else {
          ctx.notify(trf("{} can now unlock the device.", n));
          vm_.new_name.clear();
          vm_.new_role = "officer";
          to_panel(Panel::Add);
          load_staff(ctx);
        }
      }
    }
    if (in.reset) {
      clear_errors();
      if (check_passphrases()) {
        keyboard().deactivate();
        const auto pass = vm_.pass1.copy();
        if (auto r = core::UsersService(s).set_passphrase(vm_.target, pass, kdf(ctx)); !r) {
          vm_.form_error = error_message(r.error());
          ctx.notify(vm_.form_error, true);
        } else {
          ctx.notify(trf("The passphrase of {} was changed.", vm_.target));
          to_panel(Panel::Add);
          load_staff(ctx);
        }
      }
    }
    if (in.disable) {
      if (auto r = core::UsersService(s).disable(vm_.target); !r) {
        vm_.form_error = error_message(r.error());
        ctx.notify(vm_.form_error, true);
      } else {
        ctx.notify(trf("{} can no longer unlock the device.", vm_.target));
        to_panel(Panel::Add);
        load_staff(ctx);
      }
    }
  }

  // The newest entry's sequence number: audit_entries returns entries from a sequence on, so a
  // doubling probe and a bisection find the end in O(log n) small reads.
  core::Result<std::int64_t> find_last_seq(core::Session& s) {
    auto exists = [&](std::int64_t seq) -> core::Result<bool> {
      auto r = core::audit_entries(s, seq, 1);
      if (!r) return std::unexpected(r.error());
      return !r->empty();
    };
    std::int64_t lo = 0, hi = 1;  // entries exist at or after lo (0: none known); none at or after hi
    for (;;) {
      auto e = exists(hi);
      if (!e) return std::unexpected(e.error());
      if (!*e) break;
      lo = hi;
      if (hi > (std::int64_t{1} << 60)) break;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const auto mid = lo + (hi - lo) / 2;
      auto e = exists(mid);
      if (!e) return std::unexpected(e.error());
      (*e ? lo : hi) = mid;
    }
    return lo;
  }

  void load_audit(AppContext& ctx) {
    vm_.pages.clear();
    auto last = find_last_seq(*ctx.session());
    if (!last) {
      vm_.face = Face::None;
      vm_.refusal = error_message(last.error());
      ctx.notify(vm_.refusal, true);
      return;
    }
    vm_.last_seq = *last;
    fetch_audit(ctx, 0);
  }

  bool fetch_audit(AppContext& ctx, std::int64_t page) {
    const std::int64_t to = vm_.last_seq - page * kAuditPage;
    const std::int64_t from = std::max<std::int64_t>(1, to - kAuditPage + 1);
    if (to < 1) return false;
    auto r = core::audit_entries(*ctx.session(), from, to - from + 1);
    if (!r) {
      vm_.pages[page] = {};
      ctx.notify(error_message(r.error()), true);
      return false;
    }
    for (auto& e : *r) {  // the hashes are not shown; no need to keep them
      e.prev_hash.clear();
      e.hash.clear();
    }
    vm_.pages[page] = std::move(*r);
    return true;
  }

  void apply_audit(AppContext& ctx, const AdminIntents& in) {
    if (in.refresh) {
      load_audit(ctx);
      redraw_ = true;
      return;
    }
    if (in.verify) {
      auto v = core::verify_audit(*ctx.session());
      if (!v) {
        vm_.verified = false;
        vm_.verify_text = error_message(v.error());
        vm_.verify_detail.clear();
      } else if (v->intact) {
        vm_.verified = true;
        vm_.verify_text = tr("The audit chain is intact.") + std::string(" ") +
                          trf("{} entries", std::to_string(v->entries)) + " \u00B7 " +
                          trf("{} signed checkpoints", std::to_string(v->checkpoints));
        vm_.verify_detail.clear();
      } else {
        vm_.verified = false;
        vm_.verify_text = trf("The audit chain is broken at entry {}.", std::to_string(v->first_broken_seq.value_or(0)));
        vm_.verify_detail = v->reason;  // core's sentence (English): which entry does not fit and how
      }
    }
    if (in.visible) {
      const std::int64_t p0 = in.visible->first / kAuditPage, p1 = (in.visible->second - 1) / kAuditPage;
      for (std::int64_t p = p0; p <= p1 + 1; ++p)
        if (!vm_.pages.contains(p) && vm_.last_seq - p * kAuditPage >= 1) redraw_ |= fetch_audit(ctx, p);
      while (vm_.pages.size() > kAuditPages) {
        const auto lo = vm_.pages.begin(), hi = std::prev(vm_.pages.end());
        const auto d_lo = p0 - lo->first, d_hi = hi->first - p1;
        if (d_lo <= 0 && d_hi <= 1) break;
        vm_.pages.erase(d_lo >= d_hi ? lo : hi);
      }
    }
  }

  void apply(AppContext& ctx, const AdminIntents& in) {
    if (vm_.face == Face::Admin) apply_admin(ctx, in);
    else if (vm_.face == Face::Auditor) apply_audit(ctx, in);
  }

  AdminVm vm_;
  bool redraw_ = false;
};

}  // namespace

std::unique_ptr<ScreenController> make_admin_screen() { return std::make_unique<AdminScreen>(); }

namespace {
const bool kScenes =
    register_scene({80, "admin-staff", [](Driver& d) { return unlock_demo(d, "Admin") && d.tap(tr("Administration")); }}) &&
    register_scene({81, "admin-add-staff", [](Driver& d) {
                      return unlock_demo(d, "Admin") && d.tap(tr("Administration")) && d.tap("field:new-name") &&
                             d.type("Nigar") && d.tap("new-role=hotline") && d.tap("field:new-pass") && d.type("sample-pass");
                    }}) &&
    register_scene({83, "admin-settings-error",
                    [](Driver& d) {
                      // A value out of range: the problem under the field, what was typed kept.
                      if (!(unlock_demo(d, "Admin") && d.tap(tr("Administration")) &&
                            d.reveal("btn:save-settings", "scroll:admin") && d.tap("field:auto_lock_minutes")))
                        return false;
                      for (int i = 0; i < 4; ++i) d.tap("key:backspace");
                      return d.type("45") && d.tap("key:done") && d.tap("offer:en") && d.tap("btn:save-settings");
                    }}) &&
    register_scene({82, "audit-log", [](Driver& d) {
                      return unlock_demo(d, "Auditor") && d.tap(tr("Audit log")) && d.tap("btn:verify");
                    }});
}  // namespace

}  // namespace ik::ui
