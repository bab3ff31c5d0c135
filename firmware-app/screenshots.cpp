#include "firmware-app/screenshots.hpp"

#include <stdlib.h>

#include <functional>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "core/demo_data.hpp"
#include "ui/app.hpp"
#include "ui/driver.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/osk.hpp"
#include "ui/scenes.hpp"
#include "ui/theme.hpp"

namespace ik::app {
namespace {

}  // namespace

int run_screenshots(Platform& platform, const std::filesystem::path& out_dir) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ik-screens-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "intake-kiosk: cannot create a temporary directory\n");
    return 1;
  }
  const std::filesystem::path tmp = tmpl;
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{tmp};
  core::DataDir dir{tmp / "device"};
  if (auto r = core::provision_demo_device(dir, 150, 400); !r) {
    std::fprintf(stderr, "intake-kiosk: demo device: %s\n", r.error().message.c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  int failures = 0, written = 0;
  platform.set_vsync(false);
  double t = platform.time();
  for (core::Lang lang : core::kAllLangs) {
    for (const auto& scene : ui::scenes()) {
      ui::KioskConfig cfg;
      cfg.data = dir;
      cfg.language = lang;
      cfg.dpi = ui::metrics().dpi;
      ui::KioskApp app(cfg);
      auto render = [&] {
        t += 1.0 / 60;
        platform.begin_frame(1.0f / 60);
        app.frame(t);
        (void)platform.end_frame();
      };
      ui::Driver driver(app, render);
      driver.frames(3);
      const bool ok = scene.setup(driver);
      driver.frames(3);
      if (!ok) {
        std::fprintf(stderr, "intake-kiosk: scene %s (%s) could not be reached\n", scene.name.c_str(),
                     std::string(core::lang_code(lang)).c_str());
        ++failures;
      }
      const auto file = out_dir / fmt::format("{}-{}.png", scene.name, core::lang_code(lang));
      t += 1.0 / 60;
      platform.begin_frame(1.0f / 60);
      app.frame(t);
      if (auto r = platform.end_frame(&file); !r) {
        std::fprintf(stderr, "intake-kiosk: %s\n", r.error().message.c_str());
        ++failures;
      } else {
        ++written;
      }
      ui::keyboard().deactivate();
    }
  }
  std::printf("intake-kiosk: %d screenshots in %s\n", written, out_dir.c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace ik::app
