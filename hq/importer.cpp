#include "hq/importer.hpp"

#include <ctime>

#include <fmt/format.h>

namespace ik::hq {
namespace {

crypto::KeyId key_id_from_hex(const std::string& hex) {
  crypto::KeyId id{};
  auto nibble = [](char c) { return static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (std::size_t i = 0; i < id.size() && 2 * i + 1 < hex.size(); ++i)
    id[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  return id;
}

struct SequenceVerdict {
  Outcome outcome = Outcome::Accepted;  // Accepted: go on and import
  std::string reason, message;
};

// Rule 11 against what HQ holds. Called under the importer's lock.
core::Result<SequenceVerdict> check_sequence(Store& store, const std::string& device, const crypto::OpenedBundle& b) {
  const auto seq = b.manifest.sequence;
  // What the writer never produces (crypto::seal_bundle refuses both): no history of this device
  // can hold them, so, like a fork, they are a replay.
  if (seq == 0) return SequenceVerdict{Outcome::Rejected, "replay", "sequence 0 does not exist: a device's bundles start at 1"};
  if (seq == 1 && b.manifest.previous_hash != crypto::Hash{})
    return SequenceVerdict{Outcome::Rejected, "replay", "the first bundle of a device names a previous one"};
  auto held = store.find_bundle(device, seq);
  if (!held) return std::unexpected(held.error());
  if (*held) {
    if ((*held)->hash == b.hash) return SequenceVerdict{Outcome::Duplicate, "", "HQ already holds this bundle"};
    return SequenceVerdict{Outcome::Rejected, "replay",
                           fmt::format("HQ already holds another bundle with sequence {} of this device", seq)};
  }
  // The previous-hash chain: a neighbour HQ holds that disagrees means two histories.
  if (seq > 1) {
    auto prev = store.find_bundle(device, seq - 1);
    if (!prev) return std::unexpected(prev.error());
    if (*prev && (*prev)->hash != b.manifest.previous_hash)
      return SequenceVerdict{Outcome::Rejected, "replay",
                             fmt::format("its previous hash is not that of bundle {} which HQ holds: a forked history",
                                         seq - 1)};
  }
  auto next = store.find_bundle(device, seq + 1);
  if (!next) return std::unexpected(next.error());
  if (*next && (*next)->previous_hash != b.hash)
    return SequenceVerdict{Outcome::Rejected, "replay",
                           fmt::format("bundle {} which HQ holds names another bundle before it: a forked history",
                                       seq + 1)};
  return SequenceVerdict{};
}

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Accepted: return "accepted";
    case Outcome::Duplicate: return "duplicate";
    case Outcome::Rejected: return "rejected";
    case Outcome::Throttled: return "throttled";
  }
  return "?";
}

core::Result<std::unique_ptr<Importer>> Importer::open(const HqDir& dir) {
  auto seal = load_hq_secret(dir, crypto::KeyKind::HqSeal);
  if (!seal) return std::unexpected(seal.error());
  auto sign = load_hq_secret(dir, crypto::KeyKind::HqSign);
  if (!sign) return std::unexpected(sign.error());
  auto store = Store::open(dir);
  if (!store) return std::unexpected(store.error());
  return std::make_unique<Importer>(std::move(*store), std::move(*seal), std::move(*sign));
}

Importer::Importer(Store store, crypto::KeyPair hq_seal, crypto::KeyPair hq_sign)
    : store_(std::move(store)), seal_(std::move(hq_seal)), sign_(std::move(hq_sign)) {}

core::Result<ImportResult> Importer::import(std::span<const std::uint8_t> file, const ImportContext& context) {
  const std::int64_t now = context.now != 0 ? context.now : static_cast<std::int64_t>(std::time(nullptr));
  ImportResult result;
  auto reject = [&](std::string reason, std::string message) {
    result.outcome = Outcome::Rejected;
    result.reason = std::move(reason);
    result.message = std::move(message);
    return finish(std::move(result), now, context, file.size());
  };

  try {
    // 1-7.
    auto opened = crypto::open_bundle(file, seal_, take_workspace());
    struct GiveBack {
      Importer& importer;
      decltype(opened)& result;
      ~GiveBack() {
        if (result) importer.give_back(std::move(result->payload));
      }
    } give_back_on_exit{*this, opened};
    if (!opened) {
      result.bundle_hash = crypto::bundle_file_hash(file);
      return reject(opened.error().reason, opened.error().message);
    }
    const auto& m = opened->manifest;
    result.bundle_hash = opened->hash;
    result.device_key_id = crypto::to_hex(m.device_key_id);
    result.sequence = m.sequence;
    result.bundle_id = crypto::bundle_id_hex(m.bundle_id);
    const auto& dev = result.device_key_id;

    if (context.folder_device && *context.folder_device != dev) {
      result.outcome = Outcome::Rejected;
      result.reason = std::string(kReasonFolder);
      result.message = fmt::format("found in folder {} but signed as device {}: not imported", *context.folder_device, dev);
      return finish(std::move(result), now, context, file.size());
    }
    if (context.admit && !context.admit(dev)) {
      result.outcome = Outcome::Throttled;
      result.message = "too many bundles from this device; try again later";
      return result;
    }

    // 8.
    std::optional<Device> device;
    {
      std::lock_guard lock(mutex_);
      auto d = store_.find_device(dev);
      if (!d) return std::unexpected(d.error());
      device = std::move(*d);
    }
    if (!device) return reject("unknown-device", fmt::format("device {} is not enrolled at this HQ", dev));
    if (device->revoked()) return reject("revoked-device", fmt::format("device {} has been revoked", dev));
    // 9-10.
    if (auto v = crypto::verify_bundle(*opened, device->public_key); !v) return reject(v.error().reason, v.error().message);
    // 11, first look: a duplicate or a replay needs no parsing.
    {
      std::lock_guard lock(mutex_);
      auto verdict = check_sequence(store_, dev, *opened);
      if (!verdict) return std::unexpected(verdict.error());
      if (verdict->outcome == Outcome::Duplicate) {
        result.outcome = Outcome::Duplicate;
        result.message = verdict->message;
        result.received_through = device->received_through;
      } else if (verdict->outcome == Outcome::Rejected) {
        result.reason = verdict->reason;
        result.message = verdict->message;
      }
    }
    // finish() takes the lock itself.
    if (result.outcome == Outcome::Duplicate || !result.reason.empty())
      return finish(std::move(result), now, context, file.size());

    // 12, quarantine: parsed and validated in memory, outside the lock.
    auto payload = parse_changes(opened->payload.span(), dev, m.sequence);

    BundleRecord record;
    record.device = dev;
    record.sequence = m.sequence;
    record.bundle_id = result.bundle_id;
    record.hash = opened->hash;
    record.previous_hash = m.previous_hash;
    record.created_at = m.created_at;
    record.received_at = now;
    record.bytes = static_cast<std::int64_t>(file.size());
    record.source = context.source;
    {
      std::lock_guard lock(mutex_);
      // Again under the lock that covers the import: another upload of the same bundle, or a
      // revocation, may have happened since the first look.
      auto d = store_.find_device(dev);
      if (!d) return std::unexpected(d.error());
      if (!*d) {
        result.reason = "unknown-device";
        result.message = fmt::format("device {} is not enrolled at this HQ", dev);
      } else if ((*d)->revoked()) {
        result.reason = "revoked-device";
        result.message = fmt::format("device {} has been revoked", dev);
      } else {
        auto verdict = check_sequence(store_, dev, *opened);
        if (!verdict) return std::unexpected(verdict.error());
        if (verdict->outcome == Outcome::Duplicate) {
          result.outcome = Outcome::Duplicate;
          result.message = verdict->message;
          result.received_through = (*d)->received_through;
        } else if (verdict->outcome == Outcome::Rejected) {
          result.reason = verdict->reason;
          result.message = verdict->message;
        } else if (!payload) {
          result.reason = "payload-json";
          result.message = payload.error().message;
        } else {
          auto counts = store_.import_bundle(record, *payload);
          if (!counts) {
            // A constraint of the store refused a value: the payload's fault, whole bundle refused.
            if (counts.error().code != core::Errc::Invalid) return std::unexpected(counts.error());
            result.reason = "payload-json";
            result.message = fmt::format("the store refused the payload: {}", counts.error().message);
          } else {
            auto after = store_.find_device(dev);
            if (!after) return std::unexpected(after.error());
            result.outcome = Outcome::Accepted;
            result.counts = *counts;
            result.received_through = *after ? (*after)->received_through : 0;
            result.gap = result.received_through < m.sequence;
            result.message = result.gap ? fmt::format("imported; sequences after {} are still missing",
                                                      result.received_through)
                                        : "imported";
          }
        }
      }
    }
    return finish(std::move(result), now, context, file.size());
  } catch (const std::bad_alloc&) {
    return core::fail(core::Errc::Internal, "out of memory while importing a bundle");
  } catch (const std::exception& e) {
    // nlohmann's messages here concern HQ's own data (the store), never the payload's values.
    return core::fail(core::Errc::Internal, fmt::format("importing a bundle failed: {}", e.what()));
  }
}

crypto::SecureBuffer Importer::take_workspace() {
  std::lock_guard lock(spare_mutex_);
  if (spare_.empty()) return {};
  crypto::SecureBuffer w = std::move(spare_.back());
  spare_.pop_back();
  return w;
}

void Importer::give_back(crypto::SecureBuffer workspace) {
  // Wiped now: no bundle's plaintext stays in memory after its import, reused or not.
  workspace.clear();
  constexpr std::size_t kMaxSpare = 4;  // more imports at once than this allocate their own
  std::lock_guard lock(spare_mutex_);
  if (spare_.size() < kMaxSpare) spare_.push_back(std::move(workspace));
}

core::Result<ImportResult> Importer::finish(ImportResult result, std::int64_t now, const ImportContext& context,
                                            std::size_t bytes) {
  if (result.outcome == Outcome::Rejected) {
    std::lock_guard lock(mutex_);
    Rejection r;
    r.received_at = now;
    if (!result.device_key_id.empty()) {
      r.device = result.device_key_id;
      r.sequence = result.sequence;
      auto d = store_.find_device(result.device_key_id);
      if (!d) return std::unexpected(d.error());
      if (*d) result.received_through = (*d)->received_through;
    }
    r.bundle_hash = result.bundle_hash;
    r.reason = result.reason;
    r.source = context.source;
    r.bytes = static_cast<std::int64_t>(bytes);
    if (auto l = store_.log_rejection(r); !l) return std::unexpected(l.error());
    if (result.reason == kReasonFolder) return result;
  }
  crypto::Receipt receipt;
  if (!result.device_key_id.empty()) {
    receipt.device_key_id = key_id_from_hex(result.device_key_id);
    receipt.sequence = result.sequence;
    auto nibble = [](char c) { return static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10); };
    for (std::size_t i = 0; i < receipt.bundle_id.size() && 2 * i + 1 < result.bundle_id.size(); ++i)
      receipt.bundle_id[i] =
          static_cast<std::uint8_t>((nibble(result.bundle_id[2 * i]) << 4) | nibble(result.bundle_id[2 * i + 1]));
  }
  receipt.bundle_hash = result.bundle_hash;
  receipt.received_at = now;
  receipt.status = result.outcome == Outcome::Accepted    ? crypto::ReceiptStatus::Accepted
                   : result.outcome == Outcome::Duplicate ? crypto::ReceiptStatus::Duplicate
                                                          : crypto::ReceiptStatus::Rejected;
  receipt.received_through = result.received_through;
  receipt.reason = result.outcome == Outcome::Rejected ? result.reason : "";
  auto bytes_out = crypto::write_receipt(receipt, sign_);
  if (!bytes_out) return std::unexpected(core::from(bytes_out.error()));
  result.receipt = std::move(*bytes_out);
  return result;
}

}  // namespace ik::hq
