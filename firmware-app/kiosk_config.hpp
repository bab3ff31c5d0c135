#pragma once
// intake-kiosk's configuration file (TOML), bounded and validated: an unknown key or a value out
// of range is an error with the key's name, never silently ignored.
//
//   data_dir = "/var/lib/intake-kiosk"
//   language = "az"            # az | ru | en: the language the kiosk starts in
//   languages = ["az", "ru", "en"]  # the languages offered (at least one, including `language`)
//   auto_lock_seconds = 120    # 15..3600
//   retention_days = 90        # 1..3650
// auto-lock, languages and retention are defaults: an administrator can change them on the
// kiosk (core/device_settings.hpp), and what is saved there wins from the next unlock on.
//   touch_only = true          # hide the cursor
//   dpi = 141.0                # the screen's pixels per inch, for 10 mm touch targets
//   scale = 1.0                # extra text scale, 0.75..2.0
#include <filesystem>

#include "core/error.hpp"
#include "ui/app.hpp"

namespace ik::app {

core::Result<ui::KioskConfig> load_kiosk_config(const std::filesystem::path& file, ui::KioskConfig defaults);

}  // namespace ik::app
