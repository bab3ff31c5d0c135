#pragma once
// HQ's own store: a SQLCipher database, <hq-dir>/hq.db, under a 32-byte raw key kept in
// <hq-dir>/store.key (0600) beside HQ's other secret keys (seal.key, sign.key, recovery.key) —
// whoever holds the HQ directory holds all of them; the database file alone reads as noise.
// All of HQ's SQL is in store.cpp.
//
// What it holds: enrolled devices (and revocations), every imported bundle (per device and
// sequence, with its hash), the newest snapshot of each case, call and bed per device (the record
// JSON as received plus the columns reports and the "newest wins" rule need), each device's audit
// entries and signed checkpoints, and a log of rejected bundles (reason names only).
//
// Not thread-safe: one Store per thread, or one behind a mutex (the importer does that).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "hq/hq_keys.hpp"
#include "hq/payload.hpp"
#include "hq/reports.hpp"
#include "storage/database.hpp"

namespace ik::hq {

struct Device {
  std::string key_id;  // 16 lowercase hex digits
  crypto::PublicKey public_key;
  std::string label;
  std::int64_t enrolled_at = 0;
  std::optional<std::int64_t> revoked_at;
  std::string revoke_reason;
  std::uint64_t received_through = 0;  // HQ holds every sequence 1..N of this device
  bool revoked() const { return revoked_at.has_value(); }
};

struct BundleRecord {
  std::string device;  // key id hex
  std::uint64_t sequence = 0;
  std::string bundle_id;  // 32 hex digits
  crypto::Hash hash{};
  crypto::Hash previous_hash{};
  std::int64_t created_at = 0, received_at = 0, bytes = 0;
  std::string source;  // "usb", "https", ...
};

struct ImportCounts {
  std::int64_t inserted = 0;   // records HQ did not hold
  std::int64_t updated = 0;    // newer snapshots replacing older ones
  std::int64_t unchanged = 0;  // not newer than what HQ holds
  std::int64_t purged = 0;     // stubs that set a purge date (HQ keeps what it held)
  std::int64_t audit_entries = 0, checkpoints = 0;  // newly stored
};

struct Rejection {
  std::int64_t received_at = 0;
  std::optional<std::string> device;  // when the bundle could be opened
  std::optional<std::uint64_t> sequence;
  crypto::Hash bundle_hash{};
  std::string reason;  // a reason name of docs/bundle-format.md, never free text
  std::string source;
  std::int64_t bytes = 0;
};

struct StoreCounts {
  std::int64_t devices = 0, bundles = 0, cases = 0, calls = 0, beds = 0, audit = 0, checkpoints = 0,
               rejections = 0;
  bool operator==(const StoreCounts&) const = default;
};

class Store {
 public:
  static std::filesystem::path database_path(const HqDir& dir) { return dir.root / "hq.db"; }
  static std::filesystem::path key_path(const HqDir& dir) { return dir.root / "store.key"; }

  // Opens <hq-dir>/hq.db; with `create`, makes the key and the database when neither exists yet
  // (a database without its key is refused, never replaced). The directory must exist.
  static core::Result<Store> open(const HqDir& dir, bool create = true);

  Store() = default;
  Store(Store&&) = default;
  Store& operator=(Store&&) = default;

  // Devices.
  core::Result<Device> add_device(const crypto::PublicKey& key, const std::string& label, std::int64_t now);
  core::Result<void> revoke_device(const std::string& key_id, const std::string& reason, std::int64_t now);
  core::Result<std::optional<Device>> find_device(const std::string& key_id);
  core::Result<std::vector<Device>> devices();

  // Bundles already imported.
  core::Result<std::optional<BundleRecord>> find_bundle(const std::string& device, std::uint64_t sequence);
  // Sequences missing below the highest one held, as [first, last] ranges (at most `limit`).
  core::Result<std::vector<std::pair<std::uint64_t, std::uint64_t>>> missing_sequences(const std::string& device,
                                                                                       std::size_t limit = 20);

  // Imports one validated payload and records the bundle, in ONE transaction: on any error
  // nothing of it stays. Newest updated_at wins per (device, local id); a purged stub never
  // erases what HQ holds, it sets the purge date. Audit entries and checkpoints already held
  // must come again with the same hash — a different one means the device's history was
  // rewritten, and the whole bundle is refused (Errc::Invalid). Updates received_through.
  core::Result<ImportCounts> import_bundle(const BundleRecord& bundle, const ChangesPayload& payload);

  core::Result<void> log_rejection(const Rejection& rejection);
  core::Result<std::vector<Rejection>> rejections(std::size_t limit = 1000);

  // The newest snapshot of every record per device, with the device labels, for hq/reports.
  core::Result<ReportInput> report_input(std::int64_t now);
  // One record as HQ holds it (tests, support).
  core::Result<std::optional<nlohmann::json>> find_case(const std::string& device, std::int64_t local_id);
  core::Result<std::optional<std::int64_t>> case_purged_at(const std::string& device, std::int64_t local_id);
  core::Result<StoreCounts> counts();

  // Test hook: the import transaction fails after this many record writes (then rolls back).
  void fail_import_after_writes(std::optional<std::int64_t> writes) { fail_after_writes_ = writes; }

 private:
  explicit Store(storage::Database db) : db_(std::move(db)) {}
  storage::Database db_;
  std::optional<std::int64_t> fail_after_writes_;
};

// Schema version this program writes (numbered migrations, hq/store.cpp).
int store_schema_version();

}  // namespace ik::hq
