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
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/retention.hpp"

namespace ik::core {
class Session;
}

namespace ik::sync {

struct OutboxResult {
  int bundles = 0;
  std::int64_t cases = 0, calls = 0, audit_entries = 0, bytes = 0;
  std::uint64_t last_sequence = 0;
};
core::Result<OutboxResult> write_outbox(core::Session& session, std::int64_t now);

struct InboxResult {
  int delivered = 0, rejected = 0, ignored = 0;
  std::vector<std::string> rejections;  // "bundle <seq>: <reason>" — no personal data
  core::RetentionResult retention;
};
core::Result<InboxResult> process_inbox(core::Session& session, int retention_days, std::int64_t now);

struct OutboxSummary {
  int pending = 0;                  // bundles written and not yet confirmed by HQ
  std::int64_t pending_bytes = 0;
  std::int64_t last_receipt_at = 0; // HQ's time on the newest accepted receipt, 0 if none
  std::uint64_t delivered_through = 0;
  std::string last_rejection;       // reason of the newest rejected receipt, empty if none
};
core::Result<OutboxSummary> outbox_summary(core::Session& session);

}  // namespace ik::sync
