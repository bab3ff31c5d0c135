#pragma once
// Key files, in the spirit of minisign: two lines,
//   untrusted comment: <free text, ignored>
//   base64( "IK" | kind:u8 | version:u8=1 | key id:8 | key bytes )
// Public key bytes are 32; secret bytes are 64 (Ed25519) or 32 (X25519). The reader checks the
// exact length, magic, version, the expected kind, and that the key id matches the key —
// a file of the wrong kind or a damaged file is refused before the key is used.
#include <filesystem>

#include "crypto/error.hpp"
#include "crypto/keys.hpp"

namespace ik::crypto {

Result<void> write_public_key_file(const std::filesystem::path& path, const PublicKey& key);
Result<PublicKey> read_public_key_file(const std::filesystem::path& path, KeyKind expected);

// Written 0600 and refused for reading when group or others can read it.
Result<void> write_secret_key_file(const std::filesystem::path& path, const KeyPair& pair);
Result<KeyPair> read_secret_key_file(const std::filesystem::path& path, KeyKind expected);

}  // namespace ik::crypto
