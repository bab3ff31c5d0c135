#!/usr/bin/env python3
"""The kiosk's systemd notifications, from the real binary under Xvfb + Mesa.

A datagram socket stands in for systemd's $NOTIFY_SOCKET; this script is the kiosk's parent,
as cage is in intake-kiosk.service, and names itself in $WATCHDOG_PID as systemd names cage.
It checks that an idle kiosk (lock screen, nothing touched, no frame drawn after start-up):
  - sends READY=1 once, after its first frame,
  - keeps sending WATCHDOG=1 with no gap longer than half of WatchdogSec,
  - sends STOPPING=1 on the way out;
and that with $WATCHDOG_PID naming some other process it sends no WATCHDOG=1 at all.

Usage: deploy/tests/watchdog-test.py BUILD_DIR     prints "N passed, M failed"
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
kiosk = os.path.join(build, "bin", "intake-kiosk")
results = []


def check(name, cond, detail=""):
    results.append(cond)
    print(f"  {'ok  ' if cond else 'FAIL'} {name}{(': ' + detail) if detail else ''}")


def start_xvfb():
    r, w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    display = b""
    while not display.endswith(b"\n"):
        chunk = os.read(r, 16)
        if not chunk:
            raise SystemExit("Xvfb did not start")
        display += chunk
    os.close(r)
    return xvfb, ":" + display.decode().strip()


def run(display, tmp, watchdog_pid, seconds, watchdog_usec):
    """Runs the kiosk for `seconds`; returns [(t, message)], its stdout, its exit code."""
    path = os.path.join(tmp, f"notify-{watchdog_pid}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    env = dict(os.environ, DISPLAY=display, NOTIFY_SOCKET=path, WATCHDOG_USEC=str(watchdog_usec),
               WATCHDOG_PID=str(watchdog_pid), LIBGL_ALWAYS_SOFTWARE="1")
    data = os.path.join(tmp, "device")
    os.makedirs(data, exist_ok=True)
    start = time.monotonic()
    proc = subprocess.Popen([kiosk, "--windowed", "--data-dir", data, "--exit-after", str(seconds), "--print-frames"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    messages = []
    while True:
        try:
            msg = sock.recv(4096).decode()
            messages.append((time.monotonic() - start, msg))
        except socket.timeout:
            if proc.poll() is not None:
                break
        if time.monotonic() - start > seconds + 30:
            proc.kill()
            break
    out, err = proc.communicate()
    sock.close()
    return messages, out + err, proc.returncode


def main():
    if not os.access(kiosk, os.X_OK):
        raise SystemExit(f"{kiosk} not built")
    xvfb, display = start_xvfb()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print("== intake-kiosk as the child of its watchdog's PID (as under cage)")
            usec = 2_000_000  # WatchdogSec=2: pings at least every second
            msgs, out, rc = run(display, tmp, os.getpid(), 7, usec)
            kinds = [m for _, m in msgs]
            check("exits 0", rc == 0, f"exit {rc}")
            check("READY=1 exactly once", kinds.count("READY=1") == 1, str(kinds.count("READY=1")))
            pings = [t for t, m in msgs if m == "WATCHDOG=1"]
            ready_at = next((t for t, m in msgs if m == "READY=1"), None)
            check("READY=1 before the first WATCHDOG=1", ready_at is not None and (not pings or ready_at <= pings[0] + 0.5))
            check("WATCHDOG=1 keeps coming while idle", len(pings) >= 5, f"{len(pings)} pings in 7 s")
            after_ready = [t for t in pings if ready_at is not None and t >= ready_at]
            gaps = [b - a for a, b in zip(after_ready, after_ready[1:])]
            worst = max(gaps) if gaps else 99.0
            check("no gap longer than WatchdogSec/2", worst <= usec / 2e6, f"longest {worst:.2f} s")
            check("STOPPING=1 last", bool(kinds) and kinds[-1] == "STOPPING=1")
            idle = "after start-up 0)" in out
            check("idle: no frame drawn after start-up", idle, out.strip().splitlines()[-1] if out.strip() else "no output")

            print("== $WATCHDOG_PID names another process")
            msgs, out, rc = run(display, tmp, 1, 3, usec)
            kinds = [m for _, m in msgs]
            check("no WATCHDOG=1", "WATCHDOG=1" not in kinds, f"{kinds.count('WATCHDOG=1')} pings")
            check("READY=1 still sent", "READY=1" in kinds)
    finally:
        xvfb.terminate()
        xvfb.wait()
    passed = sum(results)
    print(f"\n{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
