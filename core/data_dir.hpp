#pragma once
// Where a device keeps its files. One place names them, so nothing else builds paths by hand.
#include <filesystem>

namespace ik::core {

struct DataDir {
  std::filesystem::path root;
  std::filesystem::path database() const { return root / "intake.db"; }
  std::filesystem::path keyslots() const { return root / "keyslots"; }
  std::filesystem::path device_public_key() const { return root / "device.pub"; }
  std::filesystem::path hq_recovery_public_key() const { return root / "hq-recovery.pub"; }
  std::filesystem::path hq_seal_public_key() const { return root / "hq-seal.pub"; }
  std::filesystem::path hq_sign_public_key() const { return root / "hq-sign.pub"; }
  // Sealed bundles written by the kiosk, read (never changed) by the sync agent.
  std::filesystem::path outbox() const { return root / "outbox"; }
  // HQ's receipts, written by the sync agent, read and removed by the unlocked kiosk.
  std::filesystem::path inbox() const { return root / "inbox"; }
  // The sync agent's status (sync/status.json) and the kiosk's "sync now" request (sync/request).
  std::filesystem::path sync_dir() const { return root / "sync"; }
  bool provisioned() const;
};

}  // namespace ik::core
