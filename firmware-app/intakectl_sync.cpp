#include "firmware-app/intakectl_sync.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/sync_status.hpp"
#include "sync/transport.hpp"

namespace ik::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string mib(std::int64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

// Keeps sync/status.json and the terminal up to date without rewriting a file per curl callback:
// the status file at most every 0.5 s or when a file is done; the terminal bar at most 10 times
// a second; without a terminal (the systemd journal) one plain line per file. Thread-safe: the
// run reports progress while the stop watcher may write the last word.
class Reporter {
 public:
  Reporter(const core::DataDir& dir, std::string transport)
      : dir_(dir), tty_(::isatty(STDERR_FILENO) == 1) {
    status_.transport = std::move(transport);
    status_.usb_present = status_.transport == "usb";
  }

  void start() {
    std::lock_guard lock(mutex_);
    status_.state = core::AgentStatus::State::Running;
    write_status();
  }

  void progress(const sync::Progress& p) {
    std::lock_guard lock(mutex_);
    const bool file_done = p.files_done != status_.files_done;
    status_.files_done = p.files_done;
    status_.files_total = p.files_total;
    status_.bytes_done = p.bytes_done;
    status_.bytes_total = p.bytes_total;
    const auto now = Clock::now();
    if (file_done || now - last_status_ >= std::chrono::milliseconds(500)) write_status();
    if (p.files_total == 0) return;
    if (tty_) {
      if (file_done || now - last_bar_ >= std::chrono::milliseconds(100)) {
        last_bar_ = now;
        draw_bar();
      }
    } else if (file_done) {
      fmt::print(stderr, "bundle {} of {} done ({} of {})\n", p.files_done, p.files_total,
                 mib(p.bytes_done), mib(p.bytes_total));
    }
  }

  // Ends the progress bar's line so what follows starts on a line of its own.
  void end_bar() {
    std::lock_guard lock(mutex_);
    end_bar_locked();
  }

  // `problem` is ignored when ok. Its kind is what the kiosk's screen says (translated); its
  // sentence stays in the file for the journal and whoever reads the file.
  void finish(bool ok, sync::Problem problem) {
    std::lock_guard lock(mutex_);
    end_bar_locked();
    status_.state = ok ? core::AgentStatus::State::Done : core::AgentStatus::State::Failed;
    status_.usb_present = false;  // this agent is done with the stick
    status_.error = ok ? std::string() : std::move(problem.message);
    status_.failure = ok ? core::SyncFailure::Unknown : problem.kind;
    status_.finished_at = unix_now();
    write_status();
    finished_ = true;
  }

  // The last word when the agent is stopped from outside (a signal): the status file says why,
  // and nothing this process does afterwards may overwrite it — the returned mutex lock stays
  // held while the caller ends the process.
  std::unique_lock<std::mutex> finish_stopped(sync::Problem problem) {
    std::unique_lock lock(mutex_);
    if (finished_) return lock;  // the run had its last word already: it stands
    end_bar_locked();
    fmt::print(stderr, "intakectl: sync: {}; what was not sent stays in outbox/\n",
               problem.message);
    std::fflush(stderr);
    status_.state = core::AgentStatus::State::Failed;
    status_.usb_present = false;
    status_.error = std::move(problem.message);
    status_.failure = problem.kind;
    status_.finished_at = unix_now();
    write_status();
    return lock;
  }

 private:
  void end_bar_locked() {
    if (bar_drawn_) fmt::print(stderr, "\n");
    bar_drawn_ = false;
  }

  void write_status() {
    last_status_ = Clock::now();
    status_.updated_at = unix_now();
    // The kiosk's screen is informed, not needed: a status that cannot be written is said once
    // and the sync goes on.
    if (auto w = core::write_agent_status(dir_, status_); !w && !status_warned_) {
      status_warned_ = true;
      fmt::print(stderr, "intakectl: sync: warning: {}\n", w.error().message);
    }
  }

  void draw_bar() {
    constexpr int kWidth = 30;
    const double frac =
        status_.bytes_total > 0
            ? static_cast<double>(status_.bytes_done) / static_cast<double>(status_.bytes_total)
            : static_cast<double>(status_.files_done) / std::max(1, status_.files_total);
    const int filled = std::clamp(static_cast<int>(frac * kWidth), 0, kWidth);
    fmt::print(stderr, "\r[{}{}] {:3}%  {}/{} bundles  {} of {}\x1b[K",
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(kWidth - filled), '.'),
               static_cast<int>(frac * 100), status_.files_done, status_.files_total,
               mib(status_.bytes_done), mib(status_.bytes_total));
    std::fflush(stderr);
    bar_drawn_ = true;
  }

  const core::DataDir& dir_;
  std::mutex mutex_;  // the status file has one writer at a time: the run, or the stop watcher
  bool tty_ = false, bar_drawn_ = false, status_warned_ = false, finished_ = false;
  core::AgentStatus status_;
  Clock::time_point last_status_{}, last_bar_{};
};

