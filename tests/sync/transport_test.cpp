// The sync agent's transports on the real thing: a temp folder as the USB stick, and real HTTPS
// on loopback (cpp-httplib's SSLServer as a stand-in HQ that opens the bundles with HQ's key and
// answers with receipts signed by crypto::write_receipt), with certificates made at test time by
// the openssl command. The agent itself never parses a bundle; the stand-in does, so these tests
// also prove that what arrives is exactly what the kiosk sealed.
#include "sync/transport.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "crypto/bundle.hpp"
#include "crypto/key_files.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

namespace fs = std::filesystem;
using crypto::KeyKind;

std::string text_of(const std::vector<std::uint8_t>& b) {
  return {b.begin(), b.end()};
}

std::vector<std::string> names_in(const fs::path& p) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(p, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A device's public side (what the sync agent sees) plus HQ's keys for the stand-in.
struct Device {
  TempDir tmp;
  core::DataDir dir{tmp / "device"};
  crypto::KeyPair device = crypto::generate_key_pair(KeyKind::DeviceSign);
  crypto::KeyPair hq_seal = crypto::generate_key_pair(KeyKind::HqSeal);
  crypto::KeyPair hq_sign = crypto::generate_key_pair(KeyKind::HqSign);

  struct Bundle {
    std::uint64_t sequence = 0;
    std::string id_hex, name;
    std::vector<std::uint8_t> bytes;
    fs::path path;
  };
  std::deque<Bundle> bundles;  // references stay valid as bundles are added

  Device() {
    fs::create_directories(dir.outbox());
    EXPECT_TRUE(crypto::write_public_key_file(dir.device_public_key(), device.pub));
  }

  Bundle& put(std::uint64_t sequence, std::string id_hex, std::vector<std::uint8_t> bytes) {
    Bundle b{
        sequence, id_hex, fmt::format("{:016}-{}.ikb", sequence, id_hex), std::move(bytes), {}};
    b.path = dir.outbox() / b.name;
    write_bytes(b.path, b.bytes);
    bundles.push_back(b);
    return bundles.back();
  }
  // A real sealed bundle with a small synthetic payload.
  Bundle& add(std::uint64_t sequence, std::size_t payload_bytes = 300) {
    std::string payload =
        fmt::format(R"({{"format":"intake-kiosk/changes/v1","device_key_id":"{}","sequence":{}}})",
                    device.pub.id_hex(), sequence);
    payload.resize(std::max(payload.size(), payload_bytes), ' ');
    crypto::SealRequest req;
    req.device = &device;
    req.hq_seal = hq_seal.pub;
    req.sequence = sequence;
    req.created_at = 1764400000 + static_cast<std::int64_t>(sequence);
    req.payload = {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()};
    auto sealed = crypto::seal_bundle(req);
    EXPECT_TRUE(sealed) << (sealed ? "" : sealed.error().message);
    return put(sequence, crypto::bundle_id_hex(sealed->manifest.bundle_id),
               std::move(sealed->file));
  }
  // Opaque bytes of a given size: the agent moves them without looking inside.
  Bundle& add_opaque(std::uint64_t sequence, std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    randombytes_buf(bytes.data(), bytes.size());
    std::uint8_t id[16];
    randombytes_buf(id, sizeof id);
    return put(sequence, crypto::to_hex(id), std::move(bytes));
  }

  // HQ's answer to a bundle, as hq-intake would sign it.
  std::vector<std::uint8_t> receipt_for(
      std::span<const std::uint8_t> file,
      crypto::ReceiptStatus status = crypto::ReceiptStatus::Accepted) const {
    crypto::Receipt r;
    r.bundle_hash = crypto::bundle_file_hash(file);
    r.received_at = 1764500000;
    r.status = status;
    if (auto opened = crypto::open_bundle(file, hq_seal)) {
      r.bundle_hash = opened->hash;
      r.device_key_id = opened->manifest.device_key_id;
      r.bundle_id = opened->manifest.bundle_id;
      r.sequence = opened->manifest.sequence;
      r.received_through = r.sequence;
    } else {
      r.status = crypto::ReceiptStatus::Rejected;
      r.reason = opened.error().reason;
    }
    auto bytes = crypto::write_receipt(r, hq_sign);
    EXPECT_TRUE(bytes);
    return *bytes;
  }
  fs::path inbox_receipt(const Bundle& b) const { return dir.inbox() / (b.id_hex + ".ikr"); }
  // The receipt in inbox/ verifies under HQ's key and names this bundle.
  void expect_receipt_for(const Bundle& b) const {
    ASSERT_TRUE(fs::exists(inbox_receipt(b))) << b.name;
    const auto bytes = read_bytes(inbox_receipt(b));
    auto r = crypto::read_receipt(bytes, hq_sign.pub);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(crypto::bundle_id_hex(r->bundle_id), b.id_hex);
    EXPECT_EQ(r->sequence, b.sequence);
    EXPECT_EQ(r->bundle_hash, crypto::open_bundle(b.bytes, hq_seal)->hash);
    EXPECT_EQ(r->status, crypto::ReceiptStatus::Accepted);
  }
};

// ---- certificates ----------------------------------------------------------------------------

struct Cert {
  fs::path cert, key;
};

Cert self_signed(const fs::path& dir, const std::string& name) {
  Cert c{dir / (name + ".pem"), dir / (name + ".key")};
  auto r = run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", c.key.string(), "-out", c.cert.string(), "-subj",
                "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return c;
}

// A certificate for the same address whose chain verifies under `ca` but whose key is another.
Cert issued_by(const Cert& ca, const fs::path& dir, const std::string& name) {
  Cert c{dir / (name + ".pem"), dir / (name + ".key")};
  const auto csr = dir / (name + ".csr"), ext = dir / (name + ".ext");
  auto r =
      run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
           "-nodes", "-keyout", c.key.string(), "-out", csr.string(), "-subj", "/CN=127.0.0.1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  write_text(ext, "subjectAltName=IP:127.0.0.1\n");
  r = run({"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca.cert.string(), "-CAkey",
           ca.key.string(), "-set_serial", "2", "-days", "2", "-extfile", ext.string(), "-out",
           c.cert.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return c;
}

// ---- the stand-in HQ -------------------------------------------------------------------------

class StandInHq {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, int call)>;

  StandInHq(const Cert& cert, Handler handler)
      : server_(cert.cert.c_str(), cert.key.c_str()), handler_(std::move(handler)) {
    EXPECT_TRUE(server_.is_valid());
    server_.Post("/v1/bundles", [this](const httplib::Request& req, httplib::Response& res) {
      int call;
      {
        std::lock_guard lock(m_);
        call = ++calls_;
        bodies_.push_back(req.body);
        content_types_.push_back(req.get_header_value("Content-Type"));
      }
      handler_(req, res, call);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~StandInHq() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return fmt::format("https://127.0.0.1:{}", port_); }
  int calls() {
    std::lock_guard lock(m_);
    return calls_;
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(m_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard lock(m_);
    return content_types_;
  }

 private:
  httplib::SSLServer server_;
  Handler handler_;
  std::thread thread_;
  int port_ = 0;
  std::mutex m_;
  int calls_ = 0;
  std::vector<std::string> bodies_, content_types_;
};

void answer_receipt(httplib::Response& res, const std::vector<std::uint8_t>& receipt) {
  res.status = 200;
  res.set_content(std::string(receipt.begin(), receipt.end()), "application/octet-stream");
}

struct Https : ::testing::Test {
  Device dev;
  TempDir certs;
  Cert hq_cert = self_signed(certs.path(), "hq");

  static void SetUpTestSuite() { ::signal(SIGPIPE, SIG_IGN); }  // a server thread's closed socket

  // The stand-in's normal behaviour: open the bundle, answer with HQ's signed receipt.
  StandInHq::Handler real_hq() {
    return [this](const httplib::Request& req, httplib::Response& res, int) {
      const std::span<const std::uint8_t> file(
          reinterpret_cast<const std::uint8_t*>(req.body.data()), req.body.size());
      answer_receipt(res, dev.receipt_for(file));
    };
  }
  sync::HttpsOptions options(const StandInHq& hq) {
    sync::HttpsOptions o;
    o.url = hq.url();
    o.pinned_cert = hq_cert.cert;
    o.max_attempts = 3;
    o.first_backoff_seconds = 0.05;
    o.timeout_seconds = 20;
    return o;
  }
};

TEST_F(Https, PinMatchesWhatOpensslComputes) {
  auto pin = sync::spki_pin_from_pem(hq_cert.cert);
  ASSERT_TRUE(pin) << pin.error().message;
  auto r = run(
      {"sh", "-c",
       fmt::format(
           "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst "
           "-sha256 -binary | base64",
           hq_cert.cert.string())});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(*pin, "sha256//" + r.out.substr(0, r.out.find('\n')));
}

TEST_F(Https, PinRefusesFilesThatAreNotOneCertificate) {
  write_text(certs / "empty.pem", "");
  write_text(certs / "junk.pem",
             "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
  const auto one = read_bytes(hq_cert.cert);
  write_text(certs / "two.pem", text_of(one) + text_of(one));
  write_text(certs / "cut.pem", text_of(one).substr(0, one.size() / 2));
  for (const char* name : {"empty.pem", "junk.pem", "two.pem", "cut.pem", "missing.pem"}) {
    auto pin = sync::spki_pin_from_pem(certs / name);
    ASSERT_FALSE(pin) << name;
    EXPECT_FALSE(pin.error().message.empty());
  }
}

TEST_F(Https, UploadsInSequenceOrderAndStoresReceipts) {
  StandInHq hq(hq_cert, real_hq());
  // Written out of order: the agent sends by sequence, not by directory order.
  auto& b3 = dev.add(3);
  auto& b1 = dev.add(1);
  auto& b2 = dev.add(2, 200'000);  // several chunks
  write_text(dev.dir.outbox() /
                 (".0000000000000004-" + std::string(32, 'a') + ".ikb.0011223344556677.tmp"),
             "half");

  std::vector<sync::Progress> seen;
  auto r =
      sync::sync_https(dev.dir, options(hq), [&](const sync::Progress& p) { seen.push_back(p); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->errors.empty()) << r->errors.front().message;
  EXPECT_EQ(r->bundles_sent, 3);
  EXPECT_EQ(r->receipts_collected, 3);
  EXPECT_EQ(r->already_there, 0);

  const auto bodies = hq.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_TRUE(bodies[0] == text_of(b1.bytes));  // bytes: no dump of ciphertext on failure
  EXPECT_TRUE(bodies[1] == text_of(b2.bytes));
  EXPECT_TRUE(bodies[2] == text_of(b3.bytes));
  for (const auto& ct : hq.content_types()) EXPECT_EQ(ct, "application/octet-stream");
  for (const auto* b : {&b1, &b2, &b3}) dev.expect_receipt_for(*b);
  // Only receipts, no temp files, and outbox/ untouched (the kiosk removes bundles, not the agent).
  EXPECT_EQ(names_in(dev.dir.inbox()).size(), 3u);
  EXPECT_EQ(names_in(dev.dir.outbox()).size(), 4u);

  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().files_done, 3);
  EXPECT_EQ(seen.back().files_total, 3);
  EXPECT_EQ(seen.back().bytes_done, seen.back().bytes_total);
  EXPECT_EQ(seen.back().bytes_total,
            static_cast<std::int64_t>(b1.bytes.size() + b2.bytes.size() + b3.bytes.size()));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end(), [](const auto& a, const auto& b) {
    return a.bytes_done < b.bytes_done;
  }));
}

TEST_F(Https, RerunSendsNothingAlreadyReceipted) {
  StandInHq hq(hq_cert, real_hq());
  dev.add(1);
  dev.add(2);
  ASSERT_TRUE(sync::sync_https(dev.dir, options(hq)));
  ASSERT_EQ(hq.calls(), 2);
  const auto inbox_before = snapshot(dev.dir.inbox());

  auto again = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(again);
  EXPECT_EQ(hq.calls(), 2);
  EXPECT_EQ(again->bundles_sent, 0);
  EXPECT_EQ(again->already_there, 2);
  EXPECT_EQ(snapshot(dev.dir.inbox()), inbox_before);

  // A new bundle: only it goes.
  auto& b3 = dev.add(3);
  auto third = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->bundles_sent, 1);
  EXPECT_EQ(hq.calls(), 3);
  EXPECT_TRUE(hq.bodies().back() == text_of(b3.bytes));
}

TEST_F(Https, ServerWithAnotherSelfSignedCertificateIsRefused) {
  const Cert other = self_signed(certs.path(), "impostor");
  StandInHq impostor(other, real_hq());
  dev.add(1);
  dev.add(2);
  auto o = options(impostor);  // pins hq_cert: the impostor's is another
  auto r = sync::sync_https(dev.dir, o);
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->errors.empty());
  EXPECT_NE(r->errors.front().message.find("certificate"), std::string::npos)
      << r->errors.front().message;
  EXPECT_EQ(r->errors.front().kind, core::SyncFailure::HqCertificate);
  EXPECT_EQ(r->bundles_sent, 0);
  EXPECT_EQ(impostor.calls(), 0);  // not one byte of a bundle reached it
  EXPECT_TRUE(names_in(dev.dir.inbox()).empty());
}

TEST_F(Https, CertificateIssuedUnderThePinnedOneIsRefusedByThePin) {
  // Its chain verifies against CURLOPT_CAINFO (the pinned certificate signed it), so only the
  // public-key pin stands between it and the bundles.
  const Cert child = issued_by(hq_cert, certs.path(), "child");
  auto verify = run({"openssl", "verify", "-CAfile", hq_cert.cert.string(), child.cert.string()});
  ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  StandInHq hq(child, real_hq());
  dev.add(1);
  auto r = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors.front().message.find("pinned"), std::string::npos)
      << r->errors.front().message;
  EXPECT_EQ(r->errors.front().kind, core::SyncFailure::HqCertificate);
  EXPECT_EQ(hq.calls(), 0);
  EXPECT_TRUE(names_in(dev.dir.inbox()).empty());
}

TEST_F(Https, BusyServerIsRetriedWithBackoff) {
  std::vector<std::chrono::steady_clock::time_point> at;
  StandInHq hq(hq_cert, [&](const httplib::Request& req, httplib::Response& res, int call) {
    at.push_back(std::chrono::steady_clock::now());
    if (call <= 2) {
      res.status = 503;
      res.set_content("busy", "text/plain");
      return;
    }
    real_hq()(req, res, call);
  });
  auto& b1 = dev.add(1);
  auto r = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->errors.empty()) << r->errors.front().message;
  EXPECT_EQ(hq.calls(), 3);
  EXPECT_EQ(r->bundles_sent, 1);
  dev.expect_receipt_for(b1);
  ASSERT_EQ(at.size(), 3u);
  // 0.05 s, then 0.1 s: the waits double.
  EXPECT_GE(at[1] - at[0], std::chrono::milliseconds(45));
  EXPECT_GE(at[2] - at[1], std::chrono::milliseconds(95));
}

TEST_F(Https, GivesUpWhenAttemptsRunOutAndLeavesTheRestPending) {
  StandInHq hq(hq_cert, [](const httplib::Request&, httplib::Response& res, int) {
    res.status = 429;
    res.set_content("slow down", "text/plain");
  });
  dev.add(1);
  dev.add(2);
  auto r = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(r);
  EXPECT_EQ(hq.calls(), 3);  // max_attempts for the first bundle, then the run stops
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_NE(r->errors[0].message.find("HQ is busy (HTTP 429) after 3 attempts"), std::string::npos)
      << r->errors[0].message;
  EXPECT_NE(r->errors[1].message.find("1 more bundle left"), std::string::npos)
      << r->errors[1].message;
  // The bundles left behind share the reason the run stopped: that is what the kiosk says.
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::HqBusy);
  EXPECT_EQ(r->errors[1].kind, core::SyncFailure::HqBusy);
  EXPECT_TRUE(names_in(dev.dir.inbox()).empty());
}

