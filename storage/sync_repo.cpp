#include "storage/sync_repo.hpp"

#include <string>

#include <fmt/format.h>

#include "storage/record_rows.hpp"
#include "storage/row_helpers.hpp"

namespace ik::storage {
namespace {

using rows::read_call;
using rows::read_case;
using rows::read_person;
const std::string kCaseSql = fmt::format("SELECT {} FROM cases WHERE id = ?1", rows::kCaseCols);
const std::string kPersonSql = fmt::format("SELECT {} FROM persons WHERE id = ?1", rows::kPersonCols);
const std::string kCallSql = fmt::format("SELECT {} FROM calls WHERE id = ?1", rows::kCallCols);

// Resets a reused statement however the caller leaves: no read stays open into a COMMIT.
struct ResetOnExit {
  Statement& st;
  ~ResetOnExit() { st.reset(); }
};



// The consent in force per kind: the highest id (as CaseRepo::consents).
constexpr std::string_view kConsentsSql =
    "SELECT id, person_id, kind, granted, given_on, taken_by, recorded_at FROM consents c "
    "WHERE person_id = ?1 AND id = (SELECT max(id) FROM consents d WHERE d.person_id = c.person_id AND d.kind = c.kind) "
    "ORDER BY kind";
constexpr std::string_view kExploitationSql =
    "SELECT types, labour_sector, sexual_exploitation, means_of_control, recruitment, recruiter_relation, "
    "countries_origin, countries_transit, countries_exploitation, started_on, ended_on FROM exploitations "
    "WHERE case_id = ?1";
constexpr std::string_view kReferralsSql =
    "SELECT id, case_id, direction, organisation_type, organisation, status, reason, created_at, updated_at, "
    "created_by FROM referrals WHERE case_id = ?1 ORDER BY id";
constexpr std::string_view kStaysSql =
    "SELECT s.id, s.case_id, s.bed_id, s.admitted_at, s.discharged_at, s.discharge_reason, b.label, b.wing "
    "FROM stays s JOIN beds b ON b.id = s.bed_id WHERE s.case_id = ?1 ORDER BY s.admitted_at, s.id";
constexpr std::string_view kServicesSql =
    "SELECT id, case_id, type, given_on, given_by, note, created_at FROM services WHERE case_id = ?1 "
    "ORDER BY given_on, id";
constexpr std::string_view kBedSql = "SELECT id, wing, label, active FROM beds WHERE id = ?1";

constexpr std::string_view kBundleCols =
    "sequence, bundle_id, file_name, bundle_hash, created_at, bytes, change_through, audit_through, "
    "checkpoint_through, cases, calls, beds, audit_entries, state, delivered_at, receipt_status, receipt_reason, "
    "received_at, received_through";
BundleState parse_state(std::string_view s) {
  return s == "delivered" ? BundleState::Delivered : s == "lost" ? BundleState::Lost : BundleState::Pending;
}
OutboxBundleRecord read_bundle(const Statement& s) {
  OutboxBundleRecord b;
  b.sequence = s.int64(0);
  b.bundle_id = s.blob(1);
  b.file_name = s.text(2);
  b.bundle_hash = s.blob(3);
  b.created_at = s.int64(4);
  b.bytes = s.int64(5);
  b.change_through = s.int64(6);
  b.audit_through = s.int64(7);
  b.checkpoint_through = s.int64(8);
  b.cases = s.int64(9);
  b.calls = s.int64(10);
  b.beds = s.int64(11);
  b.audit_entries = s.int64(12);
  b.state = parse_state(s.text(13));
  b.delivered_at = s.opt_int64(14);
  b.receipt_status = s.opt_text(15);
  b.receipt_reason = s.opt_text(16);
  b.received_at = s.opt_int64(17);
  b.received_through = s.opt_int64(18);
  return b;
}

}  // namespace

std::string_view to_string(BundleState s) {
  switch (s) {
    case BundleState::Pending: return "pending";
    case BundleState::Delivered: return "delivered";
    case BundleState::Lost: return "lost";
  }
  return "pending";
}

struct SyncRepo::Statements {
  std::unique_ptr<Statement> case_, person, consents, exploitation, referrals, stays, services, call, bed;
};

SyncRepo::SyncRepo(Database& db) : db_(db), st_(std::make_unique<Statements>()) {}
SyncRepo::~SyncRepo() = default;

Result<Statement*> SyncRepo::prepared(std::unique_ptr<Statement>& slot, std::string_view sql) {
  if (!slot) {
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    slot = std::make_unique<Statement>(std::move(*st));
  }
  slot->reset();
  return slot.get();
}

// --- the change queue ----------------------------------------------------------------------------

Result<ChangeSet> SyncRepo::pending_changes() {
  ChangeSet out;
  auto through = db_.scalar("SELECT coalesce(max(seq), 0) FROM sync_changes");
  if (!through) return std::unexpected(through.error());
  out.through = *through;
  if (out.through == 0) return out;
  auto st = db_.prepare("SELECT DISTINCT entity, entity_id FROM sync_changes WHERE seq <= ?1 ORDER BY entity, entity_id");
  if (!st) return std::unexpected(st.error());
  st->bind(1, out.through);
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const auto entity = st->text(0);
    auto& list = entity == "case" ? out.cases : entity == "call" ? out.calls : out.beds;
    list.push_back(st->int64(1));
  }
  return out;
}

