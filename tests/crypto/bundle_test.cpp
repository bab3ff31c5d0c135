#include "crypto/bundle.hpp"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/vectors/bundle_vectors.hpp"

namespace ik::crypto {
namespace {

using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

const std::filesystem::path kDir = std::filesystem::path(IK_VECTORS_DIR) / "bundles";

const json& index_json() {
  static const json j = [] {
    const auto bytes = test::read_bytes(kDir / "index.json");
    return json::parse(bytes.begin(), bytes.end());
  }();
  return j;
}

Bytes read(const std::string& file) {
  const auto p = kDir / file;
  EXPECT_TRUE(std::filesystem::exists(p)) << p;
  return test::read_bytes(p);
}

KeyKind kind_of(const std::string& name) {
  for (auto k : {KeyKind::DeviceSign, KeyKind::HqSeal, KeyKind::HqSign, KeyKind::HqRecovery})
    if (kind_name(k) == name) return k;
  throw std::invalid_argument("unknown key kind");
}

// A vector key as a reader gets it: the committed secret file, rebuilt and checked.
KeyPair vector_key(const std::string& name) {
  const auto& k = index_json()["keys"].at(name);
  const auto secret = read(k["secret_file"].get<std::string>());
  auto kp = key_pair_from_secret(kind_of(k["kind"]), SecureBuffer::copy_of(secret));
  if (!kp) throw std::runtime_error("vector key does not load");
  return std::move(*kp);
}

std::string hex(std::span<const std::uint8_t> b) { return to_hex(b); }

Bytes payload_of(std::size_t n, std::uint32_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>((i * 2654435761u + seed) >> 13);
  return b;
}

Manifest manifest_from(const json& j) {
  Manifest m;
  auto unhex = [](const std::string& s, auto& out) {
    ASSERT_EQ(s.size(), out.size() * 2);
    sodium_hex2bin(out.data(), out.size(), s.data(), s.size(), nullptr, nullptr, nullptr);
  };
  unhex(j["bundle_id"], m.bundle_id);
  unhex(j["device_key_id"], m.device_key_id);
  unhex(j["recipient_key_id"], m.recipient_key_id);
  m.sequence = j["sequence"];
  m.created_at = j["created_at"];
  m.payload_kind = j["payload_kind"];
  m.payload_length = j["payload_length"];
  unhex(j["payload_hash"], m.payload_hash);
  unhex(j["previous_hash"], m.previous_hash);
  return m;
}

void expect_manifest(const Manifest& got, const json& want) {
  EXPECT_EQ(hex(got.bundle_id), want["bundle_id"]);
  EXPECT_EQ(hex(got.device_key_id), want["device_key_id"]);
  EXPECT_EQ(hex(got.recipient_key_id), want["recipient_key_id"]);
  EXPECT_EQ(got.sequence, want["sequence"]);
  EXPECT_EQ(got.created_at, want["created_at"]);
  EXPECT_EQ(got.payload_kind, want["payload_kind"]);
  EXPECT_EQ(got.payload_length, want["payload_length"]);
  EXPECT_EQ(hex(got.payload_hash), want["payload_hash"]);
  EXPECT_EQ(hex(got.previous_hash), want["previous_hash"]);
}

SealedBundle seal_or_fail(const KeyPair& device, const PublicKey& hq, std::span<const std::uint8_t> payload,
                          std::uint64_t sequence = 1, Hash previous = {}) {
  SealRequest r;
  r.device = &device;
  r.hq_seal = hq;
  r.sequence = sequence;
  r.created_at = 1764400000;
  r.previous_hash = previous;
  r.payload = payload;
  auto b = seal_bundle(r);
  if (!b) throw std::runtime_error(b.error().message);
  return std::move(*b);
}

Bytes flip_at(Bytes b, std::size_t at) {
  b.at(at) ^= 0x01;
  return b;
}

std::string open_reason(std::span<const std::uint8_t> file, const KeyPair& hq) {
  auto o = open_bundle(file, hq);
  return o ? std::string("ok") : o.error().reason;
}

std::string verify_reason(const OpenedBundle& opened, const PublicKey& device) {
  auto v = verify_bundle(opened, device);
  return v ? std::string("ok") : v.error().reason;
}

// ---------------------------------------------------------------------------------------------
// Known-answer and must-reject vectors (tests/vectors/bundles/index.json).

TEST(BundleVectors, KeysAreTheOnesTheirSeedsGive) {
  const auto& keys = index_json()["keys"];
  ASSERT_EQ(keys.size(), std::size(vectors::kKeys));
  for (const auto& [name, k] : keys.items()) {
    SCOPED_TRACE(name);
    const auto kp = vector_key(name);
    EXPECT_EQ(hex(kp.pub.bytes), k["public"]);
    EXPECT_EQ(kp.pub.id_hex(), k["key_id"]);
    EXPECT_EQ(hex(vectors::seed_of(name)), k["seed"]);
    const auto seeded = vectors::seeded_key(kp.pub.kind, name);
    EXPECT_EQ(seeded.pub, kp.pub);
    EXPECT_TRUE(seeded.secret.equals(kp.secret));
  }
}

TEST(BundleVectors, EveryFileIsListedAndEveryListedFileExists) {
  std::set<std::string> listed{"index.json"};
  for (const auto& b : index_json()["bundles"]) {
    listed.insert(b["file"]);
    if (b.contains("payload_file")) listed.insert(b["payload_file"]);
  }
  for (const auto& r : index_json()["receipts"]) listed.insert(r["file"]);
  for (const auto& [name, k] : index_json()["keys"].items()) listed.insert(k["secret_file"]);
  std::set<std::string> present;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kDir))
    if (e.is_regular_file()) present.insert(std::filesystem::relative(e.path(), kDir).string());
  EXPECT_EQ(present, listed);
}

