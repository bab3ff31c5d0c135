// Case page.
// Shows: one case, opened through CaseService::open (itself an audited view, so the name is
// shown here without a separate reveal): a header (case number, name, status, risk, bed), a
// timeline newest first (case opened/closed, services, referrals with their status, stays in a
// bed and discharges, consents), the person and exploitation summaries (code labels through
// tr_code, countries through country_name, languages through language_name) and, on the right,
// the actions the role may take, each as a short form: add a service (type, date, note), refer
// (organisation type, name, reason), accept / reject (with a reason) / finish a referral, record
// a consent, change the risk level, discharge from the bed (reason code), repatriation (status
// and destination country), close or reopen the case.
// Emits: back(to the list), open_panel(action), save(form) -> CaseService::add_service, refer,
// set_referral_status, record_consent, set_risk, set_status, set_repatriation, and
// BedService::release; cancel. Every refusal from core (no consent, bed still taken, role) is
// shown as a banner (AppContext::notify(msg, true)) and under the form, never a crash.
// Never: shows an action the role may not take (core would refuse it anyway), keeps anything of
// the case after wipe() (lock), or shows the last case again when entered without a new one.
#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/beds.hpp"
#include "core/cases.hpp"
#include "core/codes.hpp"
#include "core/iso_codes.hpp"
#include "core/permissions.hpp"
#include "core/search.hpp"
#include "core/session.hpp"
#include "core/validation.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

void scrub(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
  s.shrink_to_fit();
}
void scrub(std::optional<std::string>& s) {
  if (s) scrub(*s);
  s.reset();
}


