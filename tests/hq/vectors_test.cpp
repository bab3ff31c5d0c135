// Every bundle vector of tests/vectors/bundles/ (index.json) replayed through HQ's importer, in the
// HQ state the index describes (hq_state: enrolled and revoked devices, sequences 1 and 2 of the
// enrolled device imported): each must get the index's reason, status and received-through. And
// the known-answer receipts: HQ's importer, at the index's moments, writes them byte for byte.
#include <fstream>

#include "tests/hq/hq_fixture.hpp"

namespace ik::test {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(IK_VECTORS_DIR) / "bundles";

json index_json() {
  std::ifstream in(kDir / "index.json");
  return json::parse(in);
}

crypto::KeyPair vector_key(const json& index, const std::string& name) {
  const auto& k = index["keys"][name];
  const std::string kind = k["kind"];
  const auto kk = kind == "device-sign" ? crypto::KeyKind::DeviceSign
                  : kind == "hq-seal"   ? crypto::KeyKind::HqSeal
                                        : crypto::KeyKind::HqSign;
  auto secret = crypto::SecureBuffer::copy_of(read_bytes(kDir / k["secret_file"].get<std::string>()));
  auto pair = crypto::key_pair_from_secret(kk, std::move(secret));
  if (!pair) throw std::runtime_error("vector key " + name + ": " + pair.error().message);
  if (pair->pub.id_hex() != k["key_id"].get<std::string>()) throw std::runtime_error("vector key id mismatch: " + name);
  return std::move(*pair);
}

// A fresh HQ holding what index.json's hq_state says.
struct VectorHq {
  TempDir tmp;
  std::unique_ptr<hq::Importer> importer;

