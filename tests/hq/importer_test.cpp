// The importer on real bundles (crypto::seal_bundle) and a real SQLCipher store: every reading
// rule HQ owns (8, 11, 12), receipts for accepted and rejected bundles, and the promise that a
// bundle is imported whole or not at all.
#include <sodium.h>

#include <thread>

#include "tests/hq/hq_fixture.hpp"
#include "tests/vectors/bundle_vectors.hpp"

namespace ik::test {
namespace {

using hq::Outcome;

class Importer : public HqFixture {};

json small_changes(const SyntheticDevice& d, std::int64_t first_case = 1) {
  auto c = d.changes();
  c["cases"] = json::array({make_case(first_case, 1764390000), make_case(first_case + 1, 1764390000)});
  c["calls"] = json::array({make_call(5, 1764350420)});
  c["beds"] = json::array({make_bed("W-03")});
  c["audit"] = json::array({make_audit(1), make_audit(2)});
  c["checkpoints"] = json::array({make_checkpoint(2)});
  return c;
}

TEST_F(Importer, AcceptsImportsAndSignsAReceipt) {
  SyntheticDevice dev;
  enrol(dev);
  const auto bundle = dev.seal(keys.seal, small_changes(dev));
  const auto r = import(bundle);
  ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason << ": " << r.message;
  EXPECT_FALSE(r.gap);
  EXPECT_EQ(r.counts.inserted, 3);  // two cases, one call
  EXPECT_EQ(r.counts.audit_entries, 2);
  EXPECT_EQ(r.counts.checkpoints, 1);
  const auto c = counts();
  EXPECT_EQ(c.bundles, 1);
  EXPECT_EQ(c.cases, 2);
  EXPECT_EQ(c.calls, 1);
  EXPECT_EQ(c.beds, 1);
  EXPECT_EQ(c.audit, 2);
  EXPECT_EQ(c.checkpoints, 1);
  EXPECT_EQ(c.rejections, 0);

  const auto rc = receipt(r);
  EXPECT_EQ(rc.status, crypto::ReceiptStatus::Accepted);
  EXPECT_EQ(rc.device_key_id, dev.key.pub.id());
  EXPECT_EQ(rc.bundle_id, bundle.manifest.bundle_id);
  EXPECT_EQ(rc.sequence, 1u);
  EXPECT_EQ(rc.bundle_hash, bundle.hash);
  EXPECT_EQ(rc.received_at, kNow);
  EXPECT_EQ(rc.received_through, 1u);
  EXPECT_EQ(rc.reason, "");

  auto held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 2); });
  ASSERT_TRUE(held && *held);
  EXPECT_EQ((**held)["case_number"], "SH-2026-10002");
  EXPECT_EQ((**held)["person"]["given_name"], "Synthetic");
}

TEST_F(Importer, UnknownDeviceIsRejectedWithASignedReceipt) {
  SyntheticDevice stranger;
  const auto bundle = stranger.seal(keys.seal, small_changes(stranger));
  const auto r = import(bundle);
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "unknown-device");
  const auto rc = receipt(r);
  EXPECT_EQ(rc.status, crypto::ReceiptStatus::Rejected);
  EXPECT_EQ(rc.reason, "unknown-device");
  EXPECT_EQ(rc.device_key_id, stranger.key.pub.id());
  EXPECT_EQ(rc.received_through, 0u);
  const auto c = counts();
  EXPECT_EQ(c.cases, 0);
  EXPECT_EQ(c.bundles, 0);
  EXPECT_EQ(c.rejections, 1);
  auto log = importer->with_store([](hq::Store& s) { return s.rejections(); });
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].reason, "unknown-device");
  EXPECT_EQ((*log)[0].bundle_hash, bundle.hash);
}

TEST_F(Importer, RevokedDeviceIsRefusedFromThenOn) {
  SyntheticDevice dev;
  enrol(dev);
  ASSERT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
  auto rv = importer->with_store([&](hq::Store& s) { return hq::revoke_device(s, dev.id(), "stolen", kNow); });
  ASSERT_TRUE(rv) << rv.error().message;
  const auto before = counts();
  const auto r = import(dev.seal(keys.seal, small_changes(dev, 10)));
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "revoked-device");
  EXPECT_EQ(receipt(r).received_through, 1u);
  auto after = counts();
  EXPECT_EQ(after.rejections, before.rejections + 1);
  after.rejections = before.rejections;
  EXPECT_EQ(after, before);
}

