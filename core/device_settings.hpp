#pragma once
// The device's own settings, changed by an administrator on the kiosk and kept in the settings
// table inside the encrypted database: how soon the kiosk locks itself, which UI languages it
// offers, and how long records HQ has confirmed are kept before retention reduces them. The
// kiosk's configuration file gives the defaults; a stored value overrides it from the next
// unlock on (the kiosk also applies a change as soon as it is saved).
//
// Nothing here is personal; any unlocked session may read the settings (the kiosk applies them
// for whoever unlocks), only an administrator (ManageDevice) may change them, and every change
// is audited in the same transaction.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/iso_codes.hpp"

namespace ik::core {

class Session;

inline constexpr int kAutoLockMinutesMin = 1, kAutoLockMinutesMax = 30;
inline constexpr int kRetentionDaysMin = 30, kRetentionDaysMax = 3650;

struct DeviceSettings {
  int auto_lock_minutes = 2;
  std::vector<Lang> languages{kAllLangs.begin(), kAllLangs.end()};  // in kAllLangs order
  int retention_days = 90;
};

// What the administrator typed: numbers as text, as they come from the keyboard.
struct DeviceSettingsForm {
  std::string auto_lock_minutes, retention_days;
  std::vector<Lang> languages;
};

// Problems per field ("auto_lock_minutes", "retention_days", "languages"), msgids as everywhere.
std::vector<FieldError> validate_device_settings(const DeviceSettingsForm& form);

// The values stored on this device. Each is absent until an administrator saved it — or when
// what is stored is not a value the rules allow (a damaged row must not, say, turn auto-lock
// off): then the configuration file's value applies.
struct StoredDeviceSettings {
  std::optional<int> auto_lock_minutes;
  std::optional<std::vector<Lang>> languages;
  std::optional<int> retention_days;
};
Result<StoredDeviceSettings> read_device_settings(Session& session);

// Checks ManageDevice, validates (Errc::Invalid with the field problems), stores all three and
// audits "device_settings" (the new values: numbers and language codes), in one transaction.
Result<DeviceSettings> save_device_settings(Session& session, const DeviceSettingsForm& form);

// "az,ru,en" <-> languages (unknown codes and repeats dropped, kAllLangs order).
std::string join_langs(const std::vector<Lang>& langs);
std::vector<Lang> parse_langs(std::string_view joined);

}  // namespace ik::core
