// Shelter intake wizard.
// Shows: a choice between resuming one of the user's saved drafts (when and at which step it was
// saved — never a name) and starting a new intake; then seven steps — consent, person,
// exploitation, needs and risk, status and referral source, bed, review — with the progress
// ("Step N of 7" and the step names), Back and Next fixed under a drag-scrolled step, each
// field's error under it in the user's language, touch pickers for countries and languages (a
// search field over the names, common choices on top), the free beds by wing (the suggested wing
// first), and a readable summary with Save.
// Emits: save_draft (at every step change, whenever a choice changes and whenever a finished
// field is left — so a lock or a power cut loses at most the field being typed), load_draft,
// discard_draft, register_intake, intake_from_call (a hotline call that becomes an intake), the
// bed board; then open_case (or Home when the role may not view cases).
// Never: advances past a step core's validate_step() refuses, drops anything typed on Back or
// Next, shows a name in the list of drafts, or keeps the form, drafts or beds after wipe().
#include <algorithm>
#include <cfloat>
#include <charconv>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <imgui_internal.h>

#include "core/beds.hpp"
#include "core/calls.hpp"
#include "core/codes.hpp"
#include "core/intake.hpp"
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

using core::IntakeStep;
using Options = std::vector<std::pair<std::string, std::string>>;

constexpr int kSteps = core::kIntakeSteps;
constexpr const char* kStepNames[kSteps] = {
    IK_N_("Consent"),         IK_N_("Person"), IK_N_("Exploitation"),   IK_N_("Needs and risk"),
    IK_N_("Status and source"), IK_N_("Bed"),  IK_N_("Review and save"),
};
constexpr std::string_view kCommonCountries[] = {"AZ", "RU", "UZ", "TJ", "KG", "UA", "GE", "TR", "IR"};
constexpr std::string_view kCommonLanguages[] = {"aze", "rus", "uzb", "tgk", "kir", "ukr", "kat", "tur", "eng"};
constexpr std::size_t kMaxDraftsShown = 6;

// The step each of core's field names belongs to (validate_step in core/intake.cpp).
IntakeStep step_of(std::string_view field) {
  static constexpr std::pair<std::string_view, IntakeStep> kFields[] = {
      {"consent_given_on", IntakeStep::Consent},
      {"given_name", IntakeStep::Person},
      {"family_name", IntakeStep::Person},
      {"alias", IntakeStep::Person},
      {"gender", IntakeStep::Person},
      {"birth_date", IntakeStep::Person},
      {"age_estimate", IntakeStep::Person},
      {"citizenship", IntakeStep::Person},
      {"languages", IntakeStep::Person},
      {"marital_status", IntakeStep::Person},
      {"education", IntakeStep::Person},
      {"phone", IntakeStep::Person},
      {"exploitation_types", IntakeStep::Exploitation},
      {"labour_sector", IntakeStep::Exploitation},
      {"sexual_exploitation", IntakeStep::Exploitation},
      {"means_of_control", IntakeStep::Exploitation},
      {"recruitment", IntakeStep::Exploitation},
      {"recruiter_relation", IntakeStep::Exploitation},
      {"countries_origin", IntakeStep::Exploitation},
      {"countries_transit", IntakeStep::Exploitation},
      {"countries_exploitation", IntakeStep::Exploitation},
      {"exploitation_started_on", IntakeStep::Exploitation},
      {"exploitation_ended_on", IntakeStep::Exploitation},
      {"needs", IntakeStep::NeedsRisk},
      {"risk_level", IntakeStep::NeedsRisk},
      {"protection_measures", IntakeStep::NeedsRisk},
      {"scope", IntakeStep::StatusSource},
      {"intake_source", IntakeStep::StatusSource},
      {"source_organisation_type", IntakeStep::StatusSource},
      {"source_organisation", IntakeStep::StatusSource},
      {"repatriation_status", IntakeStep::StatusSource},
      {"repatriation_destination", IntakeStep::StatusSource},
      {"notes", IntakeStep::StatusSource},
      {"bed", IntakeStep::Bed},
  };
  for (const auto& [name, step] : kFields)
    if (name == field) return step;
  return IntakeStep::Review;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the view (no core calls).

// tr() with its first two "{}" replaced.
std::string tr2(std::string_view msgid, std::string_view a, std::string_view b) {
  std::string s = tr(msgid);
  if (const auto p = s.find("{}"); p != std::string::npos) {
    s.replace(p, 2, a);
    if (const auto q = s.find("{}", p + a.size()); q != std::string::npos) s.replace(q, 2, b);
  }
  return s;
}

std::string step_heading(IntakeStep step) {
  const int n = static_cast<int>(step) + 1;
  return fmt::format("{} \u00B7 {}", tr2("Step {} of {}", std::to_string(n), std::to_string(kSteps)),
                     tr(kStepNames[n - 1]));
}

std::string local_time(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min);
}

std::string clock_time(std::int64_t unix_seconds) { return local_time(unix_seconds).substr(11); }

// Overwrites a string's bytes before it is dropped (wipe()).
void scrub(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
  s.shrink_to_fit();
}
void scrub(std::optional<std::string>& s) {
  if (s) scrub(*s);
  s.reset();
}

void scrub(core::IntakeForm& f) {
  auto& p = f.person;
  for (auto* s : {&p.given_name, &p.family_name, &p.alias, &p.birth_date, &p.citizenship, &p.marital_status,
                  &p.education, &p.phone, &f.consent.given_on, &f.protection_measures, &f.source_organisation_type,
                  &f.source_organisation, &f.repatriation_destination, &f.notes, &f.exploitation.labour_sector,
                  &f.exploitation.sexual_exploitation, &f.exploitation.recruitment,
                  &f.exploitation.recruiter_relation, &f.exploitation.started_on, &f.exploitation.ended_on})
    scrub(*s);
  for (auto* s : {&p.gender, &p.languages, &f.exploitation.types, &f.exploitation.means_of_control,
                  &f.exploitation.countries_origin, &f.exploitation.countries_transit,
                  &f.exploitation.countries_exploitation})
    scrub(*s);
  for (auto& n : f.needs) scrub(n);
  f = core::IntakeForm{};
}

// Picker search: core/search.hpp's folding (lower case, no diacritics, ə as e, ё as е), the
// same the case search uses, so "turkiye" finds "Türkiyə".
using core::fold;

bool is_common(bool countries, std::string_view code) {
  const auto list = countries ? std::span<const std::string_view>(kCommonCountries)
                              : std::span<const std::string_view>(kCommonLanguages);
  return std::find(list.begin(), list.end(), code) != list.end();
}

std::string iso_name(bool countries, std::string_view code) {
  auto n = countries ? country_name(code) : language_name(code);
  return n.empty() ? std::string(code) : n;
}

