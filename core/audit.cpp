#include "core/audit.hpp"

#include <cstring>

#include <fmt/format.h>

#include "core/permissions.hpp"
#include "core/session.hpp"
#include "crypto/hash.hpp"
#include "storage/audit_repo.hpp"

namespace ik::core {
namespace {

constexpr std::string_view kCheckpointContext = "audit-checkpoint/v1";

crypto::Hash entry_hash(const storage::AuditRecord& r, std::span<const std::uint8_t> prev) {
  return crypto::Hasher("intake-kiosk/audit/v1")
      .i64(r.seq).i64(r.at).i64(r.actor_id).str(r.actor_name).str(r.action).str(r.entity).i64(r.entity_id)
      .str(r.detail).bytes(prev)
      .finish();
}

std::vector<std::uint8_t> checkpoint_message(std::int64_t seq, std::span<const std::uint8_t> hash) {
  std::vector<std::uint8_t> m(8 + hash.size());
  for (int i = 0; i < 8; ++i) m[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(seq) >> (8 * i));
  std::memcpy(m.data() + 8, hash.data(), hash.size());
  return m;
}

Result<void> sign_checkpoint(Session& s, const storage::AuditRecord& at_entry) {
  const auto msg = checkpoint_message(at_entry.seq, at_entry.hash);
  const auto sig = crypto::sign(s.device_key(), kCheckpointContext, msg);
  storage::CheckpointRecord c{at_entry.seq, at_entry.hash, {sig.begin(), sig.end()}, now_unix()};
  if (auto r = storage::AuditRepo(s.db()).add_checkpoint(c); !r) return std::unexpected(from(r.error()));
  return {};
}

Result<void> append(Session& s, std::string_view action, std::string_view entity, std::int64_t entity_id,
                    std::string detail) {
  storage::AuditRepo repo(s.db());
  auto last = repo.last();
  if (!last) return std::unexpected(from(last.error()));
  storage::AuditRecord r;
  r.seq = *last ? (*last)->seq + 1 : 1;
  r.at = now_unix();
  r.actor_id = s.actor().id;
  r.actor_name = s.actor().name;
  r.action = std::string(action);
  r.entity = std::string(entity);
  r.entity_id = entity_id;
  r.detail = std::move(detail);
  r.prev_hash = *last ? (*last)->hash : std::vector<std::uint8_t>(32, 0);
  const auto h = entry_hash(r, r.prev_hash);
  r.hash.assign(h.begin(), h.end());
  if (auto a = repo.append(r); !a) return std::unexpected(from(a.error()));
  if (r.seq % kCheckpointEvery == 0) return sign_checkpoint(s, r);
  return {};
}

}  // namespace

Result<void> audit(Session& s, std::string_view action, std::string_view entity, std::int64_t entity_id,
                   std::string detail) {
  if (!s.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  auto r = s.db().transaction([&]() -> storage::Result<void> {
    if (auto a = append(s, action, entity, entity_id, std::move(detail)); !a)
      return storage::fail(storage::Errc::Sql, a.error().message);
    return {};
  });
  if (!r) return std::unexpected(from(r.error()));
  return {};
}

Result<void> audit_checkpoint(Session& s) {
  if (!s.unlocked()) return fail(Errc::PermissionDenied, "the device is locked");
  storage::AuditRepo repo(s.db());
  auto last = repo.last();
  auto cp = repo.last_checkpoint();
  if (!last || !cp) return fail(Errc::Internal, "cannot read the audit log");
  if (!*last || (*cp && (*cp)->seq == (*last)->seq)) return {};
  return sign_checkpoint(s, **last);
}

Result<AuditVerification> verify_audit(Session& s) {
  if (auto p = require(s, Action::ViewAudit); !p) return std::unexpected(p.error());
  storage::AuditRepo repo(s.db());
  AuditVerification v;
  auto broken = [&](std::int64_t seq, std::string reason) {
    v.intact = false;
    v.first_broken_seq = seq;
    v.reason = std::move(reason);
    return v;
  };
  auto cps = repo.checkpoints();
  if (!cps) return std::unexpected(from(cps.error()));
  v.checkpoints = static_cast<std::int64_t>(cps->size());
  std::size_t next_cp = 0;
  std::vector<std::uint8_t> prev(32, 0);
  std::int64_t expect = 1;
  for (;;) {
    auto batch = repo.range(expect, 1000);
    if (!batch) return std::unexpected(from(batch.error()));
    if (batch->empty()) break;
    for (const auto& r : *batch) {
      if (r.seq != expect) return broken(expect, fmt::format("entry {} is missing", expect));
      if (r.prev_hash != prev) return broken(r.seq, fmt::format("entry {} does not follow entry {}", r.seq, r.seq - 1));
      const auto h = entry_hash(r, prev);
      if (r.hash.size() != h.size() || std::memcmp(r.hash.data(), h.data(), h.size()) != 0)
        return broken(r.seq, fmt::format("entry {} was changed after it was written", r.seq));
      while (next_cp < cps->size() && (*cps)[next_cp].seq == r.seq) {
        const auto& c = (*cps)[next_cp];
        if (c.hash != r.hash) return broken(r.seq, fmt::format("checkpoint at entry {} does not match the log", r.seq));
        if (c.signature.size() != crypto::kSignatureBytes ||
            !crypto::verify(s.device_key().pub, kCheckpointContext, checkpoint_message(c.seq, c.hash),
                            std::span<const std::uint8_t, crypto::kSignatureBytes>(c.signature.data(), crypto::kSignatureBytes)))
          return broken(r.seq, fmt::format("checkpoint at entry {} is not signed by this device", r.seq));
        ++next_cp;
      }
      prev = r.hash;
      ++expect;
      ++v.entries;
    }
  }
  if (next_cp < cps->size())
    return broken((*cps)[next_cp].seq, fmt::format("entries up to {} were removed", (*cps)[next_cp].seq));
  return v;
}

Result<std::vector<storage::AuditRecord>> audit_entries(Session& s, std::int64_t from_seq, std::int64_t limit) {
  if (auto p = require(s, Action::ViewAudit); !p) return std::unexpected(p.error());
  auto rows = storage::AuditRepo(s.db()).range(from_seq, std::clamp<std::int64_t>(limit, 1, 1000));
  if (!rows) return std::unexpected(from(rows.error()));
  return std::move(*rows);
}

}  // namespace ik::core
