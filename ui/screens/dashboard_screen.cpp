// Dashboard screen (coordinators and admins).
// Shows: non-personal counts from core::stats, drawn with ImGui's draw list: intakes per month
// over the last 12 months (bar chart, months labelled, each bar with its number), calls by type
// (horizontal bars), occupancy per wing (beds and taken beds as a filled bar with "taken /
// beds"), and cases by status (horizontal bars); totals on top. Every bar has a label and a
// number, not a colour alone.
// Emits: refresh -> core::stats.
// Never: shows anything about a person (stats holds counts only), or keeps the counts after
// wipe() (lock).
#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/codes.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "core/stats.hpp"
#include "ui/app.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace ik::ui {
namespace {


// Month names for the chart's axis (msgids).
constexpr const char* kMonths[] = {IK_N_("Jan"), IK_N_("Feb"), IK_N_("Mar"), IK_N_("Apr"), IK_N_("May"), IK_N_("Jun"),
                                   IK_N_("Jul"), IK_N_("Aug"), IK_N_("Sep"), IK_N_("Oct"), IK_N_("Nov"), IK_N_("Dec")};

// ---------------------------------------------------------------------------------------------
// View model and intents

struct Month {
  std::string key;  // YYYY-MM
  int month = 1;    // 1..12
  int year = 0;
  std::int64_t intakes = 0;
};

struct DashboardVm {
  bool loaded = false;
  std::string refusal;
  core::Stats stats;
  std::vector<Month> months;  // the last 12, oldest first
};

struct DashboardIntents {
  bool refresh = false;
};

// ---------------------------------------------------------------------------------------------
// Drawing

struct Bar {
  std::string id, label;
  std::int64_t value = 0, of = 0;  // of > 0: value out of `of` (occupancy)
};

// Horizontal bars: label, bar, number (for occupancy: the bar of all beds behind the taken part).
void hbars(std::string_view chart_id, const std::vector<Bar>& bars, ImU32 fill) {
  const auto& m = metrics();
  const float w = ImGui::GetContentRegionAvail().x;
  float label_w = 0;
  for (const auto& b : bars) label_w = std::max(label_w, text_width(b.label));
  label_w = std::min(label_w + m.gap, w * 0.42f);
  std::int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.of > 0 ? b.of : b.value);
  const float num_w = text_width("0000 / 0000") + m.gap;
  const float bar_w = std::max(m.touch_px, w - label_w - num_w - m.gap);
  const float row_h = m.font_px * 1.45f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const auto& b : bars) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(w, row_h));
    const ImVec2 end(p.x + w, p.y + row_h);
    dl->PushClipRect(p, ImVec2(p.x + label_w - m.gap * 0.5f, end.y), true);
    dl->AddText(ImVec2(p.x, p.y + (row_h - m.font_px) * 0.5f), colour::kText, b.label.c_str());
    dl->PopClipRect();
    const float bx = p.x + label_w, bh = row_h * 0.62f, by = p.y + (row_h - bh) * 0.5f;
    if (b.of > 0) {
      dl->AddRectFilled(ImVec2(bx, by), ImVec2(bx + bar_w * static_cast<float>(b.of) / static_cast<float>(max), by + bh),
                        colour::kFree, m.gap * 0.3f);
    }
    const float v = bar_w * static_cast<float>(b.value) / static_cast<float>(max);
    if (b.value > 0) dl->AddRectFilled(ImVec2(bx, by), ImVec2(bx + std::max(v, 2.0f), by + bh), fill, m.gap * 0.3f);
    const std::string num = b.of > 0 ? fmt::format("{} / {}", b.value, b.of) : std::to_string(b.value);
    dl->AddText(fonts().bold, m.font_px, ImVec2(bx + bar_w + m.gap, p.y + (row_h - m.font_px) * 0.5f), colour::kText,
                num.c_str());
    semantics().add({ItemKind::Text, fmt::format("{}:{}", chart_id, b.id), fmt::format("{}: {}", b.label, num), num, p, end, true});
  }
}

