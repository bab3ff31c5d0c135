#include "firmware-app/kiosk_config.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "crypto/file_io.hpp"

namespace ik::app {

core::Result<ui::KioskConfig> load_kiosk_config(const std::filesystem::path& file, ui::KioskConfig c) {
  auto bytes = crypto::read_file(file, 64 * 1024);
  if (!bytes) return core::fail(core::Errc::Io, bytes.error().message);
  toml::table t;
  try {
    t = toml::parse(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), file.string());
  } catch (const toml::parse_error& e) {
    return core::fail(core::Errc::Invalid, fmt::format("{}: {}", file.string(), e.description()));
  }
  auto bad = [&](std::string_view key, std::string_view why) {
    return core::fail(core::Errc::Invalid, fmt::format("{}: {} {}", file.string(), key, why));
  };
  for (const auto& [key, value] : t) {
    const std::string_view k = key.str();
    if (k == "data_dir") {
      auto v = value.value<std::string>();
      if (!v || v->empty() || v->size() > 4096) return bad(k, "must be a path");
      c.data.root = *v;
    } else if (k == "language") {
      auto v = value.value<std::string>();
      if (v == "az") c.language = core::Lang::Az;
      else if (v == "ru") c.language = core::Lang::Ru;
      else if (v == "en") c.language = core::Lang::En;
      else return bad(k, "must be az, ru or en");
    } else if (k == "languages") {
      // The UI languages offered (the lock screen's and the status bar's buttons), in any order.
      const auto* arr = value.as_array();
      if (arr == nullptr || arr->empty() || arr->size() > 3) return bad(k, "must be a list of az, ru, en");
      std::vector<core::Lang> langs;
      for (const auto& el : *arr) {
        auto v = el.value<std::string>();
        std::optional<core::Lang> l;
        for (const auto candidate : core::kAllLangs)
          if (v && *v == core::lang_code(candidate)) l = candidate;
        if (!l) return bad(k, "must be a list of az, ru, en");
        if (std::find(langs.begin(), langs.end(), *l) == langs.end()) langs.push_back(*l);
      }
      c.languages.clear();
      for (const auto l : core::kAllLangs)  // shown in one fixed order
        if (std::find(langs.begin(), langs.end(), l) != langs.end()) c.languages.push_back(l);
    } else if (k == "auto_lock_seconds") {
      auto v = value.value<std::int64_t>();
      if (!v || *v < 15 || *v > 3600) return bad(k, "must be 15..3600");
      c.auto_lock_seconds = static_cast<int>(*v);
    } else if (k == "retention_days") {
      auto v = value.value<std::int64_t>();
      if (!v || *v < 1 || *v > 3650) return bad(k, "must be 1..3650");
      c.retention_days = static_cast<int>(*v);
    } else if (k == "touch_only") {
      auto v = value.value<bool>();
      if (!v) return bad(k, "must be true or false");
      c.touch_only = *v;
    } else if (k == "dpi") {
      auto v = value.value<double>();
      if (!v || *v < 72 || *v > 400) return bad(k, "must be 72..400");
      c.dpi = static_cast<float>(*v);
    } else if (k == "scale") {
      auto v = value.value<double>();
      if (!v || *v < 0.75 || *v > 2.0) return bad(k, "must be 0.75..2.0");
      c.scale = static_cast<float>(*v);
    } else {
      return bad(k, "is not a known setting");
    }
  }
  // The language the kiosk starts in must be one it offers.
  if (std::find(c.languages.begin(), c.languages.end(), c.language) == c.languages.end())
    return core::fail(core::Errc::Invalid, fmt::format("{}: language must be one of languages", file.string()));
  return c;
}

}  // namespace ik::app
