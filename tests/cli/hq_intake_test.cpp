// HQ's side: init creates the keys; recover opens a device's recovery slot and prints the
// database key, which Debian's sqlcipher shell then uses to read the device's database.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

TEST(HqIntake, InitWritesPrivateSecretsAndRefusesToOverwrite) {
  TempDir tmp;
  const auto hq = (tmp / "hq").string();
  auto r = run({"hq-intake", "init", "--hq-dir", hq});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto* name : {"seal", "sign", "recovery"}) {
    struct stat st {};
    ASSERT_EQ(::stat((tmp / "hq" / (std::string(name) + ".key")).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    ASSERT_TRUE(std::filesystem::exists(tmp / "hq" / (std::string(name) + ".pub")));
  }
  EXPECT_NE(r.out.find("hq-recovery"), std::string::npos);
  const auto before = snapshot(tmp / "hq");
  auto again = run({"hq-intake", "init", "--hq-dir", hq});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos);
  EXPECT_EQ(snapshot(tmp / "hq"), before);
}

TEST(HqIntake, RecoveredKeyOpensTheDeviceDatabaseInTheSqlcipherShell) {
  TempDir tmp;
  const auto hq = (tmp / "hq").string(), dev = (tmp / "device").string(), pass = (tmp / "a.pass").string();
  ASSERT_EQ(run({"hq-intake", "init", "--hq-dir", hq}).exit_code, 0);
  write_text(pass, "admin passphrase 1\n");
  ASSERT_EQ(run({"intakectl", "init", "--data-dir", dev, "--admin", "Admin Aysel", "--passphrase-file", pass,
                 "--hq-recovery-pub", hq + "/recovery.pub", "--hq-seal-pub", hq + "/seal.pub",
                  "--hq-sign-pub", hq + "/sign.pub", "--kdf-ms", "0", "--kdf-mem-mib", "8"})
                .exit_code,
            0);
  const std::string marker = "SYNTHETIC-RECOVERY-MARKER-4412";
  ASSERT_EQ(run({"intakectl", "setting", "set", "--key", "note", "--value", marker, "--data-dir", dev, "--user",
                 "Admin Aysel", "--passphrase-file", pass})
                .exit_code,
            0);
  EXPECT_FALSE(contains(read_bytes(tmp / "device" / "intake.db"), marker));

  const std::string query = "SELECT CAST(value AS TEXT) FROM settings WHERE key = 'note';\n";
  auto without = run({"sqlcipher", dev + "/intake.db"}, query);
  EXPECT_EQ(without.out.find(marker), std::string::npos);
  EXPECT_NE(without.err.find("not a database"), std::string::npos) << without.err;

  auto rec = run({"hq-intake", "recover", "--hq-dir", hq, "--keyslots", dev + "/keyslots"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  ASSERT_EQ(rec.out.size(), 65u);
  const auto hex = rec.out.substr(0, 64);
  auto with = run({"sqlcipher", dev + "/intake.db"},
                  "PRAGMA key = \"x'" + hex + "'\";\nPRAGMA cipher_page_size = 4096;\n" + query);
  EXPECT_EQ(with.out, marker + "\n") << with.err;

  // Another HQ's recovery key is refused, by key id, before any decryption.
  ASSERT_EQ(run({"hq-intake", "init", "--hq-dir", (tmp / "hq2").string()}).exit_code, 0);
  auto other = run({"hq-intake", "recover", "--hq-dir", (tmp / "hq2").string(), "--keyslots", dev + "/keyslots"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("sealed to HQ key"), std::string::npos) << other.err;
  EXPECT_TRUE(other.out.empty());
}

}  // namespace
}  // namespace ik::test
