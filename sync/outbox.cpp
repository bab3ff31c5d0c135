// write_outbox() and outbox_summary(): see sync/outbox.hpp for the protocol and what must stay true.
#include "sync/outbox.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "core/audit.hpp"
#include "core/session.hpp"
#include "crypto/bundle.hpp"
#include "crypto/file_io.hpp"
#include "storage/sync_repo.hpp"
#include "sync/changes.hpp"
#include "sync/pinned_keys.hpp"

namespace ik::sync {
namespace fs = std::filesystem;

namespace testing {
namespace {
std::atomic<CrashHook> g_hook{nullptr};
}
void set_crash_hook(CrashHook hook) { g_hook = hook; }
}  // namespace testing

namespace {

void crash_point(testing::CrashPoint p) {
  if (auto hook = testing::g_hook.load()) hook(p);
}

// The sync agent reads outbox/ as another user: ciphertext only, so group-readable.
constexpr unsigned kBundleMode = 0640;
constexpr std::int64_t kAuditBatch = 1000;

std::string final_name(std::int64_t sequence, const crypto::BundleId& id) {
  return fmt::format("{:016}-{}.ikb", sequence, crypto::bundle_id_hex(id));
}
std::string pending_name(std::string_view final) { return fmt::format(".{}.pending", final); }

bool all_of(std::string_view s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}
bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
// "<16 digits>-<32 hex>.ikb": a bundle's final name.
bool is_final_name(std::string_view n) {
  return n.size() == 16 + 1 + 32 + 4 && all_of(n.substr(0, 16), ::isdigit) && n[16] == '-' &&
         lower_hex(n.substr(17, 32)) && n.substr(49) == ".ikb";
}
// ".<final name>.pending": written, maybe recorded, not yet visible.
bool is_pending_name(std::string_view n) {
  return n.size() > 9 && n.front() == '.' && n.ends_with(".pending") && is_final_name(n.substr(1, n.size() - 9));
}
// What crypto::write_file_atomic leaves behind when interrupted while writing a pending file.
bool is_interrupted_temp(std::string_view n) {
  return n.starts_with("..") && n.ends_with(".tmp") && n.find(".ikb.pending.") != std::string_view::npos;
}

std::unexpected<storage::Error> io_failure(const std::string& what) { return storage::fail(storage::Errc::Io, what); }

// Brings outbox/ in line with the database before anything new is written (under the write lock,
// so no other writer is between its steps): finishes recorded writes, removes what no row names,
// marks recorded bundles whose file is gone as lost. Returns {files fixed, bundles lost}.
storage::Result<std::pair<int, int>> recover(storage::SyncRepo& repo, const fs::path& outbox) {
  auto pending = repo.bundles_in_state(storage::BundleState::Pending);
  if (!pending) return std::unexpected(pending.error());
  auto recorded_pending = [&](std::string_view name) {
    return std::any_of(pending->begin(), pending->end(), [&](const auto& b) { return b.file_name == name; });
  };
  int fixed = 0, lost = 0;
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(outbox, ec)) entries.push_back(e.path());
  if (ec) return io_failure(fmt::format("cannot list {}: {}", outbox.string(), ec.message()));
  std::sort(entries.begin(), entries.end());
  for (const auto& p : entries) {
    const auto name = p.filename().string();
    if (is_final_name(name)) {
      if (recorded_pending(name)) continue;
      // Not a pending bundle of ours: an orphan of an interrupted write, or a delivered bundle
      // whose removal was interrupted. Either way it must not be sent.
      fs::remove(p, ec);
      ++fixed;
    } else if (is_pending_name(name)) {
      const auto final = name.substr(1, name.size() - 9);
      if (recorded_pending(final) && !fs::exists(outbox / final, ec)) {
        fs::rename(p, outbox / final, ec);  // recorded, then interrupted before the rename
        if (ec) return io_failure(fmt::format("cannot rename {} into place: {}", name, ec.message()));
      } else {
        fs::remove(p, ec);  // never recorded: no one has seen it
      }
      ++fixed;
    } else if (is_interrupted_temp(name)) {
      fs::remove(p, ec);
      ++fixed;
    }
  }
  for (const auto& b : *pending) {
    if (fs::exists(outbox / b.file_name, ec)) continue;
    if (auto r = repo.mark_lost(b.sequence); !r) return std::unexpected(r.error());
    ++lost;
  }
  if (fixed > 0) {
    if (auto r = crypto::fsync_directory(outbox); !r) return io_failure(r.error().message);
  }
  return std::pair{fixed, lost};
}

struct Written {
  std::int64_t sequence = 0;
  fs::path pending, final;
  std::int64_t cases = 0, calls = 0, beds = 0, audit = 0, checkpoints = 0, bytes = 0;
};

bool payload_full(const ChangesPayload& p, const OutboxOptions& o) {
  return p.bytes() >= o.target_bytes || p.largest_array() >= kMaxArrayEntries;
}

}  // namespace

