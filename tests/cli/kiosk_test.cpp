// The real intake-kiosk binary under a real X server (Xvfb + Mesa llvmpipe): it starts, renders
// every registered screen in the three languages into PNGs, and each PNG is a real picture (not
// blank, the right size). The config file reader refuses bad input with the key's name.
#include <stb_image.h>

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

TEST(Kiosk, ScreenshotsOfEveryScreenInEveryLanguageUnderXvfb) {
  TempDir tmp;
  const auto out = tmp / "shots";
  auto r = run({"xvfb-run", "-a", "-s", "-screen 0 1280x800x24", bin("intake-kiosk").string(), "--screenshots",
                out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> per_lang;
  int count = 0;
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    const auto name = e.path().stem().string();
    ASSERT_EQ(e.path().extension(), ".png");
    per_lang[name.substr(name.rfind('-') + 1)]++;
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(e.path().c_str(), &w, &h, &n, 3);
    ASSERT_NE(px, nullptr) << name;
    EXPECT_EQ(w, 1280) << name;
    EXPECT_EQ(h, 800) << name;
    // A drawn screen has many colours; a blank or black frame has one.
    std::set<int> colours;
    for (int i = 0; i < w * h && colours.size() < 16; i += 97) colours.insert(px[3 * i] << 16 | px[3 * i + 1] << 8 | px[3 * i + 2]);
    stbi_image_free(px);
    EXPECT_GE(colours.size(), 4u) << name << " looks blank";
    ++count;
  }
  EXPECT_EQ(per_lang.size(), 3u);
  EXPECT_EQ(per_lang["az"], per_lang["ru"]);
  EXPECT_EQ(per_lang["az"], per_lang["en"]);
  EXPECT_GE(count, 15);
}

TEST(Kiosk, ConfigFileIsValidated) {
  TempDir tmp;
  write_text(tmp / "bad.toml", "language = \"fr\"\n");
  auto r = run({bin("intake-kiosk").string(), "--config", (tmp / "bad.toml").string(), "--data-dir", tmp.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("language must be az, ru or en"), std::string::npos) << r.err;
  write_text(tmp / "unknown.toml", "colour = \"red\"\n");
  r = run({bin("intake-kiosk").string(), "--config", (tmp / "unknown.toml").string()});
  EXPECT_NE(r.err.find("colour is not a known setting"), std::string::npos) << r.err;
  write_text(tmp / "range.toml", "auto_lock_seconds = 5\n");
  r = run({bin("intake-kiosk").string(), "--config", (tmp / "range.toml").string()});
  EXPECT_NE(r.err.find("auto_lock_seconds must be 15..3600"), std::string::npos) << r.err;
  write_text(tmp / "langs.toml", "languages = [\"az\", \"fr\"]\n");
  r = run({bin("intake-kiosk").string(), "--config", (tmp / "langs.toml").string()});
  EXPECT_NE(r.err.find("languages must be a list of az, ru, en"), std::string::npos) << r.err;
  write_text(tmp / "offered.toml", "language = \"en\"\nlanguages = [\"az\", \"ru\"]\n");
  r = run({bin("intake-kiosk").string(), "--config", (tmp / "offered.toml").string()});
  EXPECT_NE(r.err.find("language must be one of languages"), std::string::npos) << r.err;
  write_text(tmp / "syntax.toml", "language = \n");
  r = run({bin("intake-kiosk").string(), "--config", (tmp / "syntax.toml").string()});
  EXPECT_EQ(r.exit_code, 1);
}

TEST(Kiosk, NoDataDirectoryIsAUsageError) {
  auto r = run({bin("intake-kiosk").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no data directory"), std::string::npos);
}

}  // namespace
}  // namespace ik::test