// Says in the status file that the agent was stopped, then lets the signal end the process as it
// would have. Under systemd a USB stick pulled out stops the USB unit (BindsTo= its device) with
// SIGTERM, usually before any write fails: without this the file would say "running" — and the
// kiosk "Sending now…" — until the next sync. The signals are taken by one thread with sigwait,
// so the status is written outside any signal handler.
class StopWatcher {
 public:
  StopWatcher(Reporter& reporter, bool usb) : reporter_(reporter), usb_(usb) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    // Blocked before any other thread starts (libcurl's resolver), so they all inherit it and
    // only this watcher ever takes the signal.
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this] { watch(); });
  }
  StopWatcher(const StopWatcher&) = delete;
  StopWatcher& operator=(const StopWatcher&) = delete;
  ~StopWatcher() {
    done_ = true;
    thread_.join();
    // A signal that came after the run finished is delivered now and ends the process, as before.
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  void watch() {
    const timespec tick{0, 200'000'000};
    while (!done_) {
      const int sig = ::sigtimedwait(&set_, nullptr, &tick);
      if (sig <= 0) continue;
      // A stopped USB sync is, at the kiosk, a stick taken out (or the kiosk shutting down):
      // either way, the stick goes in again to finish.
      auto held = reporter_.finish_stopped(
          {usb_ ? core::SyncFailure::UsbRemoved : core::SyncFailure::Stopped,
           fmt::format("stopped by {} before it finished{}",
                       sig == SIGTERM  ? "SIGTERM"
                       : sig == SIGINT ? "SIGINT"
                                       : "SIGHUP",
                       usb_ ? " (was the USB stick taken out?)" : "")});
      // The default action, as if this code were not here: systemd sees the same end.
      std::signal(sig, SIG_DFL);
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, sig);
      ::pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
      ::raise(sig);
      std::_Exit(128 + sig);  // not reached
    }
  }

  Reporter& reporter_;
  const bool usb_;
  sigset_t set_{}, old_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