TEST(BundleVectors, ValidBundlesOpenToTheirKnownAnswers) {
  const auto hq = vector_key("hq-seal");
  int checked = 0;
  for (const auto& v : index_json()["bundles"]) {
    if (v["expect"] != "accept" || v["stage"] != "verify") continue;
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto file = read(v["file"]);
    EXPECT_EQ(file.size(), v["file_size"]);
    auto opened = open_bundle(file, hq);
    ASSERT_TRUE(opened) << opened.error().reason << ": " << opened.error().message;
    const auto device = vector_key(v["verify_with"]);
    auto ok = verify_bundle(*opened, device.pub);
    ASSERT_TRUE(ok) << ok.error().reason;

    expect_manifest(opened->manifest, v["manifest"]);
    const auto mb = encode_manifest(opened->manifest);
    EXPECT_EQ(hex(mb), v["manifest_hex"]);
    EXPECT_EQ(hex(encode_manifest(manifest_from(v["manifest"]))), v["manifest_hex"]);
    EXPECT_EQ(hex(opened->signature), v["signature"]);
    // Ed25519 is deterministic: the device key signs these manifest bytes to exactly this.
    EXPECT_EQ(hex(sign(device, "bundle-manifest/v1", mb)), v["signature"]);
    const auto payload = read(v["payload_file"]);
    ASSERT_EQ(opened->payload.size(), payload.size());
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), opened->payload.data()));
    EXPECT_EQ(hex(bundle_payload_hash(payload)), v["manifest"]["payload_hash"]);
    EXPECT_EQ(hex(opened->payload_digest), v["manifest"]["payload_hash"]);
    // The bundle hash is H("intake-kiosk/bundle/v1", manifest || signature), not a hash of the file.
    EXPECT_EQ(hex(opened->hash), v["bundle_hash"]);
    Signature sig{};
    ASSERT_EQ(sodium_hex2bin(sig.data(), sig.size(), v["signature"].get<std::string>().c_str(), 128, nullptr, nullptr,
                             nullptr),
              0);
    EXPECT_EQ(hex(bundle_hash(encode_manifest(manifest_from(v["manifest"])), sig)), v["bundle_hash"]);
    EXPECT_NE(hex(bundle_file_hash(file)), v["bundle_hash"]);
    // The payload is kind 1: JSON naming this device and sequence.
    const auto j = json::parse(payload.begin(), payload.end());
    EXPECT_EQ(j["format"], "intake-kiosk/changes/v1");
    EXPECT_EQ(j["device_key_id"], v["manifest"]["device_key_id"]);
    EXPECT_EQ(j["sequence"], v["manifest"]["sequence"]);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(BundleVectors, TheMultiChunkVectorSpansMoreThanTwoChunksAndChainsToTheFirst) {
  const auto& all = index_json()["bundles"];
  auto find = [&](std::string_view name) {
    for (const auto& v : all)
      if (v["name"] == name) return v;
    throw std::invalid_argument("no such vector");
  };
  const auto small = find("valid-small");
  const auto multi = find("valid-multichunk");
  EXPECT_GT(multi["manifest"]["payload_length"].get<std::size_t>(), 2 * kChunkPlainBytes);
  EXPECT_EQ(multi["chunks"], 3);
  EXPECT_EQ(small["manifest"]["previous_hash"], std::string(64, '0'));
  EXPECT_EQ(multi["manifest"]["previous_hash"], small["bundle_hash"]);
}