core::Result<OutboxResult> write_outbox(core::Session& session, std::int64_t now) {
  return write_outbox(session, now, OutboxOptions{});
}

core::Result<OutboxResult> write_outbox(core::Session& s, std::int64_t now, const OutboxOptions& options) {
  if (!s.unlocked()) return core::fail(core::Errc::PermissionDenied, "the device is locked");
  auto hq_seal = pinned_hq_key(s, crypto::KeyKind::HqSeal);
  if (!hq_seal) return std::unexpected(hq_seal.error());
  const fs::path outbox = s.data_dir().outbox();
  std::error_code ec;
  fs::create_directories(outbox, ec);
  if (ec) return core::fail(core::Errc::Io, fmt::format("cannot create {}: {}", outbox.string(), ec.message()));

  auto& db = s.db();
  storage::SyncRepo repo(db);
  OutboxResult out;
  {
    auto r = db.transaction<std::pair<int, int>>([&] { return recover(repo, outbox); });
    if (!r) return std::unexpected(core::from(r.error()));
    out.recovered = r->first;
    out.lost = r->second;
  }

  const std::string device_id = s.device_key().pub.id_hex();
  const std::vector<std::string> housekeeping(std::begin(kHousekeepingActions), std::end(kHousekeepingActions));
  for (int n = 0; n < options.max_bundles; ++n) {
    std::optional<core::Error> refusal;  // a core error inside the transaction (rolled back)
    auto fail_with = [&](core::Error e) {
      refusal = std::move(e);
      return storage::fail(storage::Errc::Io, refusal->message);
    };
    std::optional<Written> written;
    auto r = db.transaction([&]() -> storage::Result<void> {
      auto last = repo.last_bundle();
      if (!last) return std::unexpected(last.error());
      const std::int64_t sequence = *last ? (*last)->sequence + 1 : 1;
      crypto::Hash previous{};
      if (*last) std::copy_n((*last)->bundle_hash.begin(), previous.size(), previous.begin());
      const std::int64_t audit_cursor = *last ? (*last)->audit_through : 0;
      const std::int64_t checkpoint_cursor = *last ? (*last)->checkpoint_through : 0;

      auto changes = repo.pending_changes();
      if (!changes) return std::unexpected(changes.error());
      auto due = repo.count_audit_after(audit_cursor, housekeeping);
      if (!due) return std::unexpected(due.error());
      if (changes->empty() && *due == 0) return {};  // nothing changed: no bundle

      ChangesPayload payload(device_id, static_cast<std::uint64_t>(sequence), now);
      std::vector<storage::OutboxItem> items;
      std::vector<std::int64_t> done_cases, done_calls, done_beds;
      for (auto id : changes->cases) {
        if (payload_full(payload, options)) break;
        auto snap = repo.case_snapshot(id);
        if (!snap) return std::unexpected(snap.error());
        done_cases.push_back(id);
        if (!*snap) continue;  // deleted since: nothing to send
        payload.add_case(**snap);
        items.push_back({"case", id, (*snap)->record.updated_at});
        scrub(**snap);
      }
      for (auto id : changes->calls) {
        if (payload_full(payload, options)) break;
        auto call = repo.call(id);
        if (!call) return std::unexpected(call.error());
        done_calls.push_back(id);
        if (!*call) continue;
        payload.add_call(**call);
        items.push_back({"call", id, (*call)->updated_at});
        scrub(**call);
      }
      for (auto id : changes->beds) {
        if (payload_full(payload, options)) break;
        auto bed = repo.bed(id);
        if (!bed) return std::unexpected(bed.error());
        done_beds.push_back(id);
        if (*bed) payload.add_bed(**bed);
      }
      // The audit chain continues where the last bundle stopped, then the checkpoints it reaches.
      std::int64_t audit_through = audit_cursor;
      while (!payload_full(payload, options)) {
        auto batch = repo.audit_after(audit_through, kAuditBatch);
        if (!batch) return std::unexpected(batch.error());
        if (batch->empty()) break;
        for (const auto& a : *batch) {
          if (payload_full(payload, options)) break;
          payload.add_audit(a);
          audit_through = a.seq;
        }
      }
      std::int64_t checkpoint_through = checkpoint_cursor;
      if (!payload_full(payload, options)) {
        auto cps = repo.checkpoints_between(checkpoint_cursor, audit_through,
                                            static_cast<std::int64_t>(kMaxArrayEntries));
        if (!cps) return std::unexpected(cps.error());
        for (const auto& c : *cps) {
          if (payload_full(payload, options)) break;
          payload.add_checkpoint(c);
          checkpoint_through = c.seq;
        }
      }

      Written w;
      w.sequence = sequence;
      w.cases = static_cast<std::int64_t>(payload.cases());
      w.calls = static_cast<std::int64_t>(payload.calls());
      w.beds = static_cast<std::int64_t>(payload.beds());
      w.audit = static_cast<std::int64_t>(payload.audit_entries());
      w.checkpoints = static_cast<std::int64_t>(payload.checkpoints());

      crypto::SealedBundle sealed;
      {
        const crypto::SecureBuffer plaintext = payload.finish();  // wiped when this scope ends
        crypto::SealRequest req;
        req.device = &s.device_key();
        req.hq_seal = *hq_seal;
        req.sequence = static_cast<std::uint64_t>(sequence);
        req.created_at = now;
        req.previous_hash = previous;
        req.payload = plaintext.span();
        auto b = crypto::seal_bundle(req);
        if (!b) return fail_with(core::from(b.error()));
        sealed = std::move(*b);
      }
      const auto name = final_name(sequence, sealed.manifest.bundle_id);
      w.final = outbox / name;
      w.pending = outbox / pending_name(name);
      w.bytes = static_cast<std::int64_t>(sealed.file.size());
      if (auto f = crypto::write_file_atomic(w.pending, sealed.file, kBundleMode); !f)
        return fail_with(core::from(f.error()));
      written = w;  // from here on, a failure removes the hidden file
      crash_point(testing::CrashPoint::FileWritten);

      storage::OutboxBundleRecord rec;
      rec.sequence = sequence;
      rec.bundle_id.assign(sealed.manifest.bundle_id.begin(), sealed.manifest.bundle_id.end());
      rec.file_name = name;
      rec.bundle_hash.assign(sealed.hash.begin(), sealed.hash.end());
      rec.created_at = now;
      rec.bytes = w.bytes;
      rec.change_through = changes->through;
      rec.audit_through = audit_through;
      rec.checkpoint_through = checkpoint_through;
      rec.cases = w.cases;
      rec.calls = w.calls;
      rec.beds = w.beds;
      rec.audit_entries = w.audit;
      if (auto e = repo.insert_bundle(rec, items); !e) return e;
      if (auto e = repo.consume("case", done_cases, changes->through); !e) return e;
      if (auto e = repo.consume("call", done_calls, changes->through); !e) return e;
      if (auto e = repo.consume("bed", done_beds, changes->through); !e) return e;
      if (auto a = core::audit(s, "outbox_write", "bundle", sequence,
                               fmt::format("cases={} calls={} beds={} audit={} checkpoints={} bytes={}", w.cases,
                                           w.calls, w.beds, w.audit, w.checkpoints, w.bytes));
          !a)
        return fail_with(a.error());
      return {};
    });
    if (!r) {
      if (written) fs::remove(written->pending, ec);  // never recorded: no one may see it
      return std::unexpected(refusal ? *refusal : core::from(r.error()));
    }
    if (!written) break;  // nothing (more) to send
    crash_point(testing::CrashPoint::Recorded);
    fs::rename(written->pending, written->final, ec);
    // Another writer's recovery may have renamed it already (it saw the row, then the file).
    if (ec && !fs::exists(written->final))
      return core::fail(core::Errc::Io, fmt::format("cannot move bundle {} into {}: {}", written->sequence,
                                                    outbox.string(), ec.message()));
    if (auto d = crypto::fsync_directory(outbox); !d) return std::unexpected(core::from(d.error()));
    ++out.bundles;
    out.cases += written->cases;
    out.calls += written->calls;
    out.beds += written->beds;
    out.audit_entries += written->audit;
    out.checkpoints += written->checkpoints;
    out.bytes += written->bytes;
    out.last_sequence = static_cast<std::uint64_t>(written->sequence);
  }
  return out;
}

core::Result<std::int64_t> queue_everything(core::Session& s) {
  if (!s.unlocked()) return core::fail(core::Errc::PermissionDenied, "the device is locked");
  storage::SyncRepo repo(s.db());
  auto n = s.db().transaction<std::int64_t>([&] { return repo.queue_everything(); });
  if (!n) return std::unexpected(core::from(n.error()));
  return *n;
}

core::Result<OutboxSummary> outbox_summary(core::Session& s) {
  if (!s.unlocked()) return core::fail(core::Errc::PermissionDenied, "the device is locked");
  auto c = storage::SyncRepo(s.db()).counts();
  if (!c) return std::unexpected(core::from(c.error()));
  OutboxSummary out;
  out.pending = static_cast<int>(c->pending);
  out.pending_bytes = c->pending_bytes;
  out.last_receipt_at = c->last_receipt_at;
  out.delivered_through = static_cast<std::uint64_t>(c->delivered_through);
  out.last_rejection = c->last_rejection;
  out.queued_records = c->queued_changes;
  return out;
}

}  // namespace ik::sync
