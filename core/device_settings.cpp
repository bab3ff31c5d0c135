#include "core/device_settings.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/permissions.hpp"
#include "core/session.hpp"
#include "storage/settings_repo.hpp"

namespace ik::core {
namespace {

constexpr std::string_view kAutoLockKey = "device.auto_lock_minutes";
constexpr std::string_view kLanguagesKey = "device.languages";
constexpr std::string_view kRetentionKey = "device.retention_days";

constexpr std::string_view kAutoLockRange = IK_N_("Enter a whole number of minutes from 1 to 30.");
constexpr std::string_view kRetentionRange = IK_N_("Enter a whole number of days from 30 to 3650.");
constexpr std::string_view kNoLanguage = IK_N_("Offer at least one language.");

// A whole number in [min, max] from text typed on the keyboard (spaces around it allowed).
std::optional<int> whole_number(std::string_view s, int min, int max) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 6) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::optional<int> stored_number(storage::SettingsRepo& repo, std::string_view key, int min, int max,
                                 storage::Result<void>* err) {
  auto v = repo.get_text(key);
  if (!v) {
    *err = std::unexpected(v.error());
    return std::nullopt;
  }
  if (!*v) return std::nullopt;
  return whole_number(**v, min, max);
}

}  // namespace

std::string join_langs(const std::vector<Lang>& langs) {
  std::string out;
  for (const auto l : kAllLangs)
    if (std::find(langs.begin(), langs.end(), l) != langs.end()) out += (out.empty() ? "" : ",") + std::string(lang_code(l));
  return out;
}

std::vector<Lang> parse_langs(std::string_view joined) {
  std::vector<Lang> out;
  for (const auto l : kAllLangs) {
    const auto code = lang_code(l);
    for (std::size_t i = 0; i <= joined.size();) {
      const auto j = std::min(joined.find(',', i), joined.size());
      if (joined.substr(i, j - i) == code) {
        out.push_back(l);
        break;
      }
      i = j + 1;
    }
  }
  return out;
}

std::vector<FieldError> validate_device_settings(const DeviceSettingsForm& f) {
  std::vector<FieldError> out;
  if (!whole_number(f.auto_lock_minutes, kAutoLockMinutesMin, kAutoLockMinutesMax))
    out.push_back({"auto_lock_minutes", std::string(kAutoLockRange), ""});
  if (parse_langs(join_langs(f.languages)).empty()) out.push_back({"languages", std::string(kNoLanguage), ""});
  if (!whole_number(f.retention_days, kRetentionDaysMin, kRetentionDaysMax))
    out.push_back({"retention_days", std::string(kRetentionRange), ""});
  return out;
}

Result<StoredDeviceSettings> read_device_settings(Session& s) {
  if (!s.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  storage::SettingsRepo repo(s.db());
  storage::Result<void> err;
  StoredDeviceSettings out;
  out.auto_lock_minutes = stored_number(repo, kAutoLockKey, kAutoLockMinutesMin, kAutoLockMinutesMax, &err);
  out.retention_days = stored_number(repo, kRetentionKey, kRetentionDaysMin, kRetentionDaysMax, &err);
  if (!err) return std::unexpected(from(err.error()));
  auto langs = repo.get_text(kLanguagesKey);
  if (!langs) return std::unexpected(from(langs.error()));
  if (*langs) {
    auto v = parse_langs(**langs);
    if (!v.empty()) out.languages = std::move(v);
  }
  return out;
}

Result<DeviceSettings> save_device_settings(Session& s, const DeviceSettingsForm& form) {
  if (auto p = require(s, Action::ManageDevice); !p) return std::unexpected(p.error());
  if (auto errors = validate_device_settings(form); !errors.empty()) return invalid(std::move(errors));
  DeviceSettings v;
  v.auto_lock_minutes = *whole_number(form.auto_lock_minutes, kAutoLockMinutesMin, kAutoLockMinutesMax);
  v.retention_days = *whole_number(form.retention_days, kRetentionDaysMin, kRetentionDaysMax);
  v.languages = parse_langs(join_langs(form.languages));
  const auto langs = join_langs(v.languages);
  std::optional<Error> audit_error;
  auto r = s.db().transaction([&]() -> storage::Result<void> {
    storage::SettingsRepo repo(s.db());
    if (auto e = repo.set_text(kAutoLockKey, std::to_string(v.auto_lock_minutes)); !e) return e;
    if (auto e = repo.set_text(kLanguagesKey, langs); !e) return e;
    if (auto e = repo.set_text(kRetentionKey, std::to_string(v.retention_days)); !e) return e;
    if (auto a = audit(s, "device_settings", "device", 0,
                       fmt::format("auto_lock_minutes={} languages={} retention_days={}", v.auto_lock_minutes, langs,
                                   v.retention_days));
        !a) {
      audit_error = a.error();
      return storage::fail(storage::Errc::Sql, a.error().message);
    }
    return {};
  });
  if (!r) return std::unexpected(audit_error ? *audit_error : from(r.error()));
  return v;
}

}  // namespace ik::core