TEST(BundleVectors, EachMustRejectBundleFailsWithExactlyItsReason) {
  const auto hq = vector_key("hq-seal");
  std::set<std::string> reasons;
  for (const auto& v : index_json()["bundles"]) {
    if (v["expect"] != "reject" || v["stage"] == "hq") continue;
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto file = read(v["file"]);
    auto opened = open_bundle(file, hq);
    if (v["stage"] == "open") {
      ASSERT_FALSE(opened) << "opened a must-reject bundle";
      EXPECT_EQ(opened.error().reason, v["reason"]) << opened.error().message;
      EXPECT_FALSE(opened.error().message.empty());
    } else {
      ASSERT_EQ(v["stage"], "verify");
      ASSERT_TRUE(opened) << opened.error().reason;
      auto ok = verify_bundle(*opened, vector_key(v["verify_with"]).pub);
      ASSERT_FALSE(ok) << "verified a must-reject bundle";
      EXPECT_EQ(ok.error().reason, v["reason"]) << ok.error().message;
    }
    reasons.insert(v["reason"]);
  }
  // Every reason crypto/ can give has a vector, except `stream-header` (libsodium's init_pull
  // accepts any 24 bytes; a damaged header fails chunk 0 instead) and `size` for an inner stream
  // over 64 MiB (too big to commit; InnerStreamOverTheLimitIsRefused below).
  const std::set<std::string> expected{"size", "magic", "version", "reserved", "recipient", "sealed-key",
                                       "truncated", "chunk-length", "chunk-auth", "chunk-tag", "trailing",
                                       "inner-length", "manifest-magic", "manifest-version", "payload-kind",
                                       "payload-length", "signature", "payload-hash"};
  EXPECT_EQ(reasons, expected);
}