TEST_F(Importer, SignatureByAnotherKeyIsRejected) {
  SyntheticDevice dev, impostor;
  enrol(dev);
  // The enrolled device's key id and public key in the manifest, the impostor's secret signing it.
  SyntheticDevice forged;
  forged.key = crypto::KeyPair{dev.key.pub, impostor.key.secret.clone()};
  const auto r = import(forged.seal(keys.seal, small_changes(dev)));
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "signature");
  EXPECT_EQ(receipt(r).reason, "signature");
  EXPECT_EQ(counts().cases, 0);
}

TEST_F(Importer, BundleForAnotherHqIsRejectedUnopened) {
  SyntheticDevice dev;
  enrol(dev);
  const auto other = crypto::generate_key_pair(crypto::KeyKind::HqSeal);
  const auto r = import(dev.seal(other.pub, small_changes(dev)));
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "recipient");
  EXPECT_TRUE(r.device_key_id.empty());
  const auto rc = receipt(r);
  EXPECT_EQ(rc.device_key_id, crypto::KeyId{});
  EXPECT_EQ(rc.sequence, 0u);
  EXPECT_EQ(rc.reason, "recipient");
}

TEST_F(Importer, DuplicateIsIdempotent) {
  SyntheticDevice dev;
  enrol(dev);
  const auto bundle = dev.seal(keys.seal, small_changes(dev));
  ASSERT_EQ(import(bundle).outcome, Outcome::Accepted);
  const auto before = counts();
  const auto again = import(bundle);
  EXPECT_EQ(again.outcome, Outcome::Duplicate);
  EXPECT_EQ(again.reason, "");
  EXPECT_EQ(counts(), before);
  const auto rc = receipt(again);
  EXPECT_EQ(rc.status, crypto::ReceiptStatus::Duplicate);
  EXPECT_EQ(rc.bundle_hash, bundle.hash);
  EXPECT_EQ(rc.received_through, 1u);
}

TEST_F(Importer, ReplayOfASequenceWithOtherContentIsRejected) {
  SyntheticDevice dev;
  enrol(dev);
  ASSERT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
  // The same sequence number again, other content (a restored backup, or an attacker with the key).
  dev.next_sequence = 1;
  dev.previous = {};
  auto changes = small_changes(dev);
  changes["cases"][0]["status"] = "closed";
  changes["cases"][0]["updated_at"] = 1764399999;
  const auto before = counts();
  const auto r = import(dev.seal(keys.seal, changes));
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "replay");
  EXPECT_EQ(receipt(r).status, crypto::ReceiptStatus::Rejected);
  auto after = counts();
  EXPECT_EQ(after.rejections, before.rejections + 1);
  auto held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 1); });
  ASSERT_TRUE(held && *held);
  EXPECT_EQ((**held)["status"], "active");
}

TEST_F(Importer, ForkedHistoryIsAReplay) {
  SyntheticDevice dev;
  enrol(dev);
  ASSERT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
  dev.previous[0] ^= 1;  // sequence 2 names a sequence 1 HQ never saw
  const auto r = import(dev.seal(keys.seal, small_changes(dev, 10)));
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "replay");
  EXPECT_EQ(counts().bundles, 1);
}

