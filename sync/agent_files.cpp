#include "sync/agent_files.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <tuple>

#include "crypto/bundle.hpp"
#include "crypto/file_io.hpp"
#include "sync/transport.hpp"

namespace ik::sync {

std::optional<OutboxName> parse_outbox_name(std::string_view name) {
  if (name.size() != 16 + 1 + 32 + 4 || name[16] != '-' || !name.ends_with(".ikb"))
    return std::nullopt;
  std::uint64_t seq = 0;
  for (char c : name.substr(0, 16)) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<std::uint64_t>(c - '0');  // 16 digits < 2^64: no overflow
  }
  const auto id = name.substr(17, 32);
  if (!agent::is_lower_hex(id)) return std::nullopt;
  return OutboxName{seq, std::string(id)};
}

namespace agent {
namespace {

namespace fs = std::filesystem;

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Our temp names from crypto::write_file_atomic: ".<32 hex>.ikr.<16 hex>.tmp".
bool is_own_inbox_temp(std::string_view name) {
  if (name.size() != 1 + 32 + 5 + 16 + 4 || name[0] != '.' || !name.ends_with(".tmp")) return false;
  return is_lower_hex(name.substr(1, 32)) && name.substr(33, 5) == ".ikr." &&
         is_lower_hex(name.substr(38, 16));
}

}  // namespace

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string human_bytes(std::int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

core::Result<OutboxListing> list_outbox(const core::DataDir& dir) {
  OutboxListing out;
  const auto outbox = dir.outbox();
  std::unique_ptr<DIR, DirCloser> d(::opendir(outbox.c_str()));
  if (!d) {
    if (errno == ENOENT) return out;  // nothing written yet
    return core::fail(core::Errc::Io,
                      fmt::format("cannot read {}: {}", outbox.string(), std::strerror(errno)));
  }
  int seen = 0;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (!e) {
      if (errno != 0)
        return core::fail(core::Errc::Io,
                          fmt::format("cannot read {}: {}", outbox.string(), std::strerror(errno)));
      break;
    }
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (++seen > kMaxDirEntries)
      return core::fail(core::Errc::Invalid,
                        fmt::format("{} holds more than {} files; refusing to read it",
                                    outbox.string(), kMaxDirEntries));
    // Writers' temp files start with '.' and end in .tmp: never a finished bundle.
    if (name.starts_with('.') || name.ends_with(".tmp")) continue;
    const auto parsed = parse_outbox_name(name);
    if (!parsed) {
      out.warnings.push_back(fmt::format("outbox/{} is not named like a bundle; left alone", name));
      continue;
    }
    const auto path = outbox / name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;  // removed meanwhile: the kiosk got its receipt
    if (!S_ISREG(st.st_mode)) {
      out.errors.push_back(fmt::format("outbox/{} is not a regular file; not sent", name));
      continue;
    }
    if (static_cast<std::uint64_t>(st.st_size) > crypto::kMaxBundleBytes) {
      out.errors.push_back(fmt::format("outbox/{} is too large ({}, at most {}); not sent", name,
                                       human_bytes(st.st_size),
                                       human_bytes(crypto::kMaxBundleBytes)));
      continue;
    }
    out.bundles.push_back(
        OutboxEntry{parsed->sequence, parsed->bundle_id_hex, std::string(name), path, st.st_size});
  }
  std::sort(out.bundles.begin(), out.bundles.end(), [](const OutboxEntry& a, const OutboxEntry& b) {
    return std::tie(a.sequence, a.id_hex) < std::tie(b.sequence, b.id_hex);
  });
  return out;
}

core::Result<void> prepare_inbox(const core::DataDir& dir) {
  const auto inbox = dir.inbox();
  if (::mkdir(inbox.c_str(), 0750) != 0 && errno != EEXIST)
    return core::fail(core::Errc::Io,
                      fmt::format("cannot create {}: {}", inbox.string(), std::strerror(errno)));
  struct stat st {};
  if (::lstat(inbox.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return core::fail(core::Errc::Io, fmt::format("{} is not a folder", inbox.string()));
  std::unique_ptr<DIR, DirCloser> d(::opendir(inbox.c_str()));
  if (!d)
    return core::fail(core::Errc::Io,
                      fmt::format("cannot read {}: {}", inbox.string(), std::strerror(errno)));
  std::vector<std::string> stale;
  int seen = 0;
  while (const dirent* e = ::readdir(d.get())) {
    if (++seen > kMaxDirEntries) break;
    if (is_own_inbox_temp(e->d_name)) stale.emplace_back(e->d_name);
  }
  for (const auto& name : stale) ::unlink((inbox / name).c_str());
  return {};
}

bool has_receipt(const core::DataDir& dir, std::string_view id_hex) {
  struct stat st {};
  return ::lstat((dir.inbox() / fmt::format("{}.ikr", id_hex)).c_str(), &st) == 0;
}

bool looks_like_receipt(std::span<const std::uint8_t> bytes) {
  static constexpr std::string_view kMagic = "IKRECEIP";
  if (bytes.size() < kMinReceiptBytes || bytes.size() > kMaxReceiptBytes) return false;
  return std::equal(kMagic.begin(), kMagic.end(), bytes.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
}

std::uint8_t receipt_status_byte(std::span<const std::uint8_t> bytes) {
  constexpr std::size_t kStatusOffset = 89;  // docs/bundle-format.md, receipt layout
  return bytes.size() > kStatusOffset ? bytes[kStatusOffset] : 0;
}

core::Result<void> store_receipt(const core::DataDir& dir, std::string_view id_hex,
                                 std::span<const std::uint8_t> bytes) {
  auto w =
      crypto::write_file_atomic(dir.inbox() / fmt::format("{}.ikr", id_hex), bytes, kSharedMode);
  if (!w) return std::unexpected(core::from(w.error()));
  return {};
}

}  // namespace agent
}  // namespace ik::sync