TEST(BundleVectors, HeadquartersVectorsPassCryptoAndMatchTheStateTheyAssume) {
  const auto& state = index_json()["hq_state"];
  std::set<std::string> enrolled, revoked;
  for (const auto& e : state["enrolled"]) enrolled.insert(e["key_id"]);
  for (const auto& r : state["revoked"]) revoked.insert(r);
  std::map<std::uint64_t, std::string> imported;  // of the device "device"
  for (const auto& i : state["imported"]) imported[i["sequence"]] = i["bundle_hash"];
  const auto hq = vector_key("hq-seal");
  int checked = 0;
  for (const auto& v : index_json()["bundles"]) {
    if (v["stage"] != "hq") continue;
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto file = read(v["file"]);
    auto opened = open_bundle(file, hq);
    ASSERT_TRUE(opened) << opened.error().reason;
    ASSERT_TRUE(verify_bundle(*opened, vector_key(v["verify_with"]).pub));
    expect_manifest(opened->manifest, v["manifest"]);
    EXPECT_EQ(hex(opened->hash), v["bundle_hash"]);
    const auto& m = opened->manifest;
    const std::string id = hex(m.device_key_id);
    const std::string reason = v.value("reason", "");
    if (reason == "unknown-device") {
      EXPECT_FALSE(enrolled.contains(id));
    } else if (reason == "revoked-device") {
      EXPECT_TRUE(enrolled.contains(id));
      EXPECT_TRUE(revoked.contains(id));
    } else {
      ASSERT_TRUE(enrolled.contains(id));
      EXPECT_FALSE(revoked.contains(id));
      EXPECT_EQ(id, index_json()["keys"]["device"]["key_id"]);
      const auto it = imported.find(m.sequence);
      if (reason == "replay") {
        ASSERT_NE(it, imported.end());
        EXPECT_NE(it->second, hex(opened->hash));
      } else if (reason == "duplicate") {
        ASSERT_NE(it, imported.end());
        EXPECT_EQ(it->second, hex(opened->hash));
        EXPECT_EQ(v["status"], "duplicate");
      } else {
        EXPECT_EQ(it, imported.end());
        const std::uint64_t through = imported.rbegin()->first;  // imported is 1..N, contiguous
        EXPECT_EQ(imported.size(), through);
        if (v["expect"] == "accept") {
          EXPECT_EQ(v["received_through"], m.sequence == through + 1 ? m.sequence : through);
        }
        const std::string_view payload = opened->payload.view();
        const auto j = json::parse(payload, nullptr, false);
        if (reason == "payload-json") {
          EXPECT_TRUE(j.is_discarded() || j["sequence"] != m.sequence || j["device_key_id"] != id);
        } else {
          ASSERT_FALSE(j.is_discarded());
          EXPECT_EQ(j["sequence"], m.sequence);
          EXPECT_EQ(j["device_key_id"], id);
        }
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 9);
}

TEST(BundleVectors, ReceiptsReadToTheirKnownAnswersAndAreWrittenByteForByte) {
  const auto hq_sign = vector_key("hq-sign");
  std::set<std::string> reasons;
  int accepted = 0;
  for (const auto& v : index_json()["receipts"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto file = read(v["file"]);
    auto r = read_receipt(file, hq_sign.pub);
    if (v["expect"] == "reject") {
      ASSERT_FALSE(r) << "read a must-reject receipt";
      EXPECT_EQ(r.error().reason, v["reason"]) << r.error().message;
      reasons.insert(v["reason"]);
      continue;
    }
    ASSERT_TRUE(r) << r.error().reason;
    const auto& want = v["receipt"];
    EXPECT_EQ(hex(r->device_key_id), want["device_key_id"]);
    EXPECT_EQ(hex(r->bundle_id), want["bundle_id"]);
    EXPECT_EQ(r->sequence, want["sequence"]);
    EXPECT_EQ(hex(r->bundle_hash), want["bundle_hash"]);
    EXPECT_EQ(r->received_at, want["received_at"]);
    const char* status = r->status == ReceiptStatus::Accepted ? "accepted"
                         : r->status == ReceiptStatus::Duplicate ? "duplicate" : "rejected";
    EXPECT_EQ(status, want["status"]);
    EXPECT_EQ(r->received_through, want["received_through"]);
    EXPECT_EQ(r->reason, want["reason"]);
    // Receipts are fully deterministic: the same fields and key give the same bytes.
    auto again = write_receipt(*r, hq_sign);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, file);
    EXPECT_EQ(hex(file), v["hex"]);
    ++accepted;
  }
  EXPECT_EQ(accepted, 3);
  const std::set<std::string> expected{"size", "magic", "version", "signer", "length", "reason", "status", "signature"};
  EXPECT_EQ(reasons, expected);
}

TEST(BundleVectors, ReceiptForTheSmallBundleNamesIt) {
  const auto hq = vector_key("hq-seal");
  const auto bundle = read("valid-small.ikb");
  const auto receipt = read("receipt-accepted.ikr");
  auto opened = open_bundle(bundle, hq);
  auto r = read_receipt(receipt, vector_key("hq-sign").pub);
  ASSERT_TRUE(opened && r);
  EXPECT_EQ(r->bundle_id, opened->manifest.bundle_id);
  EXPECT_EQ(r->device_key_id, opened->manifest.device_key_id);
  EXPECT_EQ(r->sequence, opened->manifest.sequence);
  EXPECT_EQ(r->bundle_hash, opened->hash);
  EXPECT_EQ(r->status, ReceiptStatus::Accepted);
}

// ---------------------------------------------------------------------------------------------
// Round trips and properties on fresh keys.

struct Bundles : ::testing::Test {
  KeyPair device = generate_key_pair(KeyKind::DeviceSign);
  KeyPair hq = generate_key_pair(KeyKind::HqSeal);
  KeyPair hq_sign = generate_key_pair(KeyKind::HqSign);
};

TEST_F(Bundles, RoundTripAtEveryChunkBoundary) {
  // Where the trailer (manifest, signature) fills the last chunk exactly, straddles a boundary or
  // starts one; below and above the size where the payload is hashed on a second thread.
  const std::size_t first = kChunkPlainBytes - kInnerTailBytes;  // inner stream fills chunk 0 exactly
  const std::size_t sizes[] = {0, 1, 2, 100, first - 1, first, first + 1, 65535, 65536, 65537,
                               first + kChunkPlainBytes, first + kChunkPlainBytes + 1, (256u << 10) - 1,
                               256u << 10, (256u << 10) - kInnerTailBytes, 4 * kChunkPlainBytes - 100,
                               (3u << 20) + 7};
  for (const std::size_t n : sizes) {
    SCOPED_TRACE(n);
    const auto payload = payload_of(n, static_cast<std::uint32_t>(n));
    const auto sealed = seal_or_fail(device, hq.pub, payload);
    const std::size_t inner = n + kInnerTailBytes;
    const std::size_t chunks = (inner + kChunkPlainBytes - 1) / kChunkPlainBytes;
    EXPECT_EQ(sealed.file.size(), kBundleHeaderBytes + chunks * (4 + kChunkOverheadBytes) + inner);
    EXPECT_EQ(sealed.hash, bundle_hash(encode_manifest(sealed.manifest),
                                       sign(device, "bundle-manifest/v1", encode_manifest(sealed.manifest))));
    EXPECT_EQ(sealed.manifest.payload_length, n);
    EXPECT_EQ(sealed.manifest.payload_hash, bundle_payload_hash(payload));
    auto opened = open_bundle(sealed.file, hq);
    ASSERT_TRUE(opened) << opened.error().reason << ": " << opened.error().message;
    ASSERT_EQ(opened->payload.size(), n);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), opened->payload.data()));
    EXPECT_EQ(encode_manifest(opened->manifest), encode_manifest(sealed.manifest));
    EXPECT_EQ(opened->hash, sealed.hash);
    EXPECT_EQ(opened->payload_digest, bundle_payload_hash(payload));
    EXPECT_TRUE(verify_bundle(*opened, device.pub));
  }
}

// The payload hash computed here from the spec's text with crypto_generichash alone: leaves over
// 64 KiB pieces (index first), a root over the length and the leaves.
Hash spec_payload_hash(std::span<const std::uint8_t> payload) {
  auto h = [](std::string_view label, std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, 32);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(label.data()), label.size());
    crypto_generichash_update(&st, a.data(), a.size());
    crypto_generichash_update(&st, b.data(), b.size());
    Hash out{};
    crypto_generichash_final(&st, out.data(), out.size());
    return out;
  };
  auto le64 = [](std::uint64_t v) {
    std::array<std::uint8_t, 8> b{};
    for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
    return b;
  };
  std::vector<std::uint8_t> leaves;
  for (std::size_t i = 0; i * 65536 < payload.size(); ++i) {
    const auto index = le64(i);
    const Hash leaf = h("intake-kiosk/payload-piece/v1", index,
                        payload.subspan(i * 65536, std::min<std::size_t>(65536, payload.size() - i * 65536)));
    leaves.insert(leaves.end(), leaf.begin(), leaf.end());
  }
  const auto length = le64(payload.size());
  return h("intake-kiosk/payload/v1", length, leaves);
}

