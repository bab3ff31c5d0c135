#include "storage/settings_repo.hpp"

namespace ik::storage {

Result<void> SettingsRepo::set(std::string_view key, std::span<const std::uint8_t> value) {
  auto st = db_.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, key).bind_blob(2, value);
  return st->run();
}

Result<void> SettingsRepo::set_text(std::string_view key, std::string_view value) {
  return set(key, {reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
}

Result<std::optional<std::vector<std::uint8_t>>> SettingsRepo::get(std::string_view key) {
  auto st = db_.prepare("SELECT value FROM settings WHERE key = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, key);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::vector<std::uint8_t>>();
  return std::optional<std::vector<std::uint8_t>>(st->blob(0));
}

Result<std::optional<std::string>> SettingsRepo::get_text(std::string_view key) {
  auto v = get(key);
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::optional<std::string>();
  return std::optional<std::string>(std::string((*v)->begin(), (*v)->end()));
}

Result<std::optional<crypto::SecureBuffer>> SettingsRepo::get_secret(std::string_view key) {
  auto st = db_.prepare("SELECT value FROM settings WHERE key = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, key);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<crypto::SecureBuffer>();
  return std::optional<crypto::SecureBuffer>(crypto::SecureBuffer::copy_of(st->blob_view(0)));
}

}  // namespace ik::storage
