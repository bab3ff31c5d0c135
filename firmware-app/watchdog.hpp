#pragma once
// The service manager's view of the kiosk: READY=1 once the first frame is on screen, WATCHDOG=1
// from the live frame loop, STOPPING=1 on the way out (sd_notify, libsystemd). Outside systemd
// (no $NOTIFY_SOCKET: development, tests, screenshots) every call is a no-op.
//
// The kiosk runs as the child of `cage`, which is the unit's main process: systemd sets
// $WATCHDOG_PID to cage's PID, so sd_watchdog_enabled() in the kiosk says "not for you". The
// kiosk acts for its parent when $WATCHDOG_PID names it (the unit has NotifyAccess=all, so the
// pings from the child count); a hung kiosk stops pinging, and systemd restarts cage and it.
//
// What must stay true: ping() is called from the frame loop itself (never from a timer thread —
// a stuck loop must stop the pings), and the loop never sleeps longer than max_wait().
#include <chrono>

namespace ik::app {

class Watchdog {
 public:
  // Reads $NOTIFY_SOCKET / $WATCHDOG_USEC / $WATCHDOG_PID once.
  static Watchdog from_environment();

  bool enabled() const { return interval_.count() > 0; }
  // The longest the loop may wait for input: a third of WatchdogSec (systemd's advice is half;
  // a third leaves room for a slow frame). Infinite when the watchdog is off.
  double max_wait_seconds() const;
  // READY=1, once.
  void ready();
  // WATCHDOG=1, at most every interval/6 (a busy loop does not flood the socket).
  void ping();
  void stopping();

 private:
  std::chrono::microseconds interval_{0};
  std::chrono::steady_clock::time_point last_ping_{};
  bool ready_sent_ = false;
};

}  // namespace ik::app
