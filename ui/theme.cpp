#include "ui/theme.hpp"

#include <algorithm>

namespace ik::ui {
namespace {
Metrics g_metrics;
}

Metrics Metrics::for_dpi(float dpi, float scale) {
  Metrics m;
  m.dpi = std::clamp(dpi, 72.0f, 400.0f);
  // Body text about 4.2 mm tall (readable standing at arm's length), titles 6 mm.
  m.font_px = std::max(18.0f, m.mm(4.2f) * scale);
  m.title_px = m.font_px * 1.4f;
  // A target is two lines of text tall, and never under 10 mm.
  m.touch_px = std::max(m.font_px * 2.0f, m.mm(10.0f));
  m.gap = m.font_px * 0.5f;
  return m;
}

const Metrics& metrics() { return g_metrics; }
void set_metrics(const Metrics& m) { g_metrics = m; }

void apply_style() {
  ImGuiStyle& s = ImGui::GetStyle();
  const auto& m = metrics();
  s = ImGuiStyle();
  s.WindowPadding = ImVec2(m.gap * 2, m.gap * 2);
  s.FramePadding = ImVec2(m.gap, (m.touch_px - m.font_px) * 0.5f);
  s.ItemSpacing = ImVec2(m.gap, m.gap);
  s.ItemInnerSpacing = ImVec2(m.gap, m.gap);
  s.ScrollbarSize = m.font_px * 0.9f;  // visible, but scrolling is by dragging the content
  s.GrabMinSize = m.touch_px * 0.6f;
  s.FrameRounding = m.gap * 0.6f;
  s.WindowRounding = 0;
  s.ChildRounding = m.gap * 0.6f;
  s.WindowBorderSize = 0;
  s.TouchExtraPadding = ImVec2(m.gap * 0.25f, m.gap * 0.25f);
  ImVec4* c = s.Colors;
  c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(colour::kText);
  c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(colour::kMuted);
  c[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(colour::kBackground);
  c[ImGuiCol_ChildBg] = ImGui::ColorConvertU32ToFloat4(colour::kPanel);
  c[ImGuiCol_PopupBg] = ImGui::ColorConvertU32ToFloat4(colour::kPanel);
  c[ImGuiCol_FrameBg] = ImVec4(1, 1, 1, 1);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.90f, 0.95f, 1.0f, 1);
  c[ImGuiCol_FrameBgHovered] = ImVec4(1, 1, 1, 1);  // no hover-only cues: hover looks like rest
  c[ImGuiCol_Button] = ImGui::ColorConvertU32ToFloat4(colour::kAccent);
  c[ImGuiCol_ButtonHovered] = ImGui::ColorConvertU32ToFloat4(colour::kAccent);
  c[ImGuiCol_ButtonActive] = ImVec4(0.08f, 0.28f, 0.42f, 1);
  c[ImGuiCol_Header] = ImVec4(0.86f, 0.91f, 0.96f, 1);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.86f, 0.91f, 0.96f, 1);
  c[ImGuiCol_HeaderActive] = ImVec4(0.75f, 0.84f, 0.93f, 1);
  c[ImGuiCol_CheckMark] = ImGui::ColorConvertU32ToFloat4(colour::kAccent);
  c[ImGuiCol_Border] = ImVec4(0.80f, 0.78f, 0.74f, 1);
  c[ImGuiCol_Separator] = ImVec4(0.80f, 0.78f, 0.74f, 1);
  c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0.03f);
  c[ImGuiCol_PlotHistogram] = ImGui::ColorConvertU32ToFloat4(colour::kAccent);
  c[ImGuiCol_PlotLines] = ImGui::ColorConvertU32ToFloat4(colour::kAccent);
}

}  // namespace ik::ui
