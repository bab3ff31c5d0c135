#pragma once
// First start of a device: a fresh database master key, the encrypted database, the keyslot file
// (first admin + HQ recovery), the device identity, HQ's public keys (recovery, seal, sign: key
// files in the data directory, the seal and sign keys also pinned inside the database) and the
// sync folders outbox/, inbox/, sync/. Either all of it exists afterwards, or none.
#include <string>

#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "crypto/kdf.hpp"
#include "crypto/keys.hpp"
#include "crypto/secure_buffer.hpp"

namespace ik::core {

struct ProvisionRequest {
  DataDir dir;
  std::string admin_name;
  const crypto::SecureBuffer* admin_passphrase = nullptr;
  crypto::PublicKey hq_recovery;
  crypto::KdfParams kdf;
  crypto::PublicKey hq_seal;  // HqSeal: bundles are sealed to it
  crypto::PublicKey hq_sign;  // HqSign: receipts are verified with it
};

struct ProvisionResult {
  crypto::PublicKey device_public;
};

Result<ProvisionResult> provision(const ProvisionRequest& request);

// Shared rules, used by provisioning, the users service, the CLI and the lock screen.
Result<void> validate_staff_name(std::string_view name);
Result<void> validate_passphrase(const crypto::SecureBuffer& passphrase);

}  // namespace ik::core
