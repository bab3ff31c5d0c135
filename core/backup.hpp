#pragma once
// Encrypted backup and restore. A backup is two files: FILE, a SQLCipher copy made with
// sqlcipher_export under the same database key, and FILE.keyslots, the keyslot file as it was.
// Neither is readable without a staff passphrase or HQ's recovery key, like the device itself.
#include <filesystem>

#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "core/session.hpp"

namespace ik::core {

std::filesystem::path backup_keyslots_path(const std::filesystem::path& backup);
Result<void> backup(Session& session, const std::filesystem::path& target);
// Restores into an empty data directory and proves it by unlocking with the given staff
// member; on any failure the directory is left as it was.
Result<void> restore(const std::filesystem::path& backup, const DataDir& dir, std::string_view user,
                     const crypto::SecureBuffer& passphrase);

}  // namespace ik::core
