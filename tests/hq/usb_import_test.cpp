// A USB stick laid out as the sync agent writes it: every bundle imported, a signed receipt
// written back beside it, dot/temp files and links left alone, a bundle in another device's
// folder refused, and the same stick imported twice changing nothing.
#include <sys/stat.h>

#include <fmt/format.h>

#include "hq/usb_import.hpp"
#include "tests/hq/hq_fixture.hpp"

namespace ik::test {
namespace {

using hq::Outcome;

class UsbImport : public HqFixture {
 protected:
  std::filesystem::path stick = tmp / "stick";

  std::filesystem::path put(const SyntheticDevice& folder_of, const crypto::SealedBundle& b) {
    const auto d = stick / "intake-kiosk" / folder_of.id() / "bundles";
    std::filesystem::create_directories(d);
    const auto p = d / (crypto::bundle_id_hex(b.manifest.bundle_id) + ".ikb");
    write_bytes(p, b.file);
    // The sync agent copies in sequence order; give the files distinct, ordered times.
    std::filesystem::last_write_time(p, std::filesystem::file_time_type::clock::now() +
                                            std::chrono::seconds(static_cast<int>(b.manifest.sequence)));
    return p;
  }
  json some(const SyntheticDevice& d, std::int64_t first) {
    auto c = d.changes();
    c["cases"] = json::array({make_case(first, 100), make_case(first + 1, 100)});
    c["calls"] = json::array({make_call(first, 100)});
    return c;
  }
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> receipts_of(const SyntheticDevice& d) {
    const auto r = stick / "intake-kiosk" / d.id() / "receipts";
    if (!std::filesystem::exists(r)) return {};
    return snapshot(r);
  }
};

TEST_F(UsbImport, ImportsEveryBundleAndWritesSignedReceiptsAndASecondPassChangesNothing) {
  SyntheticDevice a, b, stranger;
  enrol(a, "Shelter A");
  enrol(b, "Shelter B");
  std::vector<crypto::SealedBundle> a_bundles;
  for (int i = 0; i < 3; ++i) a_bundles.push_back(a.seal(keys.seal, some(a, 1 + 10 * i)));
  for (const auto& x : a_bundles) put(a, x);
  put(b, b.seal(keys.seal, some(b, 1)));
  // A bundle of device A lying in B's folder.
  const auto misplaced = a.seal(keys.seal, some(a, 100));
  put(b, misplaced);
  put(stranger, stranger.seal(keys.seal, some(stranger, 1)));
  // Noise the reader must leave alone.
  const auto a_dir = stick / "intake-kiosk" / a.id() / "bundles";
  write_text(a_dir / ".0123.ikb.tmp", "half a copy");
  write_text(a_dir / "notes.txt", "not a bundle");
  std::filesystem::create_symlink(a_dir / (crypto::bundle_id_hex(a_bundles[0].manifest.bundle_id) + ".ikb"),
                                  a_dir / "ffffffffffffffffffffffffffffffff.ikb");
  std::filesystem::create_directories(stick / "intake-kiosk" / "not-a-device");
  std::filesystem::create_directories(stick / "intake-kiosk" / ".Trashes");

  auto report = hq::import_stick(*importer, stick, kNow);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->devices.size(), 3u);
  EXPECT_EQ(report->total(&hq::StickDevice::imported), 4);
  EXPECT_EQ(report->total(&hq::StickDevice::rejected), 2);  // misplaced + stranger
  EXPECT_EQ(report->total(&hq::StickDevice::failed), 0);
  for (const auto& d : report->devices) {
    if (d.folder == a.id()) {
      EXPECT_EQ(d.imported, 3);
      EXPECT_EQ(d.received_through, 3u);
      EXPECT_EQ(d.label, "Shelter A");
      EXPECT_TRUE(d.missing.empty());
    } else if (d.folder == b.id()) {
      EXPECT_EQ(d.imported, 1);
      EXPECT_EQ(d.rejected, 1);
      bool saw = false;
      for (const auto& sb : d.bundles)
        if (sb.result.reason == hq::kReasonFolder) {
          saw = true;
          EXPECT_FALSE(sb.receipt_written);
        }
      EXPECT_TRUE(saw);
    } else {
      EXPECT_EQ(d.folder, stranger.id());
      ASSERT_EQ(d.bundles.size(), 1u);
      EXPECT_EQ(d.bundles[0].result.reason, "unknown-device");
      EXPECT_TRUE(d.bundles[0].receipt_written);
    }
  }
  auto skipped = fmt::format("{}", fmt::join(report->skipped, "\n"));
  EXPECT_NE(skipped.find("not-a-device"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("notes.txt"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("ffffffffffffffffffffffffffffffff.ikb"), std::string::npos) << skipped;
  EXPECT_EQ(skipped.find(".tmp"), std::string::npos) << skipped;

  // Receipts beside the bundles, named by bundle id, signed by HQ, for this device's bundles.
  const auto ra = receipts_of(a);
  ASSERT_EQ(ra.size(), 3u);
  for (const auto& x : a_bundles) {
    const auto path = stick / "intake-kiosk" / a.id() / "receipts" / (crypto::bundle_id_hex(x.manifest.bundle_id) + ".ikr");
    auto rc = crypto::read_receipt(read_bytes(path), keys.sign);
    ASSERT_TRUE(rc);
    EXPECT_EQ(rc->status, crypto::ReceiptStatus::Accepted);
    EXPECT_EQ(rc->bundle_hash, x.hash);
    EXPECT_EQ(rc->device_key_id, a.key.pub.id());
  }
  EXPECT_EQ(receipts_of(b).size(), 1u) << "no receipt for the misplaced bundle";
  EXPECT_FALSE(std::filesystem::exists(stick / "intake-kiosk" / b.id() / "receipts" /
                                       (crypto::bundle_id_hex(misplaced.manifest.bundle_id) + ".ikr")));

  const auto store_before = counts();
  const auto receipts_a = receipts_of(a), receipts_b = receipts_of(b);
  auto second = hq::import_stick(*importer, stick, kNow + 60);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->total(&hq::StickDevice::imported), 0);
  EXPECT_EQ(second->total(&hq::StickDevice::duplicate), 4);
  auto after = counts();
  EXPECT_EQ(after.rejections, store_before.rejections + 2);  // the two refusals, logged again
  after.rejections = store_before.rejections;
  EXPECT_EQ(after, store_before);
  EXPECT_EQ(receipts_of(a), receipts_a) << "valid receipts already on the stick are left as they are";
  EXPECT_EQ(receipts_of(b), receipts_b);
}

TEST_F(UsbImport, GapsAreReportedPerDevice) {
  SyntheticDevice a;
  enrol(a);
  const auto b1 = a.seal(keys.seal, some(a, 1));
  a.seal(keys.seal, some(a, 10));  // sequence 2 never reaches the stick
  const auto b3 = a.seal(keys.seal, some(a, 20));
  put(a, b1);
  put(a, b3);
  auto report = hq::import_stick(*importer, stick, kNow);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->devices.size(), 1u);
  const auto& d = report->devices[0];
  EXPECT_EQ(d.imported, 2);
  EXPECT_EQ(d.received_through, 1u);
  ASSERT_EQ(d.missing.size(), 1u);
  EXPECT_EQ(d.missing[0], std::make_pair(std::uint64_t{2}, std::uint64_t{2}));
}

TEST_F(UsbImport, DamagedBundleGetsARejectedReceiptAndTheRestIsImported) {
  SyntheticDevice a;
  enrol(a);
  auto good = a.seal(keys.seal, some(a, 1));
  auto bad = a.seal(keys.seal, some(a, 10));
  bad.file[bad.file.size() - 5] ^= 0x40;
  put(a, good);
  const auto bad_path = put(a, bad);
  auto report = hq::import_stick(*importer, stick, kNow);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->devices[0].imported, 1);
  EXPECT_EQ(report->devices[0].rejected, 1);
  const auto receipt_path = stick / "intake-kiosk" / a.id() / "receipts" /
                            (bad_path.stem().string() + ".ikr");
  auto rc = crypto::read_receipt(read_bytes(receipt_path), keys.sign);
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->status, crypto::ReceiptStatus::Rejected);
  EXPECT_EQ(rc->reason, "chunk-auth");
  EXPECT_EQ(counts().cases, 2);
}

TEST_F(UsbImport, AStickWithoutTheFolderIsRefused) {
  std::filesystem::create_directories(stick);
  auto r = hq::import_stick(*importer, stick, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("intake-kiosk"), std::string::npos);
  // A symlinked intake-kiosk folder is not followed either.
  std::filesystem::create_directories(tmp / "elsewhere");
  std::filesystem::create_directory_symlink(tmp / "elsewhere", stick / "intake-kiosk");
  EXPECT_FALSE(hq::import_stick(*importer, stick, kNow));
}

}  // namespace
}  // namespace ik::test