  VectorHq(const json& index, bool import_history = true) {
    hq::HqDir dir{tmp.path()};
    auto store = hq::Store::open(dir, true);
    if (!store) throw std::runtime_error(store.error().message);
    const auto& state = index["hq_state"];
    for (const auto& e : state["enrolled"]) {
      const auto pair = vector_key(index, e["key"]);
      if (!store->add_device(pair.pub, e["key"], 1764400000)) throw std::runtime_error("enrol failed");
    }
    for (const auto& id : state["revoked"])
      if (!store->revoke_device(id, "vector", 1764400000)) throw std::runtime_error("revoke failed");
    importer = std::make_unique<hq::Importer>(std::move(*store), vector_key(index, "hq-seal"), vector_key(index, "hq-sign"));
    if (!import_history) return;
    // The imported history, by importing the valid vectors it names (their hashes must match).
    for (const auto& imported : state["imported"]) {
      for (const auto& v : index["bundles"]) {
        if (v["stage"] != "verify" || v["expect"] != "accept" || v["bundle_hash"] != imported["bundle_hash"]) continue;
        auto r = importer->import(read_bytes(kDir / v["file"].get<std::string>()), at(1764400050));
        if (!r || r->outcome != hq::Outcome::Accepted)
          throw std::runtime_error("could not import " + v["name"].get<std::string>());
        if (crypto::to_hex(r->bundle_hash) != imported["bundle_hash"].get<std::string>())
          throw std::runtime_error("hash mismatch");
      }
    }
    auto c = importer->with_store([](hq::Store& s) { return s.counts(); });
    if (!c || c->bundles != static_cast<std::int64_t>(state["imported"].size()))
      throw std::runtime_error("hq_state.imported could not be reproduced");
  }
};

TEST(BundleVectors, EveryVectorGetsItsReasonFromHqsImporter) {
  ASSERT_TRUE(fs::exists(kDir / "index.json")) << "no tests/vectors/bundles/index.json";
  const auto index = index_json();
  int replayed = 0;
  for (const auto& v : index["bundles"]) {
    const std::string name = v["name"];
    if (v["open_with"] != "hq-seal") continue;  // HQ only ever opens with its own key
    SCOPED_TRACE(name);
    VectorHq hq(index);
    const auto before = *hq.importer->with_store([](hq::Store& s) { return s.counts(); });
    auto r = hq.importer->import(read_bytes(kDir / v["file"].get<std::string>()), at(1764400500));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_FALSE(r->receipt.empty());
    auto receipt = crypto::read_receipt(r->receipt, hq.importer->sign_public_key());
    ASSERT_TRUE(receipt);
    const auto after = *hq.importer->with_store([](hq::Store& s) { return s.counts(); });
    ++replayed;
    if (v["expect"] == "reject") {
      EXPECT_EQ(r->outcome, hq::Outcome::Rejected) << r->message;
      EXPECT_EQ(r->reason, v["reason"].get<std::string>()) << r->message;
      EXPECT_EQ(receipt->reason, v["reason"].get<std::string>());
      EXPECT_EQ(receipt->status, crypto::ReceiptStatus::Rejected);
      EXPECT_EQ(after.bundles, before.bundles);
      EXPECT_EQ(after.cases, before.cases);
      EXPECT_EQ(after.calls, before.calls);
      EXPECT_EQ(after.rejections, before.rejections + 1);
      continue;
    }
    // Accepted vectors: the hq stage says how; the others are new or, for the history HQ
    // already holds, duplicates.
    EXPECT_NE(r->outcome, hq::Outcome::Rejected) << r->reason << ": " << r->message;
    if (v.contains("status")) {
      const std::string status = v["status"];
      EXPECT_EQ(status, r->outcome == hq::Outcome::Accepted ? "accepted" : "duplicate");
      EXPECT_EQ(receipt->received_through, v["received_through"].get<std::uint64_t>());
      if (status == "duplicate") EXPECT_EQ(after, before);
      else EXPECT_EQ(after.bundles, before.bundles + 1);
    }
    if (v.contains("manifest")) {
      EXPECT_EQ(r->sequence, v["manifest"]["sequence"].get<std::uint64_t>());
      EXPECT_EQ(r->device_key_id, v["manifest"]["device_key_id"].get<std::string>());
      EXPECT_EQ(r->bundle_id, v["manifest"]["bundle_id"].get<std::string>());
    }
  }
  EXPECT_GE(replayed, 50);
}

TEST(BundleVectors, HqWritesTheKnownAnswerReceiptsByteForByte) {
  ASSERT_TRUE(fs::exists(kDir / "index.json")) << "no tests/vectors/bundles/index.json";
  const auto index = index_json();
  auto receipt_vector = [&](const std::string& name) {
    for (const auto& r : index["receipts"])
      if (r["name"] == name) return r;
    throw std::runtime_error("no receipt vector " + name);
  };
  auto bundle_file_with_hash = [&](const std::string& hash) -> std::vector<std::uint8_t> {
    for (const auto& e : fs::directory_iterator(kDir)) {
      if (e.path().extension() != ".ikb") continue;
      auto bytes = read_bytes(e.path());
      auto opened = crypto::open_bundle(bytes, vector_key(index, "hq-seal"));
      if (crypto::to_hex(opened ? opened->hash : crypto::bundle_file_hash(bytes)) == hash) return bytes;
    }
    throw std::runtime_error("no bundle with hash " + hash);
  };
  struct Known {
    const char* receipt;
    bool history;  // HQ already holds hq_state.imported
  } known[] = {{"receipt-accepted", false}, {"receipt-duplicate", true}, {"receipt-rejected", true}};
  for (const auto& k : known) {
    SCOPED_TRACE(k.receipt);
    const auto rv = receipt_vector(k.receipt);
    VectorHq hq(index, k.history);
    const auto bundle = bundle_file_with_hash(rv["receipt"]["bundle_hash"]);
    auto r = hq.importer->import(bundle, at(rv["receipt"]["received_at"].get<std::int64_t>()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(crypto::to_hex(r->receipt), rv["hex"].get<std::string>());
    EXPECT_EQ(r->receipt, read_bytes(kDir / rv["file"].get<std::string>()));
  }
}

}  // namespace
}  // namespace ik::test
