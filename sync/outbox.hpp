#pragma once
// The device side of sealed sync that needs the unlocked session (docs/bundle-format.md):
//  - write_outbox(): every record changed since the last bundle (whole case snapshots, calls,
//    beds, audit entries and checkpoints) becomes one or more sealed, signed bundles in outbox/,
//    with this device's next sequence numbers. Atomic: temp file, fsync, rename, fsync(dir); the
//    database records what each bundle carried (ids and versions, bundle id, hash) in the same
//    transaction that advances the change cursor, and only after the file is durable.
//  - process_inbox(): verifies each receipt in inbox/ against HQ's pinned sign key and the bundle
//    this device recorded; accepted -> bundle delivered, ciphertext removed from outbox/, HQ's
//    confirmation recorded per record version, then the retention policy runs. A forged,
//    foreign or mismatched receipt changes nothing (it is counted and removed from inbox/).
//
// What changes are (storage/sync_repo.hpp, migration 4): triggers queue every insert, update and
// delete of a case or anything hanging off it, of a call and of a bed — retention's purges
// included, so HQ receives each stub once ("purged": true) and learns the purge. HQ's own
// confirmation (hq_confirmed_at) is not a change.
//
// When a bundle is written: when records are queued, or when the audit log has grown by entries
// other than housekeeping (kHousekeepingActions: logins, locks and sync's own entries — else every
// unlock, and every bundle's own audit entry, would make another bundle). Audit entries and
// checkpoints ride along in the next bundle either way, contiguous, so HQ can check the chain.
// Nothing queued and nothing due: no bundle, no file, no sequence used.
//
// One bundle, step by step (write_outbox), all inside one BEGIN IMMEDIATE transaction:
//   1. payload: queued cases (whole snapshots), calls, beds, then audit entries and the
//      checkpoints they reach, until the payload reaches target_bytes (~16 MiB) or an array
//      kMaxArrayEntries; the rest goes in the next bundle of the same run;
//   2. sealed (crypto::seal_bundle) to hq-seal.pub, signed by the device key, sequence = last + 1,
//      previous hash = the last bundle's hash; the plaintext lives in sodium memory only;
//   3. written durably under a hidden name, outbox/.<seq:016>-<id>.ikb.pending (readers ignore
//      dotfiles: the sync agent cannot pick it up yet);
//   4. recorded: outbox_bundles row, outbox_items (each case and call with its updated_at as
//      snapshotted), the consumed queue rows deleted, an audit entry (counts only); COMMIT;
//   5. renamed to outbox/<seq:016>-<id>.ikb, fsync(outbox/).
// A crash before 4 commits leaves a hidden file no database row names: the next run removes it
// and writes a new bundle with that sequence, which no one can have seen. A crash between 4 and 5
// leaves a recorded bundle under its hidden name: the next run renames it into place. So a
// sequence number is never used by two different bundles that left the device. A recorded,
// undelivered bundle whose file is gone altogether is marked lost and its records queued again
// (HQ sees a gap in the sequence; the records arrive in a later bundle).
//
// Confirmation (process_inbox): an accepted or duplicate receipt confirms exactly the versions the
// bundle carried — hq_confirmed_at = max(hq_confirmed_at, version) — and only for records that did
// not change after the snapshot (nothing queued for them since, no later bundle carrying them).
// Retention purges a closed case only when hq_confirmed_at >= updated_at, so a record changed after
// its snapshot stays until HQ confirms the newer version. (Versions are unix seconds: a change made
// in the same second as the snapshot and after the receipt was processed is not told apart —
// receipts come back over a stick or the network, seconds at least after the snapshot.)
//
// HQ's keys: hq-seal.pub and hq-sign.pub in the data directory, checked against the copies pinned
// inside the encrypted database at provisioning; missing or different keys are refused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/retention.hpp"

namespace ik::core {
class Session;
}

namespace ik::sync {

inline constexpr std::size_t kBundleTargetBytes = 16u << 20;
// Audit actions that alone do not make a bundle (they still travel in the next one).
inline constexpr std::string_view kHousekeepingActions[] = {"login", "lock", "outbox_write", "receipts_process"};

struct OutboxOptions {
  std::size_t target_bytes = kBundleTargetBytes;  // close a bundle once its payload reaches this
  int max_bundles = 1000;                         // per run; the rest waits for the next run
};

struct OutboxResult {
  int bundles = 0;
  std::int64_t cases = 0, calls = 0, audit_entries = 0, bytes = 0;
  std::uint64_t last_sequence = 0;
  std::int64_t beds = 0, checkpoints = 0;
  int recovered = 0;  // interrupted bundle writes finished (renamed) or orphans removed
  int lost = 0;       // recorded bundles whose file was gone (records queued again)
};
core::Result<OutboxResult> write_outbox(core::Session& session, std::int64_t now);
core::Result<OutboxResult> write_outbox(core::Session& session, std::int64_t now, const OutboxOptions& options);

struct InboxResult {
  int delivered = 0, rejected = 0, ignored = 0;
  std::vector<std::string> rejections;  // "bundle <seq>: <reason>" — no personal data
  core::RetentionResult retention;
  std::int64_t confirmed = 0;  // record versions HQ confirmed
};
core::Result<InboxResult> process_inbox(core::Session& session, int retention_days, std::int64_t now);

// Queues every record again, so the next bundles carry the device's whole current state (for HQ
// rebuilding its store, and the benchmark). Returns the records queued.
core::Result<std::int64_t> queue_everything(core::Session& session);

struct OutboxSummary {
  int pending = 0;                  // bundles written and not yet confirmed by HQ
  std::int64_t pending_bytes = 0;
  std::int64_t last_receipt_at = 0; // HQ's time on the newest accepted receipt, 0 if none
  std::uint64_t delivered_through = 0;
  std::string last_rejection;       // reason of the newest rejected receipt, empty if none
  std::int64_t queued_records = 0;  // records changed since the last bundle
};
core::Result<OutboxSummary> outbox_summary(core::Session& session);

// Tests only: called at the two points where a crash must be survivable (the bundle file written
// under its hidden name, not yet recorded; recorded, not yet renamed). A test installs a hook that
// kills its own (child) process there.
namespace testing {
enum class CrashPoint { FileWritten, Recorded };
using CrashHook = void (*)(CrashPoint);
void set_crash_hook(CrashHook hook);
}  // namespace testing

}  // namespace ik::sync
