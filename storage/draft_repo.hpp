#pragma once
// Drafts of forms in progress (an intake), one row per draft, rewritten after every step.
#include <vector>

#include "storage/database.hpp"
#include "storage/records.hpp"

namespace ik::storage {

class DraftRepo {
 public:
  explicit DraftRepo(Database& db) : db_(db) {}
  // Inserts when d.id == 0, else updates; returns the id.
  Result<std::int64_t> save(const DraftRecord& d);
  Result<std::optional<DraftRecord>> get(std::int64_t id);
  Result<std::vector<DraftRecord>> for_user(std::int64_t user_id, const std::string& kind);
  Result<void> remove(std::int64_t id);

 private:
  Database& db_;
};

}  // namespace ik::storage
