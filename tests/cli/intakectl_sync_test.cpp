// `intakectl sync` as the systemd units start it: the real binary, a temp folder as the USB
// stick, a device data directory holding only what the agent may see (device.pub, outbox/).
// The stick-pulled-out case is a real SIGKILL of the binary in the middle of a large copy.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "crypto/key_files.hpp"
#include "crypto/keys.hpp"
#include "tests/support/run.hpp"
#include "tests/support/temp_dir.hpp"

namespace ik::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> names_in(const fs::path& p) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(p, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct SyncCli : ::testing::Test {
  TempDir tmp;
  fs::path dev = tmp / "device";
  fs::path stick = tmp / "stick";
  crypto::KeyPair device = crypto::generate_key_pair(crypto::KeyKind::DeviceSign);
  struct Bundle {
    std::string id_hex;
    fs::path path;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<Bundle> bundles;

  void SetUp() override {
    fs::create_directories(dev / "outbox");
    fs::create_directories(stick);
    ASSERT_TRUE(crypto::write_public_key_file(dev / "device.pub", device.pub));
  }
  // Opaque bytes: the agent never looks inside a bundle.
  void add_bundle(std::uint64_t sequence, std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    randombytes_buf(bytes.data(), bytes.size());
    std::uint8_t id[16];
    randombytes_buf(id, sizeof id);
    Bundle b{crypto::to_hex(id),
             dev / "outbox" / fmt::format("{:016}-{}.ikb", sequence, crypto::to_hex(id)), bytes};
    write_bytes(b.path, b.bytes);
    bundles.push_back(std::move(b));
  }
  fs::path stick_bundles() const {
    return stick / "intake-kiosk" / device.pub.id_hex() / "bundles";
  }
  nlohmann::json status() const {
    const auto bytes = read_bytes(dev / "sync" / "status.json");
    return nlohmann::json::parse(bytes.begin(), bytes.end());
  }
  RunResult sync_usb() {
    return run({"intakectl", "sync", "--data-dir", dev.string(), "--usb", stick.string()});
  }
  // `intakectl sync --usb` as a child (output discarded), for tests that stop it from outside.
  pid_t start_usb_sync() const {
    const std::string exe = bin("intakectl").string(), d = dev.string(), s = stick.string();
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(exe.c_str(), exe.c_str(), "sync", "--data-dir", d.c_str(), "--usb", s.c_str(), nullptr);
      ::_exit(127);
    }
    return pid;
  }
  // True as soon as a temp file is seen growing on the "stick"; false if the agent finished
  // first (or after 30 s).
  bool caught_mid_copy(pid_t pid) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& n : names_in(stick_bundles())) {
        std::error_code ec;
        if (n.starts_with('.') && n.ends_with(".tmp") && fs::file_size(stick_bundles() / n, ec) > 0) return true;
      }
      if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return false;
  }
  // No file under a bundle's final name on the stick holds anything but that whole bundle.
  void expect_no_partial_bundle_on_stick() const {
    for (const auto& n : names_in(stick_bundles())) {
      if (n.starts_with('.')) continue;
      ASSERT_TRUE(n.ends_with(".ikb")) << n;
      const auto it = std::find_if(bundles.begin(), bundles.end(),
                                   [&](const Bundle& b) { return b.id_hex + ".ikb" == n; });
      ASSERT_NE(it, bundles.end()) << n;
      EXPECT_TRUE(read_bytes(stick_bundles() / n) == it->bytes) << "a partial bundle under its final name: " << n;
    }
  }
};