TEST_F(Bundles, PayloadHashIsTheSpecsTreeOfPieces) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                              std::size_t{65537}, std::size_t{3 * 65536 + 5}, std::size_t{(1u << 20) + 194}}) {
    SCOPED_TRACE(n);
    const auto payload = payload_of(n, static_cast<std::uint32_t>(n) + 1);
    const Hash expected = spec_payload_hash(payload);
    EXPECT_EQ(bundle_payload_hash(payload), expected);
    // Sealing hashes the pieces on helper threads from 256 KiB on; opening behind decryption.
    const auto sealed = seal_or_fail(device, hq.pub, payload);
    EXPECT_EQ(sealed.manifest.payload_hash, expected);
    auto opened = open_bundle(sealed.file, hq);
    ASSERT_TRUE(opened) << opened.error().reason;
    EXPECT_EQ(opened->payload_digest, expected);
  }
  // A piece moved, or a byte appended, changes the hash (index and length are in it).
  auto a = payload_of(2 * 65536, 3);
  auto swapped = a;
  std::swap_ranges(swapped.begin(), swapped.begin() + 65536, swapped.begin() + 65536);
  EXPECT_NE(bundle_payload_hash(a), bundle_payload_hash(swapped));
  EXPECT_EQ(hex(bundle_payload_hash({})), hex(spec_payload_hash({})));
}

TEST_F(Bundles, AWorkspaceIsReusedFromBundleToBundleAndHandedBack) {
  // HQ's way: the previous result's payload goes back in as the next open's workspace.
  const auto big = payload_of(2u << 20, 11), small = payload_of(70000, 12), bigger = payload_of(3u << 20, 13);
  const auto sealed_big = seal_or_fail(device, hq.pub, big);
  const auto sealed_small = seal_or_fail(device, hq.pub, small);
  const auto sealed_bigger = seal_or_fail(device, hq.pub, bigger);

  auto first = open_bundle(sealed_big.file, hq);
  ASSERT_TRUE(first);
  const std::uint8_t* memory = first->payload.data();
  SecureBuffer workspace = std::move(first->payload);

  auto second = open_bundle(sealed_small.file, hq, std::move(workspace));
  ASSERT_TRUE(second) << second.error().reason;
  EXPECT_EQ(second->payload.data(), memory);  // the same memory, not a new allocation
  ASSERT_EQ(second->payload.size(), small.size());
  EXPECT_TRUE(std::equal(small.begin(), small.end(), second->payload.data()));
  EXPECT_TRUE(verify_bundle(*second, device.pub));
  // What the big bundle left past the small payload was wiped: growing back shows zeros.
  workspace = std::move(second->payload);
  workspace.resize(big.size());
  EXPECT_TRUE(std::all_of(workspace.data() + small.size(), workspace.data() + workspace.size(),
                          [](std::uint8_t b) { return b == 0; }));

  auto third = open_bundle(sealed_bigger.file, hq, std::move(workspace));  // too small: a new one
  ASSERT_TRUE(third) << third.error().reason;
  ASSERT_EQ(third->payload.size(), bigger.size());
  EXPECT_TRUE(std::equal(bigger.begin(), bigger.end(), third->payload.data()));
  EXPECT_TRUE(verify_bundle(*third, device.pub));

  // A refusal with a workspace that held a valid payload opens nothing from it.
  auto refused = open_bundle(flip_at(sealed_small.file, sealed_small.file.size() - 1), hq, std::move(third->payload));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "chunk-auth");
}

TEST_F(Bundles, RandomPayloadSizesRoundTrip) {
  for (int i = 0; i < 12; ++i) {
    const std::size_t n = randombytes_uniform(i < 8 ? 300000 : 6u << 20);
    SCOPED_TRACE(n);
    const auto payload = payload_of(n, randombytes_random());
    const auto sealed = seal_or_fail(device, hq.pub, payload, static_cast<std::uint64_t>(i) + 2, bundle_payload_hash(payload));
    auto opened = open_bundle(sealed.file, hq);
    ASSERT_TRUE(opened) << opened.error().reason;
    ASSERT_TRUE(verify_bundle(*opened, device.pub));
    ASSERT_EQ(opened->payload.size(), n);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), opened->payload.data()));
    EXPECT_EQ(opened->manifest.sequence, static_cast<std::uint64_t>(i) + 2);
    EXPECT_EQ(opened->manifest.previous_hash, bundle_payload_hash(payload));
    EXPECT_EQ(opened->payload_digest, sealed.manifest.payload_hash);
  }
}