TEST_F(Https, RefusedBundleIsAnErrorAndTheNextStillGoes) {
  StandInHq hq(hq_cert, [&](const httplib::Request& req, httplib::Response& res, int call) {
    if (call == 1) {
      res.status = 413;
      res.set_content("too large\n\x01", "text/plain");
      return;
    }
    real_hq()(req, res, call);
  });
  auto& b1 = dev.add(1);
  auto& b2 = dev.add(2);
  auto r = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(r);
  EXPECT_EQ(hq.calls(), 2);  // 413 is not retried
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].message, "bundle 1: HQ refused it (HTTP 413: too large)");
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::HqRefused);
  EXPECT_FALSE(fs::exists(dev.inbox_receipt(b1)));
  dev.expect_receipt_for(b2);
}

TEST_F(Https, AnswersThatAreNotReceiptsAreNotStored) {
  StandInHq hq(hq_cert, [](const httplib::Request&, httplib::Response& res, int call) {
    res.status = call == 3 ? 302 : 200;
    if (call == 1)
      res.set_content(std::string(10'000, 'x'), "application/octet-stream");            // too long
    if (call == 2) res.set_content(std::string(200, 'x'), "application/octet-stream");  // no magic
    if (call == 3) res.set_header("Location", "https://127.0.0.1:1/v1/bundles");  // not followed
  });
  dev.add(1);
  dev.add(2);
  dev.add(3);
  auto r = sync::sync_https(dev.dir, options(hq));
  ASSERT_TRUE(r);
  EXPECT_EQ(hq.calls(), 3);
  ASSERT_EQ(r->errors.size(), 3u);
  EXPECT_NE(r->errors[0].message.find("too long"), std::string::npos) << r->errors[0].message;
  EXPECT_NE(r->errors[1].message.find("not a receipt"), std::string::npos) << r->errors[1].message;
  EXPECT_NE(r->errors[2].message.find("HTTP 302"), std::string::npos) << r->errors[2].message;
  for (const auto& e : r->errors) EXPECT_EQ(e.kind, core::SyncFailure::HqBadAnswer) << e.message;
  EXPECT_TRUE(names_in(dev.dir.inbox()).empty());
}

// A TCP socket bound to an ephemeral loopback port (its number in `port`); -1 on failure.
int bound_loopback_socket(int& port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(s);
    return -1;
  }
  port = ntohs(a.sin_port);
  return s;
}

TEST_F(Https, UnreachableServerIsRetriedThenReported) {
  // A port nobody listens on: bind, learn it, close.
  int port = 0;
  ::close(bound_loopback_socket(port));
  ASSERT_GT(port, 0);
  dev.add(1);
  sync::HttpsOptions o;
  o.url = fmt::format("https://127.0.0.1:{}/", port);
  o.pinned_cert = hq_cert.cert;
  o.max_attempts = 2;
  o.first_backoff_seconds = 0.01;
  auto r = sync::sync_https(dev.dir, o);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].message.find("cannot reach HQ"), std::string::npos)
      << r->errors[0].message;
  EXPECT_NE(r->errors[0].message.find("after 2 attempts"), std::string::npos)
      << r->errors[0].message;
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::HqUnreachable);
}

