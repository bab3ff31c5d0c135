#pragma once
// Key/value settings inside the encrypted database (device identity secret, policy values).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/secure_buffer.hpp"
#include "storage/database.hpp"

namespace ik::storage {

class SettingsRepo {
 public:
  explicit SettingsRepo(Database& db) : db_(db) {}
  Result<void> set(std::string_view key, std::span<const std::uint8_t> value);
  Result<void> set_text(std::string_view key, std::string_view value);
  Result<std::optional<std::vector<std::uint8_t>>> get(std::string_view key);
  Result<std::optional<std::string>> get_text(std::string_view key);
  // For secrets: copied straight from SQLite's row into sodium memory.
  Result<std::optional<crypto::SecureBuffer>> get_secret(std::string_view key);

 private:
  Database& db_;
};

}  // namespace ik::storage
