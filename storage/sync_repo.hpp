#pragma once
// The storage side of sealed sync (sync/outbox.hpp decides what and when):
//  - the change queue `sync_changes`, filled by triggers (migration 4) so that no code path can
//    change a record without queueing it: ('case', id) for a case or anything hanging off it,
//    ('call', id), ('bed', id);
//  - whole snapshots of what changed, read with statements prepared once per SyncRepo (a bundle
//    of 10,000 cases is 10,000 x 7 lookups);
//  - `outbox_bundles` (one row per bundle written) and `outbox_items` (the record versions each
//    bundle carried), and HQ's confirmation of those versions.
// Callers hold the transaction: write_outbox() reads and records one bundle inside one
// BEGIN IMMEDIATE, so the snapshot, the consumed changes and the bundle row agree.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.hpp"
#include "storage/records.hpp"

namespace ik::storage {

// The queue's distinct entities up to `through` (its newest seq when read), each ascending.
struct ChangeSet {
  std::int64_t through = 0;
  std::vector<std::int64_t> cases, calls, beds;
  bool empty() const { return cases.empty() && calls.empty() && beds.empty(); }
};

struct StaySnapshot {
  StayRecord stay;
  std::string bed_label, wing;
};

// A case with everything that belongs to it, as HQ receives it.
struct CaseSnapshot {
  CaseRecord record;
  PersonRecord person;
  std::vector<ConsentRecord> consents;  // the one in force per kind (highest id), by kind
  std::optional<ExploitationRecord> exploitation;
  std::vector<ReferralRecord> referrals;  // by id
  std::vector<StaySnapshot> stays;        // by admission
  std::vector<ServiceRecord> services;    // by day given, then id
};

enum class BundleState { Pending, Delivered, Lost };

struct OutboxBundleRecord {
  std::int64_t sequence = 0;
  std::vector<std::uint8_t> bundle_id;    // 16 bytes
  std::string file_name;                  // in outbox/
  std::vector<std::uint8_t> bundle_hash;  // 32 bytes
  std::int64_t created_at = 0, bytes = 0;
  std::int64_t change_through = 0;        // sync_changes.seq the snapshot was taken at
  std::int64_t audit_through = 0;         // last audit_log.seq carried so far
  std::int64_t checkpoint_through = 0;    // last audit_checkpoints.seq carried so far
  std::int64_t cases = 0, calls = 0, beds = 0, audit_entries = 0;
  BundleState state = BundleState::Pending;
  OptInt delivered_at;                    // device clock, when the receipt was processed
  OptText receipt_status;                 // accepted | duplicate | rejected
  OptText receipt_reason;
  OptInt received_at;                     // HQ's clock
  OptInt received_through;
};

// One record version a bundle carried: entity 'case' or 'call', version = its updated_at.
struct OutboxItem {
  std::string entity;
  std::int64_t entity_id = 0, version = 0;
};

struct OutboxCounts {
  std::int64_t pending = 0, pending_bytes = 0, last_receipt_at = 0, delivered_through = 0;
  std::string last_rejection;
  std::int64_t queued_changes = 0;
};

class SyncRepo {
 public:
  explicit SyncRepo(Database& db);
  ~SyncRepo();
  SyncRepo(const SyncRepo&) = delete;
  SyncRepo& operator=(const SyncRepo&) = delete;

  // --- the change queue ---
  Result<ChangeSet> pending_changes();
  // Removes the queue rows of these entities up to `through` (they are in a bundle now); a row
  // queued later for the same entity stays and goes in a later bundle.
  Result<void> consume(std::string_view entity, const std::vector<std::int64_t>& ids, std::int64_t through);
  Result<std::int64_t> queued_changes();
  // Queues every case, call and bed again (a full resend). Returns the records queued.
  Result<std::int64_t> queue_everything();

  // --- snapshots (nullopt: the record no longer exists) ---
  Result<std::optional<CaseSnapshot>> case_snapshot(std::int64_t case_id);
  Result<std::optional<CallRecord>> call(std::int64_t id);
  Result<std::optional<BedRecord>> bed(std::int64_t id);
  // Audit entries and checkpoints after a seq, oldest first.
  Result<std::vector<AuditRecord>> audit_after(std::int64_t seq, std::int64_t limit);
  Result<std::vector<CheckpointRecord>> checkpoints_between(std::int64_t after_seq, std::int64_t through_seq,
                                                            std::int64_t limit);
  // Audit entries after `seq` whose action is not one of `ignored` (housekeeping entries alone do
  // not make a bundle).
  Result<std::int64_t> count_audit_after(std::int64_t seq, const std::vector<std::string>& ignored);

  // --- bundles ---
  Result<std::optional<OutboxBundleRecord>> last_bundle();
  Result<std::optional<OutboxBundleRecord>> bundle(std::int64_t sequence);
  Result<std::vector<OutboxBundleRecord>> bundles_in_state(BundleState state);
  Result<void> insert_bundle(const OutboxBundleRecord& b, const std::vector<OutboxItem>& items);
  // An accepted or duplicate receipt. Returns false when the bundle was already delivered.
  Result<bool> mark_delivered(std::int64_t sequence, std::string_view status, std::int64_t received_at,
                              std::int64_t received_through, std::int64_t delivered_at);
  // A rejected receipt for a bundle still pending: keeps it pending with HQ's reason. Returns
  // false when the bundle is no longer pending (a late rejection changes nothing).
  Result<bool> mark_rejected(std::int64_t sequence, std::string_view reason, std::int64_t received_at,
                             std::int64_t received_through);
  // Records HQ's confirmation of each version the bundle carried: hq_confirmed_at becomes
  // max(hq_confirmed_at, version) — never lowered by an older bundle's late receipt — unless the
  // record changed after the snapshot (a queued change, or a later bundle carrying it): then HQ
  // does not hold it as it is and it stays unconfirmed. Removes the bundle's items. Returns the
  // number of versions confirmed.
  Result<std::int64_t> confirm_items(std::int64_t sequence);
  // A pending bundle whose file is gone: marked lost and its records queued again.
  Result<void> mark_lost(std::int64_t sequence);
  Result<OutboxCounts> counts();

 private:
  struct Statements;
  Database& db_;
  std::unique_ptr<Statements> st_;
  Result<Statement*> prepared(std::unique_ptr<Statement>& slot, std::string_view sql);
};

std::string_view to_string(BundleState s);

}  // namespace ik::storage