// What the writer refuses (crypto::seal_bundle), forged as a broken or dishonest device could with
// its own key: sequence 0, and a first bundle that names a previous one. Neither is imported.
TEST_F(Importer, SequenceZeroAndAFirstBundleNamingAPreviousOneAreReplays) {
  SyntheticDevice dev;
  enrol(dev);
  auto forged = [&](std::uint64_t sequence, const crypto::Hash& previous) {
    const std::string payload = make_changes(dev.key.pub, sequence).dump();
    const std::span bytes(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
    crypto::Manifest m;
    randombytes_buf(m.bundle_id.data(), m.bundle_id.size());
    m.device_key_id = dev.key.pub.id();
    m.recipient_key_id = keys.seal.id();
    m.sequence = sequence;
    m.created_at = 1764400000;
    m.payload_length = payload.size();
    m.payload_hash = crypto::bundle_payload_hash(bytes);
    m.previous_hash = previous;
    vectors::Forge f;
    f.recipient_id = keys.seal.id();
    f.seal_to = keys.seal;
    f.inner = vectors::inner_stream(crypto::encode_manifest(m), dev.key, bytes);
    return vectors::forge(f, crypto::SecureBuffer::random(32));
  };
  crypto::Hash some{};
  some[0] = 1;
  for (const auto& [sequence, previous] : {std::pair{std::uint64_t{0}, crypto::Hash{}}, std::pair{std::uint64_t{1}, some}}) {
    SCOPED_TRACE(sequence);
    const auto r = import(forged(sequence, previous));
    EXPECT_EQ(r.outcome, Outcome::Rejected);
    EXPECT_EQ(r.reason, "replay") << r.message;
    EXPECT_EQ(counts().bundles, 0);
    EXPECT_EQ(counts().cases, 0);
  }
  // The same device's real first bundle is still welcome.
  EXPECT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
}

TEST_F(Importer, GapIsImportedAndReportedInReceivedThrough) {
  SyntheticDevice dev;
  enrol(dev);
  const auto b1 = dev.seal(keys.seal, small_changes(dev, 1));
  const auto b2 = dev.seal(keys.seal, small_changes(dev, 10));
  const auto b3 = dev.seal(keys.seal, small_changes(dev, 20));
  ASSERT_EQ(import(b1).outcome, Outcome::Accepted);
  const auto r3 = import(b3);
  ASSERT_EQ(r3.outcome, Outcome::Accepted);
  EXPECT_TRUE(r3.gap);
  EXPECT_EQ(receipt(r3).received_through, 1u);
  auto missing = importer->with_store([&](hq::Store& s) { return s.missing_sequences(dev.id()); });
  ASSERT_TRUE(missing);
  ASSERT_EQ(missing->size(), 1u);
  EXPECT_EQ((*missing)[0], std::make_pair(std::uint64_t{2}, std::uint64_t{2}));
  // The missing one arrives: the run closes.
  const auto r2 = import(b2);
  ASSERT_EQ(r2.outcome, Outcome::Accepted);
  EXPECT_FALSE(r2.gap);
  EXPECT_EQ(receipt(r2).received_through, 3u);
  EXPECT_EQ(counts().cases, 6);
}

TEST_F(Importer, PayloadJsonMismatchesAreRejected) {
  SyntheticDevice dev;
  enrol(dev);
  struct Case {
    const char* what;
    std::function<void(json&)> damage;
  } cases[] = {
      {"a case member of the wrong type", [](json& c) { c["cases"][1]["updated_at"] = "yesterday"; }},
      {"a required member missing", [](json& c) { c["calls"][0].erase("id"); }},
      {"the sequence differs from the manifest's", [](json& c) { c["sequence"] = 9; }},
      {"the device differs from the manifest's", [](json& c) { c["device_key_id"] = "0123456789abcdef"; }},
      {"another format", [](json& c) { c["format"] = "intake-kiosk/changes/v2"; }},
      {"a string over 4096 bytes", [](json& c) { c["cases"][0]["notes"] = std::string(4097, 'x'); }},
      {"an audit hash that is not hex", [](json& c) { c["audit"][0]["hash"] = std::string(64, 'g'); }},
      {"the same case twice", [](json& c) { c["cases"][1]["id"] = 1; }},
      {"cases not an array", [](json& c) { c["cases"] = json::object(); }},
  };
  for (const auto& k : cases) {
    auto changes = small_changes(dev);
    k.damage(changes);
    const auto r = import(dev.seal(keys.seal, changes));
    EXPECT_EQ(r.outcome, Outcome::Rejected) << k.what;
    EXPECT_EQ(r.reason, "payload-json") << k.what;
    EXPECT_EQ(receipt(r).reason, "payload-json") << k.what;
    // Messages name members, never values.
    EXPECT_EQ(r.message.find("Synthetic"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("yesterday"), std::string::npos) << r.message;
  }
  const auto c = counts();
  EXPECT_EQ(c.bundles, 0);
  EXPECT_EQ(c.cases, 0);
  EXPECT_EQ(c.calls, 0);
  EXPECT_EQ(c.audit, 0);
  EXPECT_EQ(c.rejections, static_cast<std::int64_t>(std::size(cases)));
  // Not JSON at all.
  const auto r = import(dev.seal_bytes(keys.seal, "{\"format\": "));
  EXPECT_EQ(r.reason, "payload-json");
}

TEST_F(Importer, PayloadNestedTooDeepIsRejected) {
  SyntheticDevice dev;
  enrol(dev);
  auto changes = small_changes(dev);
  json deep = 1;
  for (int i = 0; i < 50; ++i) deep = json::array({deep});
  changes["extra"] = deep;  // an unknown member, but still bounded
  const auto r = import(dev.seal(keys.seal, changes));
  EXPECT_EQ(r.reason, "payload-json");
  EXPECT_NE(r.message.find("nested"), std::string::npos) << r.message;
}

TEST_F(Importer, NothingHalfImportedWhenALaterRecordViolatesAConstraint) {
  SyntheticDevice dev;
  enrol(dev);
  ASSERT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
  const auto before = counts();
  // The store's own CHECK (case numbers are at most 64 bytes) refuses the second case, after the
  // first one was written inside the transaction.
  auto changes = small_changes(dev, 100);
  changes["cases"][1]["case_number"] = std::string(65, 'N');
  auto r = import(dev.seal(keys.seal, changes));
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason, "payload-json");
  auto after = counts();
  EXPECT_EQ(after.rejections, before.rejections + 1);
  after.rejections = before.rejections;
  EXPECT_EQ(after, before);
  auto first = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 100); });
  ASSERT_TRUE(first);
  EXPECT_FALSE(*first) << "the first case of the refused bundle must not stay";
}

