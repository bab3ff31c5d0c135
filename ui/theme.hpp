#pragma once
// Sizes and colours. Everything is sized in multiples of the font size, and the font size is
// derived from the screen's DPI so a touch target is at least 10 mm under a finger.
#include <imgui.h>

namespace ik::ui {

struct Metrics {
  float dpi = 96.0f;
  float font_px = 24.0f;   // body text
  float title_px = 34.0f;  // screen titles
  float touch_px = 48.0f;  // minimum height/width of anything tapped (>= 10 mm)
  float gap = 12.0f;
  static Metrics for_dpi(float dpi, float scale = 1.0f);
  float mm(float millimetres) const { return millimetres * dpi / 25.4f; }
};

const Metrics& metrics();
void set_metrics(const Metrics& m);

// Colours of the kiosk (high contrast, calm).
namespace colour {
inline constexpr ImU32 kBackground = IM_COL32(0xF4, 0xF1, 0xEA, 0xFF);
inline constexpr ImU32 kPanel = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
inline constexpr ImU32 kText = IM_COL32(0x1B, 0x1F, 0x24, 0xFF);
inline constexpr ImU32 kMuted = IM_COL32(0x5C, 0x63, 0x6B, 0xFF);
inline constexpr ImU32 kAccent = IM_COL32(0x1F, 0x5F, 0x8B, 0xFF);
inline constexpr ImU32 kAccentText = IM_COL32(0xFF, 0xFF, 0xFF, 0xFF);
inline constexpr ImU32 kDanger = IM_COL32(0xB0, 0x2A, 0x2A, 0xFF);
inline constexpr ImU32 kOk = IM_COL32(0x2E, 0x7D, 0x32, 0xFF);
inline constexpr ImU32 kWarn = IM_COL32(0xC7, 0x7C, 0x02, 0xFF);
inline constexpr ImU32 kFree = IM_COL32(0xDC, 0xED, 0xC8, 0xFF);
inline constexpr ImU32 kTaken = IM_COL32(0xF5, 0xD0, 0xC5, 0xFF);
inline constexpr ImU32 kStatusBar = IM_COL32(0x23, 0x2B, 0x36, 0xFF);
}  // namespace colour

void apply_style();

}  // namespace ik::ui
