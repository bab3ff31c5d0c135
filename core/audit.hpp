#pragma once
// The audit log: who saw or changed what, as an append-only hash chain inside the encrypted
// database. Entry n stores hash_n = BLAKE2b-256("intake-kiosk/audit/v1", seq, at, actor id,
// actor name, action, entity, entity id, detail, hash_{n-1}) (length-prefixed fields; hash_0 is
// 32 zero bytes). Every kCheckpointEvery entries, and at lock, the device signs (seq, hash): a
// checkpoint. Details never hold personal data — codes, field names and counts only.
//
// verify() recomputes everything and names the first entry that does not fit. What it proves:
// no entry was changed, removed or inserted since it was written, unless whoever did it also
// rewrote every later entry and re-signed every later checkpoint with the device key. The
// device key lives inside the same database, so on the device itself this stops edits made
// without the key (or with the sqlcipher shell and the key but not the whole chain); HQ holds
// the checkpoints it received in bundles and so can tell a rewritten chain from the real one.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "storage/records.hpp"

namespace ik::core {

class Session;

inline constexpr std::int64_t kCheckpointEvery = 64;

// Appends one entry (in its own transaction unless one is open) and, when due, a checkpoint.
Result<void> audit(Session& session, std::string_view action, std::string_view entity, std::int64_t entity_id,
                   std::string detail = {});
// Signs a checkpoint at the current end of the chain, if it has moved since the last one.
Result<void> audit_checkpoint(Session& session);

struct AuditVerification {
  bool intact = true;
  std::int64_t entries = 0, checkpoints = 0;
  std::optional<std::int64_t> first_broken_seq;
  std::string reason;  // for a person: what did not fit
};
// Needs ViewAudit (auditor) or runs for intakectl's `audit verify` under that permission.
Result<AuditVerification> verify_audit(Session& session);
// The log itself, for the auditor's viewer; newest last.
Result<std::vector<storage::AuditRecord>> audit_entries(Session& session, std::int64_t from_seq, std::int64_t limit);

}  // namespace ik::core
