// The whole sealed-sync loop with real processes, the way a shelter and headquarters run it:
// HQ and a device are provisioned and enrolled, the device registers records (intakectl
// demo-data: synthetic), seals them into outbox/, the sync agent copies them to a USB folder,
// HQ imports the stick and writes receipts back, more records go over HTTPS to `hq-intake serve`
// on 127.0.0.1 (a self-signed certificate pinned by the agent), receipts come back, outbox/
// empties, and retention purges exactly the closed cases HQ confirmed — checked with Debian's
// sqlcipher shell on both databases, not through our own code.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int count_files(const fs::path& dir, const std::string& ext) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext && e.path().filename().string()[0] != '.') ++n;
  return n;
}

std::string hex_of_file(const fs::path& p) {
  const auto bytes = read_bytes(p);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

class SyncEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run({"hq-intake", "init", "--hq-dir", hq}).exit_code, 0);
    write_text(pass, "e2e admin passphrase\n");
    auto r = run({"intakectl", "init", "--data-dir", dev, "--admin", "Admin Test", "--passphrase-file", pass,
                  "--hq-recovery-pub", hq + "/recovery.pub", "--hq-seal-pub", hq + "/seal.pub", "--hq-sign-pub",
                  hq + "/sign.pub", "--kdf-ms", "0", "--kdf-mem-mib", "8"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run({"hq-intake", "enroll", "--hq-dir", hq, "--device-pub", dev + "/device.pub", "--label", "Test Shelter"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run({"intakectl", "beds", "configure", "--data-dir", dev, "--user", "Admin Test", "--passphrase-file", pass});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    cert = (tmp / "cert.pem").string();
    key = (tmp / "key.pem").string();
    r = run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
             "subjectAltName=IP:127.0.0.1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  RunResult device(std::vector<std::string> args) {
    args.insert(args.begin(), "intakectl");
    args.insert(args.end(), {"--data-dir", dev, "--user", "Admin Test", "--passphrase-file", pass});
    return run(args);
  }
  RunResult outbox(int retention_days) {
    return device({"outbox", "--retention-days", std::to_string(retention_days)});
  }
  // Rows from a SQLCipher database opened by Debian's shell with a raw key.
  std::string sql(const fs::path& db, const std::string& key_hex, const std::string& query) {
    auto r = run({"sqlcipher", "-batch", db.string()},
                 "PRAGMA key = \"x'" + key_hex + "'\";\nPRAGMA cipher_page_size = 4096;\n" + query + "\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  std::string device_key_hex() {
    auto r = run({"hq-intake", "recover", "--hq-dir", hq, "--keyslots", dev + "/keyslots"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 64);
  }

  TempDir tmp;
  std::string hq = (tmp / "hq").string();
  std::string dev = (tmp / "device").string();
  std::string pass = (tmp / "admin.pass").string();
  std::string stick = (tmp / "stick").string();
  std::string cert, key;
};

TEST_F(SyncEndToEnd, RecordsReachHqByUsbAndHttpsReceiptsEmptyTheOutboxAndRetentionPurgesOnlyWhatHqHolds) {
  // 1. Records registered on the device, sealed into outbox/.
  auto r = device({"demo-data", "--intakes", "40", "--calls", "60", "--seed", "11"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = outbox(3650);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int first_bundles = count_files(fs::path(dev) / "outbox", ".ikb");
  ASSERT_GE(first_bundles, 1) << r.out;

  // 2. USB: the agent copies, HQ imports and writes receipts, the agent brings them back.
  fs::create_directories(stick);
  r = run({"intakectl", "sync", "--data-dir", dev, "--usb", stick});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run({"hq-intake", "import", "--hq-dir", hq, "--from", stick});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  // The same stick again changes nothing at HQ.
  const auto hq_db = fs::path(hq) / "hq.db";
  const auto store_key = hex_of_file(fs::path(hq) / "store.key");
  const auto bundles_before = sql(hq_db, store_key, "SELECT count(*), sum(records) FROM bundles;");
  r = run({"hq-intake", "import", "--hq-dir", hq, "--from", stick});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(sql(hq_db, store_key, "SELECT count(*), sum(records) FROM bundles;"), bundles_before);
  r = run({"intakectl", "sync", "--data-dir", dev, "--usb", stick});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_files(fs::path(dev) / "inbox", ".ikr"), first_bundles);

  // 3. More records; the USB receipts are processed (outbox/ loses the delivered bundles), the new
  //    changes go over HTTPS.
  r = device({"demo-data", "--intakes", "10", "--calls", "15", "--seed", "12"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = outbox(3650);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("receipts: " + std::to_string(first_bundles) + " delivered"), std::string::npos) << r.out;
  EXPECT_EQ(count_files(fs::path(dev) / "inbox", ".ikr"), 0);
  ASSERT_GE(count_files(fs::path(dev) / "outbox", ".ikb"), 1);

  ServeProcess server({"serve", "--hq-dir", hq, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key});
  ASSERT_GT(server.port(), 0) << server.output();
  const auto url = "https://127.0.0.1:" + std::to_string(server.port());
  r = run({"intakectl", "sync", "--data-dir", dev, "--hq-url", url, "--hq-cert", cert});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = outbox(3650);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_files(fs::path(dev) / "outbox", ".ikb"), 0) << r.out;
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos) << r.out;

  // 4. HQ holds exactly what the device registered: counts, then the records themselves.
  auto dev_stats = device({"stats", "--json"});
  ASSERT_EQ(dev_stats.exit_code, 0) << dev_stats.err;
  auto hq_stats = run({"hq-intake", "stats", "--hq-dir", hq, "--json"});
  ASSERT_EQ(hq_stats.exit_code, 0) << hq_stats.err;
  const auto d = json::parse(dev_stats.out);
  const auto h = json::parse(hq_stats.out)["total"];
  EXPECT_EQ(h["cases"]["total"], d["cases"]["total"]);
  EXPECT_EQ(h["calls"]["total"], d["calls"]["total"]);
  for (const auto& [status, n] : d["cases"]["by_status"].items()) EXPECT_EQ(h["cases"]["by_status"][status], n) << status;
  for (const auto& [type, n] : d["calls"]["by_type"].items()) EXPECT_EQ(h["calls"]["by_call_type"][type], n) << type;

  const auto dev_db = fs::path(dev) / "intake.db";
  const auto dev_key = device_key_hex();
  const std::string case_rows = "SELECT id, case_number, status, opened_at, coalesce(closed_at, '') FROM cases ORDER BY id;";
  const auto on_device = sql(dev_db, dev_key, case_rows);
  EXPECT_EQ(sql(hq_db, store_key,
                "SELECT local_id, case_number, status, opened_at, coalesce(closed_at, '') FROM cases ORDER BY local_id;"),
            on_device);
  EXPECT_EQ(sql(hq_db, store_key, "SELECT local_id, started_at FROM calls ORDER BY local_id;"),
            sql(dev_db, dev_key, "SELECT id, started_at FROM calls ORDER BY id;"));
  // Names travelled inside the sealed bundles: HQ's record of every case carries its given name.
  const auto names = sql(dev_db, dev_key,
                         "SELECT count(*) FROM persons p JOIN cases c ON c.person_id = p.id WHERE p.given_name IS NOT NULL;");
  EXPECT_EQ(names, sql(hq_db, store_key, "SELECT count(*) FROM cases WHERE record LIKE '%\"given_name\":\"%';"));

  // 5. Retention: every closed case HQ confirmed is reduced to a stub; nothing else loses a name.
  const int closed = d["cases"]["by_status"].value("closed", 0) + d["cases"]["by_status"].value("closed_referred", 0);
  const int total = d["cases"]["total"];
  ASSERT_GT(closed, 0);
  ASSERT_LT(closed, total);
  r = outbox(1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("retention (1 days): " + std::to_string(closed) + " cases"), std::string::npos) << r.out;
  EXPECT_EQ(sql(dev_db, dev_key,
                "SELECT count(*) FROM cases c JOIN persons p ON p.id = c.person_id "
                "WHERE c.closed_at IS NOT NULL AND (p.given_name IS NOT NULL OR p.family_name IS NOT NULL);"),
            "0\n");
  EXPECT_EQ(sql(dev_db, dev_key,
                "SELECT count(*) FROM cases c JOIN persons p ON p.id = c.person_id "
                "WHERE c.closed_at IS NULL AND c.purged_at IS NULL;"),
            std::to_string(total - closed) + "\n");

  // 6. The stubs travel too (HQ records the purge and keeps what it holds); then outbox/ is empty.
  r = run({"intakectl", "sync", "--data-dir", dev, "--hq-url", url, "--hq-cert", cert});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = outbox(1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_files(fs::path(dev) / "outbox", ".ikb"), 0) << r.out;
  EXPECT_EQ(sql(hq_db, store_key, "SELECT count(*) FROM cases WHERE purged = 1;"), std::to_string(closed) + "\n");
  EXPECT_EQ(sql(hq_db, store_key, "SELECT count(*) FROM cases WHERE record LIKE '%\"given_name\":\"%';"), names);
  EXPECT_EQ(server.terminate(), 0) << server.output();
}

}  // namespace
}  // namespace ik::test
