#include "core/provision.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "core/session.hpp"
#include "crypto/key_files.hpp"
#include "crypto/keyslots.hpp"
#include "storage/database.hpp"
#include "storage/settings_repo.hpp"
#include "storage/users_repo.hpp"

namespace ik::core {
Result<void> validate_staff_name(std::string_view name) {
  if (name.empty() || name.size() > crypto::kMaxSlotName)
    return fail(Errc::Invalid, "a staff name must be 1 to 64 bytes long");
  if (!crypto::valid_slot_name(name)) return fail(Errc::Invalid, "a staff name must be printable text");
  if (name.front() == ' ' || name.back() == ' ') return fail(Errc::Invalid, "a staff name must not start or end with a space");
  return {};
}

Result<void> validate_passphrase(const crypto::SecureBuffer& passphrase) {
  if (passphrase.size() < 8) return fail(Errc::Invalid, "a passphrase must be at least 8 characters long");
  if (passphrase.size() > 256) return fail(Errc::Invalid, "a passphrase must be at most 256 bytes long");
  return {};
}

Result<ProvisionResult> provision(const ProvisionRequest& req) {
  if (req.admin_passphrase == nullptr) return fail(Errc::Invalid, "no admin passphrase");
  if (auto r = validate_staff_name(req.admin_name); !r) return std::unexpected(r.error());
  if (auto r = validate_passphrase(*req.admin_passphrase); !r) return std::unexpected(r.error());
  if (req.hq_recovery.kind != crypto::KeyKind::HqRecovery) return fail(Errc::WrongKey, "not an HQ recovery key");
  if (req.hq_seal.kind != crypto::KeyKind::HqSeal) return fail(Errc::WrongKey, "not an HQ seal key");
  if (req.hq_sign.kind != crypto::KeyKind::HqSign) return fail(Errc::WrongKey, "not an HQ sign key");
  if (!req.kdf.valid()) return fail(Errc::Invalid, "Argon2id parameters out of range");

  const auto& dir = req.dir;
  std::error_code ec;
  if (std::filesystem::exists(dir.database(), ec) || std::filesystem::exists(dir.keyslots(), ec))
    return fail(Errc::Exists, fmt::format("{} already holds a device; refusing to overwrite it", dir.root.string()));
  // A directory made here is private (0700). One that already exists keeps its mode: a packaged
  // kiosk's /var/lib/intake-kiosk is 0750 kiosk:ik-spool so the sync agent can reach outbox/ and
  // inbox/ (never intake.db or keyslots, which are 0600).
  const bool created = std::filesystem::create_directories(dir.root, ec);
  if (ec) return fail(Errc::Io, fmt::format("cannot create {}: {}", dir.root.string(), ec.message()));
  if (created) ::chmod(dir.root.c_str(), 0700);

  // Undo everything on any failure: a half-provisioned device must not look usable.
  bool done = false;
  struct Cleanup {
    const DataDir& d;
    bool& ok;
    ~Cleanup() {
      if (ok) return;
      std::error_code e;
      for (const auto& p : {d.database(), d.keyslots(), d.device_public_key(), d.hq_recovery_public_key(),
                            d.hq_seal_public_key(), d.hq_sign_public_key()}) {
        std::filesystem::remove(p, e);
        std::filesystem::remove(p.string() + "-wal", e);
        std::filesystem::remove(p.string() + "-shm", e);
      }
      // Only while still empty: never anything someone else put there.
      for (const auto& p : {d.outbox(), d.inbox(), d.sync_dir()})
        if (std::filesystem::is_empty(p, e)) std::filesystem::remove(p, e);
    }
  } cleanup{dir, done};

  auto dmk = crypto::SecureBuffer::random(crypto::kKeyBytes);
  auto device = crypto::generate_key_pair(crypto::KeyKind::DeviceSign);
  const auto now = now_unix();
  {
    storage::OpenOptions opts;
    opts.create = true;
    auto db = storage::Database::open(dir.database(), dmk, opts);
    if (!db) return std::unexpected(from(db.error()));
    auto r = db->transaction([&]() -> storage::Result<void> {
      if (auto u = storage::UsersRepo(*db).insert(req.admin_name, "admin", now); !u) return std::unexpected(u.error());
      storage::SettingsRepo settings(*db);
      if (auto s = settings.set("device.sign_secret", device.secret.span()); !s) return s;
      if (auto s = settings.set("hq.recovery_public", req.hq_recovery.bytes); !s) return s;
      // Pinned: sync refuses a hq-seal.pub / hq-sign.pub file that differs from these.
      if (auto s = settings.set("hq.seal_public", req.hq_seal.bytes); !s) return s;
      if (auto s = settings.set("hq.sign_public", req.hq_sign.bytes); !s) return s;
      return settings.set_text("device.provisioned_at", std::to_string(now));
    });
    if (!r) return std::unexpected(from(r.error()));
  }
  auto slots = crypto::KeyslotFile::create(dmk, req.hq_recovery);
  if (!slots) return std::unexpected(from(slots.error()));
  if (auto r = slots->add_slot(req.admin_name, dmk, *req.admin_passphrase, req.kdf); !r)
    return std::unexpected(from(r.error()));
  if (auto r = slots->save(dir.keyslots()); !r) return std::unexpected(from(r.error()));
  if (auto r = crypto::write_public_key_file(dir.device_public_key(), device.pub); !r)
    return std::unexpected(from(r.error()));
  if (auto r = crypto::write_public_key_file(dir.hq_recovery_public_key(), req.hq_recovery); !r)
    return std::unexpected(from(r.error()));
  if (auto r = crypto::write_public_key_file(dir.hq_seal_public_key(), req.hq_seal); !r)
    return std::unexpected(from(r.error()));
  if (auto r = crypto::write_public_key_file(dir.hq_sign_public_key(), req.hq_sign); !r)
    return std::unexpected(from(r.error()));
  // outbox/: sealed bundles (kiosk writes, sync agent reads); inbox/: HQ's receipts (sync agent
  // writes, kiosk reads); sync/: the agent's status and the kiosk's "sync now" request.
  for (const auto& p : {dir.outbox(), dir.inbox(), dir.sync_dir()}) {
    std::filesystem::create_directories(p, ec);
    if (ec) return fail(Errc::Io, fmt::format("cannot create {}: {}", p.string(), ec.message()));
  }
  done = true;
  return ProvisionResult{device.pub};
}

}  // namespace ik::core