// Countries or picker languages in display order for the current language, with their folded
// names for the search. Reference data only (no records), cached per language.
struct IsoEntry {
  std::string code, name, folded;
};
const std::vector<IsoEntry>& iso_entries(bool countries) {
  static std::vector<IsoEntry> cache[2][3];
  auto& v = cache[countries ? 0 : 1][static_cast<int>(language())];
  if (!v.empty()) return v;
  const auto& iso = core::IsoCodes::system();
  if (countries) {
    for (const auto& c : iso.countries_sorted(language())) {
      auto name = country_name(c.alpha2);
      auto folded = fold(name) + "\n" + fold(c.name_en) + "\n" + fold(c.alpha2);
      v.push_back({c.alpha2, std::move(name), std::move(folded)});
    }
  } else {
    for (const auto& l : iso.languages_sorted(language(), kCommonLanguages)) {
      auto name = language_name(l.alpha3);
      auto folded = fold(name) + "\n" + fold(l.name_en) + "\n" + fold(l.alpha3);
      v.push_back({l.alpha3, std::move(name), std::move(folded)});
    }
  }
  return v;
}

std::string iso_names(bool countries, std::string_view joined) {
  std::string out;
  for (const auto& c : core::codes::split(joined)) {
    if (!out.empty()) out += ", ";
    out += iso_name(countries, c);
  }
  return out;
}