Result<void> SyncRepo::consume(std::string_view entity, const std::vector<std::int64_t>& ids, std::int64_t through) {
  if (ids.empty()) return {};
  auto st = db_.prepare("DELETE FROM sync_changes WHERE entity = ?1 AND entity_id = ?2 AND seq <= ?3");
  if (!st) return std::unexpected(st.error());
  for (auto id : ids) {
    st->reset();
    st->bind(1, entity).bind(2, id).bind(3, through);
    if (auto r = st->run(); !r) return r;
  }
  return {};
}

Result<std::int64_t> SyncRepo::queued_changes() {
  return db_.scalar("SELECT count(*) FROM (SELECT DISTINCT entity, entity_id FROM sync_changes)");
}

Result<std::int64_t> SyncRepo::queue_everything() {
  std::int64_t n = 0;
  for (auto sql : {"INSERT INTO sync_changes (entity, entity_id) SELECT 'case', id FROM cases",
                   "INSERT INTO sync_changes (entity, entity_id) SELECT 'call', id FROM calls",
                   "INSERT INTO sync_changes (entity, entity_id) SELECT 'bed', id FROM beds"}) {
    if (auto r = db_.exec(sql); !r) return std::unexpected(r.error());
    n += db_.changes();
  }
  return n;
}

// --- snapshots -----------------------------------------------------------------------------------

