// Drives the built intakectl the way a technician or a script does.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

struct Cli : ::testing::Test {
  TempDir tmp;
  std::string hq = (tmp / "hq").string();
  std::string dev = (tmp / "device").string();
  std::string admin_pass = (tmp / "admin.pass").string();

  void SetUp() override {
    ASSERT_EQ(run({"hq-intake", "init", "--hq-dir", hq}).exit_code, 0);
    write_text(admin_pass, "admin passphrase 1\n");
    auto r = run({"intakectl", "init", "--data-dir", dev, "--admin", "Admin Aysel", "--passphrase-file", admin_pass,
                  "--hq-recovery-pub", hq + "/recovery.pub", "--hq-seal-pub", hq + "/seal.pub",
                  "--hq-sign-pub", hq + "/sign.pub", "--kdf-ms", "0", "--kdf-mem-mib", "8"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("fingerprint"), std::string::npos);
  }
  RunResult check(const std::string& user, const std::string& pass_file) {
    return run({"intakectl", "check", "--data-dir", dev, "--user", user, "--passphrase-file", pass_file});
  }
};

TEST_F(Cli, CheckUnlocksAndVerifies) {
  auto r = check("Admin Aysel", admin_pass);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("database verified"), std::string::npos);
}

TEST_F(Cli, WrongPassphraseExitsNonZeroAndIsCounted) {
  write_text(tmp / "wrong.pass", "not the passphrase\n");
  auto r = check("Admin Aysel", (tmp / "wrong.pass").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "intakectl: wrong passphrase\n");
  auto list = run({"intakectl", "user", "list", "--data-dir", dev, "--user", "Admin Aysel", "--passphrase-file", admin_pass});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  // The successful unlock for `user list` reset the counter; the failure was counted before it.
  EXPECT_NE(list.out.find("Admin Aysel\tadmin\t0 failed attempts"), std::string::npos) << list.out;
}