std::string code_names(std::string_view list, std::string_view joined) {
  std::string out;
  for (const auto& c : core::codes::split(joined)) {
    if (!out.empty()) out += ", ";
    out += tr_code(list, c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Widgets this screen needs beyond ui/widgets.hpp (see the report: candidates for widgets.cpp).



// A list entry of fixed width whose label wraps (a long country name is never cut off).
bool option_button(std::string_view text, bool selected, std::string_view id, float w) {
  const auto& m = metrics();
  const std::string label_s(text), id_s(id);
  ImFont* font = fonts().bold;
  const float pad = m.gap;
  const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, w - 2 * pad, label_s.c_str());
  const float h = std::max(m.touch_px, ts.y + pad * 1.2f);
  ImGui::PushID(id_s.c_str());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool pressed = ImGui::InvisibleButton("option", ImVec2(w, h));
  const bool held = ImGui::IsItemActive();
  ImGui::PopID();
  const ImVec2 end(pos.x + w, pos.y + h);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 bg = selected ? colour::kAccent : held ? IM_COL32(0xC9, 0xD1, 0xDA, 0xFF) : IM_COL32(0xE3, 0xE8, 0xEE, 0xFF);
  dl->AddRectFilled(pos, end, bg, ImGui::GetStyle().FrameRounding);
  dl->AddText(font, font->FontSize, ImVec2(pos.x + pad, pos.y + (h - ts.y) * 0.5f),
              selected ? colour::kAccentText : colour::kText, label_s.c_str(), nullptr, w - 2 * pad);
  semantics().add({ItemKind::Button, id_s, label_s, {}, pos, end, true});
  return pressed;
}

// A button in a left-to-right flow that wraps at the region's right edge (callers end the flow
// with ImGui::NewLine()).

bool choice_opt(std::string_view id, const Options& options, std::optional<std::string>* value) {
  std::string v = value->value_or("");
  if (!choice(id, options, &v, true)) return false;
  *value = v.empty() ? std::nullopt : std::optional<std::string>(v);
  return true;
}

// Two or three fields side by side.
bool begin_columns(const char* id, int n) {
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(metrics().gap * 0.75f, metrics().gap * 0.3f));
  const bool open = ImGui::BeginTable(id, n, ImGuiTableFlags_SizingStretchSame);
  ImGui::PopStyleVar();
  return open;
}

// The drag-scrolled region, recorded as "scroll:<name>" so tests and scenes can drag it.
void begin_drag_scroll(std::string_view name, float height) {
  begin_scroll(fmt::format("##scroll-{}", name), ImVec2(0, height));
}
void end_drag_scroll(std::string_view name) {
  end_scroll();
  semantics().add({ItemKind::Text, fmt::format("scroll:{}", name), "", "", ImGui::GetItemRectMin(),
                   ImGui::GetItemRectMax(), true});
}

// ---------------------------------------------------------------------------------------------
// The view model and what its drawing may ask for.

enum class Phase { Idle, Refused, Choose, Wizard };

struct Picker {
  std::string field;  // empty: closed
  const char* title = "";
  bool countries = true;
  bool multi = false;
  std::string query;
  bool scroll_top = true;
};

struct Intent {
  enum class Kind { Next, GoTo, Save, SaveDraft, Resume, StartNew, Discard, Home } kind;
  std::int64_t arg = 0;
};

struct IntakeVm {
  Phase phase = Phase::Idle;
  std::string refusal;  // translated
  std::vector<core::DraftInfo> drafts;
  std::int64_t confirm_discard = 0;

  core::IntakeForm form;
  IntakeStep step = IntakeStep::Consent;
  std::int64_t draft_id = 0;
  std::string age_text;  // the age field as typed
  std::vector<core::FieldError> errors;
  bool changed = false;   // a widget changed the form in this frame
  bool dirty = false;     // changed since the draft was last saved
  bool unsaved = false;   // the last draft save failed
  std::int64_t saved_at = 0;
  bool scroll_top = false, scroll_to_error = false;
  Picker picker;

  bool can_view_beds = false;
  std::vector<core::BedView> board;  // every active bed (occupied ones carry a case number only)
  std::optional<std::string> suggested_wing;
  std::string beds_note;  // translated

  std::vector<Intent> intents;
};

// ---------------------------------------------------------------------------------------------
// Drawing: reads and edits the view model, queues intents; never calls a core service.

void note_error(IntakeVm& vm) {
  if (!vm.scroll_to_error) return;
  ImGui::SetScrollHereY(0.25f);
  vm.scroll_to_error = false;
}

void show_error(IntakeVm& vm, std::string_view field) {
  if (const char* e = field_error(vm.errors, field)) {
    error_text(e);
    note_error(vm);
  }
}

// A text field whose id is core's field name, with that field's error under it.
template <class V>
void field(IntakeVm& vm, std::string_view name, const char* msgid, V* value, FieldKind kind = FieldKind::Text,
           std::size_t max_chars = 200) {
  const char* e = field_error(vm.errors, name);
  vm.changed |= text_field(name, tr(msgid), value, kind, e, max_chars);
  if (e) note_error(vm);
}

void section(const char* msgid) {
  ImGui::Dummy(ImVec2(1, metrics().gap * 0.5f));
  label(tr(msgid));
}

std::string picker_value(const core::IntakeForm& f, std::string_view field) {
  if (field == "citizenship") return f.person.citizenship.value_or("");
  if (field == "languages") return f.person.languages;
  if (field == "countries_origin") return f.exploitation.countries_origin;
  if (field == "countries_transit") return f.exploitation.countries_transit;
  if (field == "countries_exploitation") return f.exploitation.countries_exploitation;
  if (field == "repatriation_destination") return f.repatriation_destination.value_or("");
  return {};
}

void set_picker_value(core::IntakeForm& f, std::string_view field, std::string v) {
  auto opt = v.empty() ? std::nullopt : std::optional<std::string>(v);
  if (field == "citizenship") f.person.citizenship = opt;
  else if (field == "languages") f.person.languages = std::move(v);
  else if (field == "countries_origin") f.exploitation.countries_origin = std::move(v);
  else if (field == "countries_transit") f.exploitation.countries_transit = std::move(v);
  else if (field == "countries_exploitation") f.exploitation.countries_exploitation = std::move(v);
  else if (field == "repatriation_destination") f.repatriation_destination = opt;
}

// The field's current value as a button; tapping it opens the picker page.
void picker_field(IntakeVm& vm, const char* field_name, const char* msgid, bool countries, bool multi) {
  label(tr(msgid));
  const auto value = picker_value(vm.form, field_name);
  const std::string shown = value.empty() ? std::string(tr("Choose\u2026")) : iso_names(countries, value);
  ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
  if (button(shown, ImVec2(ImGui::GetContentRegionAvail().x, 0), Style::Secondary, true,
             fmt::format("pick:{}", field_name))) {
    keyboard().deactivate();
    vm.picker = Picker{field_name, msgid, countries, multi, {}, true};
  }
  ImGui::PopStyleVar();
  // Ends the cell on a line without a text baseline, so a neighbouring column's label is not
  // pushed down to the button's baseline.
  ImGui::Dummy(ImVec2(0, 0));
  show_error(vm, field_name);
}

void draw_consent(IntakeVm& vm) {
  auto& c = vm.form.consent;
  wrapped(tr("Read each consent to the person in a language they understand. Each one is their free choice."));
  ImGui::Spacing();
  vm.changed |= big_toggle(tr_code("consent_kind", "manage_data"), &c.manage_data, "consent:manage_data");
  vm.changed |= big_toggle(tr_code("consent_kind", "share_law_enforcement"), &c.share_law_enforcement,
                           "consent:share_law_enforcement");
  vm.changed |= big_toggle(tr_code("consent_kind", "referral"), &c.referral, "consent:referral");
  if (!c.manage_data)
    muted(tr("Without consent to manage personal data the intake stays anonymous: no names, birth date or phone."));
  ImGui::Spacing();
  if (begin_columns("##consent-date", 2)) {
    ImGui::TableNextColumn();
    field(vm, "consent_given_on", IK_N_("Date consent was given"), &c.given_on, FieldKind::Date);
    ImGui::EndTable();
  }
}

void draw_person(IntakeVm& vm) {
  auto& p = vm.form.person;
  if (!vm.form.consent.manage_data)
    error_text(tr("Without consent to manage personal data the intake stays anonymous: no names, birth date or phone."));
  if (begin_columns("##names", 2)) {
    ImGui::TableNextColumn();
    field(vm, "given_name", IK_N_("Given name"), &p.given_name);
    ImGui::TableNextColumn();
    field(vm, "family_name", IK_N_("Family name"), &p.family_name);
    ImGui::TableNextColumn();
    field(vm, "alias", IK_N_("Alias or nickname"), &p.alias);
    ImGui::TableNextColumn();
    field(vm, "phone", IK_N_("Phone"), &p.phone, FieldKind::Phone, 32);
    ImGui::EndTable();
  }
  section(IK_N_("Gender"));
  vm.changed |= choice("gender", code_options("gender"), &p.gender);
  show_error(vm, "gender");
  if (begin_columns("##age", 2)) {
    ImGui::TableNextColumn();
    field(vm, "birth_date", IK_N_("Birth date"), &p.birth_date, FieldKind::Date);
    ImGui::TableNextColumn();
    const char* e = field_error(vm.errors, "age_estimate");
    if (text_field("age_estimate", tr("Or an estimated age"), &vm.age_text, FieldKind::Number, e, 3)) {
      vm.changed = true;
      std::int64_t age = 0;
      const auto* end = vm.age_text.data() + vm.age_text.size();
      if (vm.age_text.empty()) p.age_estimate.reset();
      else if (std::from_chars(vm.age_text.data(), end, age).ptr == end) p.age_estimate = age;
      else p.age_estimate = 999;  // not a number it can be: the range check says so
    }
    if (e) note_error(vm);
    ImGui::EndTable();
  }
  muted(tr("The birth date, or an estimated age when it is not known."));
  if (begin_columns("##origin", 2)) {
    ImGui::TableNextColumn();
    picker_field(vm, "citizenship", IK_N_("Citizenship"), true, false);
    ImGui::TableNextColumn();
    picker_field(vm, "languages", IK_N_("Languages spoken"), false, true);
    ImGui::EndTable();
  }
  section(IK_N_("Marital status"));
  vm.changed |= choice_opt("marital_status", code_options("marital_status"), &p.marital_status);
  show_error(vm, "marital_status");
  section(IK_N_("Education"));
  vm.changed |= choice_opt("education", code_options("education"), &p.education);
  show_error(vm, "education");
}

bool has_code(std::string_view joined, std::string_view code) {
  const auto v = core::codes::split(joined);
  return std::find(v.begin(), v.end(), code) != v.end();
}

void draw_exploitation(IntakeVm& vm) {
  auto& e = vm.form.exploitation;
  section(IK_N_("Types of exploitation"));
  vm.changed |= multi_choice("exploitation_types", code_options("exploitation_type"), &e.types);
  show_error(vm, "exploitation_types");
  if (has_code(e.types, "forced_labour") || e.labour_sector) {
    section(IK_N_("Labour sector"));
    vm.changed |= choice_opt("labour_sector", code_options("labour_sector"), &e.labour_sector);
    show_error(vm, "labour_sector");
  }
  if (has_code(e.types, "sexual") || e.sexual_exploitation) {
    section(IK_N_("Type of sexual exploitation"));
    vm.changed |= choice_opt("sexual_exploitation", code_options("sexual_exploitation"), &e.sexual_exploitation);
    show_error(vm, "sexual_exploitation");
  }
  section(IK_N_("Means of control"));
  vm.changed |= multi_choice("means_of_control", code_options("means_of_control"), &e.means_of_control);
  show_error(vm, "means_of_control");
  section(IK_N_("Recruitment"));
  vm.changed |= choice_opt("recruitment", code_options("recruitment"), &e.recruitment);
  show_error(vm, "recruitment");
  section(IK_N_("The recruiter was"));
  vm.changed |= choice_opt("recruiter_relation", code_options("recruiter_relation"), &e.recruiter_relation);
  show_error(vm, "recruiter_relation");
  ImGui::Spacing();
  if (begin_columns("##countries", 3)) {
    ImGui::TableNextColumn();
    picker_field(vm, "countries_origin", IK_N_("Countries of origin"), true, true);
    ImGui::TableNextColumn();
    picker_field(vm, "countries_transit", IK_N_("Countries of transit"), true, true);
    ImGui::TableNextColumn();
    picker_field(vm, "countries_exploitation", IK_N_("Countries of exploitation"), true, true);
    ImGui::EndTable();
  }
  if (begin_columns("##period", 2)) {
    ImGui::TableNextColumn();
    field(vm, "exploitation_started_on", IK_N_("Exploitation started on"), &e.started_on, FieldKind::Date);
    ImGui::TableNextColumn();
    field(vm, "exploitation_ended_on", IK_N_("Exploitation ended on"), &e.ended_on, FieldKind::Date);
    ImGui::EndTable();
  }
}

void draw_needs(IntakeVm& vm) {
  auto& f = vm.form;
  section(IK_N_("Needs"));
  std::string joined = core::codes::join(f.needs);
  if (multi_choice("needs", code_options("need"), &joined)) {
    f.needs = core::codes::split(joined);
    vm.changed = true;
  }
  show_error(vm, "needs");
  section(IK_N_("Risk level"));
  vm.changed |= choice("risk_level", code_options("risk_level"), &f.risk_level);
  show_error(vm, "risk_level");
  ImGui::Spacing();
  vm.changed |= big_toggle(tr("The person is a witness in criminal proceedings"), &f.is_witness, "is_witness");
  ImGui::Spacing();
  field(vm, "protection_measures", IK_N_("Protection measures"), &f.protection_measures, FieldKind::Multiline, 1000);
}

void draw_status(IntakeVm& vm) {
  auto& f = vm.form;
  section(IK_N_("Scope"));
  vm.changed |= choice("scope", code_options("scope"), &f.scope);
  show_error(vm, "scope");
  section(IK_N_("How the person came to the shelter"));
  vm.changed |= choice("intake_source", code_options("intake_source"), &f.intake_source);
  show_error(vm, "intake_source");
  section(IK_N_("Referring organisation"));
  vm.changed |= choice_opt("source_organisation_type", code_options("organisation_type"), &f.source_organisation_type);
  show_error(vm, "source_organisation_type");
  field(vm, "source_organisation", IK_N_("Name of the referring organisation"), &f.source_organisation);
  section(IK_N_("Repatriation"));
  vm.changed |= choice("repatriation_status", code_options("repatriation_status"), &f.repatriation_status);
  show_error(vm, "repatriation_status");
  if (f.repatriation_status != "not_applicable" || f.repatriation_destination) {
    if (begin_columns("##repatriation", 2)) {
      ImGui::TableNextColumn();
      picker_field(vm, "repatriation_destination", IK_N_("Repatriation to"), true, false);
      ImGui::EndTable();
    }
  }
  ImGui::Spacing();
  field(vm, "notes", IK_N_("Notes"), &f.notes, FieldKind::Multiline, 2000);
}

std::vector<std::string> wing_order(const IntakeVm& vm) {
  std::vector<std::string> out;
  if (vm.suggested_wing) out.push_back(*vm.suggested_wing);
  for (const auto& c : core::codes::list("wing").codes)
    if (std::find(out.begin(), out.end(), c.code) == out.end()) out.emplace_back(c.code);
  return out;
}

void draw_bed(IntakeVm& vm) {
  auto& f = vm.form;
  show_error(vm, "bed");
  if (!vm.can_view_beds) {
    wrapped(tr("Your role cannot see the bed board. The shelter staff will give the person a bed."));
  } else {
    if (!vm.beds_note.empty()) error_text(vm.beds_note);
    if (vm.suggested_wing)
      muted(trf("Suggested from gender and age: {}", tr_code("wing", *vm.suggested_wing)));
    else
      muted(tr("No wing is suggested: gender or age is not known."));
    for (const auto& wing : wing_order(vm)) {
      std::vector<const core::BedView*> free;
      for (const auto& b : vm.board)
        if (b.wing == wing && !b.case_id) free.push_back(&b);
      ImGui::Dummy(ImVec2(1, metrics().gap * 0.5f));
      std::string head = fmt::format("{} \u2014 {}", tr_code("wing", wing), trf("{} free", std::to_string(free.size())));
      if (vm.suggested_wing && wing == *vm.suggested_wing) head += fmt::format("  ({})", tr("suggested"));
      label(head);
      if (free.empty()) {
        muted(tr("No free bed in this wing."));
        continue;
      }
      ImGui::BeginGroup();
      for (const auto* b : free) {
        const bool sel = f.bed_id == b->id;
        if (flow_button(sel ? fmt::format("\u2713 {}", b->label) : b->label, sel, fmt::format("bed:{}", b->label))) {
          f.bed_id = b->id;
          vm.changed = true;
        }
      }
      ImGui::NewLine();
      ImGui::EndGroup();
    }
  }
  ImGui::Dummy(ImVec2(1, metrics().gap));
  if (button(tr("No bed now"), ImVec2(std::max(metrics().touch_px * 5, bold_width(tr("No bed now")) + metrics().gap * 4), 0),
             f.bed_id ? Style::Secondary : Style::Primary, true, "bed:none")) {
    f.bed_id.reset();
    vm.changed = true;
  }
}

std::string bed_text(const IntakeVm& vm) {
  if (!vm.form.bed_id) return tr("No bed now");
  for (const auto& b : vm.board)
    if (b.id == *vm.form.bed_id) return fmt::format("{} ({})", b.label, tr_code("wing", b.wing));
  return tr("A bed chosen earlier");
}

void draw_review(IntakeVm& vm) {
  const auto& f = vm.form;
  const auto& p = f.person;
  const auto& e = f.exploitation;
  const std::string none = "\u2014";
  auto text = [&](const std::optional<std::string>& v) { return v && !v->empty() ? *v : none; };
  auto or_none = [&](std::string v) { return v.empty() ? none : v; };
  auto code = [&](std::string_view list, const std::optional<std::string>& v) {
    return v && !v->empty() ? std::string(tr_code(list, *v)) : none;
  };
  auto yes_no = [](bool b) { return std::string(b ? tr("Yes") : tr("No")); };
  using Rows = std::vector<std::pair<std::string, std::string>>;
  auto block = [&](IntakeStep step, const Rows& rows) {
    const auto& m = metrics();
    ImGui::Dummy(ImVec2(1, m.gap * 0.5f));
    ImGui::AlignTextToFramePadding();
    label(tr(kStepNames[static_cast<int>(step)]));
    const float cw = std::max(m.touch_px * 2.6f, bold_width(tr("Change")) + m.gap * 4);
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - cw);
    if (button(tr("Change"), ImVec2(cw, 0), Style::Secondary, true,
               fmt::format("edit:{}", static_cast<int>(step))))
      vm.intents.push_back({Intent::Kind::GoTo, static_cast<std::int64_t>(step)});
    if (ImGui::BeginTable(fmt::format("##review-{}", static_cast<int>(step)).c_str(), 2,
                          ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
      ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthStretch, 0.35f);
      ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch, 0.65f);
      for (const auto& [k, v] : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushStyleColor(ImGuiCol_Text, colour::kMuted);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(k.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ImGui::TableNextColumn();
        wrapped(v);
      }
      ImGui::EndTable();
    }
    for (const auto& err : vm.errors)
      if (step_of(err.field) == step) {
        error_text(tr("This part needs attention."));
        break;
      }
  };
  std::string age = p.birth_date ? *p.birth_date : none;
  if (p.age_estimate) age = p.birth_date ? fmt::format("{} ({})", age, trf("about {}", std::to_string(*p.age_estimate)))
                                         : trf("about {}", std::to_string(*p.age_estimate));
  std::string name;
  for (const auto* part : {&p.given_name, &p.family_name})
    if (*part && !(*part)->empty()) name += (name.empty() ? "" : " ") + **part;
  std::string period = none;
  if (e.started_on || e.ended_on) period = fmt::format("{} \u2013 {}", text(e.started_on), text(e.ended_on));
  std::string org = code("organisation_type", f.source_organisation_type);
  if (f.source_organisation && !f.source_organisation->empty()) org = fmt::format("{}: {}", org, *f.source_organisation);
  std::string repat = tr_code("repatriation_status", f.repatriation_status);
  if (f.repatriation_destination) repat += fmt::format(" \u2192 {}", country_name(*f.repatriation_destination));

  block(IntakeStep::Consent, {{tr_code("consent_kind", "manage_data"), yes_no(f.consent.manage_data)},
                              {tr_code("consent_kind", "share_law_enforcement"), yes_no(f.consent.share_law_enforcement)},
                              {tr_code("consent_kind", "referral"), yes_no(f.consent.referral)},
                              {tr("Date consent was given"), text(f.consent.given_on)}});
  block(IntakeStep::Person, {{tr("Name"), or_none(name)},
                             {tr("Alias or nickname"), text(p.alias)},
                             {tr("Gender"), tr_code("gender", p.gender)},
                             {tr("Birth date or age"), age},
                             {tr("Citizenship"), p.citizenship ? iso_name(true, *p.citizenship) : none},
                             {tr("Languages spoken"), or_none(iso_names(false, p.languages))},
                             {tr("Marital status"), code("marital_status", p.marital_status)},
                             {tr("Education"), code("education", p.education)},
                             {tr("Phone"), text(p.phone)}});
  block(IntakeStep::Exploitation, {{tr("Types of exploitation"), or_none(code_names("exploitation_type", e.types))},
                                   {tr("Labour sector"), code("labour_sector", e.labour_sector)},
                                   {tr("Type of sexual exploitation"), code("sexual_exploitation", e.sexual_exploitation)},
                                   {tr("Means of control"), or_none(code_names("means_of_control", e.means_of_control))},
                                   {tr("Recruitment"), code("recruitment", e.recruitment)},
                                   {tr("The recruiter was"), code("recruiter_relation", e.recruiter_relation)},
                                   {tr("Countries of origin"), or_none(iso_names(true, e.countries_origin))},
                                   {tr("Countries of transit"), or_none(iso_names(true, e.countries_transit))},
                                   {tr("Countries of exploitation"), or_none(iso_names(true, e.countries_exploitation))},
                                   {tr("Period"), period}});
  block(IntakeStep::NeedsRisk, {{tr("Needs"), or_none(code_names("need", core::codes::join(f.needs)))},
                                {tr("Risk level"), tr_code("risk_level", f.risk_level)},
                                {tr("Witness in criminal proceedings"), yes_no(f.is_witness)},
                                {tr("Protection measures"), text(f.protection_measures)}});
  block(IntakeStep::StatusSource, {{tr("Scope"), tr_code("scope", f.scope)},
                                   {tr("How the person came to the shelter"), tr_code("intake_source", f.intake_source)},
                                   {tr("Referring organisation"), org},
                                   {tr("Repatriation"), repat},
                                   {tr("Notes"), text(f.notes)}});
  block(IntakeStep::Bed, {{tr("Bed"), bed_text(vm)}});
}