Result<std::optional<CaseSnapshot>> SyncRepo::case_snapshot(std::int64_t case_id) {
  CaseSnapshot snap;
  {
    auto st = prepared(st_->case_, kCaseSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, case_id);
    auto c = first<CaseRecord>(**st, read_case);
    if (!c) return std::unexpected(c.error());
    if (!*c) return std::optional<CaseSnapshot>();
    snap.record = std::move(**c);
  }
  {
    auto st = prepared(st_->person, kPersonSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, snap.record.person_id);
    auto p = first<PersonRecord>(**st, read_person);
    if (!p) return std::unexpected(p.error());
    if (!*p) return fail(Errc::Damaged, fmt::format("case {} has no person", case_id));
    snap.person = std::move(**p);
  }
  {
    auto st = prepared(st_->consents, kConsentsSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, snap.record.person_id);
    auto rows = collect<ConsentRecord>(**st, [](const Statement& s) {
      return ConsentRecord{s.int64(0), s.int64(1), s.text(2), s.int64(3) != 0, s.text(4), s.int64(5), s.int64(6)};
    });
    if (!rows) return std::unexpected(rows.error());
    snap.consents = std::move(*rows);
  }
  {
    auto st = prepared(st_->exploitation, kExploitationSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, case_id);
    auto e = first<ExploitationRecord>(**st, [](const Statement& s) {
      return ExploitationRecord{s.text(0), s.opt_text(1), s.opt_text(2), s.text(3), s.opt_text(4), s.opt_text(5),
                                s.text(6), s.text(7), s.text(8), s.opt_text(9), s.opt_text(10)};
    });
    if (!e) return std::unexpected(e.error());
    snap.exploitation = std::move(*e);
  }
  {
    auto st = prepared(st_->referrals, kReferralsSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, case_id);
    auto rows = collect<ReferralRecord>(**st, [](const Statement& s) {
      return ReferralRecord{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.opt_text(6),
                            s.int64(7), s.int64(8), s.int64(9)};
    });
    if (!rows) return std::unexpected(rows.error());
    snap.referrals = std::move(*rows);
  }
  {
    auto st = prepared(st_->stays, kStaysSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, case_id);
    auto rows = collect<StaySnapshot>(**st, [](const Statement& s) {
      return StaySnapshot{{s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.opt_int64(4), s.opt_text(5)},
                          s.text(6), s.text(7)};
    });
    if (!rows) return std::unexpected(rows.error());
    snap.stays = std::move(*rows);
  }
  {
    auto st = prepared(st_->services, kServicesSql);
    if (!st) return std::unexpected(st.error());
    ResetOnExit done{**st};
    (*st)->bind(1, case_id);
    auto rows = collect<ServiceRecord>(**st, [](const Statement& s) {
      return ServiceRecord{s.int64(0), s.int64(1), s.text(2), s.text(3), s.int64(4), s.opt_text(5), s.int64(6)};
    });
    if (!rows) return std::unexpected(rows.error());
    snap.services = std::move(*rows);
  }
  return std::optional<CaseSnapshot>(std::move(snap));
}

Result<std::optional<CallRecord>> SyncRepo::call(std::int64_t id) {
  auto st = prepared(st_->call, kCallSql);
  if (!st) return std::unexpected(st.error());
  ResetOnExit done{**st};
  (*st)->bind(1, id);
  return first<CallRecord>(**st, read_call);
}

Result<std::optional<BedRecord>> SyncRepo::bed(std::int64_t id) {
  auto st = prepared(st_->bed, kBedSql);
  if (!st) return std::unexpected(st.error());
  ResetOnExit done{**st};
  (*st)->bind(1, id);
  return first<BedRecord>(**st, [](const Statement& s) {
    return BedRecord{s.int64(0), s.text(1), s.text(2), s.int64(3) != 0, std::nullopt};
  });
}

Result<std::vector<AuditRecord>> SyncRepo::audit_after(std::int64_t seq, std::int64_t limit) {
  auto st = db_.prepare(
      "SELECT seq, at, actor_id, actor_name, action, entity, entity_id, detail, prev_hash, hash FROM audit_log "
      "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!st) return std::unexpected(st.error());
  st->bind(1, seq).bind(2, limit);
  return collect<AuditRecord>(*st, [](const Statement& s) {
    return AuditRecord{s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4), s.text(5),
                       s.int64(6), s.text(7),  s.blob(8),  s.blob(9)};
  });
}

Result<std::vector<CheckpointRecord>> SyncRepo::checkpoints_between(std::int64_t after_seq, std::int64_t through_seq,
                                                                    std::int64_t limit) {
  auto st = db_.prepare(
      "SELECT seq, hash, signature, at FROM audit_checkpoints WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3");
  if (!st) return std::unexpected(st.error());
  st->bind(1, after_seq).bind(2, through_seq).bind(3, limit);
  return collect<CheckpointRecord>(*st, [](const Statement& s) {
    return CheckpointRecord{s.int64(0), s.blob(1), s.blob(2), s.int64(3)};
  });
}

Result<std::int64_t> SyncRepo::count_audit_after(std::int64_t seq, const std::vector<std::string>& ignored) {
  std::string sql = "SELECT count(*) FROM audit_log WHERE seq > ?1";
  if (!ignored.empty()) {
    sql += " AND action NOT IN (";
    for (std::size_t i = 0; i < ignored.size(); ++i) sql += fmt::format("{}?{}", i ? ", " : "", i + 2);
    sql += ")";
  }
  auto st = db_.prepare(sql);
  if (!st) return std::unexpected(st.error());
  st->bind(1, seq);
  for (std::size_t i = 0; i < ignored.size(); ++i) st->bind(static_cast<int>(i + 2), ignored[i]);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return st->int64(0);
}