TEST_F(Https, AServerThatNeverAnswersTimesOut) {
  // A socket that listens and never answers: the connection is made (the kernel completes it),
  // the TLS handshake never is, so the agent's connect timeout runs out.
  int port = 0;
  const int s = bound_loopback_socket(port);
  ASSERT_GE(s, 0);
  ASSERT_EQ(::listen(s, 8), 0);
  dev.add(1);
  sync::HttpsOptions o;
  o.url = fmt::format("https://127.0.0.1:{}", port);
  o.pinned_cert = hq_cert.cert;
  o.max_attempts = 1;
  o.timeout_seconds = 1;
  auto r = sync::sync_https(dev.dir, o);
  ::close(s);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::HqTimeout) << r->errors[0].message;
  EXPECT_NE(r->errors[0].message.find("cannot reach HQ"), std::string::npos)
      << r->errors[0].message;
  EXPECT_TRUE(names_in(dev.dir.inbox()).empty());
}

TEST_F(Https, ProxyVariablesAreIgnored) {
  StandInHq hq(hq_cert, real_hq());
  auto& b1 = dev.add(1);
  for (const char* v : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"})
    ::setenv(v, "http://127.0.0.1:9", 1);
  auto r = sync::sync_https(dev.dir, options(hq));
  for (const char* v : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) ::unsetenv(v);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->errors.empty()) << r->errors.front().message;
  dev.expect_receipt_for(b1);
}