TEST_F(Bundles, TheLargestPayloadFitsAndOneByteMoreDoesNot) {
  const auto payload = payload_of(kMaxPayloadBytes, 7);
  const auto sealed = seal_or_fail(device, hq.pub, payload);
  EXPECT_LE(sealed.file.size(), kMaxBundleBytes);
  auto opened = open_bundle(sealed.file, hq);
  ASSERT_TRUE(opened) << opened.error().reason;
  EXPECT_EQ(opened->payload.size(), kMaxPayloadBytes);
  EXPECT_TRUE(verify_bundle(*opened, device.pub));

  Bytes bigger(kMaxPayloadBytes + 1);
  SealRequest r;
  r.device = &device;
  r.hq_seal = hq.pub;
  r.sequence = 1;
  r.payload = bigger;
  auto refused = seal_bundle(r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::Invalid);
}

TEST_F(Bundles, FileSizeIsCheckedBeforeAnythingElse) {
  const Bytes too_big(kMaxBundleBytes + 1, 0);
  EXPECT_EQ(open_reason(too_big, hq), "size");
  const Bytes too_small(kMinBundleBytes - 1, 0);
  EXPECT_EQ(open_reason(too_small, hq), "size");
  EXPECT_EQ(open_reason(Bytes(kMinBundleBytes, 0), hq), "magic");
}

TEST_F(Bundles, InnerStreamOverTheLimitIsRefused) {
  // An authentic stream one byte over manifest + signature + 64 MiB, in a file under the file
  // limit: only the inner-size rule stops it (before payload-length could).
  const auto vhq = vectors::named_key("hq-seal");
  vectors::Forge f;
  f.recipient_id = vhq.pub.id();
  f.seal_to = vhq.pub;
  f.inner.assign(kMaxInnerBytes + 1, 0x20);
  const auto file = vectors::forge(f, vectors::vector_payload_key());
  ASSERT_LE(file.size(), kMaxBundleBytes);
  auto opened = open_bundle(file, vhq);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().reason, "size");
  // Exactly at the limit, the stream is read and the manifest is what fails.
  f.inner.resize(kMaxInnerBytes);
  EXPECT_EQ(open_reason(vectors::forge(f, vectors::vector_payload_key()), vhq), "manifest-magic");
}

TEST_F(Bundles, AFlippedBitAnywhereIsRejected) {
  const auto payload = payload_of(300, 1);
  const auto sealed = seal_or_fail(device, hq.pub, payload);
  for (std::size_t i = 0; i < sealed.file.size(); ++i) {
    auto bad = sealed.file;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto opened = open_bundle(bad, hq);
    if (opened) {
      ADD_FAILURE() << "a bundle with byte " << i << " flipped opened";
      continue;
    }
    const std::string& reason = opened.error().reason;
    // Which reason follows from where the byte is.
    if (i < 8) EXPECT_EQ(reason, "magic") << i;
    else if (i == 8) EXPECT_EQ(reason, "version");
    else if (i < 12) EXPECT_EQ(reason, "reserved") << i;
    else if (i < 20) EXPECT_EQ(reason, "recipient") << i;
    else if (i < 100) EXPECT_EQ(reason, "sealed-key") << i;
    else if (i < 124) EXPECT_EQ(reason, "chunk-auth") << i;
    else if (i < 128)  // the chunk length: out of bounds, past the end, or shorter and then forged
      EXPECT_TRUE(reason == "chunk-length" || reason == "truncated" || reason == "chunk-auth") << i << " " << reason;
    else EXPECT_EQ(reason, "chunk-auth") << i;
  }
}

TEST_F(Bundles, EveryTruncationIsRejected) {
  const auto sealed = seal_or_fail(device, hq.pub, payload_of(70000, 3));  // two chunks
  for (std::size_t n = 0; n < sealed.file.size(); ++n) {
    const std::string reason = open_reason(std::span(sealed.file).first(n), hq);
    if (n < kMinBundleBytes) EXPECT_EQ(reason, "size") << n;
    else EXPECT_EQ(reason, "truncated") << n;
    if (n > 2000) n += 97;  // every byte of the header and first bytes, then a sample
  }
}

