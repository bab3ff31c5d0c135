#pragma once
// The audit log's storage: append-only rows (triggers refuse UPDATE and DELETE) and signed
// checkpoints. The hash chain itself is computed in core/audit.
#include <vector>

#include "storage/database.hpp"
#include "storage/records.hpp"

namespace ik::storage {

class AuditRepo {
 public:
  explicit AuditRepo(Database& db) : db_(db) {}
  Result<void> append(const AuditRecord& r);  // r.seq must be last().seq + 1
  Result<std::optional<AuditRecord>> last();
  Result<std::vector<AuditRecord>> range(std::int64_t from_seq, std::int64_t limit);
  Result<std::int64_t> count();
  Result<void> add_checkpoint(const CheckpointRecord& c);
  Result<std::vector<CheckpointRecord>> checkpoints();
  Result<std::optional<CheckpointRecord>> last_checkpoint();

 private:
  Database& db_;
};

}  // namespace ik::storage
