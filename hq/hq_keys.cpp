#include "hq/hq_keys.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "crypto/key_files.hpp"
#include "crypto/keyslots.hpp"

namespace ik::hq {
namespace {
constexpr crypto::KeyKind kHqKinds[] = {crypto::KeyKind::HqSeal, crypto::KeyKind::HqSign, crypto::KeyKind::HqRecovery};

std::string_view short_name(crypto::KeyKind kind) {
  switch (kind) {
    case crypto::KeyKind::HqSeal: return "seal";
    case crypto::KeyKind::HqSign: return "sign";
    case crypto::KeyKind::HqRecovery: return "recovery";
    default: return "other";
  }
}
}  // namespace

std::filesystem::path HqDir::public_key(crypto::KeyKind kind) const {
  return root / fmt::format("{}.pub", short_name(kind));
}
std::filesystem::path HqDir::secret_key(crypto::KeyKind kind) const {
  return root / fmt::format("{}.key", short_name(kind));
}

core::Result<HqPublicKeys> init_hq(const HqDir& dir) {
  std::error_code ec;
  for (auto kind : kHqKinds) {
    if (std::filesystem::exists(dir.secret_key(kind), ec) || std::filesystem::exists(dir.public_key(kind), ec))
      return core::fail(core::Errc::Exists,
                        fmt::format("{} already holds HQ keys; refusing to overwrite them", dir.root.string()));
  }
  std::filesystem::create_directories(dir.root, ec);
  if (ec) return core::fail(core::Errc::Io, fmt::format("cannot create {}: {}", dir.root.string(), ec.message()));
  ::chmod(dir.root.c_str(), 0700);
  HqPublicKeys out;
  for (auto kind : kHqKinds) {
    auto pair = crypto::generate_key_pair(kind);
    if (auto r = crypto::write_secret_key_file(dir.secret_key(kind), pair); !r) return std::unexpected(core::from(r.error()));
    if (auto r = crypto::write_public_key_file(dir.public_key(kind), pair.pub); !r) return std::unexpected(core::from(r.error()));
    (kind == crypto::KeyKind::HqSeal ? out.seal : kind == crypto::KeyKind::HqSign ? out.sign : out.recovery) = pair.pub;
  }
  return out;
}

core::Result<crypto::KeyPair> load_hq_secret(const HqDir& dir, crypto::KeyKind kind) {
  auto pair = crypto::read_secret_key_file(dir.secret_key(kind), kind);
  if (!pair) return std::unexpected(core::from(pair.error()));
  return std::move(*pair);
}

core::Result<crypto::SecureBuffer> recover_database_key(const HqDir& dir, const std::filesystem::path& keyslots) {
  auto pair = load_hq_secret(dir, crypto::KeyKind::HqRecovery);
  if (!pair) return std::unexpected(pair.error());
  auto file = crypto::KeyslotFile::load(keyslots);
  if (!file) return std::unexpected(core::from(file.error()));
  auto dmk = file->open_recovery(*pair);
  if (!dmk) return std::unexpected(core::from(dmk.error()));
  return std::move(*dmk);
}

}  // namespace ik::hq