TEST_F(Https, RefusesPlainHttpAndBadSettings) {
  dev.add(1);
  sync::HttpsOptions o;
  o.pinned_cert = hq_cert.cert;
  for (const char* url : {"http://127.0.0.1:8080", "ftp://x", "", "https://a b"}) {
    o.url = url;
    auto r = sync::sync_https(dev.dir, o);
    ASSERT_FALSE(r) << url;
    EXPECT_NE(r.error().message.find("https://"), std::string::npos);
    EXPECT_EQ(r.error().kind, core::SyncFailure::Setup);
  }
  o.url = "https://127.0.0.1:1";
  o.max_attempts = 0;
  EXPECT_FALSE(sync::sync_https(dev.dir, o));
  // The pinned certificate file is the kiosk's own setting: gone is a setup problem.
  o.max_attempts = 1;
  o.pinned_cert = certs / "missing.pem";
  auto r = sync::sync_https(dev.dir, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::SyncFailure::Setup) << r.error().message;
}

TEST_F(Https, AnInboxThatCannotTakeReceiptsIsSaidBeforeAnythingIsSent) {
  StandInHq hq(hq_cert, real_hq());
  dev.add(1);
  dev.add(2);
  // inbox/ is a file: no receipt can be stored, so nothing more is sent to be lost.
  write_text(dev.dir.inbox(), "not a folder");
  auto r = sync::sync_https(dev.dir, options(hq));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::SyncFailure::InboxUnwritable) << r.error().message;
  EXPECT_EQ(hq.calls(), 0);
}

