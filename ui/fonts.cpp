#include "ui/fonts.hpp"

#include <fmt/format.h>

#include "ui/theme.hpp"

namespace ik::ui {
namespace {
Fonts g_fonts;
}

const ImWchar* glyph_ranges() {
  static const ImWchar kRanges[] = {
      0x0020, 0x00FF,  // Basic Latin, Latin-1 (ç ö ü Ç Ö Ü)
      0x0100, 0x017F,  // Latin Extended-A (ğ Ğ ı İ ş Ş)
      0x018F, 0x018F,  // Ə
      0x0259, 0x0259,  // ə
      0x0400, 0x04FF,  // Cyrillic (with Azerbaijani Cyrillic letters)
      0x2010, 0x2027,  // dashes, quotes, bullet, ellipsis
      0x2116, 0x2116,  // №
      0x2190, 0x21FF,  // arrows (← → ⇧ ↵)
      0x2300, 0x23FF,  // ⌫
      0x25A0, 0x25CF,  // ▲ ▼ ●
      0x2713, 0x2713,  // ✓
      0,
  };
  return kRanges;
}

core::Result<Fonts> load_fonts(const std::filesystem::path& dir) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const auto& m = metrics();
  auto add = [&](const char* file, float px) -> ImFont* {
    const auto path = dir / file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    return io.Fonts->AddFontFromFileTTF(path.c_str(), px, &cfg, glyph_ranges());
  };
  Fonts f;
  f.body = add("DejaVuSans.ttf", m.font_px);
  f.bold = add("DejaVuSans-Bold.ttf", m.font_px);
  f.title = add("DejaVuSans-Bold.ttf", m.title_px);
  if (f.body == nullptr || f.bold == nullptr || f.title == nullptr)
    return core::fail(core::Errc::Io, fmt::format("DejaVu fonts not found in {} (package fonts-dejavu-core)", dir.string()));
  if (!io.Fonts->Build()) return core::fail(core::Errc::Internal, "cannot build the font atlas");
  io.FontDefault = f.body;
  g_fonts = f;
  return f;
}

const Fonts& fonts() { return g_fonts; }

}  // namespace ik::ui
