#include "sync/pinned_keys.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "core/session.hpp"
#include "crypto/key_files.hpp"
#include "storage/settings_repo.hpp"

namespace ik::sync {

core::Result<crypto::PublicKey> pinned_hq_key(core::Session& s, crypto::KeyKind kind) {
  if (!s.unlocked()) return core::fail(core::Errc::PermissionDenied, "the device is locked");
  const bool seal = kind == crypto::KeyKind::HqSeal;
  const auto path = seal ? s.data_dir().hq_seal_public_key() : s.data_dir().hq_sign_public_key();
  const auto file = path.filename().string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return core::fail(core::Errc::NotProvisioned,
                      fmt::format("this device has no HQ {} key ({} is missing): it cannot {} until it is "
                                  "provisioned with headquarters' keys",
                                  seal ? "seal" : "sign", file, seal ? "write bundles" : "verify receipts"));
  auto key = crypto::read_public_key_file(path, kind);
  if (!key) return std::unexpected(core::from(key.error()));
  auto pin = storage::SettingsRepo(s.db()).get(seal ? kPinnedSealSetting : kPinnedSignSetting);
  if (!pin) return std::unexpected(core::from(pin.error()));
  if (*pin && !std::ranges::equal(**pin, key->bytes))
    return core::fail(core::Errc::WrongKey,
                      fmt::format("{} is not the HQ key this device was provisioned with; refusing to use it", file));
  return *key;
}

}  // namespace ik::sync