// ---- USB -------------------------------------------------------------------------------------

struct Usb : ::testing::Test {
  Device dev;
  TempDir media;
  fs::path stick = media / "stick";
  fs::path folder() const { return stick / "intake-kiosk" / dev.device.pub.id_hex(); }
  fs::path on_stick(const Device::Bundle& b) const {
    return folder() / "bundles" / (b.id_hex + ".ikb");
  }
  fs::path receipt_on_stick(const Device::Bundle& b) const {
    return folder() / "receipts" / (b.id_hex + ".ikr");
  }
  void SetUp() override { fs::create_directories(stick); }
};

TEST_F(Usb, CopiesPendingBundlesAndReadsThemBack) {
  auto& b1 = dev.add(1);
  auto& b2 = dev.add(2, 150'000);
  auto& b3 = dev.add_opaque(3, 3 << 20);  // several copy chunks
  std::vector<sync::Progress> seen;
  auto r = sync::sync_usb(dev.dir, stick, [&](const sync::Progress& p) { seen.push_back(p); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->errors.empty()) << r->errors.front().message;
  EXPECT_EQ(r->bundles_sent, 3);
  for (const auto* b : {&b1, &b2, &b3})
    EXPECT_TRUE(read_bytes(on_stick(*b)) == b->bytes) << b->name;
  // The stick holds the bundles under their ids only (no sequence, no temp file).
  std::vector<std::string> want = {b1.id_hex + ".ikb", b2.id_hex + ".ikb", b3.id_hex + ".ikb"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names_in(folder() / "bundles"), want);
  EXPECT_TRUE(names_in(folder() / "receipts").empty());
  EXPECT_EQ(names_in(stick), std::vector<std::string>{"intake-kiosk"});
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().files_done, 3);
  EXPECT_EQ(seen.back().bytes_done, seen.back().bytes_total);
  EXPECT_GT(seen.size(), 4u);  // progress inside the large file too
}

TEST_F(Usb, SameStickTwiceCopiesNothingNew) {
  dev.add(1);
  dev.add(2);
  ASSERT_TRUE(sync::sync_usb(dev.dir, stick));
  const auto before = snapshot(folder() / "bundles");
  struct stat st1 {};
  ASSERT_EQ(::stat(on_stick(dev.bundles[0]).c_str(), &st1), 0);

  auto again = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->errors.empty());
  EXPECT_EQ(again->bundles_sent, 0);
  EXPECT_EQ(again->already_there, 2);
  EXPECT_EQ(snapshot(folder() / "bundles"), before);
  struct stat st2 {};
  ASSERT_EQ(::stat(on_stick(dev.bundles[0]).c_str(), &st2), 0);
  EXPECT_EQ(st1.st_ino, st2.st_ino);  // not rewritten
}

