// Beds screen.
// Shows: the shelter's beds as a board per wing (women, girls, men, boys), each bed a square:
// free (light green) or taken (light red, with the case number of who sleeps there — never a
// name), and each wing's occupancy at a glance (taken of total, with a bar). Tapping a bed opens
// a side panel: for a taken bed "Open case" and "Release" (with a discharge reason); for a free
// bed a short list of active cases without a bed (by case number, narrowed by typing on the
// on-screen keyboard) to assign.
// Emits: select(bed), release(case, reason) -> BedService::release, assign(case, bed) ->
// BedService::assign, open_case(case) -> AppContext::open_case, find(case number) ->
// CaseService::list (masked rows: no names).
// Never: shows a name, offers assign/release to a role that may only look (core would refuse
// anyway), or keeps the board after wipe() (lock).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/beds.hpp"
#include "core/cases.hpp"
#include "core/codes.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {

constexpr std::size_t kCandidates = 8;


// ---------------------------------------------------------------------------------------------
// View model and intents

struct BedsVm {
  bool loaded = false;
  std::string refusal;  // translated
  std::vector<core::BedView> beds;
  std::vector<core::WingView> wings;
  bool can_manage = false, can_open = false, can_list = false;
  std::int64_t selected = 0;  // bed id, 0 = none
  bool releasing = false;
  std::string discharge_reason;
  std::string query;                            // a case number, typed
  std::vector<core::CaseListItem> candidates;   // active cases without a bed (no names)

  const core::BedView* bed(std::int64_t id) const {
    for (const auto& b : beds)
      if (b.id == id) return &b;
    return nullptr;
  }
};

struct BedsIntents {
  std::optional<std::int64_t> select, assign, open_case;
  bool start_release = false, confirm_release = false, cancel = false, query_changed = false;
};

// ---------------------------------------------------------------------------------------------
// Drawing

// The largest square (between 1.5 and 2.6 touch targets) with which every wing fits the height.
float square_size(const BedsVm& vm, float width, float height) {
  const auto& m = metrics();
  const float header = m.font_px + m.gap * 2.2f;
  for (float sq = m.touch_px * 2.6f; sq > m.touch_px * 1.5f; sq -= 2.0f) {
    const int per_row = std::max(1, static_cast<int>((width + m.gap) / (sq + m.gap)));
    float h = 0;
    for (const auto& w : vm.wings) {
      const int n = static_cast<int>(std::count_if(vm.beds.begin(), vm.beds.end(), [&](const auto& b) { return b.wing == w.wing; }));
      h += header + static_cast<float>((n + per_row - 1) / per_row) * (sq + m.gap);
    }
    if (h <= height) return sq;
  }
  return m.touch_px * 1.5f;
}

void draw_bed(const BedsVm& vm, const core::BedView& b, float sq, BedsIntents& out) {
  const auto& m = metrics();
  ImGui::PushID(static_cast<int>(b.id));
  const ImVec2 p = ImGui::GetCursorScreenPos();
  if (ImGui::InvisibleButton("bed", ImVec2(sq, sq))) out.select = b.id;
  const bool held = ImGui::IsItemActive();
  ImGui::PopID();
  const bool taken = b.case_number.has_value();
  const bool sel = vm.selected == b.id;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(p.x + sq, p.y + sq);
  ImU32 fill = taken ? colour::kTaken : colour::kFree;
  if (held) fill = IM_COL32(0xC8, 0xD8, 0xE8, 0xFF);
  dl->AddRectFilled(p, end, fill, m.gap * 0.5f);
  dl->AddRect(p, end, sel ? colour::kAccent : (taken ? IM_COL32(0xD8, 0xA0, 0x90, 0xFF) : IM_COL32(0xA8, 0xC8, 0x90, 0xFF)),
              m.gap * 0.5f, 0, sel ? 4.0f : 1.5f);
  dl->PushClipRect(p, end, true);
  const float pad = m.gap * 0.6f;
  dl->AddText(fonts().bold, m.font_px, ImVec2(p.x + pad, p.y + pad), colour::kText, b.label.c_str());
  const float small = m.font_px * 0.8f;
  if (taken) {
    // The case number on two lines: "IK-2025-" and the serial, so it fits a square.
    const auto& n = *b.case_number;
    const auto cut = n.rfind('-');
    const std::string head = cut == std::string::npos ? std::string() : n.substr(0, cut + 1);
    const std::string tail = cut == std::string::npos ? n : n.substr(cut + 1);
    dl->AddText(fonts().body, small, ImVec2(p.x + pad, end.y - pad - small * 2.1f), colour::kMuted, head.c_str());
    dl->AddText(fonts().bold, m.font_px, ImVec2(p.x + pad, end.y - pad - m.font_px), colour::kText, tail.c_str());
  } else {
    dl->AddText(fonts().body, small, ImVec2(p.x + pad, end.y - pad - small), colour::kMuted, tr("Free"));
  }
  dl->PopClipRect();
  semantics().add({ItemKind::Button, "bed:" + b.label, taken ? fmt::format("{} {}", b.label, *b.case_number) : b.label,
                   taken ? "taken" : "free", p, end, true});
}