void draw_progress(IntakeVm& vm) {
  const auto& m = metrics();
  const float avail = ImGui::GetContentRegionAvail().x;
  const float gap = m.gap * 0.5f;
  const float w = (avail - gap * (kSteps - 1)) / kSteps;
  const float h = m.font_px + m.gap;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const int cur = static_cast<int>(vm.step);
  for (int i = 0; i < kSteps; ++i) {
    const ImVec2 a(p.x + static_cast<float>(i) * (w + gap), p.y), b(a.x + w, a.y + h);
    const ImU32 bg = i == cur ? colour::kAccent : i < cur ? IM_COL32(0xC9, 0xDD, 0xEC, 0xFF) : IM_COL32(0xE3, 0xE8, 0xEE, 0xFF);
    dl->AddRectFilled(a, b, bg, m.gap * 0.4f);
    const std::string text = fmt::format("{}. {}", i + 1, tr(kStepNames[i]));
    ImGui::PushStyleColor(ImGuiCol_Text, i == cur ? colour::kAccentText : colour::kText);
    const float x1 = b.x - m.gap * 0.5f;
    ImGui::RenderTextEllipsis(dl, ImVec2(a.x + m.gap * 0.5f, a.y + (h - m.font_px) * 0.5f), ImVec2(x1, b.y), x1, x1,
                              text.c_str(), nullptr, nullptr);
    ImGui::PopStyleColor();
    semantics().add({ItemKind::Text, fmt::format("step:{}", i), text, i == cur ? "current" : i < cur ? "done" : "", a,
                     b, true});
  }
  ImGui::Dummy(ImVec2(avail, h));
}

