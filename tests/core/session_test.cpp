#include <sys/stat.h>

#include "crypto/key_files.hpp"
#include "storage/settings_repo.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

TEST_F(DeviceFixture, ProvisionWritesPrivateFilesAndAnIdentity) {
  struct stat st {};
  ASSERT_EQ(::stat(dir.root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(dir.keyslots().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto pub = crypto::read_public_key_file(dir.device_public_key(), crypto::KeyKind::DeviceSign);
  ASSERT_TRUE(pub);
  auto s = admin();
  ASSERT_TRUE(s.unlocked());
  EXPECT_EQ(s.actor().role, Role::Admin);
  EXPECT_EQ(s.device_key().pub, *pub);
}

TEST_F(DeviceFixture, ProvisionRefusesAnExistingDevice) {
  auto pass = test::secret("admin passphrase 2");
  const auto before = test::snapshot(dir.root);
  auto r = provision({dir, "Someone", &pass, hq.pub, fast, hq_seal.pub, hq_sign.pub});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Exists);
  EXPECT_EQ(test::snapshot(dir.root), before);
}

TEST_F(DeviceFixture, ProvisionValidatesItsInputs) {
  DataDir other{tmp / "other"};
  auto short_pass = test::secret("short");
  EXPECT_EQ(provision({other, "A", &short_pass, hq.pub, fast, hq_seal.pub, hq_sign.pub}).error().code, Errc::Invalid);
  auto pass = test::secret("long enough passphrase");
  EXPECT_EQ(provision({other, "bad\tname", &pass, hq.pub, fast, hq_seal.pub, hq_sign.pub}).error().code, Errc::Invalid);
  auto seal = crypto::generate_key_pair(crypto::KeyKind::HqSeal);
  EXPECT_EQ(provision({other, "A", &pass, seal.pub, fast, hq_seal.pub, hq_sign.pub}).error().code, Errc::WrongKey);
  // HQ's seal and sign keys are required, each of its own kind.
  EXPECT_EQ(provision({other, "A", &pass, hq.pub, fast, {}, {}}).error().code, Errc::WrongKey);
  EXPECT_EQ(provision({other, "A", &pass, hq.pub, fast, hq_sign.pub, hq_seal.pub}).error().code, Errc::WrongKey);
  EXPECT_FALSE(other.provisioned());
}

TEST_F(DeviceFixture, WrongPassphraseIsCountedAndRefused) {
  auto s = unlock(dir, "Admin Aysel", test::secret("not the passphrase"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::WrongPassphrase);
  auto slots = staff_slots(dir);
  ASSERT_TRUE(slots);
  EXPECT_EQ((*slots)[0].failed, 1u);
  auto ok = admin();
  EXPECT_TRUE(ok.unlocked());
  EXPECT_EQ((*staff_slots(dir))[0].failed, 0u);
}

TEST_F(DeviceFixture, UnknownUserAndMissingDeviceAreClearErrors) {
  auto s = unlock(dir, "Nobody", test::secret("whatever pass"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::UnknownUser);
  auto none = unlock(DataDir{tmp / "nowhere"}, "Admin Aysel", test::secret("admin passphrase 1"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::NotProvisioned);
}

TEST_F(DeviceFixture, LockWipesKeyAndClosesDatabase) {
  auto s = admin();
  ASSERT_FALSE(s.database_key().empty());
  s.lock();
  EXPECT_FALSE(s.unlocked());
  EXPECT_TRUE(s.database_key().empty());
  EXPECT_TRUE(s.device_key().secret.empty());
  EXPECT_TRUE(s.actor().name.empty());
}

TEST_F(DeviceFixture, RecoverySlotOpensTheDatabaseWithoutAnyStaff) {
  auto f = crypto::KeyslotFile::load(dir.keyslots());
  ASSERT_TRUE(f);
  auto dmk = f->open_recovery(hq);
  ASSERT_TRUE(dmk);
  auto db = storage::Database::open(dir.database(), *dmk);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_TRUE(db->integrity_check());
}

}  // namespace
}  // namespace ik::core::testing
