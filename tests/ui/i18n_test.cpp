// The catalogues and the fonts: every string the program marks for translation is translated
// in Azerbaijani and Russian, and the built font atlas has every glyph any catalogue uses.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/ui/harness.hpp"

namespace ik::ui::testing {
namespace {

std::set<char32_t> code_points(std::string_view s) {
  std::set<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.insert(cp);
    i += len;
  }
  return out;
}

const std::filesystem::path kPo = IK_PO_DIR;

TEST(Catalogues, EveryMessageIsTranslatedInAzerbaijaniAndRussian) {
  const auto pot = read_po(kPo / "intake-kiosk.pot");
  ASSERT_GT(pot.size(), 100u);
  for (const char* lang : {"az", "ru"}) {
    const auto po = read_po(kPo / (std::string(lang) + ".po"));
    std::vector<std::string> missing;
    for (const auto& [id, _] : pot)
      if (auto it = po.find(id); it == po.end() || it->second.empty()) missing.push_back(id);
    EXPECT_TRUE(missing.empty()) << lang << ": " << missing.size() << " untranslated, first: " << missing.front();
  }
}

TEST(Catalogues, PlaceholdersSurviveTranslation) {
  for (const char* lang : {"az", "ru", "en"}) {
    for (const auto& [id, str] : read_po(kPo / (std::string(lang) + ".po"))) {
      if (id.empty() || str.empty()) continue;
      EXPECT_EQ(id.find("{}") != std::string::npos, str.find("{}") != std::string::npos) << lang << ": " << id;
    }
  }
}

TEST_F(UiTest, FontAtlasHasEveryGlyphOfEveryCatalogue) {
  std::set<char32_t> needed;
  for (const char* lang : {"az", "ru", "en"})
    for (const auto& [id, str] : read_po(kPo / (std::string(lang) + ".po"))) {
      auto a = code_points(id), b = code_points(str);
      needed.insert(a.begin(), a.end());
      needed.insert(b.begin(), b.end());
    }
  // Every Azerbaijani letter, whether or not a catalogue uses it today.
  for (char32_t c : std::u32string(U"əƏğĞıİşŞçÇöÖüÜ")) needed.insert(c);
  needed.erase(U'\n');
  for (ImFont* font : {fonts().body, fonts().bold, fonts().title})
    for (char32_t c : needed)
      EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(c)), nullptr) << "missing glyph U+" << std::hex
                                                                             << static_cast<unsigned>(c);
}

TEST_F(UiTest, AzerbaijaniIsTheDefaultAndScreensChangeLanguage) {
  start(core::Lang::Az);
  const std::string az = tr("Unlock");
  set_language(core::Lang::Ru);
  const std::string ru = tr("Unlock");
  set_language(core::Lang::En);
  EXPECT_EQ(std::string(tr("Unlock")), "Unlock");
  EXPECT_NE(az, "Unlock");
  EXPECT_NE(ru, "Unlock");
  EXPECT_NE(az, ru);
}

}  // namespace
}  // namespace ik::ui::testing