void draw_nav(IntakeVm& vm) {
  const auto& m = metrics();
  const bool last = vm.step == IntakeStep::Review;
  const float bw = std::max({m.touch_px * 3.5f, bold_width(tr("Back")) + m.gap * 4, bold_width(tr("Next")) + m.gap * 4,
                             bold_width(tr("Save intake")) + m.gap * 4});
  if (button(tr("Back"), ImVec2(bw, 0), Style::Secondary, vm.step != IntakeStep::Consent, "btn:back"))
    vm.intents.push_back({Intent::Kind::GoTo, static_cast<std::int64_t>(vm.step) - 1});
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  if (!vm.errors.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::kDanger);
    ImGui::TextUnformatted(tr("Check the fields marked in red."));
    ImGui::PopStyleColor();
  } else if (vm.unsaved) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::kDanger);
    ImGui::TextUnformatted(tr("The draft could not be saved."));
    ImGui::PopStyleColor();
  } else if (vm.saved_at != 0) {
    muted(trf("Draft saved at {}", clock_time(vm.saved_at)));
  } else {
    ImGui::Dummy(ImVec2(1, 1));
  }
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw);
  if (last) {
    if (button(tr("Save intake"), ImVec2(bw, 0), Style::Primary, true, "btn:save"))
      vm.intents.push_back({Intent::Kind::Save});
  } else if (button(tr("Next"), ImVec2(bw, 0), Style::Primary, true, "btn:next")) {
    vm.intents.push_back({Intent::Kind::Next});
  }
}

