#pragma once
// Retention: closed cases and finished calls whose latest version headquarters has confirmed
// receiving are reduced to a non-personal stub once they are older than the configured number
// of days. A stub keeps what reports need (codes, dates, age at intake, gender, citizenship) and
// loses what identifies a person (names, alias, birth date, phone, free-text notes, search
// tokens). Nothing that HQ has not confirmed is ever purged.
#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace ik::core {

class Session;

inline constexpr int kDefaultRetentionDays = 90;

struct RetentionResult {
  std::int64_t cases_purged = 0, calls_purged = 0, drafts_removed = 0;
};

// An intake draft nobody touched for this long is deleted (it may hold names that were never
// registered, so never confirmed by HQ, so never otherwise purged).
inline constexpr int kDraftLifetimeDays = 14;

// Records HQ's confirmation (from a verified receipt: the sync layer calls this) that it holds
// these cases and calls as they are now.
Result<void> confirm_received_by_hq(Session& s, const std::vector<std::int64_t>& case_ids,
                                    const std::vector<std::int64_t>& call_ids, std::int64_t at);

// Applies the policy as of `now`. Runs for any unlocked session (it only ever removes data).
Result<RetentionResult> apply_retention(Session& s, int days, std::int64_t now);

}  // namespace ik::core