std::string date_of(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// Comma-joined codes as translated labels.
std::string code_labels(std::string_view list, std::string_view joined) {
  std::string out;
  for (const auto& c : core::codes::split(joined)) out += (out.empty() ? "" : ", ") + std::string(tr_code(list, c));
  return out;
}
std::string country_names(std::string_view joined) {
  std::string out;
  for (const auto& c : core::codes::split(joined)) out += (out.empty() ? "" : ", ") + country_name(c);
  return out;
}
std::string language_names(std::string_view joined) {
  std::string out;
  for (const auto& c : core::codes::split(joined)) out += (out.empty() ? "" : ", ") + language_name(c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// View model and intents

enum class Panel { None, Service, Referral, Reject, Consent, Risk, Discharge, Repatriation, Status };

struct TimelineItem {
  enum Kind { Opened, Closed, Service, Referral, Admitted, Discharged, Consent } kind;
  std::string date;       // YYYY-MM-DD, for ordering
  std::size_t index = 0;  // into the matching vector of CaseDetails
};

struct CaseVm {
  std::int64_t case_id = 0;
  bool loaded = false;
  std::string refusal;  // translated
  core::CaseDetails d;  // personal
  std::string name;     // personal
  std::map<std::int64_t, std::string> bed_labels;  // bed id -> label
  std::optional<std::int64_t> open_bed;            // the bed of the current stay
  std::vector<TimelineItem> timeline;
  bool can_list = false, can_service = false, can_refer = false, can_update = false, can_beds = false;

  // The open action form.
  Panel panel = Panel::None;
  std::string service_type, service_date, service_note;
  std::string org_type, org_name, ref_reason;
  std::int64_t reject_id = 0;
  std::string reject_reason;
  std::string consent_kind, consent_date;
  bool consent_granted = true;
  std::string risk, discharge_reason, status;
  std::string repat_status, repat_dest, country_query;
  std::vector<std::pair<std::string, std::string>> country_matches;  // code, name
  std::vector<core::FieldError> errors;
  std::string form_error;  // translated
};

struct CaseIntents {
  bool back = false, cancel = false, save = false, country_query_changed = false;
  std::optional<Panel> open_panel;
  std::int64_t reject_referral = 0;
  std::optional<std::pair<std::int64_t, std::string>> referral_status;  // accepted | done
};

// ---------------------------------------------------------------------------------------------
// Drawing

bool flow_action(std::string_view lbl, std::string_view id, Style style = Style::Secondary) {
  const auto& m = metrics();
  const float w = std::max(m.touch_px * 1.5f, text_width(lbl) + m.gap * 3);
  if (ImGui::GetCursorPosX() > ImGui::GetStyle().WindowPadding.x + 1 &&
      ImGui::GetCursorScreenPos().x + w > ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
    ImGui::NewLine();
  const bool pressed = button(lbl, ImVec2(w, 0), style, true, id);
  ImGui::SameLine();
  return pressed;
}

// A two-column table of facts: label (muted) and value (wrapped).
struct Facts {
  explicit Facts(const char* id) : open(ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingStretchProp)) {
    if (open) {
      ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthStretch, 0.4f);
      ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch, 0.6f);
    }
  }
  ~Facts() {
    if (open) ImGui::EndTable();
  }
  void row(std::string_view k, std::string_view v) {
    if (!open || v.empty()) return;
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    muted(k);
    ImGui::TableSetColumnIndex(1);
    wrapped(v);
  }
  bool open;
};

// A timeline headline: bold, wrapped at the column's edge (long in Azerbaijani and Russian).
void headline(std::string_view text) {
  ImGui::PushFont(fonts().bold);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  semantics().add({ItemKind::Text, std::string(text), std::string(text), {}, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
}

std::string referral_headline(const storage::ReferralRecord& r) {
  const std::string org = r.organisation.empty() ? std::string(tr_code("organisation_type", r.organisation_type))
                                                 : fmt::format("{} ({})", r.organisation,
                                                               tr_code("organisation_type", r.organisation_type));
  return r.direction == "incoming" ? trf("Referred here by {}", org) : trf("Referred to {}", org);
}

void draw_timeline(const CaseVm& vm, CaseIntents& out) {
  const auto& d = vm.d;
  label(tr("Timeline"));
  if (!ImGui::BeginTable("##timeline", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
  ImGui::TableSetupColumn("date", ImGuiTableColumnFlags_WidthFixed, text_width("0000-00-00") + metrics().gap);
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
  for (const auto& t : vm.timeline) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    muted(t.date);
    ImGui::TableSetColumnIndex(1);
    switch (t.kind) {
      case TimelineItem::Opened: headline(tr("Case opened")); break;
      case TimelineItem::Closed: headline(tr("Case closed")); break;
      case TimelineItem::Service: {
        const auto& s = d.services[t.index];
        headline(trf("Service: {}", tr_code("service_type", s.type)));
        if (s.note && !s.note->empty()) wrapped(*s.note);
        break;
      }
      case TimelineItem::Referral: {
        const auto& r = d.referrals[t.index];
        headline(referral_headline(r));
        muted(trf("Status: {}", tr_code("referral_status", r.status)));
        if (r.reason && !r.reason->empty()) wrapped(*r.reason);
        if (vm.can_refer && r.direction == "outgoing") {
          const auto id = std::to_string(r.id);
          if (r.status == "pending") {
            if (flow_action(tr("Accepted"), "btn:ref-accept:" + id)) out.referral_status = {{r.id, "accepted"}};
            if (flow_action(tr("Rejected"), "btn:ref-reject:" + id)) out.reject_referral = r.id;
            ImGui::NewLine();
          } else if (r.status == "accepted") {
            if (flow_action(tr("Done"), "btn:ref-done:" + id)) out.referral_status = {{r.id, "done"}};
            ImGui::NewLine();
          }
        }
        break;
      }
      case TimelineItem::Admitted: {
        const auto& s = d.stays[t.index];
        const auto it = vm.bed_labels.find(s.bed_id);
        headline(trf("Admitted to bed {}", it != vm.bed_labels.end() ? it->second : std::to_string(s.bed_id)));
        break;
      }
      case TimelineItem::Discharged: {
        const auto& s = d.stays[t.index];
        headline(trf("Discharged: {}", s.discharge_reason ? tr_code("discharge_reason", *s.discharge_reason) : tr("Unknown")));
        break;
      }
      case TimelineItem::Consent: {
        const auto& c = d.consents[t.index];
        headline(fmt::format("{}: {}", tr_code("consent_kind", c.kind), c.granted ? tr("given") : tr("refused or withdrawn")));
        break;
      }
    }
  }
  ImGui::EndTable();
}

void draw_summaries(const CaseVm& vm) {
  const auto& p = vm.d.person;
  const auto& c = vm.d.record;
  ImGui::Spacing();
  label(tr("Person"));
  {
    Facts f("##person");
    f.row(tr("Gender"), tr_code("gender", p.gender));
    std::optional<int> age;
    if (p.birth_date) age = core::age_on(*p.birth_date, core::now_unix());
    if (age) f.row(tr("Age"), std::to_string(*age));
    else if (p.age_estimate) f.row(tr("Age"), trf("about {}", std::to_string(*p.age_estimate)));
    if (p.citizenship) f.row(tr("Citizenship"), country_name(*p.citizenship));
    f.row(tr("Languages"), language_names(p.languages));
    if (p.marital_status) f.row(tr("Marital status"), tr_code("marital_status", *p.marital_status));
    if (p.education) f.row(tr("Education"), tr_code("education", *p.education));
  }
  if (vm.d.exploitation) {
    const auto& e = *vm.d.exploitation;
    ImGui::Spacing();
    label(tr("Exploitation"));
    Facts f("##exploitation");
    f.row(tr("Type"), code_labels("exploitation_type", e.types));
    if (e.labour_sector) f.row(tr("Labour sector"), tr_code("labour_sector", *e.labour_sector));
    if (e.sexual_exploitation) f.row(tr("Sexual exploitation"), tr_code("sexual_exploitation", *e.sexual_exploitation));
    f.row(tr("Means of control"), code_labels("means_of_control", e.means_of_control));
    if (e.recruitment) f.row(tr("Recruitment"), tr_code("recruitment", *e.recruitment));
    if (e.recruiter_relation) f.row(tr("Recruiter"), tr_code("recruiter_relation", *e.recruiter_relation));
    f.row(tr("Countries of origin"), country_names(e.countries_origin));
    f.row(tr("Countries of transit"), country_names(e.countries_transit));
    f.row(tr("Countries of exploitation"), country_names(e.countries_exploitation));
    if (e.started_on) f.row(tr("Started"), *e.started_on);
    if (e.ended_on) f.row(tr("Ended"), *e.ended_on);
  }
  ImGui::Spacing();
  label(tr("Case"));
  Facts f("##case");
  f.row(tr("Came through"), c.origin == "hotline" ? tr("Hotline") : tr("Shelter"));
  f.row(tr("Source"), tr_code("intake_source", c.intake_source));
  f.row(tr("Scope"), tr_code("scope", c.scope));
  f.row(tr("Needs"), code_labels("need", c.needs));
  f.row(tr("Witness"), c.is_witness ? tr("Yes") : tr("No"));
  if (c.protection_measures) f.row(tr("Protection measures"), *c.protection_measures);
  f.row(tr("Repatriation"), tr_code("repatriation_status", c.repatriation_status));
  if (c.repatriation_destination) f.row(tr("Destination"), country_name(*c.repatriation_destination));
  if (c.notes) f.row(tr("Notes"), *c.notes);
}

void form_buttons(CaseIntents& out, const char* save_label, Style style = Style::Primary) {
  const auto& m = metrics();
  ImGui::Spacing();
  if (button(save_label, ImVec2(m.touch_px * 4, 0), style, true, "btn:save")) out.save = true;
  ImGui::SameLine();
  if (button(tr("Cancel"), ImVec2(m.touch_px * 3, 0), Style::Secondary, true, "btn:cancel")) out.cancel = true;
}

void draw_panel(CaseVm& vm, CaseIntents& out) {
  const auto& e = vm.errors;
  switch (vm.panel) {
    case Panel::None: return;
    case Panel::Service:
      label(tr("Add a service"));
      choice("service-type", code_options("service_type"), &vm.service_type);
      if (const char* err = field_error(e, "service_type")) error_text(err);
      text_field("service-date", tr("Date"), &vm.service_date, FieldKind::Date, field_error(e, "given_on"));
      text_field("service-note", tr("Note (optional)"), &vm.service_note, FieldKind::Multiline, field_error(e, "note"), 1000);
      form_buttons(out, tr("Save"));
      break;
    case Panel::Referral:
      label(tr("Refer to another organisation"));
      choice("org-type", code_options("organisation_type"), &vm.org_type);
      if (const char* err = field_error(e, "organisation_type")) error_text(err);
      text_field("org-name", tr("Organisation"), &vm.org_name, FieldKind::Text, field_error(e, "organisation"));
      text_field("ref-reason", tr("Reason (optional)"), &vm.ref_reason, FieldKind::Multiline, field_error(e, "reason"), 1000);
      form_buttons(out, tr("Refer"));
      break;
    case Panel::Reject:
      label(tr("Reject the referral"));
      text_field("reject-reason", tr("Reason"), &vm.reject_reason, FieldKind::Multiline, field_error(e, "reason"), 1000);
      form_buttons(out, tr("Reject"), Style::Danger);
      break;
    case Panel::Consent:
      label(tr("Record a consent"));
      choice("consent-kind", code_options("consent_kind"), &vm.consent_kind);
      if (const char* err = field_error(e, "consent_kind")) error_text(err);
      toggle(tr("Consent given"), &vm.consent_granted, "consent-granted");
      text_field("consent-date", tr("Date"), &vm.consent_date, FieldKind::Date, field_error(e, "given_on"));
      form_buttons(out, tr("Save"));
      break;
    case Panel::Risk:
      label(tr("Risk level"));
      choice("risk", code_options("risk_level"), &vm.risk);
      form_buttons(out, tr("Save"));
      break;
    case Panel::Discharge:
      label(tr("Discharge from the bed"));
      choice("discharge", code_options("discharge_reason"), &vm.discharge_reason);
      if (const char* err = field_error(e, "discharge_reason")) error_text(err);
      form_buttons(out, tr("Discharge"), Style::Danger);
      break;
    case Panel::Repatriation: {
      label(tr("Repatriation"));
      choice("repat-status", code_options("repatriation_status"), &vm.repat_status);
      muted(vm.repat_dest.empty() ? std::string(tr("Destination: none")) : trf("Destination: {}", country_name(vm.repat_dest)));
      if (!vm.repat_dest.empty() && flow_action(tr("No destination"), "btn:clear-country")) vm.repat_dest.clear();
      ImGui::NewLine();
      if (text_field("repat-country", tr("Find a country"), &vm.country_query, FieldKind::Text,
                     field_error(e, "repatriation_destination"), 60))
        out.country_query_changed = true;
      for (const auto& [code, name] : vm.country_matches)
        if (flow_action(name, "country:" + code, vm.repat_dest == code ? Style::Primary : Style::Secondary))
          vm.repat_dest = code;
      ImGui::NewLine();
      form_buttons(out, tr("Save"));
      break;
    }
    case Panel::Status: {
      const bool closed = vm.d.record.status == "closed" || vm.d.record.status == "closed_referred";
      label(closed ? tr("Reopen the case") : tr("Close the case"));
      std::vector<std::pair<std::string, std::string>> opts;
      for (auto& o : code_options("case_status")) {
        const bool closing = o.first == "closed" || o.first == "closed_referred";
        if (closing != closed) opts.push_back(std::move(o));
      }
      choice("case-status", opts, &vm.status);
      form_buttons(out, closed ? tr("Reopen") : tr("Close case"), closed ? Style::Primary : Style::Danger);
      break;
    }
  }
  if (!vm.form_error.empty()) error_text(vm.form_error);
}

void draw_actions(CaseVm& vm, CaseIntents& out) {
  // An open form takes the whole column (Save and Cancel stay in view); Cancel brings the list back.
  if (vm.panel != Panel::None) {
    draw_panel(vm, out);
    return;
  }
  label(tr("Actions"));
  const bool closed = vm.d.record.status == "closed" || vm.d.record.status == "closed_referred";
  bool any = false;
  auto action = [&](bool allowed, const char* text, const char* id, Panel p) {
    if (!allowed) return;
    any = true;
    if (flow_action(text, id, vm.panel == p ? Style::Primary : Style::Secondary)) out.open_panel = p;
  };
  action(vm.can_service && !closed, tr("Add service"), "btn:add-service", Panel::Service);
  action(vm.can_refer && !closed, tr("Refer"), "btn:refer", Panel::Referral);
  action(vm.can_update && !closed, tr("Record consent"), "btn:consent", Panel::Consent);
  action(vm.can_update && !closed, tr("Risk level"), "btn:risk", Panel::Risk);
  action(vm.can_beds && vm.open_bed.has_value(), tr("Discharge"), "btn:discharge", Panel::Discharge);
  action(vm.can_update, tr("Repatriation"), "btn:repatriation", Panel::Repatriation);
  action(vm.can_update, closed ? tr("Reopen case") : tr("Close case"), closed ? "btn:reopen" : "btn:close", Panel::Status);
  ImGui::NewLine();
  if (!any) muted(tr("Your role may view this case but not change it."));
}

void draw_case(CaseVm& vm, CaseIntents& out) {
  const auto& m = metrics();
  begin_content("##case");
  if (!vm.loaded) {
    title(tr("Case"));
    if (!vm.refusal.empty()) error_text(vm.refusal);
    else muted(tr("No case is open."));
    if (vm.can_list && button(tr("Back to cases"), ImVec2(0, 0), Style::Secondary, true, "btn:back")) out.back = true;
    end_content();
    return;
  }
  const auto& c = vm.d.record;
  // Header: case number and name, then status, risk and bed.
  const float back_w = std::max(m.touch_px * 3.5f, text_width(tr("Back to cases")) + m.gap * 3);
  ImGui::BeginGroup();
  title(c.case_number);
  ImGui::SameLine(0, m.gap * 2);
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(vm.name.c_str());
  ImGui::PopFont();
  semantics().add({ItemKind::Text, "case:name", vm.name, {}, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
  ImGui::EndGroup();
  if (vm.can_list) {
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - back_w);
    if (button(tr("Back to cases"), ImVec2(back_w, 0), Style::Secondary, true, "btn:back")) out.back = true;
  }
  const std::string bed = vm.open_bed ? trf("Bed {}", vm.bed_labels.contains(*vm.open_bed) ? vm.bed_labels.at(*vm.open_bed)
                                                                                            : std::to_string(*vm.open_bed))
                                      : std::string(tr("No bed"));
  label(fmt::format("{} \u00B7 {} \u00B7 {} \u00B7 {}", tr_code("case_status", c.status), tr_code("risk_level", c.risk_level),
                    bed, trf("opened {}", date_of(c.opened_at))));
  ImGui::Spacing();

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left_w = std::floor((avail.x - m.gap) * 0.56f);
  {  // white panels behind the two scrolling columns
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + left_w, p.y + avail.y), colour::kPanel, m.gap * 0.6f);
    dl->AddRectFilled(ImVec2(p.x + left_w + m.gap, p.y), ImVec2(p.x + avail.x, p.y + avail.y), colour::kPanel, m.gap * 0.6f);
  }
  if (begin_scroll("##case-left", ImVec2(left_w, avail.y))) {
    ImGui::Indent(m.gap);
    ImGui::Dummy(ImVec2(0, m.gap * 0.5f));
    draw_timeline(vm, out);
    draw_summaries(vm);
    ImGui::Dummy(ImVec2(0, m.gap));
    ImGui::Unindent(m.gap);
  }
  end_scroll();
  ImGui::SameLine();
  if (begin_scroll("##case-right", ImVec2(avail.x - left_w - m.gap, avail.y))) {
    ImGui::Indent(m.gap);
    ImGui::Dummy(ImVec2(0, m.gap * 0.5f));
    ImGui::PushItemWidth(-m.gap);
    draw_actions(vm, out);
    ImGui::PopItemWidth();
    ImGui::Dummy(ImVec2(0, m.gap));
    ImGui::Unindent(m.gap);
  }
  end_scroll();
  end_content();
}

// ---------------------------------------------------------------------------------------------
// Controller

class CaseScreen final : public ScreenController {
 public:
  void set_case(std::int64_t id) { pending_ = id; }

  void enter(AppContext& ctx) override {
    const auto id = std::exchange(pending_, 0);
    clear();
    auto* s = ctx.session();
    if (s == nullptr) return;
    const auto role = s->actor().role;
    vm_.can_list = core::allowed(role, core::Action::ViewCases);
    vm_.can_service = core::allowed(role, core::Action::AddService);
    vm_.can_refer = core::allowed(role, core::Action::Refer);
    vm_.can_update = core::allowed(role, core::Action::UpdateCase);
    vm_.can_beds = core::allowed(role, core::Action::ManageBeds);
    if (id == 0) return;  // nothing chosen: never the last case again
    vm_.case_id = id;
    load(ctx);
  }

  void wipe() override {
    pending_ = 0;
    clear();
  }

  void draw(AppContext& ctx) override {
    if (ctx.session() == nullptr) return;
    CaseIntents in;
    draw_case(vm_, in);
    apply(ctx, in);
  }

 private:
  void clear() {
    auto& p = vm_.d.person;
    for (auto* f : {&p.given_name, &p.family_name, &p.alias, &p.birth_date, &p.phone}) scrub(*f);
    scrub(vm_.d.record.notes);
    scrub(vm_.d.record.protection_measures);
    for (auto& s : vm_.d.services) scrub(s.note);
    for (auto& r : vm_.d.referrals) scrub(r.reason);
    for (auto* f : {&vm_.name, &vm_.service_note, &vm_.ref_reason, &vm_.reject_reason, &vm_.org_name}) scrub(*f);
    vm_ = CaseVm{};
  }

  void load(AppContext& ctx) {
    auto* s = ctx.session();
    if (s == nullptr) return;
    auto r = core::CaseService(*s).open(vm_.case_id);
    if (!r) {
      const auto id = vm_.case_id;
      const bool can_list = vm_.can_list;
      clear();
      vm_.case_id = id;
      vm_.can_list = can_list;
      vm_.refusal = error_message(r.error());
      ctx.notify(vm_.refusal, true);
      return;
    }
    vm_.d = std::move(*r);
    vm_.loaded = true;
    const auto& p = vm_.d.person;
    scrub(vm_.name);
    for (const auto* part : {&p.given_name, &p.family_name})
      if (*part && !(*part)->empty()) vm_.name += (vm_.name.empty() ? "" : " ") + **part;
    if (p.alias && !p.alias->empty()) vm_.name += vm_.name.empty() ? *p.alias : fmt::format(" ({})", *p.alias);
    if (vm_.name.empty()) vm_.name = tr("(no name recorded)");
    vm_.bed_labels.clear();
    vm_.open_bed.reset();
    if (core::allowed(s->actor().role, core::Action::ViewBeds))
      if (auto board = core::BedService(*s).board())
        for (const auto& b : *board) vm_.bed_labels[b.id] = b.label;
    for (const auto& st : vm_.d.stays)
      if (!st.discharged_at) vm_.open_bed = st.bed_id;
    build_timeline();
  }

  void build_timeline() {
    auto& t = vm_.timeline;
    const auto& d = vm_.d;
    t.clear();
    t.push_back({TimelineItem::Opened, date_of(d.record.opened_at), 0});
    if (d.record.closed_at) t.push_back({TimelineItem::Closed, date_of(*d.record.closed_at), 0});
    for (std::size_t i = 0; i < d.services.size(); ++i) t.push_back({TimelineItem::Service, d.services[i].given_on, i});
    for (std::size_t i = 0; i < d.referrals.size(); ++i)
      t.push_back({TimelineItem::Referral, date_of(d.referrals[i].created_at), i});
    for (std::size_t i = 0; i < d.stays.size(); ++i) {
      t.push_back({TimelineItem::Admitted, date_of(d.stays[i].admitted_at), i});
      if (d.stays[i].discharged_at) t.push_back({TimelineItem::Discharged, date_of(*d.stays[i].discharged_at), i});
    }
    for (std::size_t i = 0; i < d.consents.size(); ++i) t.push_back({TimelineItem::Consent, d.consents[i].given_on, i});
    // Newest first; within a day, in the order things happen.
    auto rank = [](TimelineItem::Kind k) {
      switch (k) {
        case TimelineItem::Opened: return 0;
        case TimelineItem::Consent: return 1;
        case TimelineItem::Admitted: return 2;
        case TimelineItem::Service: return 3;
        case TimelineItem::Referral: return 4;
        case TimelineItem::Discharged: return 5;
        case TimelineItem::Closed: return 6;
      }
      return 0;
    };
    std::stable_sort(t.begin(), t.end(), [&](const TimelineItem& a, const TimelineItem& b) {
      if (a.date != b.date) return a.date > b.date;
      return rank(a.kind) > rank(b.kind);
    });
  }

  void open_panel(Panel p) {
    keyboard().deactivate();
    const auto& c = vm_.d.record;
    for (auto* f : {&vm_.service_note, &vm_.ref_reason, &vm_.reject_reason, &vm_.org_name}) scrub(*f);
    vm_.errors.clear();
    vm_.form_error.clear();
    vm_.panel = p;
    const auto today = date_of(core::now_unix());
    vm_.service_type.clear();
    vm_.service_date = today;
    vm_.org_type.clear();
    vm_.consent_kind.clear();
    vm_.consent_granted = true;
    vm_.consent_date = today;
    vm_.risk = c.risk_level;
    vm_.discharge_reason.clear();
    vm_.repat_status = c.repatriation_status;
    vm_.repat_dest = c.repatriation_destination.value_or("");
    vm_.country_query.clear();
    vm_.country_matches.clear();
    const bool closed = c.status == "closed" || c.status == "closed_referred";
    vm_.status = closed ? "active" : "closed";
  }

  static std::optional<std::string> opt(const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  }

  core::Result<void> save(core::Session& s) {
    core::CaseService cases(s);
    const auto id = vm_.case_id;
    auto as_void = [](auto r) -> core::Result<void> {
      if (!r) return std::unexpected(r.error());
      return {};
    };
    switch (vm_.panel) {
      case Panel::Service:
        return as_void(cases.add_service(id, {vm_.service_type, opt(vm_.service_date), opt(vm_.service_note)}));
      case Panel::Referral: return as_void(cases.refer(id, {vm_.org_type, opt(vm_.org_name), opt(vm_.ref_reason)}));
      case Panel::Reject: return cases.set_referral_status(vm_.reject_id, "rejected", opt(vm_.reject_reason));
      case Panel::Consent: return cases.record_consent(id, vm_.consent_kind, vm_.consent_granted, vm_.consent_date);
      case Panel::Risk: return cases.set_risk(id, vm_.risk);
      case Panel::Discharge: return core::BedService(s).release(id, vm_.discharge_reason);
      case Panel::Repatriation: return cases.set_repatriation(id, vm_.repat_status, opt(vm_.repat_dest));
      case Panel::Status: return cases.set_status(id, vm_.status);
      case Panel::None: return {};
    }
    return {};
  }

  void find_countries() {
    vm_.country_matches.clear();
    const auto q = core::fold(vm_.country_query);
    if (q.empty()) return;
    for (const auto& c : core::IsoCodes::system().countries_sorted(language())) {
      const auto name = country_name(c.alpha2);
      if (core::fold(name).find(q) == std::string::npos && core::fold(c.alpha2) != q) continue;
      vm_.country_matches.emplace_back(c.alpha2, name);
      if (vm_.country_matches.size() >= 6) break;
    }
  }

  void refused(AppContext& ctx, const core::Error& e) {
    vm_.errors = e.fields;
    vm_.form_error = error_message(e);
    ctx.notify(vm_.form_error, true);
  }

  void apply(AppContext& ctx, const CaseIntents& in) {
    auto* s = ctx.session();
    if (s == nullptr) return;
    if (in.open_panel) open_panel(*in.open_panel);
    if (in.reject_referral != 0) {
      open_panel(Panel::Reject);
      vm_.reject_id = in.reject_referral;
    }
    if (in.country_query_changed) find_countries();
    if (in.cancel) {
      open_panel(Panel::None);
    }
    if (in.referral_status) {
      auto r = core::CaseService(*s).set_referral_status(in.referral_status->first, in.referral_status->second, std::nullopt);
      if (!r) {
        ctx.notify(error_message(r.error()), true);
      } else {
        ctx.notify(tr("Saved."));
        load(ctx);
      }
    }
    if (in.save) {
      keyboard().deactivate();
      if (auto r = save(*s); !r) {
        refused(ctx, r.error());
      } else {
        ctx.notify(tr("Saved."));
        const auto id = vm_.case_id;
        open_panel(Panel::None);
        vm_.case_id = id;
        load(ctx);  // re-read: what is shown is what core holds
      }
    }
    if (in.back) {
      clear();
      ctx.navigate(Screen::Cases);
    }
  }

  CaseVm vm_;
  std::int64_t pending_ = 0;
};

}  // namespace

std::unique_ptr<ScreenController> make_case_screen() { return std::make_unique<CaseScreen>(); }

void case_screen_set_case(ScreenController& c, std::int64_t case_id) {
  if (auto* cs = dynamic_cast<CaseScreen*>(&c)) cs->set_case(case_id);
}

namespace {
bool tap_first(Driver& d, std::string_view prefix) {
  for (const auto& it : semantics().items())
    if (it.id.starts_with(prefix)) return d.tap(std::string(it.id));
  return false;
}

const bool kScenes =
    register_scene({50, "case", [](Driver& d) {
                      return unlock_demo(d, "Leyla") && d.tap(tr("Cases")) && tap_first(d, "row:");
                    }}) &&
    register_scene({51, "case-add-service", [](Driver& d) {
                      return unlock_demo(d, "Leyla") && d.tap(tr("Cases")) && tap_first(d, "row:") &&
                             d.tap("btn:add-service") && d.tap("service-type=medical");
                    }}) &&
    register_scene({52, "case-officer", [](Driver& d) {
                      return unlock_demo(d, "Aysel") && d.tap(tr("Cases")) && tap_first(d, "row:");
                    }});
}  // namespace

}  // namespace ik::ui