void draw_picker(IntakeVm& vm) {
  const auto& m = metrics();
  auto& pk = vm.picker;
  const bool compact = keyboard().active();
  if (compact) label(tr(pk.title));
  else title(tr(pk.title));
  if (text_field("picker:search", pk.countries ? tr("Search countries by name") : tr("Search languages by name"),
                 &pk.query, FieldKind::Text, nullptr, 40))
    pk.scroll_top = true;
  std::string value = picker_value(vm.form, pk.field);
  auto selected = core::codes::split(value);
  auto is_selected = [&](const std::string& c) { return std::find(selected.begin(), selected.end(), c) != selected.end(); };
  bool picked = false;
  auto pick = [&](const std::string& code) {
    if (!pk.multi) {
      value = code;
      picked = true;
    } else if (auto it = std::find(selected.begin(), selected.end(), code); it != selected.end()) {
      selected.erase(it);
      value = core::codes::join(selected);
    } else {
      selected.push_back(code);
      value = core::codes::join(selected);
    }
    set_picker_value(vm.form, pk.field, value);
    selected = core::codes::split(value);
    vm.changed = true;
  };
  if (pk.multi && !selected.empty()) {
    muted(tr("Chosen \u2014 tap one to remove it:"));
    ImGui::BeginGroup();
    for (const auto& c : std::vector<std::string>(selected))
      if (flow_button(fmt::format("\u2713 {}", iso_name(pk.countries, c)), true, fmt::format("picked:{}", c))) pick(c);
    ImGui::NewLine();
    ImGui::EndGroup();
  }
  const float bar = m.touch_px + ImGui::GetStyle().ItemSpacing.y;
  if (pk.scroll_top) {  // a new list starts at its top
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, 0.0f));
    pk.scroll_top = false;
  }
  begin_drag_scroll("picker", std::max(m.touch_px, ImGui::GetContentRegionAvail().y - bar));
  const float avail = ImGui::GetContentRegionAvail().x;
  const int cols = avail > m.touch_px * 20 ? 4 : 3;
  const float w = (avail - m.gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
  int col = 0;
  auto grid_item = [&](const std::string& code, const std::string& name) {
    if (col++ % cols) ImGui::SameLine();
    const bool sel = is_selected(code);
    if (option_button(sel ? fmt::format("\u2713 {}", name) : name, sel, fmt::format("opt:{}", code), w)) pick(code);
  };
  const auto& entries = iso_entries(pk.countries);
  const std::string q = fold(pk.query);
  if (q.empty()) {
    label(tr("Common choices"));
    const auto common = pk.countries ? std::span<const std::string_view>(kCommonCountries)
                                     : std::span<const std::string_view>(kCommonLanguages);
    for (const auto c : common) grid_item(std::string(c), iso_name(pk.countries, c));
    col = 0;
    ImGui::Dummy(ImVec2(1, m.gap * 0.5f));
    label(pk.countries ? tr("All countries") : tr("All languages"));
    for (const auto& en : entries)
      if (!is_common(pk.countries, en.code)) grid_item(en.code, en.name);
  } else {
    // Names that start with what was typed (or have a word that does) first, then the others.
    auto starts = [&](const std::string& folded) {
      return folded.rfind(q, 0) == 0 || folded.find("\n" + q) != std::string::npos ||
             folded.find(" " + q) != std::string::npos || folded.find("(" + q) != std::string::npos;
    };
    int shown = 0;
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& en : entries) {
        if (en.folded.find(q) == std::string::npos || starts(en.folded) != (pass == 0)) continue;
        grid_item(en.code, en.name);
        ++shown;
      }
    if (shown == 0) muted(tr("Nothing matches. Check the spelling or try fewer letters."));
  }
  end_drag_scroll("picker");
  const float bw = std::max({m.touch_px * 3.5f, bold_width(tr("Done")) + m.gap * 4, bold_width(tr("Clear")) + m.gap * 4});
  if (button(tr("Clear"), ImVec2(bw, 0), Style::Secondary, !value.empty(), "btn:picker-clear")) {
    set_picker_value(vm.form, pk.field, {});
    vm.changed = true;
  }
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw);
  if (button(tr("Done"), ImVec2(bw, 0), Style::Primary, true, "btn:picker-done")) picked = true;
  if (picked) {
    keyboard().deactivate();
    scrub(pk.query);
    pk = Picker{};
  }
}

void draw_wizard(IntakeVm& vm) {
  const auto& m = metrics();
  vm.changed = false;
  if (!vm.picker.field.empty()) {
    draw_picker(vm);
    return;
  }
  const bool compact = keyboard().active();
  if (compact) {
    label(step_heading(vm.step));
  } else {
    title(step_heading(vm.step));
    draw_progress(vm);
  }
  const float bar = m.touch_px + ImGui::GetStyle().ItemSpacing.y;
  if (vm.scroll_top) {  // a new step starts at its top, in this very frame
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, 0.0f));
    vm.scroll_top = false;
  }
  begin_drag_scroll("intake", std::max(m.touch_px, ImGui::GetContentRegionAvail().y - bar));
  ImGui::PushID(static_cast<int>(vm.step));
  switch (vm.step) {
    case IntakeStep::Consent: draw_consent(vm); break;
    case IntakeStep::Person: draw_person(vm); break;
    case IntakeStep::Exploitation: draw_exploitation(vm); break;
    case IntakeStep::NeedsRisk: draw_needs(vm); break;
    case IntakeStep::StatusSource: draw_status(vm); break;
    case IntakeStep::Bed: draw_bed(vm); break;
    case IntakeStep::Review: draw_review(vm); break;
  }
  ImGui::Dummy(ImVec2(1, m.gap * 2));
  ImGui::PopID();
  end_drag_scroll("intake");
  draw_nav(vm);
}

void draw_chooser(IntakeVm& vm) {
  const auto& m = metrics();
  title(tr("New shelter intake"));
  wrapped(tr("Unfinished intakes are saved on this device. Resume one, or start a new intake."));
  ImGui::Spacing();
  const float bw = std::max(m.touch_px * 4.5f, bold_width(tr("Resume draft")) + m.gap * 4);
  const float dw = std::max(m.touch_px * 4.5f, bold_width(tr("Tap again to discard")) + m.gap * 4);
  for (std::size_t i = 0; i < vm.drafts.size() && i < kMaxDraftsShown; ++i) {
    const auto& d = vm.drafts[i];
    const auto step = static_cast<IntakeStep>(std::clamp(d.step, 0, kSteps - 1));
    if (button(tr("Resume draft"), ImVec2(bw, 0), Style::Primary, true, fmt::format("btn:resume:{}", d.id)))
      vm.intents.push_back({Intent::Kind::Resume, d.id});
    ImGui::SameLine();
    const bool confirm = vm.confirm_discard == d.id;
    if (button(confirm ? tr("Tap again to discard") : tr("Discard"), ImVec2(dw, 0),
               confirm ? Style::Danger : Style::Secondary, true, fmt::format("btn:discard:{}", d.id)))
      vm.intents.push_back({Intent::Kind::Discard, d.id});
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    const auto line = fmt::format("{} \u00B7 {}", trf("Saved {}", local_time(d.updated_at)), step_heading(step));
    ImGui::TextUnformatted(line.c_str());
    semantics().add({ItemKind::Text, fmt::format("draft:{}", d.id), line, {}, ImGui::GetItemRectMin(),
                     ImGui::GetItemRectMax(), true});
  }
  if (vm.drafts.size() > kMaxDraftsShown)
    muted(trf("{} older drafts are not shown.", std::to_string(vm.drafts.size() - kMaxDraftsShown)));
  ImGui::Dummy(ImVec2(1, m.gap));
  if (button(tr("Start a new intake"), ImVec2(std::max(m.touch_px * 6, bold_width(tr("Start a new intake")) + m.gap * 4),
                                             m.touch_px * 1.3f),
             Style::Primary, true, "btn:start-new"))
    vm.intents.push_back({Intent::Kind::StartNew});
}

