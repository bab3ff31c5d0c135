// The real hq-intake binary: enrolment and revocation, importing a USB stick (twice), the reports'
// subcommands on what was imported, and `hq-intake serve` over real HTTPS on 127.0.0.1 with a
// self-signed certificate made by the openssl CLI — receipts with 200, 413 past the body limit,
// 429 past the rate, concurrent uploads each imported exactly once, and a clean SIGTERM.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "crypto/key_files.hpp"
#include "tests/hq/payload_builder.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

namespace fs = std::filesystem;

class HqCli : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = run({"hq-intake", "init", "--hq-dir", hq});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto seal = crypto::read_public_key_file(tmp / "hq" / "seal.pub", crypto::KeyKind::HqSeal);
    ASSERT_TRUE(seal);
    hq_seal = *seal;
    auto sign = crypto::read_public_key_file(tmp / "hq" / "sign.pub", crypto::KeyKind::HqSign);
    ASSERT_TRUE(sign);
    hq_sign = *sign;
  }

  std::string enrol(const SyntheticDevice& d, const std::string& label) {
    const auto pub = (tmp / (d.id() + ".pub")).string();
    EXPECT_TRUE(crypto::write_public_key_file(pub, d.key.pub));
    auto r = run({"hq-intake", "enroll", "--hq-dir", hq, "--device-pub", pub, "--label", label});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  json changes(const SyntheticDevice& d, std::int64_t first) {
    auto c = d.changes();
    c["cases"] = json::array({make_case(first, 100), make_case(first + 1, 100)});
    c["calls"] = json::array({make_call(first, 100)});
    c["beds"] = json::array({make_bed("W-01")});
    return c;
  }

  void make_cert() {
    cert = (tmp / "cert.pem").string();
    key = (tmp / "key.pem").string();
    auto r = run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                  "subjectAltName=IP:127.0.0.1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::unique_ptr<httplib::SSLClient> client(int port) {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
    c->set_ca_cert_path(cert.c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(10, 0);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(60, 0);
    return c;
  }

  static std::string body_of(const crypto::SealedBundle& b) { return {b.file.begin(), b.file.end()}; }
  std::optional<crypto::Receipt> receipt_of(const std::string& body) {
    auto r = crypto::read_receipt({reinterpret_cast<const std::uint8_t*>(body.data()), body.size()}, hq_sign);
    if (!r) return std::nullopt;
    return *r;
  }

  TempDir tmp;
  std::string hq = (tmp / "hq").string();
  crypto::PublicKey hq_seal, hq_sign;
  std::string cert, key;
};

TEST_F(HqCli, HqIntakeEnrollPrintsTheFingerprintRefusesADuplicateAndRevokes) {
  SyntheticDevice dev;
  const auto out = enrol(dev, "Shelter North");
  EXPECT_NE(out.find(dev.id()), std::string::npos) << out;
  EXPECT_NE(out.find(dev.key.pub.fingerprint()), std::string::npos) << out;
  EXPECT_NE(out.find("compare with the kiosk's screen"), std::string::npos) << out;
  auto again = run({"hq-intake", "enroll", "--hq-dir", hq, "--device-pub", (tmp / (dev.id() + ".pub")).string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already enrolled"), std::string::npos) << again.err;

  auto list = run({"hq-intake", "devices", "--hq-dir", hq});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(dev.id()), std::string::npos);
  EXPECT_NE(list.out.find("Shelter North"), std::string::npos);
  EXPECT_EQ(list.out.find("REVOKED"), std::string::npos);

  auto rv = run({"hq-intake", "revoke", "--hq-dir", hq, "--device", dev.id(), "--reason", "kiosk stolen"});
  ASSERT_EQ(rv.exit_code, 0) << rv.err;
  list = run({"hq-intake", "devices", "--hq-dir", hq});
  EXPECT_NE(list.out.find("REVOKED"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("kiosk stolen"), std::string::npos) << list.out;
  auto twice = run({"hq-intake", "revoke", "--hq-dir", hq, "--device", dev.id()});
  EXPECT_EQ(twice.exit_code, 1);
  auto bad = run({"hq-intake", "revoke", "--hq-dir", hq, "--device", "nothex"});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST_F(HqCli, HqIntakeImportsAStickTwiceAndReports) {
  SyntheticDevice a, stranger;
  enrol(a, "Shelter North");
  const auto stick = tmp / "stick";
  const auto bundles = stick / "intake-kiosk" / a.id() / "bundles";
  fs::create_directories(bundles);
  std::vector<crypto::SealedBundle> sealed;
  for (int i = 0; i < 3; ++i) {
    sealed.push_back(a.seal(hq_seal, changes(a, 1 + 10 * i)));
    const auto p = bundles / (crypto::bundle_id_hex(sealed.back().manifest.bundle_id) + ".ikb");
    write_bytes(p, sealed.back().file);
    fs::last_write_time(p, fs::file_time_type::clock::now() + std::chrono::seconds(i));
  }
  write_text(bundles / ".partial.ikb.tmp", "interrupted copy");
  auto r = run({"hq-intake", "import", "--hq-dir", hq, "--from", stick.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("3 imported, 0 duplicate, 0 rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("received through 3"), std::string::npos) << r.out;
  for (const auto& b : sealed) {
    const auto rc = stick / "intake-kiosk" / a.id() / "receipts" / (crypto::bundle_id_hex(b.manifest.bundle_id) + ".ikr");
    auto receipt = crypto::read_receipt(read_bytes(rc), hq_sign);
    ASSERT_TRUE(receipt);
    EXPECT_EQ(receipt->status, crypto::ReceiptStatus::Accepted);
  }
  const auto receipts = snapshot(stick / "intake-kiosk" / a.id() / "receipts");
  auto again = run({"hq-intake", "import", "--hq-dir", hq, "--from", stick.string()});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 imported, 3 duplicate, 0 rejected"), std::string::npos) << again.out;
  EXPECT_EQ(snapshot(stick / "intake-kiosk" / a.id() / "receipts"), receipts);

  // A bundle HQ refuses: reported with its reason, exit status 1.
  const auto sdir = stick / "intake-kiosk" / stranger.id() / "bundles";
  fs::create_directories(sdir);
  write_bytes(sdir / "00000000000000000000000000000001.ikb", stranger.seal(hq_seal, changes(stranger, 1)).file);
  auto refused = run({"hq-intake", "import", "--hq-dir", hq, "--from", stick.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("unknown-device"), std::string::npos) << refused.out;
  // No record content in what hq-intake prints.
  EXPECT_EQ(refused.out.find("Synthetic"), std::string::npos);

  auto stats = run({"hq-intake", "stats", "--hq-dir", hq, "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const auto parsed = json::parse(stats.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << stats.out;
  EXPECT_EQ(stats.out.find("Synthetic"), std::string::npos);
  auto plain = run({"hq-intake", "stats", "--hq-dir", hq});
  EXPECT_NE(plain.out.find("6 cases, 3 calls, 1 beds"), std::string::npos) << plain.out;

  const auto html = (tmp / "report.html").string();
  auto report = run({"hq-intake", "report", "--hq-dir", hq, "--period", "2026-11", "--out", html});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_TRUE(fs::exists(html));
  EXPECT_EQ(run({"hq-intake", "report", "--hq-dir", hq, "--period", "2026-13", "--out", html}).exit_code, 2);
  const auto csv = (tmp / "ctdc.csv").string();
  auto ctdc = run({"hq-intake", "export-ctdc", "--hq-dir", hq, "--k", "11", "--out", csv});
  EXPECT_EQ(ctdc.exit_code, 0) << ctdc.err;
  EXPECT_TRUE(fs::exists(csv));
}

TEST_F(HqCli, HqServeAnswersReceiptsHealthAnd413ThenStopsCleanly) {
  make_cert();
  SyntheticDevice dev;
  enrol(dev, "Shelter North");
  ServeProcess server({"serve", "--hq-dir", hq, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key,
                       "--max-body", "100000", "--rate", "0"});
  ASSERT_GT(server.port(), 0) << server.output();
  auto c = client(server.port());

  auto health = c->Get("/v1/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");

  const auto bundle = dev.seal(hq_seal, changes(dev, 1));
  auto up = c->Post("/v1/bundles", body_of(bundle), "application/octet-stream");
  ASSERT_TRUE(up) << httplib::to_string(up.error());
  EXPECT_EQ(up->status, 200);
  auto receipt = receipt_of(up->body);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->status, crypto::ReceiptStatus::Accepted);
  EXPECT_EQ(receipt->bundle_hash, bundle.hash);
  EXPECT_EQ(receipt->received_through, 1u);

  // A rejected bundle is answered with 200 and a receipt that says why.
  auto damaged = bundle.file;
  damaged[200] ^= 1;
  auto rej = c->Post("/v1/bundles", std::string(damaged.begin(), damaged.end()), "application/octet-stream");
  ASSERT_TRUE(rej);
  EXPECT_EQ(rej->status, 200);
  auto rr = receipt_of(rej->body);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->status, crypto::ReceiptStatus::Rejected);
  EXPECT_EQ(rr->reason, "chunk-auth");

  auto big = client(server.port())->Post("/v1/bundles", std::string(200'000, 'x'), "application/octet-stream");
  ASSERT_TRUE(big) << httplib::to_string(big.error());
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("larger"), std::string::npos) << big->body;

  auto nowhere = client(server.port())->Get("/v2/anything");
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_FALSE(nowhere->body.empty());

  // Still serving after all that.
  auto dup = client(server.port())->Post("/v1/bundles", body_of(bundle), "application/octet-stream");
  ASSERT_TRUE(dup);
  EXPECT_EQ(receipt_of(dup->body)->status, crypto::ReceiptStatus::Duplicate);

  EXPECT_EQ(server.terminate(), 0) << server.output();
  EXPECT_NE(server.output().find("stopped: 1 accepted, 1 duplicate, 1 rejected, 0 rate-limited, 1 too large"),
            std::string::npos)
      << server.output();
}

TEST_F(HqCli, HqServeRateLimitsAClientWith429) {
  make_cert();
  ServeProcess server({"serve", "--hq-dir", hq, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key,
                       "--rate", "5"});
  ASSERT_GT(server.port(), 0) << server.output();
  auto c = client(server.port());
  for (int i = 0; i < 5; ++i) {
    auto r = c->Post("/v1/bundles", "not a bundle", "application/octet-stream");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << i;
  }
  auto limited = c->Post("/v1/bundles", "not a bundle", "application/octet-stream");
  ASSERT_TRUE(limited) << httplib::to_string(limited.error());
  EXPECT_EQ(limited->status, 429);
  EXPECT_NE(limited->body.find("too many"), std::string::npos);
  // Health is not rate limited.
  auto health = client(server.port())->Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server.terminate(), 0);
}

TEST_F(HqCli, HqServeImportsConcurrentUploadsEachExactlyOnce) {
  make_cert();
  SyntheticDevice a, b;
  enrol(a, "A");
  enrol(b, "B");
  std::vector<crypto::SealedBundle> bundles;
  for (int i = 0; i < 5; ++i) {
    bundles.push_back(a.seal(hq_seal, changes(a, 1 + 10 * i)));
    bundles.push_back(b.seal(hq_seal, changes(b, 1 + 10 * i)));
  }
  ServeProcess server({"serve", "--hq-dir", hq, "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key,
                       "--rate", "0", "--workers", "4"});
  ASSERT_GT(server.port(), 0) << server.output();
  constexpr int kThreads = 4;
  std::atomic<int> accepted{0}, duplicate{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = client(server.port());
      for (std::size_t i = 0; i < bundles.size(); ++i) {
        const auto& bundle = bundles[(i + static_cast<std::size_t>(t) * 3) % bundles.size()];
        auto r = c->Post("/v1/bundles", body_of(bundle), "application/octet-stream");
        if (!r || r->status != 200) {
          ++other;
          continue;
        }
        auto rc = receipt_of(r->body);
        if (rc && rc->status == crypto::ReceiptStatus::Accepted) ++accepted;
        else if (rc && rc->status == crypto::ReceiptStatus::Duplicate) ++duplicate;
        else ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted, 10);
  EXPECT_EQ(duplicate, 10 * (kThreads - 1));
  EXPECT_EQ(other, 0);
  EXPECT_EQ(server.terminate(), 0) << server.output();

  auto list = run({"hq-intake", "devices", "--hq-dir", hq});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 2);
  std::size_t through = 0;
  for (auto at = list.out.find("received through 5"); at != std::string::npos;
       at = list.out.find("received through 5", at + 1))
    ++through;
  EXPECT_EQ(through, 2u) << list.out;
  auto stats = run({"hq-intake", "stats", "--hq-dir", hq});
  EXPECT_NE(stats.out.find("A: 10 cases, 5 calls, 1 beds"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("B: 10 cases, 5 calls, 1 beds"), std::string::npos) << stats.out;
}

}  // namespace
}  // namespace ik::test
