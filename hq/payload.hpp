#pragma once
// The payload of a bundle (kind 1, "changes" JSON of docs/bundle-format.md), parsed and fully
// validated in memory: HQ's quarantine. Nothing in here touches the store or the disk; a payload
// that passes `parse_changes` has every member the importer reads, with its type, within the
// spec's limits — so the import transaction that follows cannot fail on the payload's shape.
//
// Error messages name members and positions ("cases[3].person.gender"), never a value: values
// are personal data.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace ik::hq {

inline constexpr std::size_t kMaxJsonString = 4096;     // bytes, every string and member name
inline constexpr std::size_t kMaxJsonArray = 100'000;   // entries, every array
inline constexpr int kMaxJsonDepth = 8;                 // the spec's shape needs 5
inline constexpr std::string_view kChangesFormat = "intake-kiosk/changes/v1";

struct ChangesPayload {
  // The whole document. Arrays that were absent are present and empty after parsing.
  nlohmann::json doc;
  std::int64_t created_at = 0;  // 0 when the payload has none
  const nlohmann::json& cases() const { return doc["cases"]; }
  const nlohmann::json& calls() const { return doc["calls"]; }
  const nlohmann::json& beds() const { return doc["beds"]; }
  const nlohmann::json& audit() const { return doc["audit"]; }
  const nlohmann::json& checkpoints() const { return doc["checkpoints"]; }
  std::size_t record_count() const;
};

// Parses straight from the decrypted bytes (no intermediate copy of the plaintext) and checks
// format, device key id (16 lowercase hex) and sequence against the manifest's. Errors are
// Errc::Invalid; the importer reports them as `payload-json`.
core::Result<ChangesPayload> parse_changes(std::span<const std::uint8_t> bytes, std::string_view device_key_id_hex,
                                           std::uint64_t sequence);

}  // namespace ik::hq