TEST_F(SyncCli, UsbCopiesWritesStatusAndTouchesNoDatabase) {
  add_bundle(1, 1000);
  add_bundle(2, 300'000);
  auto r = sync_usb();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("usb: 2 bundles copied, 0 already on the stick, 0 receipts collected"),
            std::string::npos)
      << r.out;
  // Without a terminal: plain progress lines for the journal, no bar.
  EXPECT_NE(r.err.find("bundle 2 of 2 done"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  for (const auto& b : bundles)
    EXPECT_TRUE(read_bytes(stick_bundles() / (b.id_hex + ".ikb")) == b.bytes);

  const auto s = status();
  EXPECT_EQ(s["state"], "done");
  EXPECT_EQ(s["transport"], "usb");
  EXPECT_EQ(s["usb_present"], false);
  EXPECT_EQ(s["files_done"], 2);
  EXPECT_EQ(s["files_total"], 2);
  EXPECT_EQ(s["bytes_done"], 301'000);
  EXPECT_EQ(s["error"], "");
  EXPECT_GT(s["finished_at"].get<std::int64_t>(), 1'700'000'000);
  // It opened no database and created none: only the agent's own folders appeared.
  EXPECT_EQ(names_in(dev), (std::vector<std::string>{"device.pub", "inbox", "outbox", "sync"}));
  EXPECT_EQ(names_in(dev / "sync"), (std::vector<std::string>{"agent.lock", "status.json"}));

  auto again = sync_usb();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("usb: 0 bundles copied, 2 already on the stick"), std::string::npos)
      << again.out;
}

TEST_F(SyncCli, ConflictOnTheStickFailsWithAClearLineAndStatus) {
  add_bundle(1, 1000);
  fs::create_directories(stick_bundles());
  write_text(stick_bundles() / (bundles[0].id_hex + ".ikb"), "someone else's file");
  auto r = sync_usb();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("intakectl: sync: bundle 1: a different file named bundles/" +
                       bundles[0].id_hex + ".ikb"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("intakectl: sync incomplete: 1 problem;"), std::string::npos) << r.err;
  const auto s = status();
  EXPECT_EQ(s["state"], "failed");
  EXPECT_NE(s["error"].get<std::string>().find("a different file named"), std::string::npos);
}

TEST_F(SyncCli, SymlinkedStickIsRefused) {
  add_bundle(1, 1000);
  fs::create_directory_symlink(stick, tmp / "link");
  auto r = run({"intakectl", "sync", "--data-dir", dev.string(), "--usb", (tmp / "link").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
  EXPECT_TRUE(names_in(stick).empty());
  EXPECT_EQ(status()["state"], "failed");
}

// A stick pulled out mid-copy: the agent is killed while a large bundle is being written.
// Nothing named *.ikb may be partial; the next run completes and removes its temp file.
TEST_F(SyncCli, KilledMidCopyLeavesNoPartialBundleAndARerunCompletes) {
  for (int i = 1; i <= 3; ++i) add_bundle(static_cast<std::uint64_t>(i), 24u << 20);
  bool killed_mid_copy = false;
  for (int attempt = 0; attempt < 5 && !killed_mid_copy; ++attempt) {
    fs::remove_all(stick / "intake-kiosk");
    const pid_t pid = start_usb_sync();
    ASSERT_GE(pid, 0);
    const bool saw_temp = caught_mid_copy(pid);
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    if (!saw_temp || !WIFSIGNALED(wstatus)) continue;

    // What a finder (or HQ) sees on the stick now.
    expect_no_partial_bundle_on_stick();
    bool temp_left = false;
    for (const auto& n : names_in(stick_bundles()))
      if (n.starts_with('.')) {
        EXPECT_TRUE(n.ends_with(".ikb.tmp")) << n;
        temp_left = true;
      }
    killed_mid_copy = temp_left;
  }
  ASSERT_TRUE(killed_mid_copy) << "never caught the agent in the middle of a copy";
  // The killed agent's status says it was running; the rerun takes the lock (the kernel dropped
  // the flock with the process), finishes the job and removes the temp file.
  EXPECT_EQ(status()["state"], "running");
  auto r = sync_usb();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> want;
  for (const auto& b : bundles) want.push_back(b.id_hex + ".ikb");
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names_in(stick_bundles()), want);
  for (const auto& b : bundles)
    EXPECT_TRUE(read_bytes(stick_bundles() / (b.id_hex + ".ikb")) == b.bytes);
  EXPECT_EQ(status()["state"], "done");
}

// systemd stops the USB unit with SIGTERM when the stick goes (BindsTo= its device), usually
// before any write fails: the status must not stay "running" (the kiosk would show "Sending
// now…"), and the process must still end as SIGTERM ends it, for systemd.
TEST_F(SyncCli, StoppedBySigtermSaysSoInTheStatusAndEndsAsTheSignalWould) {
  for (int i = 1; i <= 3; ++i) add_bundle(static_cast<std::uint64_t>(i), 24u << 20);
  bool stopped_mid_copy = false;
  for (int attempt = 0; attempt < 5 && !stopped_mid_copy; ++attempt) {
    fs::remove_all(stick / "intake-kiosk");
    const pid_t pid = start_usb_sync();
    ASSERT_GE(pid, 0);
    const bool saw_temp = caught_mid_copy(pid);
    ::kill(pid, SIGTERM);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    if (!saw_temp) continue;  // finished before we caught it: try again
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGTERM) << "wait status " << wstatus;
    stopped_mid_copy = true;
  }
  ASSERT_TRUE(stopped_mid_copy) << "never caught the agent in the middle of a copy";
  const auto s = status();
  EXPECT_EQ(s["state"], "failed");
  EXPECT_EQ(s["transport"], "usb");
  EXPECT_EQ(s["error_kind"], "usb-removed");  // what the kiosk's screen translates
  EXPECT_NE(s["error"].get<std::string>().find("SIGTERM"), std::string::npos) << s.dump();
  expect_no_partial_bundle_on_stick();
  auto r = sync_usb();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(names_in(stick_bundles()).size(), bundles.size());
  EXPECT_EQ(status()["state"], "done");
}

TEST_F(SyncCli, NetworkFailureIsReportedPlainlyAndInTheStatus) {
  add_bundle(1, 1000);
  const auto cert = tmp / "hq.pem", key = tmp / "hq.key";
  auto made =
      run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
           "-nodes", "-keyout", key.string(), "-out", cert.string(), "-subj", "/CN=127.0.0.1",
           "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  // A loopback port nobody listens on.
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(sock, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(sock);

  auto r = run({"intakectl", "sync", "--data-dir", dev.string(), "--hq-url",
                fmt::format("https://127.0.0.1:{}", ntohs(a.sin_port)), "--hq-cert", cert.string(),
                "--max-attempts", "2", "--first-backoff", "0.01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("intakectl: sync: bundle 1: cannot reach HQ"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("after 2 attempts"), std::string::npos) << r.err;
  const auto s = status();
  EXPECT_EQ(s["state"], "failed");
  EXPECT_EQ(s["transport"], "https");
  EXPECT_NE(s["error"].get<std::string>().find("cannot reach HQ"), std::string::npos);
  EXPECT_EQ(s["error_kind"], "hq-unreachable");
  EXPECT_TRUE(names_in(dev / "inbox").empty());
}

TEST_F(SyncCli, SecondAgentIsRefusedWhileOneRuns) {
  add_bundle(1, 1000);
  fs::create_directories(dev / "sync");
  const int fd = ::open((dev / "sync" / "agent.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto r = run({"intakectl", "sync", "--data-dir", dev.string(), "--usb", stick.string(),
                "--lock-wait", "0.2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("another sync agent is running"), std::string::npos) << r.err;
  EXPECT_TRUE(names_in(stick).empty());
  EXPECT_FALSE(fs::exists(dev / "sync" / "status.json"));  // the running agent's status is its own
  ::close(fd);
  EXPECT_EQ(sync_usb().exit_code, 0);
}

TEST_F(SyncCli, UsageNeedsExactlyOneTransport) {
  EXPECT_NE(run({"intakectl", "sync", "--data-dir", dev.string()}).exit_code, 0);
  EXPECT_NE(run({"intakectl", "sync", "--data-dir", dev.string(), "--usb", stick.string(),
                 "--hq-url", "https://127.0.0.1:1", "--hq-cert", "x.pem"})
                .exit_code,
            0);
  EXPECT_NE(
      run({"intakectl", "sync", "--data-dir", dev.string(), "--hq-url", "https://127.0.0.1:1"})
          .exit_code,
      0);
  EXPECT_TRUE(names_in(stick).empty());
  EXPECT_FALSE(fs::exists(dev / "sync"));
}

}  // namespace
}  // namespace ik::test