// Vertical bars for the months: number above, month below (with the year under January and
// under the first month shown).
void month_bars(const std::vector<Month>& months, float height) {
  const auto& m = metrics();
  const float w = ImGui::GetContentRegionAvail().x;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(w, height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::int64_t max = 1;
  for (const auto& mo : months) max = std::max(max, mo.intakes);
  const float axis_h = m.font_px * 2.3f, top = m.font_px * 1.3f;
  const float plot_h = std::max(m.font_px, height - axis_h - top);
  const float base = p.y + top + plot_h;
  const float slot = w / static_cast<float>(std::max<std::size_t>(months.size(), 1));
  dl->AddLine(ImVec2(p.x, base), ImVec2(p.x + w, base), IM_COL32(0xB5, 0xB0, 0xA8, 0xFF), 1.5f);
  for (std::size_t i = 0; i < months.size(); ++i) {
    const auto& mo = months[i];
    const float x0 = p.x + slot * static_cast<float>(i) + slot * 0.18f, x1 = p.x + slot * static_cast<float>(i + 1) - slot * 0.18f;
    const float h = plot_h * static_cast<float>(mo.intakes) / static_cast<float>(max);
    if (mo.intakes > 0) dl->AddRectFilled(ImVec2(x0, base - h), ImVec2(x1, base), colour::kAccent, m.gap * 0.25f);
    const std::string num = std::to_string(mo.intakes);
    const float cx = (x0 + x1) * 0.5f;
    dl->AddText(fonts().bold, m.font_px, ImVec2(cx - text_width(num) * 0.5f, base - h - m.font_px * 1.15f), colour::kText,
                num.c_str());
    const char* name = tr(kMonths[mo.month - 1]);
    dl->AddText(ImVec2(cx - text_width(name) * 0.5f, base + m.gap * 0.3f), colour::kText, name);
    if (mo.month == 1 || i == 0) {
      const auto year = std::to_string(mo.year);
      dl->AddText(fonts().body, m.font_px * 0.8f, ImVec2(cx - text_width(year) * 0.4f, base + m.gap * 0.3f + m.font_px),
                  colour::kMuted, year.c_str());
    }
    semantics().add({ItemKind::Text, "chart:intakes:" + mo.key, fmt::format("{} {}: {}", name, mo.year, num), num,
                     ImVec2(x0, base - h), ImVec2(x1, base), true});
  }
}

// A white panel with a title; end with end_panel().
bool begin_panel(const char* id, const char* heading, ImVec2 size) {
  const auto& m = metrics();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, colour::kPanel);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(m.gap * 1.5f, m.gap));
  const bool open = ImGui::BeginChild(id, size, false, ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
  if (open) label(heading);
  return open;
}
void end_panel() { ImGui::EndChild(); }