TEST_F(Cli, NoPassphraseFileAndNoTerminalFailsClearly) {
  auto r = run({"intakectl", "check", "--data-dir", dev, "--user", "Admin Aysel"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no terminal"), std::string::npos) << r.err;
}

TEST_F(Cli, UserAddDisablePasswd) {
  write_text(tmp / "o.pass", "officer pass 1\n");
  write_text(tmp / "o2.pass", "officer pass 2\n");
  const auto o = (tmp / "o.pass").string(), o2 = (tmp / "o2.pass").string();
  auto add = run({"intakectl", "user", "add", "--data-dir", dev, "--as", "Admin Aysel", "--admin-passphrase-file",
                  admin_pass, "--user", "Officer Elnur", "--role", "officer", "--passphrase-file", o, "--kdf-ms", "0",
                  "--kdf-mem-mib", "8"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(check("Officer Elnur", o).exit_code, 0);
  // An officer is not an admin.
  auto refused = run({"intakectl", "user", "add", "--data-dir", dev, "--as", "Officer Elnur", "--admin-passphrase-file",
                      o, "--user", "X Y", "--role", "admin", "--passphrase-file", o, "--kdf-ms", "0", "--kdf-mem-mib", "8"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("only an admin"), std::string::npos) << refused.err;
  auto bad_role = run({"intakectl", "user", "add", "--data-dir", dev, "--as", "Admin Aysel", "--admin-passphrase-file",
                       admin_pass, "--user", "Z", "--role", "root", "--passphrase-file", o});
  EXPECT_NE(bad_role.exit_code, 0);
  auto pw = run({"intakectl", "user", "passwd", "--data-dir", dev, "--as", "Admin Aysel", "--admin-passphrase-file",
                 admin_pass, "--user", "Officer Elnur", "--passphrase-file", o2, "--kdf-ms", "0", "--kdf-mem-mib", "8"});
  ASSERT_EQ(pw.exit_code, 0) << pw.err;
  EXPECT_NE(check("Officer Elnur", o).exit_code, 0);
  EXPECT_EQ(check("Officer Elnur", o2).exit_code, 0);
  auto dis = run({"intakectl", "user", "disable", "--data-dir", dev, "--as", "Admin Aysel", "--admin-passphrase-file",
                  admin_pass, "--user", "Officer Elnur"});
  ASSERT_EQ(dis.exit_code, 0) << dis.err;
  auto gone = check("Officer Elnur", o2);
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("no keyslot"), std::string::npos) << gone.err;
}

TEST_F(Cli, BackupAndRestore) {
  const auto u = std::vector<std::string>{"--data-dir", dev, "--user", "Admin Aysel", "--passphrase-file", admin_pass};
  auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  ASSERT_EQ(run(with({"intakectl", "setting", "set", "--key", "shelter.name", "--value", "Synthetic Shelter"}, u)).exit_code, 0);
  const auto file = (tmp / "b.ikb").string();
  auto b = run(with({"intakectl", "backup", "--to", file}, u));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto restored = (tmp / "restored").string();
  auto r = run({"intakectl", "restore", "--from", file, "--data-dir", restored, "--user", "Admin Aysel",
                "--passphrase-file", admin_pass});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto g = run({"intakectl", "setting", "get", "--key", "shelter.name", "--data-dir", restored, "--user", "Admin Aysel",
                "--passphrase-file", admin_pass});
  EXPECT_EQ(g.out, "Synthetic Shelter\n");
  auto reserved = run(with({"intakectl", "setting", "get", "--key", "device.sign_secret"}, u));
  EXPECT_EQ(reserved.exit_code, 1);
}

TEST_F(Cli, InitPinsHqsKeysAndPrintsTheirFingerprints) {
  for (const char* f : {"hq-seal.pub", "hq-sign.pub", "hq-recovery.pub", "device.pub"})
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dev) / f)) << f;
  for (const char* d : {"outbox", "inbox", "sync"})
    EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::path(dev) / d)) << d;
  // Each key file must be of its kind: a sign key given as the seal key is refused, nothing created.
  const auto other = (tmp / "other").string();
  auto r = run({"intakectl", "init", "--data-dir", other, "--admin", "Admin Aysel", "--passphrase-file", admin_pass,
                "--hq-recovery-pub", hq + "/recovery.pub", "--hq-seal-pub", hq + "/sign.pub", "--hq-sign-pub",
                hq + "/sign.pub", "--kdf-ms", "0", "--kdf-mem-mib", "8"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(other) / "intake.db"));
  // Without them, init is a usage error.
  r = run({"intakectl", "init", "--data-dir", other, "--admin", "Admin Aysel", "--passphrase-file", admin_pass,
           "--hq-recovery-pub", hq + "/recovery.pub", "--kdf-ms", "0", "--kdf-mem-mib", "8"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--hq-seal-pub"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(other) / "intake.db"));
  // The fingerprints HQ compares: printed by init (the fixture's run) as by hq-intake.
  std::filesystem::remove_all(other);
  r = run({"intakectl", "init", "--data-dir", other, "--admin", "Admin Aysel", "--passphrase-file", admin_pass,
           "--hq-recovery-pub", hq + "/recovery.pub", "--hq-seal-pub", hq + "/seal.pub", "--hq-sign-pub",
           hq + "/sign.pub", "--kdf-ms", "0", "--kdf-mem-mib", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HQ seal key id"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("HQ sign key id"), std::string::npos) << r.out;
}

TEST_F(Cli, OutboxSealsWhatChangedAndPrintsCountsOnly) {
  auto outbox = [&] {
    return run({"intakectl", "outbox", "--data-dir", dev, "--user", "Admin Aysel", "--passphrase-file", admin_pass});
  };
  auto bundles = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(dev) / "outbox"))
      n += e.path().extension() == ".ikb";
    return n;
  };
  auto r = outbox();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos) << r.out;
  EXPECT_EQ(bundles(), 0);
  ASSERT_EQ(run({"intakectl", "beds", "configure", "--data-dir", dev, "--user", "Admin Aysel", "--passphrase-file",
                 admin_pass})
                .exit_code,
            0);
  r = outbox();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 bundles written (sequence up to 1): 0 cases, 0 calls, 50 beds"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pending: 1 bundles"), std::string::npos) << r.out;
  EXPECT_EQ(bundles(), 1);
  r = outbox();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos) << r.out;
  EXPECT_EQ(bundles(), 1);
  // Without HQ's seal key nothing can be sealed: a clear refusal.
  std::filesystem::remove(std::filesystem::path(dev) / "hq-seal.pub");
  ASSERT_EQ(run({"intakectl", "beds", "configure", "--data-dir", dev, "--user", "Admin Aysel", "--passphrase-file",
                 admin_pass, "--women", "21"})
                .exit_code,
            0);
  r = outbox();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("hq-seal.pub"), std::string::npos) << r.err;
  EXPECT_EQ(bundles(), 1);
}

TEST_F(Cli, EveryCommandHasHelp) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"intakectl", "--help"}, {"intakectl", "init", "--help"}, {"intakectl", "check", "--help"},
           {"intakectl", "user", "--help"}, {"intakectl", "user", "add", "--help"},
           {"intakectl", "user", "disable", "--help"}, {"intakectl", "user", "passwd", "--help"},
           {"intakectl", "user", "list", "--help"}, {"intakectl", "backup", "--help"},
           {"intakectl", "restore", "--help"}, {"intakectl", "setting", "set", "--help"},
           {"intakectl", "setting", "get", "--help"}, {"hq-intake", "--help"}, {"hq-intake", "init", "--help"},
           {"hq-intake", "recover", "--help"}, {"intakectl", "outbox", "--help"}}) {
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << args.back();
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args[1];
  }
  EXPECT_EQ(run({"intakectl", "--version"}).out.substr(0, 10), "intakectl ");
  EXPECT_NE(run({"intakectl", "frobnicate"}).exit_code, 0);
}

}  // namespace
}  // namespace ik::test
