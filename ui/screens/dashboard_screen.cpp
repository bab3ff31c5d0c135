// Dashboard screen (coordinators and admins).
// Shows: non-personal counts from core::stats, drawn with ImGui's draw list: intakes per month
// over the last 12 months (bar chart, months labelled, each bar with its number), occupied beds
// day by day over the last 90 days (an area chart with a labelled axis of beds, the months along
// the bottom, the shelter's number of beds as a line, today's count at the end), calls by type
// (horizontal bars), occupancy per wing (beds and taken beds as a filled bar with "taken /
// beds"), and cases by status (horizontal bars); totals on top. Every bar has a label and a
// number, not a colour alone.
// Emits: refresh -> core::stats.
// Never: shows anything about a person (stats holds counts only), or keeps the counts after
// wipe() (lock).
#include <algorithm>
#include <cmath>
#include <cstdlib>
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

struct Day {
  std::string key;  // YYYY-MM-DD
  int year = 0, month = 1, day = 1;
  std::int64_t occupied = 0;
};

struct DashboardVm {
  bool loaded = false;
  std::vector<Day> days;  // the occupancy series, oldest first
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
  label_w = std::min(label_w + m.gap, w * 0.6f);  // long Russian labels need more than the bar
  std::int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.of > 0 ? b.of : b.value);
  float num_w = 0;  // the widest number shown, so labels and bars keep the room
  for (const auto& b : bars)
    num_w = std::max(num_w, bold_width(b.of > 0 ? fmt::format("{} / {}", b.value, b.of) : std::to_string(b.value)));
  num_w += m.gap * 1.5f;
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

// A "nice" step for an axis: 1, 2 or 5 times a power of ten, giving at most `ticks` steps.
std::int64_t nice_step(std::int64_t max, int ticks) {
  std::int64_t step = 1;
  for (;;) {
    for (const std::int64_t k : {1, 2, 5})
      if (k * step * ticks >= max) return k * step;
    step *= 10;
  }
}