TEST_F(Usb, CollectsReceiptsIntoInboxAndSkipsWhatHqAnswered) {
  auto& b1 = dev.add(1);
  auto& b2 = dev.add(2);
  auto& b3 = dev.add(3);
  ASSERT_TRUE(sync::sync_usb(dev.dir, stick));
  // HQ read the stick and answered two of the three.
  write_bytes(receipt_on_stick(b1), dev.receipt_for(b1.bytes));
  write_bytes(receipt_on_stick(b2), dev.receipt_for(b2.bytes));
  // Things that are not receipts for this device's bundles.
  write_text(folder() / "receipts" / "README.txt", "hello");
  write_text(folder() / "receipts" / (std::string(32, 'f') + ".ikr"), "IKRECEIP but far too short");
  write_bytes(folder() / "receipts" / (std::string(32, 'e') + ".ikr"),
              dev.receipt_for(b3.bytes));  // unknown id
  write_bytes(folder() / "receipts" / (std::string(32, 'd') + ".ikr"),
              std::vector<std::uint8_t>(400, 'I'));
  fs::create_directory(folder() / "receipts" / (b3.id_hex + ".ikr"));  // a folder, not a file

  auto r = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->errors.empty()) << r->errors.front().message;
  EXPECT_EQ(r->receipts_collected, 2);
  EXPECT_EQ(r->already_there, 1);  // b3 is still pending and already on the stick
  EXPECT_EQ(r->bundles_sent, 0);
  EXPECT_EQ(r->warnings.size(), 3u);  // the short one, the oversized one, the folder
  dev.expect_receipt_for(b1);
  dev.expect_receipt_for(b2);
  std::vector<std::string> inbox = {b1.id_hex + ".ikr", b2.id_hex + ".ikr"};
  std::sort(inbox.begin(), inbox.end());
  EXPECT_EQ(names_in(dev.dir.inbox()), inbox);
  // The accepting receipt for a bundle that is not (or no longer) in outbox/ is taken off the
  // stick.
  EXPECT_EQ(r->pruned, 1);
  EXPECT_FALSE(fs::exists(folder() / "receipts" / (std::string(32, 'e') + ".ikr")));
  EXPECT_TRUE(fs::exists(folder() / "receipts" / "README.txt"));  // not ours: left alone

  // Run again: the receipts wait in inbox/ for the kiosk; nothing is collected twice.
  auto again = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->receipts_collected, 0);
  EXPECT_EQ(names_in(dev.dir.inbox()), inbox);
}

TEST_F(Usb, DeliveredBundlesAreTakenOffTheStick) {
  auto& b1 = dev.add(1);
  auto& b2 = dev.add(2);
  ASSERT_TRUE(sync::sync_usb(dev.dir, stick));
  write_bytes(receipt_on_stick(b1), dev.receipt_for(b1.bytes));
  write_bytes(receipt_on_stick(b2), dev.receipt_for(b2.bytes, crypto::ReceiptStatus::Rejected));
  ASSERT_TRUE(sync::sync_usb(dev.dir, stick));
  // The kiosk verified both receipts: b1 delivered (removed from outbox/), b2 rejected (kept).
  fs::remove(b1.path);
  fs::remove(dev.inbox_receipt(b1));
  fs::remove(dev.inbox_receipt(b2));

  auto r = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->errors.empty()) << r->errors.front().message;
  EXPECT_EQ(r->pruned, 1);
  EXPECT_FALSE(fs::exists(on_stick(b1)));
  EXPECT_FALSE(fs::exists(receipt_on_stick(b1)));
  // A rejected bundle stays, with its receipt, and the receipt comes back for the kiosk.
  EXPECT_TRUE(fs::exists(on_stick(b2)));
  EXPECT_TRUE(fs::exists(receipt_on_stick(b2)));
  EXPECT_EQ(r->receipts_collected, 1);
  EXPECT_TRUE(fs::exists(dev.inbox_receipt(b2)));
}

