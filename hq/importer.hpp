#pragma once
// HQ's receiving end for one bundle: the reading rules 1-12 of docs/bundle-format.md in order,
// then one import transaction, then a signed receipt — for rejected bundles too.
//
//   1-7   crypto::open_bundle (structure, decryption, manifest)          -> its reason name
//   8     the device is enrolled / not revoked                           -> unknown-device, revoked-device
//   9-10  crypto::verify_bundle (signature, payload hash)                -> signature, payload-hash
//   11    sequence: same seq + same hash -> duplicate (accepted again, nothing imported);
//         same seq + other hash, or a previous-hash that contradicts a neighbour HQ holds
//         (a forked history) -> replay; beyond the next expected -> imported, gap reported
//   12    the payload JSON, parsed and validated in memory (hq/payload.hpp) -> payload-json
//   then  Store::import_bundle: one transaction, nothing half-imported
//
// Quarantine: the decrypted payload stays in sodium memory (OpenedBundle::payload) and is parsed
// from there; nothing of it is written to disk before the transaction, which only begins once
// the whole payload has been validated. A store failure (disk full, I/O) is an error, not a
// rejection: no receipt, so the device sends the bundle again later.
//
// Thread-safe: opening, verifying and parsing run in the caller's thread; the store is used
// under one mutex, so the sequence check and the import are one atomic step per bundle.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "crypto/bundle.hpp"
#include "hq/hq_keys.hpp"
#include "hq/store.hpp"

namespace ik::hq {

enum class Outcome {
  Accepted,   // imported now
  Duplicate,  // imported earlier: the same sequence with the same bundle hash
  Rejected,   // a reading rule failed; nothing imported
  Throttled,  // refused by the caller's per-device limit before any work; no receipt
};
std::string_view outcome_name(Outcome outcome);

// Not a reason of the spec: the USB importer's own refusal of a bundle found in another
// device's folder. No receipt is written for it (it would land in the wrong device's folder).
inline constexpr std::string_view kReasonFolder = "folder-mismatch";

struct ImportContext {
  std::string source = "usb";  // recorded with the bundle: "usb", "https"
  std::int64_t now = 0;        // HQ's clock (unix seconds); 0 = the system clock
  // USB: the device folder the file was found in (16 hex digits); the manifest must name it.
  std::optional<std::string> folder_device;
  // Network: asked once the bundle is open and its device known (per-device rate limit).
  std::function<bool(const std::string& device_key_id)> admit;
};

struct ImportResult {
  Outcome outcome = Outcome::Rejected;
  std::string reason;   // spec reason name; empty when accepted or duplicate
  std::string message;  // a sentence for a person; never a record's content
  std::string device_key_id;  // 16 hex digits; empty when the bundle could not be opened
  std::uint64_t sequence = 0;
  std::string bundle_id;  // 32 hex digits; empty when the bundle could not be opened
  crypto::Hash bundle_hash{};
  std::uint64_t received_through = 0;
  bool gap = false;  // accepted, and some earlier sequence of this device is still missing
  ImportCounts counts;
  std::vector<std::uint8_t> receipt;  // signed .ikr bytes; empty only when Throttled or folder-mismatch
};

class Importer {
 public:
  // Loads HQ's seal and sign secret keys and opens (or creates) the store in `dir`.
  static core::Result<std::unique_ptr<Importer>> open(const HqDir& dir);
  Importer(Store store, crypto::KeyPair hq_seal, crypto::KeyPair hq_sign);
  Importer(const Importer&) = delete;
  Importer& operator=(const Importer&) = delete;

  // One bundle file's bytes, as received.
  core::Result<ImportResult> import(std::span<const std::uint8_t> file, const ImportContext& context = {});

  // Runs `f(Store&)` under the importer's lock (enrolment, reports, tests).
  template <class F>
  auto with_store(F&& f) {
    std::lock_guard lock(mutex_);
    return f(store_);
  }
  const crypto::PublicKey& sign_public_key() const { return sign_.pub; }
  const crypto::PublicKey& seal_public_key() const { return seal_.pub; }

 private:
  core::Result<ImportResult> finish(ImportResult result, std::int64_t now, const ImportContext& context,
                                    std::size_t bytes);

  // crypto::open_bundle's workspaces, one per import running at once, kept (wiped) between
  // imports so that a large bundle does not cost a fresh locked buffer each time.
  crypto::SecureBuffer take_workspace();
  void give_back(crypto::SecureBuffer workspace);

  std::mutex mutex_;
  Store store_;
  crypto::KeyPair seal_, sign_;
  std::mutex spare_mutex_;
  std::vector<crypto::SecureBuffer> spare_;
};

}  // namespace ik::hq