TEST_F(Importer, RewrittenAuditHistoryRefusesTheWholeBundle) {
  SyntheticDevice dev;
  enrol(dev);
  ASSERT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
  auto changes = small_changes(dev, 50);
  changes["audit"] = json::array({make_audit(3), make_audit(2, /*variant=*/99)});
  const auto before = counts();
  const auto r = import(dev.seal(keys.seal, changes));
  EXPECT_EQ(r.reason, "payload-json");
  EXPECT_NE(r.message.find("audit entry 2"), std::string::npos) << r.message;
  auto after = counts();
  after.rejections = before.rejections;
  EXPECT_EQ(after, before);
}

TEST_F(Importer, AFailureAtAnyPointInsideTheTransactionLeavesTheStoreUnchanged) {
  SyntheticDevice dev;
  enrol(dev);
  ASSERT_EQ(import(dev.seal(keys.seal, small_changes(dev))).outcome, Outcome::Accepted);
  auto changes = small_changes(dev, 30);
  changes["cases"].push_back(make_case(1, 1764399000));  // an update of a held case
  changes["audit"].push_back(make_audit(3));
  const auto bundle = dev.seal(keys.seal, changes);
  const auto before = counts();
  // Fail after 0, 1, 2, ... writes until the budget covers the whole transaction (3 cases, the
  // bed, one new audit entry and the bundle row: the call and the two held audit entries are
  // unchanged, so not written).
  std::int64_t n = 0;
  for (;; ++n) {
    importer->with_store([&](hq::Store& s) {
      s.fail_import_after_writes(n);
      return 0;
    });
    auto r = importer->import(bundle.file, at(kNow));
    if (r) {
      EXPECT_EQ(r->outcome, Outcome::Accepted) << r->message;
      break;
    }
    EXPECT_EQ(r.error().code, core::Errc::Io);
    EXPECT_EQ(counts(), before) << "after a failure at write " << n;
    auto held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 1); });
    EXPECT_EQ((**held)["updated_at"], 1764390000);
    ASSERT_LT(n, 100);
  }
  EXPECT_EQ(n, 6);
  importer->with_store([](hq::Store& s) {
    s.fail_import_after_writes(std::nullopt);
    return 0;
  });
  const auto c = counts();
  EXPECT_EQ(c.cases, 4);
  EXPECT_EQ(c.bundles, 2);
  EXPECT_EQ(c.audit, 3);
  auto held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 1); });
  EXPECT_EQ((**held)["updated_at"], 1764399000);
}

TEST_F(Importer, NewestUpdatedAtWins) {
  SyntheticDevice dev;
  enrol(dev);
  auto c1 = dev.changes();
  c1["cases"] = json::array({make_case(7, 200)});
  ASSERT_EQ(import(dev.seal(keys.seal, c1)).outcome, Outcome::Accepted);
  auto older = make_case(7, 100);
  older["status"] = "closed";
  auto c2 = dev.changes();
  c2["cases"] = json::array({older});
  auto r2 = import(dev.seal(keys.seal, c2));
  ASSERT_EQ(r2.outcome, Outcome::Accepted);
  EXPECT_EQ(r2.counts.unchanged, 1);
  auto held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 7); });
  EXPECT_EQ((**held)["status"], "active");
  auto newer = make_case(7, 300);
  newer["status"] = "closed";
  auto c3 = dev.changes();
  c3["cases"] = json::array({newer});
  auto r3 = import(dev.seal(keys.seal, c3));
  EXPECT_EQ(r3.counts.updated, 1);
  held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 7); });
  EXPECT_EQ((**held)["status"], "closed");
}

