#pragma once
// Staff accounts. Roles are stored as their code strings; core/ owns their meaning.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace ik::storage {

struct UserRow {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  bool disabled = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

class UsersRepo {
 public:
  explicit UsersRepo(Database& db) : db_(db) {}
  Result<std::int64_t> insert(const std::string& name, const std::string& role, std::int64_t now);
  Result<std::optional<UserRow>> find(const std::string& name);
  Result<std::vector<UserRow>> list();
  Result<void> set_disabled(const std::string& name, bool disabled, std::int64_t now);
  Result<void> set_role(const std::string& name, const std::string& role, std::int64_t now);

 private:
  Database& db_;
};

}  // namespace ik::storage
