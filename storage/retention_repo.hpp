#pragma once
// The storage side of the retention policy (core/retention.hpp decides when): HQ confirmations,
// and reducing old confirmed records to non-personal stubs.
#include <cstdint>

#include "storage/database.hpp"

namespace ik::storage {

class RetentionRepo {
 public:
  explicit RetentionRepo(Database& db) : db_(db) {}
  Result<void> confirm_case(std::int64_t case_id, std::int64_t at);
  Result<void> confirm_call(std::int64_t call_id, std::int64_t at);
  // Closed at or before `cutoff` and confirmed by HQ as they are now. Returns cases purged.
  Result<std::int64_t> purge_cases(std::int64_t cutoff, std::int64_t now);
  // Started at or before `cutoff`, follow-up finished, confirmed as they are now.
  Result<std::int64_t> purge_calls(std::int64_t cutoff, std::int64_t now);
  // Abandoned intake drafts (names typed but never registered) last updated at or before cutoff.
  Result<std::int64_t> purge_drafts(std::int64_t cutoff);
  // Merges the FTS3 segments so deleted tokens leave the file.
  Result<void> compact_search();

 private:
  Result<int> run(std::string_view sql, std::int64_t a, std::int64_t b);
  Database& db_;
};

}  // namespace ik::storage