void draw_intake(IntakeVm& vm) {
  switch (vm.phase) {
    case Phase::Idle: break;
    case Phase::Refused:
      title(tr("New shelter intake"));
      error_text(vm.refusal);
      ImGui::Spacing();
      if (button(tr("Home"), ImVec2(metrics().touch_px * 4, 0), Style::Secondary, true, "btn:refused-home"))
        vm.intents.push_back({Intent::Kind::Home});
      break;
    case Phase::Choose: draw_chooser(vm); break;
    case Phase::Wizard: draw_wizard(vm); break;
  }
}

// ---------------------------------------------------------------------------------------------
// The controller: applies the intents through core.

std::string describe(const core::Error& e) {
  switch (e.code) {
    case core::Errc::PermissionDenied: return tr("Your role may not do this.");
    case core::Errc::Invalid: return tr("Some fields need attention.");
    case core::Errc::NotFound: return tr("This record is no longer on the device.");
    default: return tr("Something went wrong. Nothing was changed.");
  }
}

class IntakeScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    auto* s = ctx.session();
    if (s == nullptr) return;
    auto drafts = core::IntakeService(*s).drafts();
    if (!drafts) {
      refuse(drafts.error());
      return;
    }
    vm_.drafts = std::move(*drafts);
    std::sort(vm_.drafts.begin(), vm_.drafts.end(),
              [](const auto& a, const auto& b) { return a.updated_at > b.updated_at; });
    if (vm_.drafts.empty()) start_new(ctx);
    else vm_.phase = Phase::Choose;
  }

  void start_from_call(AppContext& ctx, std::int64_t call_id) {
    wipe();
    auto* s = ctx.session();
    if (s == nullptr) return;
    auto form = core::CallService(*s).intake_from_call(call_id);
    if (!form) {
      refuse(form.error());
      return;
    }
    begin_wizard(ctx, std::move(*form), IntakeStep::Consent, 0);
    vm_.dirty = true;  // saved as a draft on the next frame, so a lock keeps it
  }

  // Auto-lock while typing: what is on the form goes into the encrypted draft first.
  void before_lock(AppContext& ctx) override {
    if (vm_.phase == Phase::Wizard) save_draft(ctx);
  }

  void wipe() override {
    scrub(vm_.form);
    scrub(vm_.age_text);
    scrub(vm_.picker.query);
    vm_ = IntakeVm{};
  }

  void draw(AppContext& ctx) override {
    if (ctx.session() == nullptr) return;
    begin_content("##intake");
    draw_intake(vm_);
    end_content();
    if (vm_.phase == Phase::Wizard) {
      if (vm_.changed) {
        vm_.dirty = true;
        vm_.unsaved = false;
        // Once errors are shown, they follow the corrections as they are made.
        if (!vm_.errors.empty())
          vm_.errors = core::validate_step(vm_.form, vm_.step, core::IsoCodes::system(), core::now_unix());
      }
      // A finished field is saved: when the keyboard closes, or on any tap outside it (another
      // field, a choice, Home, Lock — the lock button's press comes before the lock).
      const ImGuiIO& io = ImGui::GetIO();
      const bool tap_outside_keyboard =
          ImGui::IsMouseClicked(0) && io.MousePos.y < io.DisplaySize.y - keyboard().height();
      if (vm_.dirty && (!keyboard().active() || tap_outside_keyboard)) vm_.intents.push_back({Intent::Kind::SaveDraft});
    }
    apply(ctx);
  }

 private:
  void refuse(const core::Error& e) {
    vm_.phase = Phase::Refused;
    vm_.refusal = e.code == core::Errc::PermissionDenied ? tr("Your role may not register shelter intakes.") : describe(e);
  }

  void begin_wizard(AppContext& ctx, core::IntakeForm form, IntakeStep step, std::int64_t draft_id) {
    auto* s = ctx.session();
    vm_.phase = Phase::Wizard;
    vm_.form = std::move(form);
    if (!vm_.form.consent.given_on) vm_.form.consent.given_on = core::today(core::now_unix());
    vm_.age_text = vm_.form.person.age_estimate ? std::to_string(*vm_.form.person.age_estimate) : std::string();
    vm_.draft_id = draft_id;
    vm_.step = step;
    vm_.scroll_top = true;
    vm_.can_view_beds = s != nullptr && core::allowed(s->actor().role, core::Action::ViewBeds);
    if (step == IntakeStep::Bed || step == IntakeStep::Review) load_beds(ctx);
  }

  void start_new(AppContext& ctx) { begin_wizard(ctx, core::IntakeForm{}, IntakeStep::Consent, 0); }

  void load_beds(AppContext& ctx) {
    vm_.board.clear();
    vm_.beds_note.clear();
    const auto& p = vm_.form.person;
    vm_.suggested_wing = core::suggested_wing(p.gender, p.birth_date, p.age_estimate, core::now_unix());
    auto* s = ctx.session();
    if (s == nullptr || !vm_.can_view_beds) return;  // no board to ask for: no refusal to audit
    auto board = core::BedService(*s).board();
    if (!board) {
      vm_.beds_note = describe(board.error());
      return;
    }
    vm_.board = std::move(*board);
    if (vm_.form.bed_id) {
      const auto it = std::find_if(vm_.board.begin(), vm_.board.end(),
                                   [&](const core::BedView& b) { return b.id == *vm_.form.bed_id; });
      if (it == vm_.board.end() || it->case_id) {
        vm_.form.bed_id.reset();
        vm_.beds_note = tr("The bed chosen earlier is no longer free. Choose another.");
        vm_.dirty = true;
      }
    }
  }

  bool save_draft(AppContext& ctx) {
    auto* s = ctx.session();
    if (s == nullptr) return false;
    auto id = core::IntakeService(*s).save_draft(vm_.draft_id, vm_.form, vm_.step);
    vm_.dirty = false;  // a failed save is not retried every frame; the next change retries
    if (!id) {
      vm_.unsaved = true;
      ctx.notify(tr("The draft could not be saved."), true);
      return false;
    }
    vm_.draft_id = *id;
    vm_.unsaved = false;
    vm_.saved_at = core::now_unix();
    return true;
  }

  void go_to(AppContext& ctx, IntakeStep step) {
    keyboard().deactivate();
    vm_.picker = Picker{};
    vm_.step = step;
    vm_.errors.clear();
    vm_.scroll_top = true;
    save_draft(ctx);
    if (step == IntakeStep::Bed || step == IntakeStep::Review) load_beds(ctx);
  }

  void next(AppContext& ctx) {
    auto errors = core::validate_step(vm_.form, vm_.step, core::IsoCodes::system(), core::now_unix());
    if (!errors.empty()) {
      keyboard().deactivate();
      vm_.errors = std::move(errors);
      vm_.scroll_to_error = true;
      if (vm_.dirty) save_draft(ctx);  // what was typed stays, in the draft too
      return;
    }
    go_to(ctx, static_cast<IntakeStep>(std::min(static_cast<int>(vm_.step) + 1, kSteps - 1)));
  }

  void save(AppContext& ctx) {
    auto* s = ctx.session();
    if (s == nullptr) return;
    keyboard().deactivate();
    auto id = core::IntakeService(*s).register_intake(vm_.form, vm_.draft_id);
    if (id) {
      const bool can_view = core::allowed(s->actor().role, core::Action::ViewCase);
      wipe();
      ctx.notify(can_view ? tr("Intake registered. The case is open.") : tr("Intake registered."));
      if (can_view) ctx.open_case(*id);
      else ctx.navigate(Screen::Home);
      return;
    }
    if (id.error().code != core::Errc::Invalid) {
      ctx.notify(describe(id.error()), true);
      return;
    }
    auto errors = id.error().fields;
    IntakeStep first = IntakeStep::Review;
    for (const auto& e : errors) first = std::min(first, step_of(e.field));
    go_to(ctx, first);
    vm_.errors = std::move(errors);
    vm_.scroll_to_error = true;
    ctx.notify(tr("Some fields need attention."), true);
  }

  void apply(AppContext& ctx) {
    auto intents = std::move(vm_.intents);
    vm_.intents.clear();
    for (const auto& in : intents) {
      if (ctx.session() == nullptr) return;
      switch (in.kind) {
        case Intent::Kind::Next: next(ctx); break;
        case Intent::Kind::GoTo:
          go_to(ctx, static_cast<IntakeStep>(std::clamp<std::int64_t>(in.arg, 0, kSteps - 1)));
          break;
        case Intent::Kind::Save: save(ctx); return;
        case Intent::Kind::SaveDraft:
          if (vm_.dirty) save_draft(ctx);
          break;
        case Intent::Kind::Resume: {
          auto d = core::IntakeService(*ctx.session()).load_draft(in.arg);
          if (!d) {
            ctx.notify(describe(d.error()), true);
            break;
          }
          vm_.drafts.clear();
          begin_wizard(ctx, std::move(d->first), d->second, in.arg);
          break;
        }
        case Intent::Kind::StartNew:
          vm_.drafts.clear();
          start_new(ctx);
          break;
        case Intent::Kind::Discard: {
          if (vm_.confirm_discard != in.arg) {
            vm_.confirm_discard = in.arg;
            break;
          }
          vm_.confirm_discard = 0;
          if (auto r = core::IntakeService(*ctx.session()).discard_draft(in.arg); !r) {
            ctx.notify(describe(r.error()), true);
            break;
          }
          std::erase_if(vm_.drafts, [&](const core::DraftInfo& d) { return d.id == in.arg; });
          if (vm_.drafts.empty()) start_new(ctx);
          break;
        }
        case Intent::Kind::Home: ctx.navigate(Screen::Home); return;
      }
    }
  }

  IntakeVm vm_;
};

}  // namespace