// --- bundles -------------------------------------------------------------------------------------

Result<std::optional<OutboxBundleRecord>> SyncRepo::last_bundle() {
  auto st = db_.prepare(fmt::format("SELECT {} FROM outbox_bundles ORDER BY sequence DESC LIMIT 1", kBundleCols));
  if (!st) return std::unexpected(st.error());
  return first<OutboxBundleRecord>(*st, read_bundle);
}

Result<std::optional<OutboxBundleRecord>> SyncRepo::bundle(std::int64_t sequence) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM outbox_bundles WHERE sequence = ?1", kBundleCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, sequence);
  return first<OutboxBundleRecord>(*st, read_bundle);
}

Result<std::vector<OutboxBundleRecord>> SyncRepo::bundles_in_state(BundleState state) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM outbox_bundles WHERE state = ?1 ORDER BY sequence", kBundleCols));
  if (!st) return std::unexpected(st.error());
  st->bind(1, to_string(state));
  return collect<OutboxBundleRecord>(*st, read_bundle);
}

Result<void> SyncRepo::insert_bundle(const OutboxBundleRecord& b, const std::vector<OutboxItem>& items) {
  auto st = db_.prepare(
      "INSERT INTO outbox_bundles (sequence, bundle_id, file_name, bundle_hash, created_at, bytes, change_through, "
      "audit_through, checkpoint_through, cases, calls, beds, audit_entries, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'pending')");
  if (!st) return std::unexpected(st.error());
  st->bind(1, b.sequence).bind_blob(2, b.bundle_id).bind(3, b.file_name).bind_blob(4, b.bundle_hash)
      .bind(5, b.created_at).bind(6, b.bytes).bind(7, b.change_through).bind(8, b.audit_through)
      .bind(9, b.checkpoint_through).bind(10, b.cases).bind(11, b.calls).bind(12, b.beds).bind(13, b.audit_entries);
  if (auto r = st->run(); !r) return r;
  auto item = db_.prepare("INSERT INTO outbox_items (sequence, entity, entity_id, version) VALUES (?1, ?2, ?3, ?4)");
  if (!item) return std::unexpected(item.error());
  for (const auto& i : items) {
    item->reset();
    item->bind(1, b.sequence).bind(2, i.entity).bind(3, i.entity_id).bind(4, i.version);
    if (auto r = item->run(); !r) return r;
  }
  return {};
}

Result<bool> SyncRepo::mark_delivered(std::int64_t sequence, std::string_view status, std::int64_t received_at,
                                      std::int64_t received_through, std::int64_t delivered_at) {
  auto st = db_.prepare(
      "UPDATE outbox_bundles SET state = 'delivered', delivered_at = ?2, receipt_status = ?3, receipt_reason = NULL, "
      "received_at = ?4, received_through = ?5 WHERE sequence = ?1 AND state <> 'delivered'");
  if (!st) return std::unexpected(st.error());
  st->bind(1, sequence).bind(2, delivered_at).bind(3, status).bind(4, received_at).bind(5, received_through);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.changes() > 0;
}

Result<bool> SyncRepo::mark_rejected(std::int64_t sequence, std::string_view reason, std::int64_t received_at,
                                     std::int64_t received_through) {
  auto st = db_.prepare(
      "UPDATE outbox_bundles SET receipt_status = 'rejected', receipt_reason = ?2, received_at = ?3, "
      "received_through = ?4 WHERE sequence = ?1 AND state = 'pending'");
  if (!st) return std::unexpected(st.error());
  st->bind(1, sequence).bind(2, reason).bind(3, received_at).bind(4, received_through);
  if (auto r = st->run(); !r) return std::unexpected(r.error());
  return db_.changes() > 0;
}

