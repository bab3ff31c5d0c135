#include "storage/audit_repo.hpp"

#include "storage/row_helpers.hpp"

namespace ik::storage {
namespace {
constexpr const char* kCols =
    "SELECT seq, at, actor_id, actor_name, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ";
AuditRecord read_audit(const Statement& s) {
  return {s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4), s.text(5),
          s.int64(6), s.text(7),  s.blob(8),  s.blob(9)};
}
CheckpointRecord read_checkpoint(const Statement& s) { return {s.int64(0), s.blob(1), s.blob(2), s.int64(3)}; }
}  // namespace

Result<void> AuditRepo::append(const AuditRecord& r) {
  auto st = db_.prepare(
      "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, detail, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, r.seq).bind(2, r.at).bind(3, r.actor_id).bind(4, r.actor_name).bind(5, r.action).bind(6, r.entity)
      .bind(7, r.entity_id).bind(8, r.detail).bind_blob(9, r.prev_hash).bind_blob(10, r.hash);
  return st->run();
}

Result<std::optional<AuditRecord>> AuditRepo::last() {
  auto st = db_.prepare(std::string(kCols) + "ORDER BY seq DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  return first<AuditRecord>(*st, read_audit);
}

Result<std::vector<AuditRecord>> AuditRepo::range(std::int64_t from_seq, std::int64_t limit) {
  auto st = db_.prepare(std::string(kCols) + "WHERE seq >= ?1 ORDER BY seq LIMIT ?2");
  if (!st) return std::unexpected(st.error());
  st->bind(1, from_seq).bind(2, limit);
  return collect<AuditRecord>(*st, read_audit);
}

Result<std::int64_t> AuditRepo::count() { return db_.scalar("SELECT count(*) FROM audit_log"); }

Result<void> AuditRepo::add_checkpoint(const CheckpointRecord& c) {
  auto st = db_.prepare("INSERT INTO audit_checkpoints (seq, hash, signature, at) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return std::unexpected(st.error());
  st->bind(1, c.seq).bind_blob(2, c.hash).bind_blob(3, c.signature).bind(4, c.at);
  return st->run();
}

Result<std::vector<CheckpointRecord>> AuditRepo::checkpoints() {
  auto st = db_.prepare("SELECT seq, hash, signature, at FROM audit_checkpoints ORDER BY seq");
  if (!st) return std::unexpected(st.error());
  return collect<CheckpointRecord>(*st, read_checkpoint);
}

Result<std::optional<CheckpointRecord>> AuditRepo::last_checkpoint() {
  auto st = db_.prepare("SELECT seq, hash, signature, at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  return first<CheckpointRecord>(*st, read_checkpoint);
}

}  // namespace ik::storage
