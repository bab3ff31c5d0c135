#include "core/backup.hpp"

#include <algorithm>
#include <tuple>

#include <sys/stat.h>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/permissions.hpp"
#include "storage/settings_repo.hpp"
#include "crypto/file_io.hpp"
#include "crypto/key_files.hpp"
#include "crypto/keyslots.hpp"

namespace ik::core {
namespace {
Result<void> copy_into(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (auto w = crypto::copy_file_atomic(from, to, 0600); !w) return std::unexpected(core::from(w.error()));
  return {};
}
}  // namespace

std::filesystem::path backup_keyslots_path(const std::filesystem::path& backup) {
  return backup.string() + ".keyslots";
}

Result<void> backup(Session& session, const std::filesystem::path& target) {
  if (auto p = require(session, Action::Backup); !p) return p;
  // Recorded first, so the backup itself carries the entry that says it was made.
  if (auto a = audit(session, "backup", "device", 0); !a) return a;
  std::error_code ec;
  if (std::filesystem::exists(backup_keyslots_path(target), ec))
    return fail(Errc::Exists, fmt::format("{} already exists", backup_keyslots_path(target).string()));
  if (auto r = session.db().backup_to(target); !r) return std::unexpected(from(r.error()));
  ::chmod(target.c_str(), 0600);
  return copy_into(session.data_dir().keyslots(), backup_keyslots_path(target));
}

Result<void> restore(const std::filesystem::path& backup, const DataDir& dir, std::string_view user,
                     const crypto::SecureBuffer& passphrase) {
  std::error_code ec;
  if (dir.provisioned() || std::filesystem::exists(dir.database(), ec) || std::filesystem::exists(dir.keyslots(), ec))
    return fail(Errc::Exists, fmt::format("{} already holds a device; restore into an empty directory", dir.root.string()));
  std::filesystem::create_directories(dir.root, ec);
  ::chmod(dir.root.c_str(), 0700);
  auto undo = [&] {
    for (const auto& p : {dir.database(), dir.keyslots(), dir.device_public_key(), dir.hq_seal_public_key(),
                          dir.hq_sign_public_key()}) {
      std::filesystem::remove(p, ec);
      std::filesystem::remove(p.string() + "-wal", ec);
      std::filesystem::remove(p.string() + "-shm", ec);
    }
  };
  if (auto r = copy_into(backup, dir.database()); !r) return undo(), r;
  if (auto r = copy_into(backup_keyslots_path(backup), dir.keyslots()); !r)
    return undo(), r;
  auto s = unlock(dir, user, passphrase);
  if (!s) {
    undo();
    return std::unexpected(s.error());
  }
  if (auto r = s->db().integrity_check(); !r) {
    undo();
    return std::unexpected(from(r.error()));
  }
  if (auto w = crypto::write_public_key_file(dir.device_public_key(), s->device_key().pub); !w) {
    undo();
    return std::unexpected(from(w.error()));
  }
  // HQ's seal and sign keys were pinned inside the database at provisioning: a restored device
  // syncs to the same HQ without anyone handing the key files over again.
  storage::SettingsRepo settings(s->db());
  for (const auto& [name, kind, path] : {std::tuple{"hq.seal_public", crypto::KeyKind::HqSeal, dir.hq_seal_public_key()},
                                         std::tuple{"hq.sign_public", crypto::KeyKind::HqSign, dir.hq_sign_public_key()}}) {
    auto bytes = settings.get(name);
    if (!bytes || !*bytes || (*bytes)->size() != crypto::kPublicKeyBytes) continue;  // a device from before sync
    crypto::PublicKey pub{kind, {}};
    std::copy((*bytes)->begin(), (*bytes)->end(), pub.bytes.begin());
    if (auto w = crypto::write_public_key_file(path, pub); !w) {
      undo();
      return std::unexpected(from(w.error()));
    }
  }
  for (const auto& p : {dir.outbox(), dir.inbox(), dir.sync_dir()}) std::filesystem::create_directories(p, ec);
  return {};
}

}  // namespace ik::core
