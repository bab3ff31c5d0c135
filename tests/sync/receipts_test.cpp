// process_inbox() on a real device with receipts made by HQ's real sign key: an accepted receipt
// delivers its bundle and confirms exactly the record versions it carried, so retention purges
// closed confirmed records after the days and nothing else; forged, foreign and mismatched
// receipts change nothing; a rejection keeps the bundle pending with HQ's reason.
#include <chrono>
#include <thread>

#include "storage/call_repo.hpp"
#include "storage/case_repo.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace ik::sync::testing {
namespace {

using crypto::ReceiptStatus;

void wait_past(std::int64_t t) {
  while (now_unix() <= t) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

struct Names {
  std::optional<std::string> given, family, phone;
};
Names names_of(Session& s, std::int64_t case_id) {
  auto c = storage::CaseRepo(s.db()).get(case_id);
  EXPECT_TRUE(c && *c);
  if (!c || !*c) return {};
  auto p = storage::CaseRepo(s.db()).person((*c)->person_id);
  EXPECT_TRUE(p && *p);
  if (!p || !*p) return {};
  return {(*p)->given_name, (*p)->family_name, (*p)->phone};
}

// One bundle written; its file opened as HQ opens it.
struct Written {
  fs::path file;
  OpenedFile opened;
};

struct ReceiptsFixture : SyncFixture {
  Written write_one() {
    auto s = admin();
    auto r = write_outbox(s, now_unix());
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_EQ(r ? r->bundles : 0, 1);
    auto files = outbox_files();
    EXPECT_FALSE(files.empty());
    if (files.empty()) return {};
    return {files.back(), open_file(files.back())};
  }
  InboxResult process(int days = 30, std::int64_t now = now_unix()) {
    auto s = admin();
    auto r = process_inbox(s, days, now);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(InboxResult{});
  }
  OutboxSummary summary() {
    auto s = admin();
    auto r = outbox_summary(s);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OutboxSummary{});
  }
  std::optional<std::int64_t> confirmed(std::string_view table, std::int64_t id) {
    auto s = admin();
    return column(s, table, "hq_confirmed_at", id);
  }
  std::int64_t updated(std::string_view table, std::int64_t id) {
    auto s = admin();
    return column(s, table, "updated_at", id).value_or(-1);
  }
  // One case in two bundles: version v1 in `first`, then a later change (v2) in `second`.
  struct TwoVersions {
    std::int64_t id;
    Written first, second;
    std::int64_t v1, v2;
  };
  TwoVersions two_versions_of_a_case() {
    TwoVersions t;
    t.id = register_case(1);
    t.first = write_one();
    t.v1 = updated("cases", t.id);
    wait_past(t.v1);
    {
      auto c = coordinator();
      EXPECT_TRUE(CaseService(c).set_risk(t.id, "low"));
    }
    t.second = write_one();
    t.v2 = updated("cases", t.id);
    return t;
  }
};

TEST_F(ReceiptsFixture, AnAcceptedReceiptConfirmsTheSnapshotAndRetentionPurgesOnlyThatAfterTheDays) {
  const auto closed = register_case(1);
  const auto later = register_case(2);  // active when bundled, closed afterwards
  const auto active = register_case(3);  // stays active
  const auto call = log_call(1);
  {
    auto c = coordinator();
    ASSERT_TRUE(CaseService(c).set_status(closed, "closed"));
  }
  const auto bundle = write_one();
  ASSERT_FALSE(HasFailure());
  const auto snapshot_version = updated("cases", closed);
  {
    auto c = coordinator();
    ASSERT_TRUE(CaseService(c).set_status(later, "closed")) << "changed after the snapshot";
  }
  const auto receipt = receipt_for(bundle.opened, ReceiptStatus::Accepted);
  put_receipt(receipt, hq_sign);

  const auto t = now_unix();
  auto r = process(30, t);
  EXPECT_EQ(r.delivered, 1);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_EQ(r.ignored, 0);
  EXPECT_EQ(r.confirmed, 3) << "closed, active and the call; not the case changed after the snapshot";
  EXPECT_EQ(r.retention.cases_purged, 0) << "too recent";
  EXPECT_EQ(r.retention.calls_purged, 0);
  EXPECT_FALSE(fs::exists(bundle.file)) << "a delivered bundle's ciphertext leaves outbox/";
  EXPECT_TRUE(inbox_names().empty()) << "a processed receipt leaves inbox/";
  const auto sum = summary();
  EXPECT_EQ(sum.pending, 0);
  EXPECT_EQ(sum.delivered_through, 1u);
  EXPECT_EQ(sum.last_receipt_at, receipt.received_at);
  EXPECT_TRUE(sum.last_rejection.empty());

  EXPECT_EQ(confirmed("cases", closed), snapshot_version) << "confirmed as snapshotted, not as of the receipt";
  EXPECT_EQ(confirmed("cases", active), updated("cases", active));
  EXPECT_FALSE(confirmed("cases", later).has_value()) << "HQ holds an older version of it";
  EXPECT_EQ(confirmed("calls", call), updated("calls", call));

  // 31 days on (30-day policy): the closed confirmed case and the finished confirmed call go;
  // the case changed after its snapshot and the active case stay whole.
  auto late = process(30, t + 31 * 86400);
  EXPECT_EQ(late.retention.cases_purged, 1);
  EXPECT_EQ(late.retention.calls_purged, 1);
  {
    auto s = admin();
    const auto purged = names_of(s, closed);
    EXPECT_FALSE(purged.given || purged.family || purged.phone) << "personal fields of the purged case";
    for (auto id : {later, active}) {
      const auto kept = names_of(s, id);
      EXPECT_TRUE(kept.given && kept.family && kept.phone) << "case " << id << " must keep its personal data";
    }
    auto c = storage::CallRepo(s.db()).get(call);
    ASSERT_TRUE(c && *c);
    EXPECT_FALSE((*c)->caller_name || (*c)->phone || (*c)->notes);
    EXPECT_TRUE((*c)->purged_at.has_value());
  }

  // HQ learns the purge: the stubs travel in the next bundle with the changed case.
  const auto next = write_one();
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(ids_of(next.opened.doc, "cases"), (std::vector<std::int64_t>{closed, later}));
  EXPECT_EQ(ids_of(next.opened.doc, "calls"), (std::vector<std::int64_t>{call}));
  for (const auto& c : next.opened.doc.at("cases")) {
    const bool stub = c.at("id") == closed;
    EXPECT_EQ(c.at("purged").get<bool>(), stub);
    EXPECT_EQ(c.at("person").at("family_name").is_null(), stub);
    EXPECT_EQ(c.at("notes").is_null(), stub);
  }
  const auto& stub_call = next.opened.doc.at("calls")[0];
  EXPECT_TRUE(stub_call.at("purged").get<bool>());
  EXPECT_TRUE(stub_call.at("caller_name").is_null() && stub_call.at("phone").is_null());
}

TEST_F(ReceiptsFixture, ForgedForeignAndMismatchedReceiptsChangeNothing) {
  const auto id = register_case(1);
  const auto bundle = write_one();
  ASSERT_FALSE(HasFailure());
  const auto good = receipt_for(bundle.opened, ReceiptStatus::Accepted);
  const auto other_hq = crypto::generate_key_pair(crypto::KeyKind::HqSign);

  struct Case {
    const char* what;
    crypto::Receipt receipt;
    const crypto::KeyPair* signer;
  };
  std::vector<Case> bad;
  bad.push_back({"signed by another HQ key", good, &other_hq});
  auto foreign = good;
  foreign.device_key_id = crypto::generate_key_pair(crypto::KeyKind::DeviceSign).pub.id();
  bad.push_back({"for another device", foreign, &hq_sign});
  auto wrong_hash = good;
  wrong_hash.bundle_hash[0] ^= 1;
  bad.push_back({"another bundle hash", wrong_hash, &hq_sign});
  auto wrong_id = good;
  wrong_id.bundle_id[15] ^= 1;
  bad.push_back({"another bundle id", wrong_id, &hq_sign});
  auto wrong_seq = good;
  wrong_seq.sequence = 2;
  bad.push_back({"a sequence never written", wrong_seq, &hq_sign});

  for (std::size_t i = 0; i < bad.size(); ++i) put_receipt(bad[i].receipt, *bad[i].signer, fmt::format("bad{}.ikr", i));
  // A good receipt whose signature was altered on the way.
  auto bytes = crypto::write_receipt(good, hq_sign);
  ASSERT_TRUE(bytes);
  bytes->back() ^= 0x01;
  test::write_bytes(dir.inbox() / "tampered.ikr", *bytes);
  // Not a receipt at all, and one too large to read.
  test::write_text(dir.inbox() / "garbage.ikr", "not a receipt");
  test::write_bytes(dir.inbox() / "huge.ikr", std::vector<std::uint8_t>(100000, 0x41));
  // Not for the kiosk: a sync agent's temp file and another kind of file stay where they are.
  test::write_text(dir.inbox() / ".abc.ikr.0011.tmp", "in progress");
  test::write_text(dir.inbox() / "notes.txt", "other");

  const auto before_sum = summary();
  auto r = process();
  EXPECT_EQ(r.delivered, 0);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_EQ(r.ignored, static_cast<int>(bad.size()) + 3);
  EXPECT_EQ(r.confirmed, 0);
  EXPECT_TRUE(fs::exists(bundle.file)) << "the bundle stays for the sync agent";
  EXPECT_FALSE(confirmed("cases", id).has_value());
  const auto sum = summary();
  EXPECT_EQ(sum.pending, before_sum.pending);
  EXPECT_EQ(sum.delivered_through, 0u);
  EXPECT_EQ(sum.last_receipt_at, 0);
  EXPECT_EQ(inbox_names(), sorted({".abc.ikr.0011.tmp", "notes.txt"})) << "every receipt file read is removed";

  // The real receipt still works afterwards.
  put_receipt(good, hq_sign);
  auto ok = process();
  EXPECT_EQ(ok.delivered, 1);
  EXPECT_TRUE(confirmed("cases", id).has_value());
}

TEST_F(ReceiptsFixture, ARejectedBundleStaysPendingWithHqsReasonUntilHqAcceptsIt) {
  const auto id = register_case(1);
  const auto bundle = write_one();
  ASSERT_FALSE(HasFailure());
  put_receipt(receipt_for(bundle.opened, ReceiptStatus::Rejected, "unknown-device"), hq_sign);
  auto r = process();
  EXPECT_EQ(r.rejected, 1);
  EXPECT_EQ(r.delivered, 0);
  EXPECT_EQ(r.rejections, std::vector<std::string>{"bundle 1: unknown-device"});
  EXPECT_TRUE(fs::exists(bundle.file)) << "kept, to be sent again once HQ enrols the device";
  EXPECT_FALSE(confirmed("cases", id).has_value());
  auto sum = summary();
  EXPECT_EQ(sum.pending, 1);
  EXPECT_EQ(sum.last_rejection, "unknown-device");
  EXPECT_EQ(sum.last_receipt_at, 0);

  // Sent again after enrolment: accepted.
  put_receipt(receipt_for(bundle.opened, ReceiptStatus::Accepted), hq_sign);
  auto ok = process();
  EXPECT_EQ(ok.delivered, 1);
  EXPECT_FALSE(fs::exists(bundle.file));
  sum = summary();
  EXPECT_EQ(sum.pending, 0);
  EXPECT_TRUE(sum.last_rejection.empty());
  EXPECT_TRUE(confirmed("cases", id).has_value());

  // A late rejection of a delivered bundle changes nothing.
  put_receipt(receipt_for(bundle.opened, ReceiptStatus::Rejected, "replay"), hq_sign);
  auto late = process();
  EXPECT_EQ(late.rejected, 0);
  EXPECT_EQ(late.ignored, 1);
  EXPECT_EQ(summary().pending, 0);
}

TEST_F(ReceiptsFixture, ADuplicateReceiptDeliversAndAReceiptTwiceIsHarmless) {
  const auto id = register_case(1);
  const auto bundle = write_one();
  ASSERT_FALSE(HasFailure());
  const auto receipt = receipt_for(bundle.opened, ReceiptStatus::Duplicate);
  put_receipt(receipt, hq_sign);
  auto r = process();
  EXPECT_EQ(r.delivered, 1);
  const auto first = confirmed("cases", id);
  ASSERT_TRUE(first.has_value());
  put_receipt(receipt, hq_sign);
  auto again = process();
  EXPECT_EQ(again.delivered, 0);
  EXPECT_EQ(again.ignored, 1);
  EXPECT_EQ(confirmed("cases", id), first);
}

TEST_F(ReceiptsFixture, AnOlderBundlesReceiptNeverConfirmsAVersionHqDoesNotHold) {
  const auto [id, first, second, v1, v2] = two_versions_of_a_case();
  ASSERT_FALSE(HasFailure());
  ASSERT_GT(v2, v1);

  // Bundle 1's receipt arrives while bundle 2 (the newer version) is still on its way.
  put_receipt(receipt_for(first.opened, ReceiptStatus::Accepted), hq_sign);
  auto r = process();
  EXPECT_EQ(r.delivered, 1);
  EXPECT_FALSE(confirmed("cases", id).has_value()) << "HQ holds v1, the device has v2";
  put_receipt(receipt_for(second.opened, ReceiptStatus::Accepted), hq_sign);
  r = process();
  EXPECT_EQ(r.delivered, 1);
  EXPECT_EQ(confirmed("cases", id), v2);
}

TEST_F(ReceiptsFixture, ANewerReceiptFirstIsNotUndoneByAnOlderOne) {
  const auto [id, first, second, v1, v2] = two_versions_of_a_case();
  ASSERT_FALSE(HasFailure());
  put_receipt(receipt_for(second.opened, ReceiptStatus::Accepted), hq_sign);
  put_receipt(receipt_for(first.opened, ReceiptStatus::Accepted), hq_sign, "zz-late.ikr");
  auto r = process();
  EXPECT_EQ(r.delivered, 2);
  EXPECT_EQ(confirmed("cases", id), v2);
  EXPECT_TRUE(outbox_files().empty());
}

TEST_F(ReceiptsFixture, WithoutHqsSignKeyReceiptsAreNotRead) {
  register_case(1);
  const auto bundle = write_one();
  ASSERT_FALSE(HasFailure());
  const auto path = put_receipt(receipt_for(bundle.opened, ReceiptStatus::Accepted), hq_sign);
  fs::remove(dir.hq_sign_public_key());
  auto s = admin();
  auto r = process_inbox(s, 30, now_unix());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotProvisioned);
  EXPECT_NE(r.error().message.find("hq-sign.pub"), std::string::npos) << r.error().message;
  EXPECT_TRUE(fs::exists(path)) << "left for when the key is back";
  EXPECT_TRUE(fs::exists(bundle.file));
}

}  // namespace
}  // namespace ik::sync::testing