TEST_F(Bundles, OnlyHeadquartersSealSecretOpensABundle) {
  const auto payload = payload_of(5000, 9);
  const auto sealed = seal_or_fail(device, hq.pub, payload);
  // The kiosk holds its signing key and HQ's public key only; neither opens what it wrote.
  SecureBuffer as_x25519(crypto_scalarmult_curve25519_BYTES);
  ASSERT_EQ(crypto_sign_ed25519_sk_to_curve25519(as_x25519.data(), device.secret.data()), 0);
  KeyPair kiosk_as_recipient{hq.pub, std::move(as_x25519)};  // claims HQ's key id
  EXPECT_EQ(open_reason(sealed.file, kiosk_as_recipient), "sealed-key");
  KeyPair device_key{device.pub, device.secret.clone()};
  EXPECT_EQ(open_reason(sealed.file, device_key), "recipient");
  const auto another_hq = generate_key_pair(KeyKind::HqSeal);
  EXPECT_EQ(open_reason(sealed.file, another_hq), "recipient");
  EXPECT_EQ(open_reason(sealed.file, hq), "ok");
  // Nothing of the payload, the manifest or the device's identity is in the file in clear.
  const std::string_view clear(reinterpret_cast<const char*>(payload.data()) + 1000, 32);
  EXPECT_FALSE(test::contains(sealed.file, clear));
  EXPECT_FALSE(test::contains(sealed.file, "IKMANIFS"));
  const auto id = device.pub.id();
  EXPECT_FALSE(test::contains(sealed.file, {reinterpret_cast<const char*>(id.data()), id.size()}));
}

TEST_F(Bundles, EachBundleHasAFreshIdAndPayloadKey) {
  const auto payload = payload_of(1000, 2);
  const auto a = seal_or_fail(device, hq.pub, payload);
  const auto b = seal_or_fail(device, hq.pub, payload);
  EXPECT_NE(a.manifest.bundle_id, b.manifest.bundle_id);
  EXPECT_NE(a.file, b.file);
  EXPECT_FALSE(std::equal(a.file.begin() + 20, a.file.begin() + 124, b.file.begin() + 20));
  EXPECT_EQ(bundle_id_hex(a.manifest.bundle_id).size(), 32u);
}

TEST_F(Bundles, VerifyChecksTheDeviceKeyThenTheSignatureThenThePayload) {
  const auto sealed = seal_or_fail(device, hq.pub, payload_of(2000, 4));
  auto opened = open_bundle(sealed.file, hq);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(verify_bundle(*opened, device.pub));
  const auto other = generate_key_pair(KeyKind::DeviceSign);
  EXPECT_EQ(verify_reason(*opened, other.pub), "signature");
  PublicKey wrong_kind = device.pub;
  wrong_kind.kind = KeyKind::HqSign;
  EXPECT_EQ(verify_reason(*opened, wrong_kind), "signature");
  // The manifest as HQ sees it, altered after opening: the signature no longer covers it.
  auto tampered = open_bundle(sealed.file, hq);
  ASSERT_TRUE(tampered);
  tampered->manifest.sequence += 1;
  EXPECT_EQ(verify_reason(*tampered, device.pub), "signature");
  // A payload that is not the one the signed manifest hashes, both above and below the size where
  // open_bundle hashes on a second thread (verify compares the hash taken while decrypting).
  for (const std::size_t n : {std::size_t{2000}, std::size_t{1} << 20}) {
    SCOPED_TRACE(n);
    auto payload = payload_of(n, 4);
    Manifest m = open_bundle(seal_or_fail(device, hq.pub, payload).file, hq)->manifest;
    payload[n / 2] ^= 1;
    const auto key = SecureBuffer::random(32);
    vectors::Forge f;
    f.recipient_id = hq.pub.id();
    f.seal_to = hq.pub;
    f.inner = vectors::inner_stream(encode_manifest(m), device, payload);
    auto forged = open_bundle(vectors::forge(f, key), hq);
    ASSERT_TRUE(forged) << forged.error().reason;
    EXPECT_EQ(forged->payload_digest, bundle_payload_hash(payload));
    EXPECT_EQ(verify_reason(*forged, device.pub), "payload-hash");
  }
}

TEST_F(Bundles, ARefusedLargeBundleStopsItsHashingThread) {
  // Large enough for the second thread; each refusal must stop and join it (TSan/ASan builds
  // and the absence of a hang are the check), and a later bundle must still open.
  const auto payload = payload_of(3u << 20, 8);
  const auto sealed = seal_or_fail(device, hq.pub, payload);
  const std::size_t mid = kBundleHeaderBytes + 20 * (4 + kChunkPlainBytes + kChunkOverheadBytes) + 500;
  EXPECT_EQ(open_reason(flip_at(sealed.file, mid), hq), "chunk-auth");
  EXPECT_EQ(open_reason(flip_at(sealed.file, sealed.file.size() - 1), hq), "chunk-auth");
  EXPECT_EQ(open_reason(std::span(sealed.file).first(sealed.file.size() - 1), hq), "truncated");
  auto trailing = sealed.file;
  trailing.push_back(0);
  EXPECT_EQ(open_reason(trailing, hq), "trailing");
  // Decrypts in full, then the manifest check fails after the hashing thread was told the end.
  const auto vhq = vectors::named_key("hq-seal");
  vectors::Forge f;
  f.recipient_id = vhq.pub.id();
  f.seal_to = vhq.pub;
  f.inner.assign(2u << 20, 0x20);
  EXPECT_EQ(open_reason(vectors::forge(f, vectors::vector_payload_key()), vhq), "manifest-magic");
  auto opened = open_bundle(sealed.file, hq);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(verify_bundle(*opened, device.pub));
}

