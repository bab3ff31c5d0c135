#pragma once
// A headless kiosk for UI tests: a real Dear ImGui context with the real fonts and catalogues, no
// GPU (frames are built, never rasterised), the real KioskApp on a real demo device (SQLCipher,
// libsodium), driven by ui::Driver: tap a labelled item, type on the on-screen keyboard, read
// what is shown.
#include <gtest/gtest.h>
#include <imgui.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "core/demo_data.hpp"
#include "tests/support/temp_dir.hpp"
#include "ui/app.hpp"
#include "ui/driver.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/input.hpp"
#include "ui/osk.hpp"
#include "ui/theme.hpp"

namespace ik::ui::testing {

// One demo device per test binary, copied for each test (provisioning takes a few seconds).
inline const std::filesystem::path& demo_template() {
  static test::TempDir dir;
  static const bool made = [] {
    auto r = core::provision_demo_device(core::DataDir{dir / "device"}, 40, 60);
    if (!r) ADD_FAILURE() << r.error().message;
    return r.has_value();
  }();
  (void)made;
  return dir.path();
}

// A minimal reader of the .po files msgfmt compiles: msgid/msgstr pairs with continued lines.
inline std::map<std::string, std::string> read_po(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::map<std::string, std::string> out;
  std::string line, id, str, *cur = nullptr;
  auto unquote = [](std::string_view s) {
    std::string r;
    s = s.substr(s.find('"') + 1);
    s = s.substr(0, s.rfind('"'));
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        const char c = s[++i];
        r += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        r += s[i];
      }
    }
    return r;
  };
  auto flush = [&] {
    if (!id.empty()) out[id] = str;
    id.clear();
    str.clear();
  };
  while (std::getline(in, line)) {
    if (line.rfind("msgid ", 0) == 0) {
      flush();
      id = unquote(line);
      cur = &id;
    } else if (line.rfind("msgstr ", 0) == 0) {
      str = unquote(line);
      cur = &str;
    } else if (!line.empty() && line[0] == '"' && cur != nullptr) {
      *cur += unquote(line);
    }
  }
  flush();
  return out;
}

class UiTest : public ::testing::Test {
 protected:
  test::TempDir tmp;
  core::DataDir dir{tmp / "device"};
  double t = 1000.0;
  std::unique_ptr<KioskApp> app;
  std::unique_ptr<Driver> driver;

  void SetUp() override {
    std::filesystem::copy(demo_template() / "device", dir.root, std::filesystem::copy_options::recursive);
    ImGui::CreateContext();
    input::configure(true);
    set_metrics(Metrics::for_dpi(110.0f));
    apply_style();
    ASSERT_TRUE(load_fonts());
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    ASSERT_TRUE(load_catalogues(IK_LOCALE_DIR));
    start(core::Lang::En);
  }

  void start(core::Lang lang, int auto_lock_seconds = 120) {
    driver.reset();
    app.reset();
    keyboard().deactivate();
    KioskConfig cfg;
    cfg.data = dir;
    cfg.language = lang;
    cfg.auto_lock_seconds = auto_lock_seconds;
    app = std::make_unique<KioskApp>(cfg);
    driver = std::make_unique<Driver>(*app, [this] { frame(); });
    driver->frames(2);
  }

  void frame(double dt = 1.0 / 60) {
    t += dt;
    input::begin_frame(static_cast<float>(dt), ImVec2(1280, 800), ImVec2(1, 1));
    ImGui::NewFrame();
    app->frame(t);
    ImGui::Render();
    input::end_frame();
  }

  // Lets time pass without input.
  void idle(double seconds) {
    frame(seconds);
    frame();
  }

  // Draws frames until `done` holds: background work (a case search on its worker thread) takes
  // real time, whatever the simulated clock says. At most `seconds` of wall-clock time.
  bool settle(const std::function<bool()>& done, double seconds = 10.0) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
      frame();
      if (done()) return true;
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  bool unlock_as(std::string_view name) {
    for (const auto& s : core::kDemoStaff)
      if (s.name == name)
        return driver->tap(fmt::format("staff:{}", name)) && driver->type(s.passphrase) && driver->tap("btn:unlock");
    return false;
  }

  void TearDown() override {
    driver.reset();
    app.reset();
    keyboard().deactivate();
    ImGui::DestroyContext();
  }
};

}  // namespace ik::ui::testing
