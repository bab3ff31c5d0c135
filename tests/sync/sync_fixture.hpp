#pragma once
// A real device (SQLCipher in a temp dir, staff, 50 beds) provisioned with a real HQ's keys, and
// HQ's side of the bytes: open and verify a bundle with HQ's seal secret, parse its JSON, write
// receipts signed with HQ's sign secret. Synthetic data only; failures name fields, never values.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/calls.hpp"
#include "core/cases.hpp"
#include "core/validation.hpp"
#include "crypto/bundle.hpp"
#include "crypto/file_io.hpp"
#include "crypto/key_files.hpp"
#include "storage/settings_repo.hpp"
#include "sync/outbox.hpp"
#include "tests/core/fixture.hpp"

namespace ik::sync::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ik::core;
using namespace ik::core::testing;

struct OpenedFile {
  std::vector<std::uint8_t> file;
  crypto::Manifest manifest;
  crypto::Hash hash{};
  std::vector<std::uint8_t> payload;  // the plaintext JSON bytes as the device wrote them
  json doc;
};

struct SyncFixture : RecordsFixture {
  // A shelter intake registered by the officer; a bed label ("W-01") admits the person.
  std::int64_t register_case(int variant, std::optional<std::string> bed = std::nullopt) {
    auto o = officer();
    auto f = sample_intake(IntakeStep::StatusSource, "Nümunəova", "Günay", variant);
    if (bed) f.bed_id = bed_id(o, *bed);
    auto id = IntakeService(o).register_intake(f);
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or(0);
  }

  std::int64_t log_call(int variant) {
    auto h = hotline();
    CallForm c;
    c.started_at = now_unix() - 3600 - variant;
    c.duration_s = 300 + variant;
    c.channel = "phone";
    c.caller_type = "potential_victim";
    c.language = "rus";
    c.call_type = "tip";
    c.ilo_indicators = "debt_bondage,isolation";
    c.actions = "information_given";
    c.caller_name = "Sınaq Zəngçi";
    c.phone = "+994 70 555 44 33";
    c.notes = "Synthetic call.\nLine two \"quoted\" \\ backslash.";
    auto id = CallService(h).log_call(c);
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or(0);
  }

  // Visible bundles in outbox/, by name (= by sequence).
  std::vector<fs::path> outbox_files() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir.outbox(), ec))
      if (e.path().extension() == ".ikb" && !e.path().filename().string().starts_with(".")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
  // Every name in outbox/ (hidden ones included).
  std::vector<std::string> outbox_names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir.outbox(), ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  crypto::PublicKey device_pub() const {
    auto pub = crypto::read_public_key_file(dir.device_public_key(), crypto::KeyKind::DeviceSign);
    EXPECT_TRUE(pub) << pub.error().message;
    return pub.value_or(crypto::PublicKey{});
  }

  // What HQ does with a bundle file: open with its seal secret, verify the device's signature and
  // the payload hash, parse the JSON.
  OpenedFile open_file(const fs::path& path) const {
    OpenedFile out;
    auto bytes = crypto::read_file(path, crypto::kMaxBundleBytes);
    EXPECT_TRUE(bytes) << bytes.error().message;
    if (!bytes) return out;
    out.file = *bytes;
    auto opened = crypto::open_bundle(out.file, hq_seal);
    EXPECT_TRUE(opened) << (opened ? "" : opened.error().reason + ": " + opened.error().message);
    if (!opened) return out;
    auto verified = crypto::verify_bundle(*opened, device_pub());
    EXPECT_TRUE(verified) << (verified ? "" : verified.error().reason);
    out.manifest = opened->manifest;
    out.hash = opened->hash;
    const auto payload = opened->payload.span();
    out.payload.assign(payload.begin(), payload.end());
    out.doc = json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(out.doc.is_discarded()) << "the payload is not JSON";
    return out;
  }

  crypto::Receipt receipt_for(const OpenedFile& b, crypto::ReceiptStatus status, std::string reason = {}) const {
    crypto::Receipt r;
    r.device_key_id = b.manifest.device_key_id;
    r.bundle_id = b.manifest.bundle_id;
    r.sequence = b.manifest.sequence;
    r.bundle_hash = b.hash;
    r.received_at = now_unix();
    r.status = status;
    r.received_through = status == crypto::ReceiptStatus::Rejected ? b.manifest.sequence - 1 : b.manifest.sequence;
    r.reason = std::move(reason);
    return r;
  }
  // As the sync agent leaves it: inbox/<bundle id hex>.ikr (or `name`), signed by `signer`.
  fs::path put_receipt(const crypto::Receipt& r, const crypto::KeyPair& signer, std::string name = {}) const {
    auto bytes = crypto::write_receipt(r, signer);
    EXPECT_TRUE(bytes) << bytes.error().message;
    fs::create_directories(dir.inbox());
    const auto path = dir.inbox() / (name.empty() ? crypto::bundle_id_hex(r.bundle_id) + ".ikr" : name);
    if (bytes) test::write_bytes(path, *bytes);
    return path;
  }
  std::vector<std::string> inbox_names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir.inbox(), ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::optional<std::int64_t> column(Session& s, std::string_view table, std::string_view col, std::int64_t id) {
    auto st = s.db().prepare(fmt::format("SELECT {} FROM {} WHERE id = ?1", col, table));
    EXPECT_TRUE(st) << st.error().message;
    if (!st) return std::nullopt;
    st->bind(1, id);
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    if (!row || !*row || st->is_null(0)) return std::nullopt;
    return st->int64(0);
  }
};

// The ids of the records in one of the payload's arrays.
inline std::vector<std::int64_t> ids_of(const json& doc, std::string_view array, std::string_view key = "id") {
  std::vector<std::int64_t> out;
  for (const auto& r : doc.at(std::string(array))) out.push_back(r.at(std::string(key)).get<std::int64_t>());
  return out;
}

// The member names of an object, sorted.
inline std::vector<std::string> members(const json& o) {
  std::vector<std::string> out;
  for (auto it = o.begin(); it != o.end(); ++it) out.push_back(it.key());
  std::sort(out.begin(), out.end());
  return out;
}
inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace ik::sync::testing