TEST_F(Usb, ConflictingFileOnTheStickIsReportedNotOverwritten) {
  auto& b1 = dev.add(1);
  auto& b2 = dev.add(2);
  fs::create_directories(folder() / "bundles");
  std::vector<std::uint8_t> other = b1.bytes;
  other[200] ^= 1;  // same size, one bit different
  write_bytes(on_stick(b1), other);

  auto r = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].message.find("a different file named bundles/" + b1.id_hex +
                                      ".ikb is already on the USB stick"),
            std::string::npos)
      << r->errors[0].message;
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::UsbConflict);
  EXPECT_TRUE(read_bytes(on_stick(b1)) == other);  // untouched
  EXPECT_TRUE(read_bytes(on_stick(b2)) == b2.bytes);
  EXPECT_EQ(r->bundles_sent, 1);

  // A shorter file under the name: the same.
  write_text(on_stick(b1), "x");
  auto again = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->errors.size(), 1u);
  EXPECT_EQ(text_of(read_bytes(on_stick(b1))), "x");
}

TEST_F(Usb, LinksOnTheStickAreRefusedNeverFollowed) {
  dev.add(1);
  // The stick path itself a link.
  fs::create_directory_symlink(stick, media / "link");
  auto r = sync::sync_usb(dev.dir, media / "link");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("symbolic link"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().kind, core::SyncFailure::UsbIo);
  EXPECT_TRUE(names_in(stick).empty());

  // Not a folder / not there (a stick taken out before the agent got to it).
  write_text(media / "file", "x");
  EXPECT_FALSE(sync::sync_usb(dev.dir, media / "file"));
  auto absent = sync::sync_usb(dev.dir, media / "absent");
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().kind, core::SyncFailure::UsbRemoved) << absent.error().message;

  // A link inside the stick, planted to make the agent write elsewhere.
  TempDir elsewhere;
  fs::create_directory_symlink(elsewhere.path(), stick / "intake-kiosk");
  r = sync::sync_usb(dev.dir, stick);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("link or not a folder"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().kind, core::SyncFailure::UsbConflict);
  EXPECT_TRUE(names_in(elsewhere.path()).empty());

  // Deeper: bundles/ a link.
  fs::remove(stick / "intake-kiosk");
  fs::create_directories(folder());
  fs::create_directory_symlink(elsewhere.path(), folder() / "bundles");
  EXPECT_FALSE(sync::sync_usb(dev.dir, stick));
  EXPECT_TRUE(names_in(elsewhere.path()).empty());

  // A receipt that is a link to a file elsewhere is not read.
  fs::remove(folder() / "bundles");
  fs::create_directories(folder() / "receipts");
  write_bytes(elsewhere / "r.ikr", dev.receipt_for(dev.bundles[0].bytes));
  fs::create_symlink(elsewhere / "r.ikr", receipt_on_stick(dev.bundles[0]));
  auto ok = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->receipts_collected, 0);
  EXPECT_EQ(ok->bundles_sent, 1);
  EXPECT_FALSE(fs::exists(dev.inbox_receipt(dev.bundles[0])));
}

TEST_F(Usb, StaleTempFilesOfAnEarlierRunAreRemoved) {
  auto& b1 = dev.add(1);
  fs::create_directories(folder() / "bundles");
  write_text(folder() / "bundles" / ("." + b1.id_hex + ".ikb.tmp"), "half a bundle");
  write_text(folder() / "bundles" / ("." + std::string(32, 'c') + ".ikb.tmp"),
             "another run's leftover");
  write_text(folder() / "bundles" / ".hidden-by-someone-else", "not ours");
  fs::create_directories(dev.dir.inbox());
  write_text(dev.dir.inbox() / ("." + b1.id_hex + ".ikr.0123456789abcdef.tmp"), "half a receipt");

  auto r = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(read_bytes(on_stick(b1)) == b1.bytes);
  EXPECT_EQ(names_in(folder() / "bundles"),
            (std::vector<std::string>{".hidden-by-someone-else", b1.id_hex + ".ikb"}));
  EXPECT_TRUE(names_in(dev.dir.inbox()).empty());
}

