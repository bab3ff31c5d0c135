// HQ's store: its key file beside HQ's other secrets, the database encrypted under it, and
// enrolment and revocation of devices.
#include <sys/stat.h>

#include "tests/hq/hq_fixture.hpp"

namespace ik::test {
namespace {

class Store : public HqFixture {};

TEST_F(Store, KeyIsPrivateAndTheDatabaseReadsAsNoise) {
  struct stat st {};
  ASSERT_EQ(::stat(hq::Store::key_path(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(read_bytes(hq::Store::key_path(dir)).size(), 32u);
  ASSERT_EQ(::stat(hq::Store::database_path(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);

  SyntheticDevice dev;
  const std::string marker = "SYNTHETIC-LABEL-MARKER-5521";
  enrol(dev, marker);
  importer.reset();  // closes the store (checkpoints the WAL)
  EXPECT_FALSE(contains(read_bytes(hq::Store::database_path(dir)), marker));
  EXPECT_FALSE(contains(read_bytes(hq::Store::database_path(dir)), "SQLite format 3"));

  auto again = hq::Store::open(dir, false);
  ASSERT_TRUE(again) << again.error().message;
  auto found = again->find_device(dev.id());
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->label, marker);
}

TEST_F(Store, ADatabaseWithoutItsKeyIsRefusedNotReplaced) {
  importer.reset();
  const auto db_before = read_bytes(hq::Store::database_path(dir));
  std::filesystem::remove(hq::Store::key_path(dir));
  auto s = hq::Store::open(dir, true);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("store.key"), std::string::npos) << s.error().message;
  EXPECT_FALSE(std::filesystem::exists(hq::Store::key_path(dir)));
  EXPECT_EQ(read_bytes(hq::Store::database_path(dir)), db_before);

  // Another key: refused as the wrong key, nothing written.
  write_bytes(hq::Store::key_path(dir), std::vector<std::uint8_t>(32, 7));
  ::chmod(hq::Store::key_path(dir).c_str(), 0600);
  auto wrong = hq::Store::open(dir, true);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::Errc::WrongKey);
}

TEST_F(Store, AKeyOthersCanReadIsRefused) {
  importer.reset();
  ::chmod(hq::Store::key_path(dir).c_str(), 0644);
  auto s = hq::Store::open(dir, false);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(Store, EnrolReportsKeyIdAndFingerprintAndRefusesADuplicate) {
  SyntheticDevice dev;
  const auto e = enrol(dev, "Shelter A");
  EXPECT_EQ(e.key_id, dev.key.pub.id_hex());
  EXPECT_EQ(e.fingerprint, dev.key.pub.fingerprint());
  const auto pub = tmp / (dev.id() + ".pub");
  auto again = importer->with_store([&](hq::Store& s) { return hq::enrol_device(s, pub, "Shelter B", kNow); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::Exists);
  EXPECT_EQ(counts().devices, 1);
  auto d = importer->with_store([&](hq::Store& s) { return s.find_device(dev.id()); });
  EXPECT_EQ((*d)->label, "Shelter A");
  EXPECT_EQ((*d)->public_key, dev.key.pub);
}

TEST_F(Store, EnrolRefusesAnotherKindOfKeyAndBadLabels) {
  const auto pub = tmp / "seal.pub";
  ASSERT_TRUE(crypto::write_public_key_file(pub, keys.seal));
  auto r = importer->with_store([&](hq::Store& s) { return hq::enrol_device(s, pub, "x", kNow); });
  EXPECT_FALSE(r);
  SyntheticDevice dev;
  const auto dpub = tmp / "d.pub";
  ASSERT_TRUE(crypto::write_public_key_file(dpub, dev.key.pub));
  for (const std::string& label : {std::string(129, 'a'), std::string("tab\there")}) {
    auto bad = importer->with_store([&](hq::Store& s) { return hq::enrol_device(s, dpub, label, kNow); });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, core::Errc::Invalid);
  }
  EXPECT_EQ(counts().devices, 0);
}

TEST_F(Store, RevokeOnceAndNeverEnrolAgain) {
  SyntheticDevice dev;
  enrol(dev);
  auto upper = dev.id();
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto r = importer->with_store([&](hq::Store& s) { return hq::revoke_device(s, upper, "kiosk stolen", kNow + 5); });
  ASSERT_TRUE(r) << r.error().message;
  auto d = importer->with_store([&](hq::Store& s) { return s.find_device(dev.id()); });
  ASSERT_TRUE((*d)->revoked());
  EXPECT_EQ(*(*d)->revoked_at, kNow + 5);
  EXPECT_EQ((*d)->revoke_reason, "kiosk stolen");

  auto twice = importer->with_store([&](hq::Store& s) { return hq::revoke_device(s, dev.id(), "", kNow); });
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, core::Errc::Exists);
  auto unknown = importer->with_store([&](hq::Store& s) { return hq::revoke_device(s, "0123456789abcdef", "", kNow); });
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::Errc::NotFound);
  auto bad = importer->with_store([&](hq::Store& s) { return hq::revoke_device(s, "xyz", "", kNow); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::Errc::Invalid);

  const auto pub = tmp / (dev.id() + ".pub");
  auto re = importer->with_store([&](hq::Store& s) { return hq::enrol_device(s, pub, "again", kNow); });
  ASSERT_FALSE(re);
  EXPECT_NE(re.error().message.find("revoked"), std::string::npos);
}

}  // namespace
}  // namespace ik::test
