#pragma once
// Fonts from Debian's fonts-dejavu-core, with explicit glyph ranges: ASCII, Latin-1, Latin
// Extended-A (ğ Ğ ı İ ş Ş), Ə ə, Cyrillic, and the punctuation the screens use (• — … № ← →).
// tests/ui check that the built atlas holds every character of every .po catalogue.
#include <filesystem>

#include <imgui.h>

#include "core/error.hpp"

namespace ik::ui {

struct Fonts {
  ImFont* body = nullptr;
  ImFont* bold = nullptr;
  ImFont* title = nullptr;
};

inline constexpr const char* kFontDir = "/usr/share/fonts/truetype/dejavu";
const ImWchar* glyph_ranges();
// Adds the fonts to the current context's atlas at the current metrics and builds it.
core::Result<Fonts> load_fonts(const std::filesystem::path& dir = kFontDir);
const Fonts& fonts();

}  // namespace ik::ui
