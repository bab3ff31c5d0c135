#pragma once
// Hotline calls.
#include <vector>

#include "storage/database.hpp"
#include "storage/records.hpp"

namespace ik::storage {

class CallRepo {
 public:
  explicit CallRepo(Database& db) : db_(db) {}
  Result<std::int64_t> insert(const CallRecord& c);
  Result<void> update(const CallRecord& c);
  Result<std::optional<CallRecord>> get(std::int64_t id);
  Result<std::vector<CallRecord>> page(std::int64_t offset, std::int64_t limit);
  Result<std::int64_t> count();

 private:
  Database& db_;
};

}  // namespace ik::storage