std::unique_ptr<ScreenController> make_intake_screen() { return std::make_unique<IntakeScreen>(); }

void intake_screen_start_from_call(ScreenController& c, AppContext& ctx, std::int64_t call_id) {
  static_cast<IntakeScreen&>(c).start_from_call(ctx, call_id);
}

// ---------------------------------------------------------------------------------------------
// Screenshot scenes (synthetic data only).
namespace {

// Drags the scroll region until the item's centre is inside it.
bool reveal(Driver& d, std::string_view key, std::string_view scroll = "scroll:intake") { return d.reveal(key, scroll, 16); }
bool tap_in(Driver& d, std::string_view key, std::string_view scroll = "scroll:intake") {
  return reveal(d, key, scroll) && d.tap(key);
}

bool open_intake(Driver& d) {
  if (!unlock_demo(d, "Aysel") || !d.tap(tr("New shelter intake"))) return false;
  if (d.find("btn:start-new") != nullptr) return d.tap("btn:start-new");
  return true;
}

bool scene_consent(Driver& d) {
  return open_intake(d) && d.tap("consent:manage_data") && d.tap("consent:referral");
}

bool scene_person(Driver& d) {
  return scene_consent(d) && d.tap("btn:next") && tap_in(d, "field:given_name") && d.type("Xəyalə");
}

bool scene_exploitation(Driver& d) {
  return scene_person(d) && tap_in(d, "field:family_name") && d.type("Sınaqzadə") && d.tap("key:done") &&
         tap_in(d, "gender=female") && tap_in(d, "field:age_estimate") && d.type("27") && d.tap("key:done") &&
         tap_in(d, "pick:citizenship") && d.tap("opt:AZ") && d.tap("btn:next") &&
         tap_in(d, "exploitation_types=forced_labour") && tap_in(d, "labour_sector=construction") &&
         tap_in(d, "means_of_control=withholds_documents") && tap_in(d, "means_of_control=debt_bondage");
}

bool scene_bed(Driver& d) {
  return scene_exploitation(d) && d.tap("btn:next") && tap_in(d, "needs=accommodation") &&
         tap_in(d, "risk_level=high") && d.tap("btn:next") && d.tap("btn:next");
}

bool scene_review(Driver& d) {
  if (!scene_bed(d)) return false;
  for (const auto& it : semantics().items())
    if (it.id.rfind("bed:", 0) == 0 && it.id != "bed:none") {
      const std::string id = it.id;
      if (!tap_in(d, id)) return false;
      break;
    }
  return d.tap("btn:next");
}

const bool kScenes =
    register_scene({20, "intake-consent", scene_consent}) && register_scene({21, "intake-person", scene_person}) &&
    register_scene({22, "intake-citizenship-picker",
                    [](Driver& d) {
                      return scene_person(d) && d.tap("key:done") && tap_in(d, "pick:citizenship") &&
                             d.tap("field:picker:search") && d.type("ru");
                    }}) &&
    register_scene({23, "intake-exploitation", scene_exploitation}) &&
    register_scene({29, "intake-country-list",
                    [](Driver& d) {
                      return scene_person(d) && d.tap("key:done") && tap_in(d, "pick:citizenship") &&
                             reveal(d, "opt:CD", "scroll:picker");
                    }}) && register_scene({24, "intake-bed", scene_bed}) &&
    register_scene({25, "intake-review", scene_review}) &&
    register_scene({26, "intake-resume",
                    [](Driver& d) {
                      return unlock_demo(d, "Aysel") && d.tap(tr("New shelter intake")) &&
                             d.find("btn:start-new") != nullptr;
                    }}) &&
    register_scene({27, "intake-calendar",
                    [](Driver& d) {
                      return scene_person(d) && d.tap("key:done") && tap_in(d, "field:birth_date") &&
                             d.tap("key:year-10") && d.tap("key:year-10");
                    }}) &&
    register_scene({28, "intake-person-errors", [](Driver& d) {
                      if (!(scene_person(d) && d.tap("key:done") && tap_in(d, "field:birth_date") &&
                            d.tap("key:year+1")))
                        return false;
                      std::string day;  // the first day of that month next year: a birth date in the future
                      for (const auto& it : semantics().items())
                        if (it.id.rfind("day:", 0) == 0) {
                          day = it.id;
                          break;
                        }
                      return !day.empty() && d.tap(day) && d.tap("key:done") && d.tap("btn:next");
                    }});

}  // namespace

}  // namespace ik::ui
