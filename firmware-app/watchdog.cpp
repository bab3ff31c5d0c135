#include "firmware-app/watchdog.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace ik::app {
namespace {

// A whole decimal number from the environment, or 0 (absent, empty, junk, overflow).
unsigned long long env_number(const char* name) {
  const char* s = std::getenv(name);
  if (s == nullptr || *s < '0' || *s > '9') return 0;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return 0;
  return v;
}

// Bounds on what we accept from $WATCHDOG_USEC: systemd's own minimum is far above 10 ms, and
// a day is longer than any sane WatchdogSec.
constexpr std::uint64_t kMinWatchdogUsec = 10'000;
constexpr std::uint64_t kMaxWatchdogUsec = 86'400ull * 1'000'000ull;

}  // namespace

Watchdog Watchdog::from_environment() {
  Watchdog w;
  std::uint64_t usec = 0;
  const int r = sd_watchdog_enabled(0, &usec);
  if (r <= 0) {
    // Not addressed to this process. It is meant for us when we are the compositor's one client
    // and $WATCHDOG_PID is that compositor (the unit's main process), our parent.
    const unsigned long long pid = env_number("WATCHDOG_PID");
    const pid_t parent = ::getppid();
    usec = 0;
    if (pid != 0 && parent > 1 && pid == static_cast<unsigned long long>(parent)) usec = env_number("WATCHDOG_USEC");
  }
  if (usec >= kMinWatchdogUsec && usec <= kMaxWatchdogUsec) w.interval_ = std::chrono::microseconds(usec);
  return w;
}

double Watchdog::max_wait_seconds() const {
  if (!enabled()) return std::numeric_limits<double>::infinity();
  return std::chrono::duration<double>(interval_).count() / 3.0;
}

void Watchdog::ready() {
  if (ready_sent_) return;
  ready_sent_ = true;
  (void)sd_notify(0, "READY=1");
}

void Watchdog::ping() {
  if (!enabled()) return;
  const auto now = std::chrono::steady_clock::now();
  if (last_ping_ != std::chrono::steady_clock::time_point{} && now - last_ping_ < interval_ / 6) return;
  last_ping_ = now;
  (void)sd_notify(0, "WATCHDOG=1");
}

void Watchdog::stopping() { (void)sd_notify(0, "STOPPING=1"); }

}  // namespace ik::app