SyncCommand::SyncCommand(CLI::App& app) {
  cmd_ = app.add_subcommand(
      "sync",
      "Move sealed bundles to a USB stick or to HQ and HQ's receipts back (no passphrase, "
      "no database)");
  cmd_->add_option("--data-dir", data_dir_, "Device data directory")->required();
  auto* usb = cmd_->add_option("--usb", usb_,
                               "Mounted USB stick folder to copy bundles to and receipts from");
  auto* url = cmd_->add_option("--hq-url", hq_url_, "HQ's https:// address (POST /v1/bundles)");
  auto* cert =
      cmd_->add_option("--hq-cert", hq_cert_, "HQ's TLS certificate (PEM), the only one trusted");
  usb->excludes(url)->excludes(cert);
  url->needs(cert);
  cert->needs(url);
  cmd_->add_option("--max-attempts", max_attempts_,
                   "Network: attempts per bundle while HQ is busy or unreachable")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd_->add_option("--first-backoff", first_backoff_,
                   "Network: first wait between attempts, seconds (doubles)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd_->add_option("--timeout", timeout_, "Network: seconds to connect, and of a stalled transfer")
      ->capture_default_str()
      ->check(CLI::Range(1L, 3600L));
  cmd_->add_option("--lock-wait", lock_wait_, "Seconds to wait for another sync agent to finish")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  cmd_->parse_complete_callback([this] {
    if (!usb_ && !hq_url_)
      throw CLI::ValidationError("sync", "give --usb PATH, or --hq-url URL with --hq-cert PEM");
  });
}

core::Result<void> SyncCommand::run() const {
  // A peer closing a TLS socket must be an error value, not the end of the process.
  std::signal(SIGPIPE, SIG_IGN);
  const core::DataDir dir{data_dir_};
  std::error_code ec;
  if (!std::filesystem::exists(dir.device_public_key(), ec))
    return core::fail(core::Errc::NotProvisioned,
                      fmt::format("{} is not a provisioned device (no device.pub)", data_dir_));
  auto lock = sync::AgentLock::acquire(dir, lock_wait_);
  if (!lock) return std::unexpected(lock.error());

  Reporter reporter(dir, usb_ ? "usb" : "https");
  // From "running" to the last word, a stop is written down too (declared after the reporter:
  // it ends first).
  StopWatcher watcher(reporter, usb_.has_value());
  reporter.start();
  const auto on_progress = [&](const sync::Progress& p) { reporter.progress(p); };
  sync::RunResult<sync::TransportResult> result;
  if (usb_) {
    result = sync::sync_usb(dir, *usb_, on_progress);
  } else {
    sync::HttpsOptions o;
    o.url = *hq_url_;
    o.pinned_cert = *hq_cert_;
    o.max_attempts = max_attempts_;
    o.first_backoff_seconds = first_backoff_;
    o.timeout_seconds = timeout_;
    result = sync::sync_https(dir, o, on_progress);
  }
  if (!result) {
    reporter.finish(false, result.error());
    return core::fail(core::Errc::Io, result.error().message);
  }

  const auto& r = *result;
  reporter.end_bar();
  for (const auto& w : r.warnings) fmt::print(stderr, "intakectl: sync: note: {}\n", w);
  if (usb_) {
    fmt::print(
        "usb: {} bundle{} copied, {} already on the stick, {} receipt{} collected, {} delivered "
        "bundle{} "
        "removed from the stick\n",
        r.bundles_sent, r.bundles_sent == 1 ? "" : "s", r.already_there, r.receipts_collected,
        r.receipts_collected == 1 ? "" : "s", r.pruned, r.pruned == 1 ? "" : "s");
  } else {
    fmt::print(
        "network: {} bundle{} delivered to HQ ({} receipt{} received), {} already answered\n",
        r.bundles_sent, r.bundles_sent == 1 ? "" : "s", r.receipts_collected,
        r.receipts_collected == 1 ? "" : "s", r.already_there);
  }
  if (r.errors.empty()) {
    reporter.finish(true, {});
    return {};
  }
  for (const auto& e : r.errors) fmt::print(stderr, "intakectl: sync: {}\n", e.message);
  // The first problem speaks for the run (its kind is what the kiosk says); the count tells the
  // journal there were more.
  sync::Problem first = r.errors.front();
  if (r.errors.size() > 1) first.message += fmt::format(" (and {} more)", r.errors.size() - 1);
  reporter.finish(false, std::move(first));
  return core::fail(core::Errc::Io, fmt::format("sync incomplete: {} problem{}; what was not "
                                                "delivered stays in outbox/ for the next sync",
                                                r.errors.size(), r.errors.size() == 1 ? "" : "s"));
}

}  // namespace ik::cli
