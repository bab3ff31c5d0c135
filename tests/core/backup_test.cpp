#include "core/backup.hpp"

#include "storage/settings_repo.hpp"
#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

TEST_F(DeviceFixture, BackupRestoresIntoAnEmptyDirectory) {
  const auto file = tmp / "backup.ikb";
  {
    auto s = admin();
    ASSERT_TRUE(storage::SettingsRepo(s.db()).set_text("shelter.name", "Synthetic Shelter 1"));
    ASSERT_TRUE(backup(s, file));
    EXPECT_EQ(backup(s, file).error().code, Errc::Exists);
  }
  DataDir restored{tmp / "restored"};
  auto wrong = restore(file, restored, "Admin Aysel", test::secret("wrong passphrase"));
  ASSERT_FALSE(wrong);
  EXPECT_FALSE(restored.provisioned()) << "a failed restore leaves nothing behind";
  auto r = restore(file, restored, "Admin Aysel", test::secret("admin passphrase 1"));
  ASSERT_TRUE(r) << r.error().message;
  auto s = unlock(restored, "Admin Aysel", test::secret("admin passphrase 1"));
  ASSERT_TRUE(s);
  EXPECT_EQ(**storage::SettingsRepo(s->db()).get_text("shelter.name"), "Synthetic Shelter 1");
  EXPECT_TRUE(std::filesystem::exists(restored.device_public_key()));
  EXPECT_EQ(restore(file, restored, "Admin Aysel", test::secret("admin passphrase 1")).error().code, Errc::Exists);
}

}  // namespace
}  // namespace ik::core::testing