TEST_F(Bundles, SealRefusesWhatTheSpecForbids) {
  const auto payload = payload_of(10, 5);
  auto attempt = [&](auto&& edit) {
    SealRequest r;
    r.device = &device;
    r.hq_seal = hq.pub;
    r.sequence = 2;
    r.payload = payload;
    edit(r);
    auto b = seal_bundle(r);
    return b ? std::string("ok") : b.error().message;
  };
  EXPECT_EQ(attempt([](SealRequest&) {}), "ok");
  EXPECT_NE(attempt([](SealRequest& r) { r.device = nullptr; }), "ok");
  EXPECT_NE(attempt([&](SealRequest& r) { r.device = &hq_sign; }), "ok");
  EXPECT_NE(attempt([&](SealRequest& r) { r.hq_seal = device.pub; }), "ok");
  EXPECT_NE(attempt([](SealRequest& r) { r.sequence = 0; }), "ok");
  EXPECT_NE(attempt([](SealRequest& r) {
              r.sequence = 1;
              r.previous_hash[0] = 1;
            }),
            "ok");
  SecureBuffer short_key(16);
  EXPECT_NE(attempt([&](SealRequest& r) { r.fixed_payload_key = &short_key; }), "ok");
}

TEST_F(Bundles, FixedIdAndKeyAreUsedAsGiven) {
  const auto key = vectors::vector_payload_key();
  SealRequest r;
  r.device = &device;
  r.hq_seal = hq.pub;
  r.sequence = 1;
  const auto payload = payload_of(10, 6);
  r.payload = payload;
  r.fixed_bundle_id = BundleId{1, 2, 3};
  r.fixed_payload_key = &key;
  auto b = seal_bundle(r);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->manifest.bundle_id, (BundleId{1, 2, 3}));
  auto k = open_sealed(hq, std::span(b->file).subspan(20, 80));
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->equals(key));
}

// ---------------------------------------------------------------------------------------------
// Receipts.

TEST_F(Bundles, ReceiptsRoundTripForEveryStatus) {
  for (auto status : {ReceiptStatus::Accepted, ReceiptStatus::Duplicate, ReceiptStatus::Rejected}) {
    Receipt r;
    r.device_key_id = device.pub.id();
    randombytes_buf(r.bundle_id.data(), r.bundle_id.size());
    r.sequence = 42;
    randombytes_buf(r.bundle_hash.data(), r.bundle_hash.size());
    r.received_at = -5;  // i64: a clock before 1970 still round-trips
    r.status = status;
    r.received_through = 41;
    r.reason = status == ReceiptStatus::Rejected ? std::string(kMaxReceiptReason, 'z') : "";
    auto bytes = write_receipt(r, hq_sign);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->size(), kReceiptFixedBytes + r.reason.size());
    auto back = read_receipt(*bytes, hq_sign.pub);
    ASSERT_TRUE(back) << back.error().reason;
    EXPECT_EQ(back->device_key_id, r.device_key_id);
    EXPECT_EQ(back->bundle_id, r.bundle_id);
    EXPECT_EQ(back->sequence, r.sequence);
    EXPECT_EQ(back->bundle_hash, r.bundle_hash);
    EXPECT_EQ(back->received_at, r.received_at);
    EXPECT_EQ(back->status, r.status);
    EXPECT_EQ(back->received_through, r.received_through);
    EXPECT_EQ(back->reason, r.reason);
  }
}

TEST_F(Bundles, WriteReceiptRefusesWhatReadReceiptWouldRefuse) {
  Receipt r;
  r.reason = std::string(kMaxReceiptReason + 1, 'a');
  EXPECT_FALSE(write_receipt(r, hq_sign));
  r.reason = "bad\nreason";
  EXPECT_FALSE(write_receipt(r, hq_sign));
  r.reason = "chunk-auth";
  r.status = static_cast<ReceiptStatus>(4);
  EXPECT_FALSE(write_receipt(r, hq_sign));
  r.status = ReceiptStatus::Rejected;
  EXPECT_FALSE(write_receipt(r, device));  // not HQ's signing key
  EXPECT_TRUE(write_receipt(r, hq_sign));
}

TEST_F(Bundles, EveryReceiptBitFlipAndTruncationIsRejected) {
  Receipt r;
  r.device_key_id = device.pub.id();
  r.sequence = 3;
  r.status = ReceiptStatus::Rejected;
  r.reason = "payload-hash";
  const auto good = *write_receipt(r, hq_sign);
  for (std::size_t i = 0; i < good.size() * 8; ++i) {
    auto bad = good;
    bad[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_FALSE(read_receipt(bad, hq_sign.pub)) << "bit " << i;
  }
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(read_receipt(std::span(good).first(n), hq_sign.pub)) << n;
  auto other = read_receipt(good, generate_key_pair(KeyKind::HqSign).pub);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().reason, "signer");
}

}  // namespace
}  // namespace ik::crypto
