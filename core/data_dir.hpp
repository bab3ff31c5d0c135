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
  bool provisioned() const;
};

}  // namespace ik::core