TEST_F(Importer, PurgedStubKeepsWhatHqHoldsAndSetsThePurgeDate) {
  SyntheticDevice dev;
  enrol(dev);
  auto c1 = dev.changes();
  c1["cases"] = json::array({make_case(3, 200)});
  ASSERT_EQ(import(dev.seal(keys.seal, c1)).outcome, Outcome::Accepted);
  auto c2 = dev.changes();
  c2["cases"] = json::array({make_case(3, 500, /*purged=*/true)});
  c2["created_at"] = 1764450000;
  auto r = import(dev.seal(keys.seal, c2));
  ASSERT_EQ(r.outcome, Outcome::Accepted);
  EXPECT_EQ(r.counts.purged, 1);
  auto held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 3); });
  ASSERT_TRUE(held && *held);
  const auto& rec = **held;
  EXPECT_EQ(rec["purged"], true);
  EXPECT_EQ(rec["status"], "closed") << "the stub's codes are newer";
  EXPECT_EQ(rec["person"]["given_name"], "Synthetic") << "HQ keeps what it held";
  EXPECT_EQ(rec["person"]["birth_date"], "1999-04-02");
  EXPECT_EQ(rec["services"][0]["note"], "synthetic");
  EXPECT_EQ(rec["notes"], "synthetic note");
  auto date = importer->with_store([&](hq::Store& s) { return s.case_purged_at(dev.id(), 3); });
  ASSERT_TRUE(date && *date);
  EXPECT_EQ(**date, 1764450000);

  // A stub of a case HQ never held is kept as the stub it is.
  auto c3 = dev.changes();
  c3["cases"] = json::array({make_case(4, 500, true)});
  ASSERT_EQ(import(dev.seal(keys.seal, c3)).outcome, Outcome::Accepted);
  held = importer->with_store([&](hq::Store& s) { return s.find_case(dev.id(), 4); });
  EXPECT_TRUE((**held)["person"]["given_name"].is_null());
}

TEST_F(Importer, ConcurrentImportsOfTheSameBundlesImportEachExactlyOnce) {
  SyntheticDevice a, b;
  enrol(a, "A");
  enrol(b, "B");
  std::vector<crypto::SealedBundle> bundles;
  for (int i = 0; i < 4; ++i) bundles.push_back(a.seal(keys.seal, small_changes(a, 1 + i * 10)));
  for (int i = 0; i < 4; ++i) bundles.push_back(b.seal(keys.seal, small_changes(b, 1 + i * 10)));
  std::atomic<int> accepted{0}, duplicate{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < bundles.size(); ++i) {
        const auto& bundle = bundles[(i + static_cast<std::size_t>(t) * 3) % bundles.size()];
        auto r = importer->import(bundle.file, at(kNow, "https"));
        if (!r) ++other;
        else if (r->outcome == Outcome::Accepted) ++accepted;
        else if (r->outcome == Outcome::Duplicate) ++duplicate;
        else ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted, 8);
  EXPECT_EQ(duplicate, 24);
  EXPECT_EQ(other, 0);
  const auto c = counts();
  EXPECT_EQ(c.bundles, 8);
  EXPECT_EQ(c.cases, 16);
  auto devs = importer->with_store([](hq::Store& s) { return s.devices(); });
  ASSERT_TRUE(devs);
  for (const auto& d : *devs) EXPECT_EQ(d.received_through, 4u) << d.label;
}

TEST_F(Importer, ReportInputHoldsTheNewestSnapshotPerDeviceWithLabels) {
  SyntheticDevice a, b;
  enrol(a, "Shelter North");
  enrol(b, "Hotline");
  ASSERT_EQ(import(a.seal(keys.seal, small_changes(a))).outcome, Outcome::Accepted);
  auto cb = b.changes();
  cb["calls"] = json::array({make_call(1, 10), make_call(2, 10), make_call(3, 10)});
  ASSERT_EQ(import(b.seal(keys.seal, cb)).outcome, Outcome::Accepted);
  auto input = importer->with_store([](hq::Store& s) { return s.report_input(kNow); });
  ASSERT_TRUE(input) << input.error().message;
  EXPECT_EQ(input->generated_at, kNow);
  ASSERT_EQ(input->devices.size(), 2u);
  for (const auto& d : input->devices) {
    if (d.device_key_id == a.id()) {
      EXPECT_EQ(d.label, "Shelter North");
      EXPECT_EQ(d.cases.size(), 2u);
      EXPECT_EQ(d.calls.size(), 1u);
      EXPECT_EQ(d.beds.size(), 1u);
      EXPECT_EQ(d.cases[0]["id"], 1);
      EXPECT_EQ(d.cases[0]["purged"], false);
    } else {
      EXPECT_EQ(d.device_key_id, b.id());
      EXPECT_EQ(d.label, "Hotline");
      EXPECT_EQ(d.calls.size(), 3u);
      EXPECT_TRUE(d.cases.empty());
    }
  }
}

}  // namespace
}  // namespace ik::test
