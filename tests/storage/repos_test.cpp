#include <gtest/gtest.h>

#include "storage/settings_repo.hpp"
#include "storage/users_repo.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::storage {
namespace {

struct Repos : ::testing::Test {
  test::TempDir dir;
  crypto::SecureBuffer key = crypto::SecureBuffer::random(32);
  Database db;
  void SetUp() override {
    OpenOptions o;
    o.create = true;
    auto d = Database::open(dir / "intake.db", key, o);
    ASSERT_TRUE(d);
    db = std::move(*d);
  }
};

TEST_F(Repos, UsersInsertFindListDisable) {
  UsersRepo users(db);
  ASSERT_TRUE(users.insert("Aysel", "admin", 100));
  ASSERT_TRUE(users.insert("Boris", "officer", 101));
  auto dup = users.insert("Aysel", "officer", 102);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::Exists);
  auto a = users.find("Aysel");
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->role, "admin");
  EXPECT_FALSE((*a)->disabled);
  ASSERT_TRUE(users.set_disabled("Boris", true, 200));
  auto b = users.find("Boris");
  EXPECT_TRUE((*b)->disabled);
  EXPECT_EQ((*b)->updated_at, 200);
  EXPECT_EQ(users.set_disabled("Nobody", true, 1).error().code, Errc::NotFound);
  EXPECT_EQ(users.list()->size(), 2u);
}

TEST_F(Repos, SchemaRefusesUnknownRoleAndOverlongName) {
  UsersRepo users(db);
  EXPECT_FALSE(users.insert("Eve", "root", 1));
  EXPECT_FALSE(users.insert(std::string(65, 'a'), "officer", 1));
  EXPECT_FALSE(users.insert("", "officer", 1));
}

TEST_F(Repos, SettingsRoundTripTextBlobAndSecret) {
  SettingsRepo s(db);
  ASSERT_TRUE(s.set_text("a", "one"));
  ASSERT_TRUE(s.set_text("a", "two"));
  EXPECT_EQ(**s.get_text("a"), "two");
  const std::vector<std::uint8_t> blob{0, 1, 2, 255};
  ASSERT_TRUE(s.set("b", blob));
  EXPECT_EQ(**s.get("b"), blob);
  auto sec = s.get_secret("b");
  ASSERT_TRUE(sec && *sec);
  EXPECT_EQ((*sec)->size(), 4u);
  EXPECT_FALSE(s.get_text("missing")->has_value());
}

}  // namespace
}  // namespace ik::storage
