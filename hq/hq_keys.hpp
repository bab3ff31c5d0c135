#pragma once
// Headquarters' keys: X25519 "seal" (bundles are sealed to it), Ed25519 "sign" (receipts and
// policy), X25519 "recovery" (every device's recovery keyslot is sealed to it). Public halves are
// what a device is provisioned with; secret halves stay in the HQ directory, 0600.
#include <filesystem>

#include "core/error.hpp"
#include "crypto/keys.hpp"

namespace ik::hq {

struct HqDir {
  std::filesystem::path root;
  std::filesystem::path public_key(crypto::KeyKind kind) const;
  std::filesystem::path secret_key(crypto::KeyKind kind) const;
};

struct HqPublicKeys {
  crypto::PublicKey seal, sign, recovery;
};

core::Result<HqPublicKeys> init_hq(const HqDir& dir);
core::Result<crypto::KeyPair> load_hq_secret(const HqDir& dir, crypto::KeyKind kind);
// Opens a device's recovery slot: the device's database key, in sodium memory.
core::Result<crypto::SecureBuffer> recover_database_key(const HqDir& dir, const std::filesystem::path& keyslots);

}  // namespace ik::hq