TEST_F(Usb, OversizedOrOddOutboxFilesAreNotCopied) {
  auto& b1 = dev.add(1);
  // Sparse: the size is checked before anything is read.
  const auto big = dev.dir.outbox() / fmt::format("{:016}-{}.ikb", 2, std::string(32, 'b'));
  write_text(big, "");
  fs::resize_file(big, crypto::kMaxBundleBytes + 1);
  write_text(dev.dir.outbox() / "stray.ikb", "x");
  auto r = sync::sync_usb(dev.dir, stick);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].message.find("too large"), std::string::npos) << r->errors[0].message;
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::OutboxUnreadable);
  EXPECT_EQ(r->warnings.size(), 1u);  // stray.ikb
  EXPECT_EQ(r->bundles_sent, 1);
  EXPECT_EQ(names_in(folder() / "bundles"), std::vector<std::string>{b1.id_hex + ".ikb"});
}

// A real small or read-only filesystem as the stick: a tmpfs mounted for the test. Mounting needs
// CAP_SYS_ADMIN; without it these tests are skipped (they say so), the rest still run.
class TmpfsStick {
 public:
  TmpfsStick(const fs::path& at, const char* options, unsigned long flags = 0) : at_(at) {
    fs::create_directories(at_);
    mounted_ = ::mount("ik-test-stick", at_.c_str(), "tmpfs", flags, options) == 0;
  }
  TmpfsStick(const TmpfsStick&) = delete;
  TmpfsStick& operator=(const TmpfsStick&) = delete;
  ~TmpfsStick() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path at_;
  bool mounted_ = false;
};

TEST_F(Usb, AFullStickIsSaidAsFullAndKeepsNoPartialBundle) {
  const auto small = media / "small";
  TmpfsStick tmpfs(small, "size=256k,mode=0700");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
  dev.add_opaque(1, 1 << 20);  // four times what the stick holds
  auto r = sync::sync_usb(dev.dir, small);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].kind, core::SyncFailure::UsbFull) << r->errors[0].message;
  EXPECT_NE(r->errors[0].message.find("the USB stick is full"), std::string::npos)
      << r->errors[0].message;
  EXPECT_EQ(r->bundles_sent, 0);
  EXPECT_TRUE(names_in(small / "intake-kiosk" / dev.device.pub.id_hex() / "bundles").empty());
}

TEST_F(Usb, AReadOnlyStickIsSaidAsNotWritable) {
  const auto locked = media / "locked";
  TmpfsStick tmpfs(locked, "size=256k,mode=0700", MS_RDONLY);
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
  dev.add(1);
  auto r = sync::sync_usb(dev.dir, locked);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::SyncFailure::UsbNotWritable) << r.error().message;
  EXPECT_NE(r.error().message.find("read-only"), std::string::npos) << r.error().message;
}

TEST_F(Usb, NeedsTheDevicePublicKey) {
  dev.add(1);
  fs::remove(dev.dir.device_public_key());
  auto r = sync::sync_usb(dev.dir, stick);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::SyncFailure::Setup) << r.error().message;
  EXPECT_TRUE(names_in(stick).empty());
}

TEST(AgentLock, SecondAgentWaitsThenGivesUp) {
  TempDir tmp;
  core::DataDir dir{tmp.path()};
  auto first = sync::AgentLock::acquire(dir, 0);
  ASSERT_TRUE(first) << first.error().message;
  const auto t0 = std::chrono::steady_clock::now();
  auto second = sync::AgentLock::acquire(dir, 0.3);
  ASSERT_FALSE(second);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(290));
  EXPECT_NE(second.error().message.find("another sync agent"), std::string::npos);
  { auto moved = std::move(*first); }  // released
  EXPECT_TRUE(sync::AgentLock::acquire(dir, 0));
}

TEST(OutboxName, ParsesOnlyTheKioskNames) {
  auto n = sync::parse_outbox_name("0000000000000042-00112233445566778899aabbccddeeff.ikb");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->sequence, 42u);
  EXPECT_EQ(n->bundle_id_hex, "00112233445566778899aabbccddeeff");
  EXPECT_TRUE(sync::parse_outbox_name("9999999999999999-00112233445566778899aabbccddeeff.ikb"));
  for (const char* bad : {"", ".0000000000000042-00112233445566778899aabbccddeeff.ikb",
                          "0000000000000042-00112233445566778899aabbccddeeff.ikb.tmp",
                          "000000000000042-00112233445566778899aabbccddeeff.ikb",
                          "0000000000000042_00112233445566778899aabbccddeeff.ikb",
                          "0000000000000042-00112233445566778899AABBCCDDEEFF.ikb",
                          "0000000000000042-00112233445566778899aabbccddeefg.ikb",
                          "0000000000000042-00112233445566778899aabbccddeeff.ikr",
                          "+000000000000042-00112233445566778899aabbccddeeff.ikb"})
    EXPECT_FALSE(sync::parse_outbox_name(bad)) << bad;
}

}  // namespace
}  // namespace ik::test
