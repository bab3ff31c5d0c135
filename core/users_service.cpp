#include "core/users_service.hpp"

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/permissions.hpp"
#include "core/provision.hpp"
#include "crypto/keyslots.hpp"
#include "storage/users_repo.hpp"

namespace ik::core {

Result<void> UsersService::require_admin(std::string_view action) {
  if (!s_.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  if (auto p = require(s_, Action::ManageUsers); !p)
    return fail(Errc::PermissionDenied, fmt::format("only an admin may {}", action));
  return {};
}

Result<void> UsersService::add(std::string_view name, Role role, const crypto::SecureBuffer& passphrase,
                               const crypto::KdfParams& kdf) {
  if (auto r = require_admin("add staff"); !r) return r;
  if (auto r = validate_staff_name(name); !r) return r;
  if (auto r = validate_passphrase(passphrase); !r) return r;
  // The row and the slot go together: the keyslot file is written inside the database
  // transaction, so a refused slot rolls the row back.
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    auto id = storage::UsersRepo(s_.db()).insert(std::string(name), std::string(to_string(role)), now_unix());
    if (!id) return std::unexpected(id.error());
    if (auto a = audit(s_, "user_add", "user", *id, std::string(to_string(role))); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    // Last, so a refused slot rolls back the row and the audit entry with it.
    auto slot = crypto::update_keyslot_file(s_.data_dir().keyslots(), [&](crypto::KeyslotFile& f) {
      return f.add_slot(name, s_.database_key(), passphrase, kdf);
    });
    if (!slot) return storage::fail(storage::Errc::Io, slot.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return {};
}

Result<void> UsersService::disable(std::string_view name) {
  if (auto r = require_admin("disable staff"); !r) return r;
  if (name == s_.actor().name) return fail(Errc::Invalid, "an admin cannot disable their own account");
  auto r = s_.db().transaction([&]() -> storage::Result<void> {
    storage::UsersRepo users(s_.db());
    if (auto d = users.set_disabled(std::string(name), true, now_unix()); !d) return d;
    auto row = users.find(std::string(name));
    if (auto a = audit(s_, "user_disable", "user", row && *row ? (*row)->id : 0); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    auto slot = crypto::update_keyslot_file(s_.data_dir().keyslots(), [&](crypto::KeyslotFile& f) -> crypto::Result<void> {
      if (!f.slot(name)) return {};  // already without a slot
      return f.remove_slot(name);
    });
    if (!slot) return storage::fail(storage::Errc::Io, slot.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return {};
}

Result<void> UsersService::set_passphrase(std::string_view name, const crypto::SecureBuffer& passphrase,
                                          const crypto::KdfParams& kdf) {
  if (!s_.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  if (name != s_.actor().name) {
    if (auto r = require_admin("reset another staff member's passphrase"); !r) return r;
  }
  if (auto r = validate_passphrase(passphrase); !r) return r;
  auto row = storage::UsersRepo(s_.db()).find(std::string(name));
  if (!row) return std::unexpected(from(row.error()));
  if (!*row) return fail(Errc::NotFound, "no such staff member");
  if ((*row)->disabled) return fail(Errc::UserDisabled, "this account is disabled");
  auto slot = crypto::update_keyslot_file(s_.data_dir().keyslots(), [&](crypto::KeyslotFile& f) -> crypto::Result<void> {
    if (f.slot(name)) {
      if (auto rm = f.remove_slot(name); !rm) return rm;
    }
    return f.add_slot(name, s_.database_key(), passphrase, kdf);
  });
  if (!slot) return std::unexpected(from(slot.error()));
  return audit(s_, "user_passwd", "user", (*row)->id);
}

Result<std::vector<StaffMember>> UsersService::list() {
  if (!s_.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  auto rows = storage::UsersRepo(s_.db()).list();
  if (!rows) return std::unexpected(from(rows.error()));
  std::vector<StaffMember> out;
  for (const auto& r : *rows) out.push_back({r.name, parse_role(r.role).value_or(Role::Officer), r.disabled});
  return out;
}

}  // namespace ik::core
