#include "core/session.hpp"

#include <chrono>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "storage/settings_repo.hpp"
#include "storage/users_repo.hpp"

namespace ik::core {

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Session::lock() {
  if (db_.is_open() && !actor_.name.empty()) {
    // Best effort: a full disk must not keep the screen unlocked.
    (void)audit(*this, "lock", "user", actor_.id);
    (void)audit_checkpoint(*this);
  }
  db_.close();
  dmk_.wipe();
  device_.secret.wipe();
  actor_ = {};
}

Result<Session> unlock(const DataDir& dir, std::string_view user, const crypto::SecureBuffer& passphrase,
                       std::int64_t now, const crypto::AttemptPolicy& policy) {
  if (!dir.provisioned()) return fail(Errc::NotProvisioned, fmt::format("{} is not a provisioned device", dir.root.string()));
  std::uint32_t failures_before = 0;
  auto dmk = crypto::unlock_keyslot_file(dir.keyslots(), user, passphrase, now, policy, &failures_before);
  if (!dmk) return std::unexpected(from(dmk.error()));
  Session s;
  s.dir_ = dir;
  s.dmk_ = std::move(*dmk);
  auto db = storage::Database::open(dir.database(), s.dmk_);
  if (!db) return std::unexpected(from(db.error()));
  s.db_ = std::move(*db);

  auto row = storage::UsersRepo(s.db_).find(std::string(user));
  if (!row) return std::unexpected(from(row.error()));
  if (!*row) return fail(Errc::UnknownUser, "no such staff member");
  if ((*row)->disabled) return fail(Errc::UserDisabled, "this account is disabled");
  const auto role = parse_role((*row)->role);
  if (!role) return fail(Errc::Damaged, "staff member has an unknown role");
  s.actor_ = {(*row)->id, (*row)->name, *role};

  auto secret = storage::SettingsRepo(s.db_).get_secret("device.sign_secret");
  if (!secret) return std::unexpected(from(secret.error()));
  if (!*secret) return fail(Errc::Damaged, "the device identity key is missing");
  auto device = crypto::key_pair_from_secret(crypto::KeyKind::DeviceSign, std::move(**secret));
  if (!device) return std::unexpected(from(device.error()));
  s.device_ = std::move(*device);
  if (failures_before > 0) {
    if (auto a = audit(s, "unlock_failed", "user", s.actor_.id, fmt::format("attempts={}", failures_before)); !a)
      return std::unexpected(a.error());
  }
  if (auto a = audit(s, "login", "user", s.actor_.id); !a) return std::unexpected(a.error());
  return s;
}

Result<std::vector<crypto::SlotStatus>> staff_slots(const DataDir& dir) {
  auto f = crypto::KeyslotFile::load(dir.keyslots());
  if (!f) return std::unexpected(from(f.error()));
  return f->slots();
}

}  // namespace ik::core