void draw_board(const BedsVm& vm, BedsIntents& out) {
  const auto& m = metrics();
  const float width = ImGui::GetContentRegionAvail().x;
  const float sq = square_size(vm, width, ImGui::GetContentRegionAvail().y);
  const int per_row = std::max(1, static_cast<int>((width + m.gap) / (sq + m.gap)));
  for (const auto& w : vm.wings) {
    // Header: wing, taken of total, and a bar.
    const std::string name = tr_code("wing", w.wing);
    const std::string counts = fmt::format("{} / {}", w.occupied, w.beds);
    ImGui::PushFont(fonts().bold);
    ImGui::TextUnformatted(name.c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    const std::string line = fmt::format("{} \u00B7 {}", trf("{} taken", counts),
                                         trf("{} free", std::to_string(w.beds - w.occupied)));
    ImGui::TextUnformatted(line.c_str());
    semantics().add({ItemKind::Text, "wing:" + w.wing, fmt::format("{}: {}", name, line), counts,
                     ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
    ImGui::SameLine();
    const ImVec2 bp = ImGui::GetCursorScreenPos();
    const float bar_w = std::max(m.touch_px, ImGui::GetContentRegionAvail().x - m.gap);
    const float bar_h = m.font_px * 0.6f;
    const ImVec2 b0(bp.x, bp.y + (m.font_px - bar_h) * 0.5f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(b0, ImVec2(b0.x + bar_w, b0.y + bar_h), colour::kFree, bar_h * 0.5f);
    if (w.beds > 0 && w.occupied > 0)
      dl->AddRectFilled(b0, ImVec2(b0.x + bar_w * static_cast<float>(w.occupied) / static_cast<float>(w.beds), b0.y + bar_h),
                        IM_COL32(0xD9, 0x7A, 0x66, 0xFF), bar_h * 0.5f);
    ImGui::Dummy(ImVec2(bar_w, m.font_px));
    int i = 0;
    for (const auto& b : vm.beds) {
      if (b.wing != w.wing) continue;
      if (i++ % per_row) ImGui::SameLine();
      draw_bed(vm, b, sq, out);
    }
    ImGui::Dummy(ImVec2(0, m.gap * 0.2f));
  }
}

void draw_panel(BedsVm& vm, BedsIntents& out) {
  const auto& m = metrics();
  const auto* b = vm.bed(vm.selected);
  std::int64_t free = 0;
  for (const auto& x : vm.beds) free += !x.case_number;
  if (b == nullptr) {
    label(tr("Tap a bed."));
    muted(trf("{} beds free", std::to_string(free)) + " \u00B7 " +
          trf("{} taken", std::to_string(static_cast<std::int64_t>(vm.beds.size()) - free)));
    ImGui::Spacing();
    for (const auto& [fill, text] : {std::pair{colour::kFree, tr("Free")}, std::pair{colour::kTaken, tr("Taken: case number shown")}}) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + m.font_px, p.y + m.font_px), fill, m.gap * 0.3f);
      ImGui::Dummy(ImVec2(m.font_px, m.font_px));
      ImGui::SameLine();
      ImGui::TextUnformatted(text);
    }
    if (!vm.can_manage) {
      ImGui::Spacing();
      muted(tr("Your role may see the beds but not assign or release them."));
    }
    return;
  }
  title(trf("Bed {}", b->label));
  muted(tr_code("wing", b->wing));
  const float w = ImGui::GetContentRegionAvail().x - m.gap;
  if (b->case_number) {
    label(trf("Case {}", *b->case_number));
    ImGui::Spacing();
    if (vm.can_open && b->case_id && button(tr("Open case"), ImVec2(w, 0), Style::Primary, true, "btn:open-case"))
      out.open_case = *b->case_id;
    if (!vm.can_manage) return;
    if (!vm.releasing) {
      if (button(tr("Release"), ImVec2(w, 0), Style::Danger, true, "btn:release")) out.start_release = true;
      return;
    }
    label(tr("Why is the person leaving?"));
    choice("discharge", code_options("discharge_reason"), &vm.discharge_reason);
    if (button(tr("Release the bed"), ImVec2(w, 0), Style::Danger, !vm.discharge_reason.empty(), "btn:confirm-release"))
      out.confirm_release = true;
    if (button(tr("Cancel"), ImVec2(w, 0), Style::Secondary, true, "btn:cancel")) out.cancel = true;
    return;
  }
  label(tr("This bed is free."));
  if (!vm.can_manage || !vm.can_list) {
    muted(tr("Your role may see the beds but not assign or release them."));
    return;
  }
  if (text_field("assign-search", tr("Assign: find a case number"), &vm.query, FieldKind::Text, nullptr, 40))
    out.query_changed = true;
  if (vm.candidates.empty()) muted(tr("No active case without a bed matches."));
  else muted(tr("Active cases without a bed:"));
  for (const auto& c : vm.candidates) {
    const auto text = fmt::format("{} \u00B7 {}", c.case_number, tr_code("gender", c.gender));
    if (button(text, ImVec2(w, 0), Style::Secondary, true, fmt::format("assign:{}", c.id))) out.assign = c.id;
  }
}

void draw_beds(BedsVm& vm, BedsIntents& out) {
  const auto& m = metrics();
  begin_content("##beds");
  title(tr("Beds"));
  if (!vm.refusal.empty()) {
    error_text(vm.refusal);
    end_content();
    return;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float panel_w = std::clamp(avail.x * 0.3f, m.touch_px * 6, m.touch_px * 10);
  if (begin_scroll("##board", ImVec2(avail.x - panel_w - m.gap, avail.y))) draw_board(vm, out);
  end_scroll();
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, colour::kPanel);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(m.gap, m.gap));
  const bool open = ImGui::BeginChild("##bed-panel", ImVec2(panel_w, avail.y), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
  if (open) draw_panel(vm, out);
  ImGui::EndChild();
  end_content();
}

// ---------------------------------------------------------------------------------------------
// Controller

class BedsScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    auto* s = ctx.session();
    if (s == nullptr) return;
    const auto role = s->actor().role;
    vm_.can_manage = core::allowed(role, core::Action::ManageBeds);
    vm_.can_open = core::allowed(role, core::Action::ViewCase);
    vm_.can_list = core::allowed(role, core::Action::ViewCases);
    load(ctx);
  }

  void wipe() override { vm_ = BedsVm{}; }

  void draw(AppContext& ctx) override {
    if (ctx.session() == nullptr) return;
    BedsIntents in;
    draw_beds(vm_, in);
    apply(ctx, in);
  }

 private:
  void load(AppContext& ctx) {
    auto* s = ctx.session();
    core::BedService beds(*s);
    auto board = beds.board();
    auto occ = board ? beds.occupancy() : core::Result<std::vector<core::WingView>>(std::unexpected(board.error()));
    if (!board || !occ) {
      vm_.refusal = error_message(board ? occ.error() : board.error());
      ctx.notify(vm_.refusal, true);
      return;
    }
    vm_.beds = std::move(*board);
    // Wings in the code list's order (women, girls, men, boys), then any other.
    vm_.wings.clear();
    for (const auto& c : core::codes::list("wing").codes)
      for (const auto& w : *occ)
        if (w.wing == c.code) vm_.wings.push_back(w);
    for (const auto& w : *occ)
      if (!core::codes::list("wing").contains(w.wing)) vm_.wings.push_back(w);
    vm_.loaded = true;
  }

  // Active cases without a bed, those that fit the wing first; at most kCandidates.
  void find_candidates(AppContext& ctx) {
    vm_.candidates.clear();
    auto* s = ctx.session();
    const auto* b = vm_.bed(vm_.selected);
    if (s == nullptr || b == nullptr || !vm_.can_list) return;
    core::CaseQuery q;
    q.status = "active";
    q.text = vm_.query;
    std::vector<core::CaseListItem> found;
    core::CaseService cases(*s);
    for (std::int64_t offset = 0; offset < 1000 && found.size() < kCandidates * 4; offset += 200) {
      auto page = cases.list(q, offset, 200);
      if (!page) {
        ctx.notify(error_message(page.error()), true);
        return;
      }
      for (auto& c : page->items)
        if (!c.bed_label) found.push_back(std::move(c));
      if (offset + 200 >= page->total) break;
    }
    const std::string gender = b->wing == "women" || b->wing == "girls" ? "female" : b->wing == "men" || b->wing == "boys" ? "male" : "";
    std::stable_partition(found.begin(), found.end(), [&](const auto& c) { return gender.empty() || c.gender == gender; });
    if (found.size() > kCandidates) found.resize(kCandidates);
    vm_.candidates = std::move(found);
  }

  void apply(AppContext& ctx, const BedsIntents& in) {
    auto* s = ctx.session();
    if (s == nullptr) return;
    if (in.select) {
      keyboard().deactivate();
      vm_.selected = *in.select;
      vm_.releasing = false;
      vm_.discharge_reason.clear();
      vm_.query.clear();
      const auto* b = vm_.bed(vm_.selected);
      if (b != nullptr && !b->case_number && vm_.can_manage) find_candidates(ctx);
      else vm_.candidates.clear();
    }
    if (in.query_changed) find_candidates(ctx);
    if (in.start_release) vm_.releasing = true;
    if (in.cancel) {
      vm_.releasing = false;
      vm_.discharge_reason.clear();
    }
    if (in.confirm_release) {
      const auto* b = vm_.bed(vm_.selected);
      if (b != nullptr && b->case_id) {
        const auto label = b->label;
        if (auto r = core::BedService(*s).release(*b->case_id, vm_.discharge_reason); !r) {
          ctx.notify(error_message(r.error()), true);
        } else {
          ctx.notify(trf("Bed {} is free.", label));
          vm_.releasing = false;
          vm_.discharge_reason.clear();
          load(ctx);
          find_candidates(ctx);
        }
      }
    }
    if (in.assign) {
      keyboard().deactivate();
      const auto* b = vm_.bed(vm_.selected);
      if (b != nullptr) {
        const auto label = b->label;
        if (auto r = core::BedService(*s).assign(*in.assign, b->id); !r) {
          ctx.notify(error_message(r.error()), true);
        } else {
          ctx.notify(trf("Bed {} assigned.", label));
          vm_.query.clear();
          vm_.candidates.clear();
          load(ctx);
        }
      }
    }
    if (in.open_case) {
      const auto id = *in.open_case;
      wipe();
      ctx.open_case(id);
    }
  }

  BedsVm vm_;
};

}  // namespace

std::unique_ptr<ScreenController> make_beds_screen() { return std::make_unique<BedsScreen>(); }

namespace {
// The first bed shown as taken (or free).
bool tap_bed(Driver& d, std::string_view state) {
  for (const auto& it : semantics().items())
    if (it.id.starts_with("bed:") && it.value == state) return d.tap(std::string(it.id));
  return false;
}

const bool kScenes =
    register_scene({60, "beds", [](Driver& d) { return unlock_demo(d, "Aysel") && d.tap(tr("Beds")); }}) &&
    register_scene({61, "beds-release", [](Driver& d) {
                      return unlock_demo(d, "Aysel") && d.tap(tr("Beds")) && tap_bed(d, "taken") && d.tap("btn:release");
                    }}) &&
    register_scene({62, "beds-assign", [](Driver& d) {
                      return unlock_demo(d, "Leyla") && d.tap(tr("Beds")) && tap_bed(d, "free");
                    }});
}  // namespace

}  // namespace ik::ui