// Occupied beds day by day: a filled area under a line, the axis of beds on the left with grid
// lines, the number of beds as a dashed line, month names along the bottom (the year under
// January and under the first month shown), today's count at the end of the line.
void occupancy_chart(const std::vector<Day>& days, std::int64_t beds, float height) {
  const auto& m = metrics();
  const float w = ImGui::GetContentRegionAvail().x;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(w, height));
  if (days.empty()) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::int64_t max = std::max<std::int64_t>(beds, 1);
  for (const auto& d : days) max = std::max(max, d.occupied);
  const std::int64_t step = nice_step(max, 4);
  const std::int64_t top_value = (max + step - 1) / step * step;
  const float axis_w = text_width(std::to_string(top_value)) + m.gap;
  const float end_w = bold_width(std::to_string(days.back().occupied)) + m.gap;
  const float top = m.font_px * 0.6f, axis_h = m.font_px * 2.3f;
  const float x0 = p.x + axis_w, x1 = p.x + w - end_w;
  const float base = p.y + height - axis_h, plot_h = std::max(m.font_px, base - (p.y + top));
  auto y_of = [&](std::int64_t v) { return base - plot_h * static_cast<float>(v) / static_cast<float>(top_value); };
  const float dx = (x1 - x0) / static_cast<float>(std::max<std::size_t>(days.size() - 1, 1));
  auto x_of = [&](std::size_t i) { return x0 + dx * static_cast<float>(i); };
  const ImU32 grid = IM_COL32(0xE4, 0xE0, 0xD8, 0xFF), axis = IM_COL32(0xB5, 0xB0, 0xA8, 0xFF);
  const ImU32 line = IM_COL32(0x1F, 0x5F, 0x8B, 0xFF), fill = IM_COL32(0x1F, 0x5F, 0x8B, 0x40);
  // The axis of beds: grid lines and their numbers.
  for (std::int64_t v = 0; v <= top_value; v += step) {
    const float y = y_of(v);
    dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), v == 0 ? axis : grid, v == 0 ? 1.5f : 1.0f);
    const auto num = std::to_string(v);
    dl->AddText(ImVec2(x0 - m.gap * 0.5f - text_width(num), y - m.font_px * 0.5f), colour::kMuted, num.c_str());
  }
  // The area, one quad per day to the next (without anti-aliased edges, which would show as
  // seams between the quads), then the line over it.
  const ImDrawListFlags flags = dl->Flags;
  dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
  for (std::size_t i = 0; i + 1 < days.size(); ++i) {
    const ImVec2 a(x_of(i), y_of(days[i].occupied)), b(x_of(i + 1), y_of(days[i + 1].occupied));
    dl->AddQuadFilled(ImVec2(a.x, base), a, b, ImVec2(b.x, base), fill);
  }
  dl->Flags = flags;
  std::vector<ImVec2> pts;
  pts.reserve(days.size());
  for (std::size_t i = 0; i < days.size(); ++i) pts.emplace_back(x_of(i), y_of(days[i].occupied));
  dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), line, 0, 2.5f);
  // The number of beds, dashed, labelled at its left end.
  if (beds > 0) {
    const float y = y_of(beds);
    for (float x = x0; x < x1; x += m.gap) dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + m.gap * 0.55f, x1), y), colour::kDanger, 1.5f);
    const std::string cap = trf("{} beds", std::to_string(beds));
    const ImVec2 at(x0 + m.gap * 0.5f, y - m.font_px * 1.1f);
    dl->AddRectFilled(ImVec2(at.x - 2, at.y), ImVec2(at.x + text_width(cap) + 2, at.y + m.font_px), colour::kPanel);
    dl->AddText(at, colour::kDanger, cap.c_str());
    semantics().add({ItemKind::Text, "chart:beds-capacity", cap, std::to_string(beds), at,
                     ImVec2(at.x + text_width(cap), at.y + m.font_px), true});
  }
  // Today's count at the end of the line.
  const auto last = std::to_string(days.back().occupied);
  dl->AddCircleFilled(pts.back(), m.gap * 0.35f, line);
  dl->AddText(fonts().bold, m.font_px, ImVec2(x1 + m.gap * 0.5f, pts.back().y - m.font_px * 0.5f), colour::kText,
              last.c_str());
  // Months along the bottom, at each month's first day.
  float last_label_end = -1e9f;
  for (std::size_t i = 0; i < days.size(); ++i) {
    const auto& d = days[i];
    const float x = x_of(i);
    semantics().add({ItemKind::Text, "chart:beds-per-day:" + d.key, fmt::format("{}: {}", d.key, d.occupied),
                     std::to_string(d.occupied), ImVec2(x - dx * 0.5f, y_of(d.occupied)), ImVec2(x + dx * 0.5f, base), true});
    if (d.day != 1 && i != 0) continue;
    const char* name = tr(kMonths[d.month - 1]);
    const float tx = d.day == 1 ? x : x0;  // the first month shown starts at the axis
    if (tx < last_label_end + m.gap) continue;  // the first month's label would collide with the next
    if (d.day == 1) dl->AddLine(ImVec2(x, base), ImVec2(x, base + m.gap * 0.4f), axis, 1.5f);
    dl->AddText(ImVec2(tx + 2, base + m.gap * 0.3f), colour::kText, name);
    if (d.month == 1 || i == 0) {
      const auto year = std::to_string(d.year);
      dl->AddText(fonts().body, m.font_px * 0.8f, ImVec2(tx + 2, base + m.gap * 0.3f + m.font_px), colour::kMuted, year.c_str());
    }
    last_label_end = tx + 2 + text_width(name);
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

  // Two time series on top, three breakdowns below.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float col_w = (avail.x - m.gap) * 0.5f, top_h = std::floor((avail.y - m.gap) * 0.56f);
  const float row_h = avail.y - m.gap - top_h;
  // Calls by type has the longest labels, the beds the shortest.
  const float calls_w = std::floor((avail.x - m.gap * 2) * 0.35f), beds_w = std::floor((avail.x - m.gap * 2) * 0.31f);
  if (begin_panel("##intakes", tr("Intakes per month, last 12 months"), ImVec2(col_w, top_h)))
    month_bars(vm.months, ImGui::GetContentRegionAvail().y);
  end_panel();
  ImGui::SameLine();
  if (begin_panel("##occupancy-days", tr("Occupied beds, last 90 days"), ImVec2(col_w, top_h)))
    occupancy_chart(vm.days, st.beds, ImGui::GetContentRegionAvail().y);
  end_panel();
  if (begin_panel("##calls", tr("Hotline calls by type"), ImVec2(calls_w, row_h))) {
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
  ImGui::SameLine();
  if (begin_panel("##occupancy", tr("Beds per wing: taken / beds"), ImVec2(beds_w, row_h))) {
    std::vector<Bar> bars;
    for (const auto& c : core::codes::list("wing").codes)  // women, girls, men, boys
      for (const auto& w : st.wings)
        if (w.wing == c.code) bars.push_back({w.wing, tr(c.label), w.occupied, std::max<std::int64_t>(w.beds, 0)});
    hbars("chart:occupancy", bars, IM_COL32(0xD9, 0x7A, 0x66, 0xFF));
  }
  end_panel();
  ImGui::SameLine();
  if (begin_panel("##status", tr("Cases by status"), ImVec2(avail.x - calls_w - beds_w - 2 * m.gap, row_h))) {
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
    vm_.days.clear();
    for (const auto& d : vm_.stats.occupancy_per_day) {
      Day day{d.day, 0, 1, 1, d.occupied};
      if (d.day.size() == 10) {
        day.year = std::atoi(d.day.substr(0, 4).c_str());
        day.month = std::clamp(std::atoi(d.day.substr(5, 2).c_str()), 1, 12);
        day.day = std::atoi(d.day.substr(8, 2).c_str());
      }
      vm_.days.push_back(std::move(day));
    }
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