void draw_dashboard(const DashboardVm& vm, DashboardIntents& out) {
  const auto& m = metrics();
  begin_content("##dashboard");
  title(tr("Dashboard"));
  if (!vm.refusal.empty()) {
    error_text(vm.refusal);
    end_content();
    return;
  }
  const auto& st = vm.stats;
  ImGui::SameLine(0, m.gap * 3);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + (fonts().title->FontSize - m.font_px) * 0.5f);
  const std::string totals = fmt::format("{} \u00B7 {} \u00B7 {} \u00B7 {}", trf("Cases: {}", std::to_string(st.cases)),
                                         trf("Persons: {}", std::to_string(st.persons)),
                                         trf("Calls: {}", std::to_string(st.calls)),
                                         trf("Beds taken: {}", fmt::format("{} / {}", st.beds_occupied, st.beds)));
  ImGui::TextUnformatted(totals.c_str());
  semantics().add({ItemKind::Text, "totals", totals, {}, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true});
  const float refresh_w = std::max(m.touch_px * 3, text_width(tr("Refresh")) + m.gap * 3);
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - refresh_w);
  ImGui::SetCursorPosY(ImGui::GetStyle().WindowPadding.y);
  if (button(tr("Refresh"), ImVec2(refresh_w, 0), Style::Secondary, true, "btn:refresh")) out.refresh = true;

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float col_w = (avail.x - m.gap) * 0.5f, top_h = std::floor((avail.y - m.gap) * 0.56f);
  const float row_h = avail.y - m.gap - top_h;
  if (begin_panel("##intakes", tr("Intakes per month, last 12 months"), ImVec2(col_w, top_h)))
    month_bars(vm.months, ImGui::GetContentRegionAvail().y);
  end_panel();
  ImGui::SameLine();
  if (begin_panel("##calls", tr("Hotline calls by type"), ImVec2(col_w, top_h))) {
    std::vector<Bar> bars;
    for (const auto& c : core::codes::list("call_type").codes) {
      Bar b{std::string(c.code), tr(c.label), 0, 0};
      for (const auto& [code, n] : st.calls_by_type)
        if (code == c.code) b.value = n;
      bars.push_back(std::move(b));
    }
    hbars("chart:calls", bars, IM_COL32(0x6A, 0x4C, 0x93, 0xFF));
  }
  end_panel();
  if (begin_panel("##occupancy", tr("Beds per wing: taken / beds"), ImVec2(col_w, row_h))) {
    std::vector<Bar> bars;
    for (const auto& c : core::codes::list("wing").codes)  // women, girls, men, boys
      for (const auto& w : st.wings)
        if (w.wing == c.code) bars.push_back({w.wing, tr(c.label), w.occupied, std::max<std::int64_t>(w.beds, 0)});
    hbars("chart:occupancy", bars, IM_COL32(0xD9, 0x7A, 0x66, 0xFF));
  }
  end_panel();
  ImGui::SameLine();
  if (begin_panel("##status", tr("Cases by status"), ImVec2(col_w, row_h))) {
    std::vector<Bar> bars;
    for (const auto& c : core::codes::list("case_status").codes) {
      Bar b{std::string(c.code), tr(c.label), 0, 0};
      for (const auto& [code, n] : st.cases_by_status)
        if (code == c.code) b.value = n;
      bars.push_back(std::move(b));
    }
    hbars("chart:status", bars, colour::kOk);
  }
  end_panel();
  end_content();
}

// ---------------------------------------------------------------------------------------------
// Controller

// The last 12 months, oldest first, with the intakes core counted in each.
std::vector<Month> last_months(const core::Counts& per_month, std::time_t now) {
  std::tm tm{};
  ::localtime_r(&now, &tm);
  int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
  std::vector<Month> out(12);
  for (int i = 11; i >= 0; --i) {
    auto& mo = out[static_cast<std::size_t>(i)];
    mo.year = year;
    mo.month = month;
    mo.key = fmt::format("{:04}-{:02}", year, month);
    for (const auto& [key, n] : per_month)
      if (key == mo.key) mo.intakes = n;
    if (--month == 0) month = 12, --year;
  }
  return out;
}

class DashboardScreen final : public ScreenController {
 public:
  void enter(AppContext& ctx) override {
    wipe();
    load(ctx);
  }
  void wipe() override { vm_ = DashboardVm{}; }
  void draw(AppContext& ctx) override {
    if (ctx.session() == nullptr) return;
    DashboardIntents in;
    draw_dashboard(vm_, in);
    if (in.refresh) load(ctx);
  }

 private:
  void load(AppContext& ctx) {
    auto* s = ctx.session();
    if (s == nullptr) return;
    auto st = core::stats(*s);
    if (!st) {
      vm_ = DashboardVm{};
      vm_.refusal = error_message(st.error());
      ctx.notify(vm_.refusal, true);
      return;
    }
    vm_.stats = std::move(*st);
    vm_.months = last_months(vm_.stats.intakes_per_month, std::time(nullptr));
    vm_.loaded = true;
    vm_.refusal.clear();
  }

  DashboardVm vm_;
};

}  // namespace

std::unique_ptr<ScreenController> make_dashboard_screen() { return std::make_unique<DashboardScreen>(); }

namespace {
const bool kScenes = register_scene({70, "dashboard", [](Driver& d) {
  return unlock_demo(d, "Leyla") && d.tap(tr("Dashboard"));
}});
}  // namespace

}  // namespace ik::ui
