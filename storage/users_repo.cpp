#include "storage/users_repo.hpp"

#include <fmt/format.h>

namespace ik::storage {
namespace {

UserRow read_user(const Statement& st) {
  return UserRow{st.int64(0), st.text(1), st.text(2), st.int64(3) != 0, st.int64(4), st.int64(5)};
}

constexpr std::string_view kColumns = "id, name, role, disabled, created_at, updated_at";

}  // namespace

Result<std::int64_t> UsersRepo::insert(const std::string& name, const std::string& role, std::int64_t now) {
  auto st = db_.prepare("INSERT INTO users (name, role, disabled, created_at, updated_at) VALUES (?1, ?2, 0, ?3, ?3)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, name).bind(2, role).bind(3, now);
  if (auto r = st->run(); !r) {
    if (r.error().code == Errc::Constraint) return fail(Errc::Exists, "a staff member with that name already exists");
    return std::unexpected(r.error());
  }
  return db_.last_insert_id();
}

Result<std::optional<UserRow>> UsersRepo::find(const std::string& name) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM users WHERE name = ?1", kColumns));
  if (!st) return std::unexpected(st.error());
  st->bind(1, name);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<UserRow>();
  return std::optional<UserRow>(read_user(*st));
}

Result<std::vector<UserRow>> UsersRepo::list() {
  auto st = db_.prepare(fmt::format("SELECT {} FROM users ORDER BY name", kColumns));
  if (!st) return std::unexpected(st.error());
  std::vector<UserRow> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(read_user(*st));
  }
  return out;
}

Result<void> UsersRepo::set_disabled(const std::string& name, bool disabled, std::int64_t now) {
  auto st = db_.prepare("UPDATE users SET disabled = ?2, updated_at = ?3 WHERE name = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, name).bind(2, std::int64_t{disabled ? 1 : 0}).bind(3, now);
  if (auto r = st->run(); !r) return r;
  if (db_.changes() == 0) return fail(Errc::NotFound, "no such staff member");
  return {};
}

Result<void> UsersRepo::set_role(const std::string& name, const std::string& role, std::int64_t now) {
  auto st = db_.prepare("UPDATE users SET role = ?2, updated_at = ?3 WHERE name = ?1");
  if (!st) return std::unexpected(st.error());
  st->bind(1, name).bind(2, role).bind(3, now);
  if (auto r = st->run(); !r) return r;
  if (db_.changes() == 0) return fail(Errc::NotFound, "no such staff member");
  return {};
}

}  // namespace ik::storage