Result<std::int64_t> SyncRepo::confirm_items(std::int64_t sequence) {
  // "Changed after the snapshot": the bundle consumed every queued change of the record up to
  // its snapshot, so any queue row left for it is later; or a later bundle carries it.
  constexpr std::string_view kUnchanged =
      "AND NOT EXISTS (SELECT 1 FROM sync_changes WHERE entity = ?3 AND entity_id = ?1) "
      "AND NOT EXISTS (SELECT 1 FROM outbox_items WHERE entity = ?3 AND entity_id = ?1 AND sequence > ?4)";
  auto cases = db_.prepare(fmt::format(
      "UPDATE cases SET hq_confirmed_at = max(coalesce(hq_confirmed_at, ?2), ?2) WHERE id = ?1 {}", kUnchanged));
  if (!cases) return std::unexpected(cases.error());
  auto calls = db_.prepare(fmt::format(
      "UPDATE calls SET hq_confirmed_at = max(coalesce(hq_confirmed_at, ?2), ?2) WHERE id = ?1 {}", kUnchanged));
  if (!calls) return std::unexpected(calls.error());
  auto items = db_.prepare("SELECT entity, entity_id, version FROM outbox_items WHERE sequence = ?1");
  if (!items) return std::unexpected(items.error());
  items->bind(1, sequence);
  auto list = collect<OutboxItem>(*items, [](const Statement& s) { return OutboxItem{s.text(0), s.int64(1), s.int64(2)}; });
  if (!list) return std::unexpected(list.error());
  items->reset();
  std::int64_t confirmed = 0;
  for (const auto& i : *list) {
    auto& st = i.entity == "case" ? *cases : *calls;
    st.reset();
    st.bind(1, i.entity_id).bind(2, i.version).bind(3, i.entity).bind(4, sequence);
    if (auto r = st.run(); !r) return std::unexpected(r.error());
    confirmed += db_.changes();
  }
  auto del = db_.prepare("DELETE FROM outbox_items WHERE sequence = ?1");
  if (!del) return std::unexpected(del.error());
  del->bind(1, sequence);
  if (auto r = del->run(); !r) return std::unexpected(r.error());
  return confirmed;
}

Result<void> SyncRepo::mark_lost(std::int64_t sequence) {
  for (auto sql : {"INSERT INTO sync_changes (entity, entity_id) SELECT entity, entity_id FROM outbox_items WHERE sequence = ?1",
                   "DELETE FROM outbox_items WHERE sequence = ?1",
                   "UPDATE outbox_bundles SET state = 'lost' WHERE sequence = ?1 AND state = 'pending'"}) {
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    st->bind(1, sequence);
    if (auto r = st->run(); !r) return r;
  }
  return {};
}

Result<OutboxCounts> SyncRepo::counts() {
  OutboxCounts c;
  auto st = db_.prepare(
      "SELECT count(*), coalesce(sum(bytes), 0) FROM outbox_bundles WHERE state = 'pending'");
  if (!st) return std::unexpected(st.error());
  if (auto row = st->step(); !row) return std::unexpected(row.error());
  c.pending = st->int64(0);
  c.pending_bytes = st->int64(1);
  auto last = db_.scalar(
      "SELECT coalesce(max(received_at), 0) FROM outbox_bundles WHERE receipt_status IN ('accepted','duplicate')");
  if (!last) return std::unexpected(last.error());
  c.last_receipt_at = *last;
  auto through = db_.scalar("SELECT coalesce(max(received_through), 0) FROM outbox_bundles");
  if (!through) return std::unexpected(through.error());
  c.delivered_through = *through;
  auto rej = db_.prepare(
      "SELECT receipt_reason FROM outbox_bundles WHERE state = 'pending' AND receipt_status = 'rejected' "
      "ORDER BY received_at DESC, sequence DESC LIMIT 1");
  if (!rej) return std::unexpected(rej.error());
  auto row = rej->step();
  if (!row) return std::unexpected(row.error());
  if (*row) c.last_rejection = rej->text(0);
  auto queued = queued_changes();
  if (!queued) return std::unexpected(queued.error());
  c.queued_changes = *queued;
  return c;
}

}  // namespace ik::storage
