// process_inbox(): HQ's receipts -> delivered bundles -> confirmed record versions -> retention.
// See sync/outbox.hpp. What must stay true: a receipt changes anything only if HQ's pinned sign
// key signed it, it names this device, and its bundle id, sequence and bundle hash are exactly
// those of a bundle this device recorded. Everything else is counted as ignored and removed.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/session.hpp"
#include "crypto/bundle.hpp"
#include "crypto/file_io.hpp"
#include "storage/sync_repo.hpp"
#include "sync/outbox.hpp"
#include "sync/pinned_keys.hpp"

namespace ik::sync {
namespace fs = std::filesystem;

namespace {

// A receipt is 163..363 bytes (docs/bundle-format.md); a larger file is not read into memory.
constexpr std::size_t kMaxReceiptBytes = 163 + crypto::kMaxReceiptReason;
// Per run; more wait for the next one (the sync agent never collects nearly this many).
constexpr std::size_t kMaxReceiptsPerRun = 4096;

bool is_receipt_name(std::string_view n) { return !n.starts_with('.') && n.ends_with(".ikr") && n.size() > 4; }

std::string_view status_name(crypto::ReceiptStatus s) {
  switch (s) {
    case crypto::ReceiptStatus::Accepted: return "accepted";
    case crypto::ReceiptStatus::Duplicate: return "duplicate";
    case crypto::ReceiptStatus::Rejected: return "rejected";
  }
  return "rejected";
}

}  // namespace

core::Result<InboxResult> process_inbox(core::Session& s, int retention_days, std::int64_t now) {
  if (!s.unlocked()) return core::fail(core::Errc::PermissionDenied, "the device is locked");
  if (retention_days < 1 || retention_days > 3650)
    return core::fail(core::Errc::Invalid, "the retention period must be between 1 and 3650 days");
  auto hq_sign = pinned_hq_key(s, crypto::KeyKind::HqSign);
  if (!hq_sign) return std::unexpected(hq_sign.error());
  const fs::path inbox = s.data_dir().inbox(), outbox = s.data_dir().outbox();

  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(inbox, ec)) {
    for (const auto& e : fs::directory_iterator(inbox, ec)) {
      std::error_code fec;
      if (is_receipt_name(e.path().filename().string()) && e.is_regular_file(fec)) files.push_back(e.path());
    }
    if (ec) return core::fail(core::Errc::Io, fmt::format("cannot list {}: {}", inbox.string(), ec.message()));
  }
  std::sort(files.begin(), files.end());
  if (files.size() > kMaxReceiptsPerRun) files.resize(kMaxReceiptsPerRun);

  InboxResult out;
  const auto my_id = s.device_key().pub.id();
  std::vector<std::string> delivered_files;
  storage::SyncRepo repo(s.db());
  std::optional<core::Error> refusal;
  auto r = s.db().transaction([&]() -> storage::Result<void> {
    for (const auto& path : files) {
      auto bytes = crypto::read_file(path, kMaxReceiptBytes);
      if (!bytes) {  // too large, vanished, unreadable
        ++out.ignored;
        continue;
      }
      auto receipt = crypto::read_receipt(*bytes, *hq_sign);
      if (!receipt || receipt->device_key_id != my_id) {  // not HQ's signature, or not for us
        ++out.ignored;
        continue;
      }
      auto b = repo.bundle(static_cast<std::int64_t>(receipt->sequence));
      if (!b) return std::unexpected(b.error());
      if (!*b || !std::ranges::equal((*b)->bundle_id, receipt->bundle_id) ||
          !std::ranges::equal((*b)->bundle_hash, receipt->bundle_hash)) {
        ++out.ignored;  // not a bundle this device wrote, exactly
        continue;
      }
      const auto seq = (*b)->sequence;
      const auto through = static_cast<std::int64_t>(receipt->received_through);
      if (receipt->status == crypto::ReceiptStatus::Rejected) {
        auto changed = repo.mark_rejected(seq, receipt->reason, receipt->received_at, through);
        if (!changed) return std::unexpected(changed.error());
        if (!*changed) {  // already delivered (or lost): a late rejection changes nothing
          ++out.ignored;
          continue;
        }
        ++out.rejected;
        out.rejections.push_back(fmt::format("bundle {}: {}", seq, receipt->reason));
        continue;
      }
      auto changed = repo.mark_delivered(seq, status_name(receipt->status), receipt->received_at, through, now);
      if (!changed) return std::unexpected(changed.error());
      if (!*changed) {  // delivered before: idempotent
        ++out.ignored;
        continue;
      }
      auto confirmed = repo.confirm_items(seq);
      if (!confirmed) return std::unexpected(confirmed.error());
      out.confirmed += *confirmed;
      ++out.delivered;
      delivered_files.push_back((*b)->file_name);
    }
    if (files.empty()) return {};
    if (auto a = core::audit(s, "receipts_process", "device", 0,
                             fmt::format("delivered={} rejected={} ignored={} confirmed={}", out.delivered,
                                         out.rejected, out.ignored, out.confirmed));
        !a) {
      refusal = a.error();
      return storage::fail(storage::Errc::Sql, a.error().message);
    }
    return {};
  });
  if (!r) return std::unexpected(refusal ? *refusal : core::from(r.error()));

  // The database says delivered: the ciphertext has no further use. A removal that fails here is
  // finished by the next write_outbox (a file no pending bundle names is removed).
  for (const auto& name : delivered_files) fs::remove(outbox / name, ec);
  if (!delivered_files.empty()) (void)crypto::fsync_directory(outbox);
  for (const auto& path : files) fs::remove(path, ec);
  if (!files.empty()) (void)crypto::fsync_directory(inbox);

  auto retention = core::apply_retention(s, retention_days, now);
  if (!retention) return std::unexpected(retention.error());
  out.retention = *retention;
  return out;
}

}  // namespace ik::sync
