#include "storage/database.hpp"

#include <sqlite3.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "crypto/keys.hpp"
#include "storage/migrations.hpp"
#include "storage/settings_repo.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::storage {
namespace {

constexpr std::string_view kMarker = "SYNTHETIC-MARKER-Zərifə-Ёлкина-7731";

struct DbFixture : ::testing::Test {
  test::TempDir dir;
  std::filesystem::path path = dir / "intake.db";
  crypto::SecureBuffer key = crypto::SecureBuffer::random(32);

  Database create() {
    OpenOptions o;
    o.create = true;
    auto db = Database::open(path, key, o);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }
  void create_with_marker() {
    auto db = create();
    ASSERT_TRUE(SettingsRepo(db).set_text("note", kMarker));
  }
};

TEST_F(DbFixture, CreatesEncryptedDatabaseWithTheAgreedPragmas) {
  auto db = create();
  EXPECT_EQ(db.user_version(), latest_schema_version());
  EXPECT_EQ(*db.scalar("PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(*db.scalar("PRAGMA synchronous"), 2) << "FULL";
  EXPECT_EQ(*db.scalar("PRAGMA temp_store"), 2) << "MEMORY";
  EXPECT_EQ(*db.scalar("PRAGMA secure_delete"), 1);
  EXPECT_EQ(*db.scalar("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(*db.scalar("PRAGMA cipher_page_size"), 4096);
  auto st = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st && *st->step());
  EXPECT_EQ(st->text(0), "wal");
}

TEST_F(DbFixture, NoPlaintextMarkerInTheFileOrItsWal) {
  auto db = create();
  ASSERT_TRUE(SettingsRepo(db).set_text("note", kMarker));
  // While open, the newest pages sit in the WAL: check it too.
  for (const auto* suffix : {"", "-wal", "-shm"}) {
    const auto p = path.string() + suffix;
    if (std::filesystem::exists(p)) {
      EXPECT_FALSE(test::contains(test::read_bytes(p), kMarker)) << p;
    }
  }
  db.close();
  EXPECT_FALSE(test::contains(test::read_bytes(path), kMarker));
  EXPECT_FALSE(test::contains(test::read_bytes(path), "SQLite format 3"));
  auto again = Database::open(path, key);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(**SettingsRepo(*again).get_text("note"), kMarker);
}

TEST_F(DbFixture, WrongKeyIsRefusedAndChangesNothing) {
  create_with_marker();
  const auto before = test::snapshot(dir.path());
  auto db = Database::open(path, crypto::SecureBuffer::random(32));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::WrongKeyOrNotKioskDb);
  EXPECT_NE(db.error().message.find("wrong key"), std::string::npos);
  EXPECT_EQ(test::snapshot(dir.path()), before);
}

TEST_F(DbFixture, PlainSqliteFileIsRefusedAndChangesNothing) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);  // no key: an ordinary SQLite file
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x); INSERT INTO t VALUES ('plain');", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  const auto before = test::snapshot(dir.path());
  auto db = Database::open(path, key);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::WrongKeyOrNotKioskDb);
  EXPECT_EQ(test::snapshot(dir.path()), before);
}

TEST_F(DbFixture, OtherSqlcipherDatabaseUnderTheSameKeyIsNotAKioskDatabase) {
  {
    OpenOptions o;
    o.create = true;
    o.migrate = false;
    auto db = Database::open(path, key, o);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA application_id = 0; CREATE TABLE other(x);"));
  }
  auto db = Database::open(path, key);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::WrongKeyOrNotKioskDb);
}

TEST_F(DbFixture, TruncatedDatabaseIsRefusedAndChangesNothing) {
  {
    auto db = create();
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(SettingsRepo(db).set_text(fmt::format("k{}", i), std::string(500, 'x')));
  }
  const auto full = test::read_bytes(path);
  ASSERT_GT(full.size(), 8u * 4096);
  for (std::size_t cut : {full.size() - 4096, full.size() / 2, full.size() - 100, std::size_t{4096}, std::size_t{100}}) {
    std::vector<std::uint8_t> part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    test::write_bytes(path, part);
    const auto before = test::snapshot(dir.path());
    auto db = Database::open(path, key);
    ASSERT_FALSE(db) << "opened a database cut to " << cut << " bytes";
    EXPECT_TRUE(db.error().code == Errc::Damaged || db.error().code == Errc::WrongKeyOrNotKioskDb)
        << db.error().message;
    EXPECT_EQ(test::snapshot(dir.path()), before) << cut;
  }
}

TEST_F(DbFixture, MissingFileIsNotCreatedByOpen) {
  auto db = Database::open(path, key);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::NotFound);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DbFixture, CreateRefusesAnExistingFile) {
  create_with_marker();
  OpenOptions o;
  o.create = true;
  auto db = Database::open(path, key, o);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::Exists);
}

TEST_F(DbFixture, NewerSchemaIsRefused) {
  {
    auto db = create();
    ASSERT_TRUE(db.exec(fmt::format("PRAGMA user_version = {}", latest_schema_version() + 1)));
  }
  auto db = Database::open(path, key);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::TooNew);
}

TEST_F(DbFixture, TransactionRollsBackOnError) {
  auto db = create();
  auto r = db.transaction([&]() -> Result<void> {
    if (auto s = SettingsRepo(db).set_text("a", "1"); !s) return s;
    return fail(Errc::Sql, "simulated failure");
  });
  ASSERT_FALSE(r);
  auto v = SettingsRepo(db).get_text("a");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->has_value());
}

TEST_F(DbFixture, BackupIsEncryptedUnderTheSameKeyAndComplete) {
  create_with_marker();
  auto db = Database::open(path, key);
  ASSERT_TRUE(db);
  const auto target = dir / "backup.db";
  ASSERT_TRUE(db->backup_to(target)) << "backup failed";
  EXPECT_FALSE(db->backup_to(target)) << "must not overwrite";
  db->close();
  EXPECT_FALSE(test::contains(test::read_bytes(target), kMarker));
  auto copy = Database::open(target, key);
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ(**SettingsRepo(*copy).get_text("note"), kMarker);
  EXPECT_TRUE(copy->integrity_check());
  EXPECT_FALSE(Database::open(target, crypto::SecureBuffer::random(32)));
}

// Debian's sqlcipher shell, a separate program: it cannot read the file without the key and
// reads it with the raw key, proving the file is standard SQLCipher and really encrypted.
TEST_F(DbFixture, SqlcipherShellNeedsTheKey) {
  create_with_marker();
  auto without = test::run({"sqlcipher", path.string()}, "SELECT value FROM settings;\n");
  EXPECT_EQ(without.out.find(kMarker), std::string::npos);
  EXPECT_NE(without.err.find("not a database"), std::string::npos) << without.err;
  const auto hex = crypto::to_hex_secure(key);
  auto with = test::run({"sqlcipher", path.string()},
                        fmt::format("PRAGMA key = \"x'{}'\";\nPRAGMA cipher_page_size = 4096;\n"
                                    "SELECT CAST(value AS TEXT) FROM settings WHERE key = 'note';\n",
                                    hex.view()));
  EXPECT_NE(with.out.find(kMarker), std::string::npos) << with.err;
}

}  // namespace
}  // namespace ik::storage
