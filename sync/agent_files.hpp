#pragma once
// What both transports of the sync agent share: the outbox listing (names, sizes, sequence
// order) and the inbox (which receipts are held; storing a new one). Internal to sync/.
//
// What must stay true: the agent reads outbox/ and writes inbox/ only; it never parses a bundle
// beyond its size, and stores a receipt only if it looks like one (size, magic) — the kiosk
// verifies HQ's signature later.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "crypto/bundle.hpp"

namespace ik::sync::agent {

// Bounds on what one run reads from a folder (outbox/, a stick's folders).
inline constexpr int kMaxDirEntries = 10'000;
inline constexpr std::size_t kMinReceiptBytes = crypto::kReceiptFixedBytes;
inline constexpr std::size_t kMaxReceiptBytes = crypto::kMaxReceiptBytes;
// Permissions of what the agent writes in the data directory: the kiosk's user reads it through
// the shared group.
inline constexpr unsigned kSharedMode = 0640;

struct OutboxEntry {
  std::uint64_t sequence = 0;
  std::string id_hex;  // bundle id, 32 hex
  std::string name;    // file name in outbox/ (and, as <id>.ikb, on a stick)
  std::filesystem::path path;
  std::int64_t size = 0;
};

struct OutboxListing {
  std::vector<OutboxEntry> bundles;  // sequence order
  std::vector<std::string> errors;   // files that cannot be sent (too large, not a file)
  std::vector<std::string> warnings;
};

// A missing outbox/ is an empty one. More than kMaxDirEntries entries is an error.
core::Result<OutboxListing> list_outbox(const core::DataDir& dir);

// Creates inbox/ if missing and removes this agent's own stale temp files from a killed run
// (".<id>.ikr.<random>.tmp": the kiosk writes nothing in inbox/, and the caller holds the lock).
core::Result<void> prepare_inbox(const core::DataDir& dir);
bool has_receipt(const core::DataDir& dir, std::string_view id_hex);
// Size and magic only: the agent cannot and need not check HQ's signature.
bool looks_like_receipt(std::span<const std::uint8_t> bytes);
// Status byte of a receipt-shaped file: 1 accepted, 2 duplicate, 3 rejected (unverified).
std::uint8_t receipt_status_byte(std::span<const std::uint8_t> bytes);
core::Result<void> store_receipt(const core::DataDir& dir, std::string_view id_hex,
                                 std::span<const std::uint8_t> bytes);

bool is_lower_hex(std::string_view s);
// "12.5 MiB": sizes in messages.
std::string human_bytes(std::int64_t bytes);

}  // namespace ik::sync::agent
