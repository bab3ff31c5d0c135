#include "tests/core/fixture.hpp"

namespace ik::core::testing {
namespace {

TEST_F(DeviceFixture, AdminAddsStaffWhoCanThenUnlock) {
  {
    auto s = admin();
    UsersService users(s);
    ASSERT_TRUE(users.add("Officer Elnur", Role::Officer, test::secret("officer pass 1"), fast));
    ASSERT_TRUE(users.add("Hotline Мария", Role::Hotline, test::secret("hotline pass 1"), fast));
    EXPECT_EQ(users.add("Officer Elnur", Role::Officer, test::secret("officer pass 1"), fast).error().code, Errc::Exists);
    EXPECT_EQ(users.list()->size(), 3u);
  }
  auto o = unlock_as("Officer Elnur", "officer pass 1");
  EXPECT_EQ(o.actor().role, Role::Officer);
  auto h = unlock_as("Hotline Мария", "hotline pass 1");
  EXPECT_EQ(h.actor().role, Role::Hotline);
}

TEST_F(DeviceFixture, OnlyAnAdminManagesStaff) {
  {
    auto s = admin();
    ASSERT_TRUE(UsersService(s).add("Coordinator Leyla", Role::Coordinator, test::secret("coord pass 1"), fast));
  }
  auto c = unlock_as("Coordinator Leyla", "coord pass 1");
  UsersService users(c);
  auto add = users.add("Intruder", Role::Admin, test::secret("intruder pass"), fast);
  ASSERT_FALSE(add);
  EXPECT_EQ(add.error().code, Errc::PermissionDenied);
  EXPECT_EQ(users.disable("Admin Aysel").error().code, Errc::PermissionDenied);
  EXPECT_EQ(users.set_passphrase("Admin Aysel", test::secret("hijacked pass"), fast).error().code,
            Errc::PermissionDenied);
  EXPECT_EQ(staff_slots(dir)->size(), 2u) << "a refused change must not touch the keyslots";
  // Changing one's own passphrase is allowed.
  ASSERT_TRUE(users.set_passphrase("Coordinator Leyla", test::secret("coord pass 2"), fast));
  c.lock();
  EXPECT_FALSE(unlock(dir, "Coordinator Leyla", test::secret("coord pass 1")));
  EXPECT_TRUE(unlock(dir, "Coordinator Leyla", test::secret("coord pass 2")));
}

TEST_F(DeviceFixture, DisabledStaffLoseTheirSlot) {
  auto s = admin();
  UsersService users(s);
  ASSERT_TRUE(users.add("Officer Elnur", Role::Officer, test::secret("officer pass 1"), fast));
  ASSERT_TRUE(users.disable("Officer Elnur"));
  auto r = unlock(dir, "Officer Elnur", test::secret("officer pass 1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::UnknownUser);
  EXPECT_EQ(users.disable("Admin Aysel").error().code, Errc::Invalid) << "an admin cannot lock themselves out";
  EXPECT_EQ(users.set_passphrase("Officer Elnur", test::secret("officer pass 2"), fast).error().code, Errc::UserDisabled);
}

TEST_F(DeviceFixture, AdminResetUnlocksALockedSlot) {
  {
    auto s = admin();
    ASSERT_TRUE(UsersService(s).add("Officer Elnur", Role::Officer, test::secret("officer pass 1"), fast));
  }
  crypto::AttemptPolicy policy;
  std::int64_t now = 5'000'000;
  for (std::uint32_t i = 0; i < policy.lock_after; ++i, now += policy.max_delay_s + 1)
    ASSERT_FALSE(unlock(dir, "Officer Elnur", test::secret("guess guess"), now, policy));
  auto locked = unlock(dir, "Officer Elnur", test::secret("officer pass 1"), now, policy);
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, Errc::SlotLocked);
  {
    auto s = admin();
    ASSERT_TRUE(UsersService(s).set_passphrase("Officer Elnur", test::secret("officer pass 2"), fast));
  }
  EXPECT_TRUE(unlock(dir, "Officer Elnur", test::secret("officer pass 2"), now, policy));
}

TEST_F(DeviceFixture, BadInputIsRefusedAndStoresNothing) {
  auto s = admin();
  UsersService users(s);
  const auto slots_before = test::read_bytes(dir.keyslots());
  EXPECT_EQ(users.add("", Role::Officer, test::secret("long enough"), fast).error().code, Errc::Invalid);
  EXPECT_EQ(users.add(std::string(65, 'x'), Role::Officer, test::secret("long enough"), fast).error().code, Errc::Invalid);
  EXPECT_EQ(users.add("Ctl\x01name", Role::Officer, test::secret("long enough"), fast).error().code, Errc::Invalid);
  EXPECT_EQ(users.add("Short Pass", Role::Officer, test::secret("short"), fast).error().code, Errc::Invalid);
  EXPECT_EQ(users.list()->size(), 1u);
  EXPECT_EQ(staff_slots(dir)->size(), 1u);
  EXPECT_EQ(test::read_bytes(dir.keyslots()), slots_before) << "keyslots unchanged";
}

}  // namespace
}  // namespace ik::core::testing
