#pragma once
// HQ's public keys as this device uses them: the key file in the data directory (hq-seal.pub,
// hq-sign.pub), which must equal the copy pinned inside the encrypted database at provisioning.
// A file swapped by anyone who can write the data directory but not the database is refused.
#include "core/error.hpp"
#include "crypto/keys.hpp"

namespace ik::core {
class Session;
}

namespace ik::sync {

// kind: HqSeal or HqSign.
core::Result<crypto::PublicKey> pinned_hq_key(core::Session& session, crypto::KeyKind kind);

// Settings keys of the pinned copies (written by core::provision).
inline constexpr std::string_view kPinnedSealSetting = "hq.seal_public";
inline constexpr std::string_view kPinnedSignSetting = "hq.sign_public";

}  // namespace ik::sync
