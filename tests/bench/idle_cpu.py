#!/usr/bin/python3
"""Idle CPU with a live but quiet stream: the mock (occtop --serve --events 0
on the demo campus: the websocket stays open, no event comes) and, side by
side, occtop --batch --api-url URL (lines, to /dev/null) and the monitor
(occtop --api-url URL --quiet on a 120x40 pty, everything it writes read).
CPU is utime + stime from /proc/PID/stat (every thread of the process)
over IDLE_CPU_SECONDS (default 60) after IDLE_WARM_UP (default 5 s: the hierarchy
loaded, the first frame drawn), in per cent of one core.  Each client's
figure is one measurement (60 s holds 6,000 clock ticks at 100 Hz; 0.2 %
is 12 of them).  Target: <= 0.2 % of a core.  Also printed: the mock's own
CPU and the monitor's bytes written while idle.

    IDLE_CPU_SECONDS=60 /usr/bin/python3 tests/bench/idle_cpu.py"""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402

IDLE_SECONDS = float(os.environ.get("IDLE_CPU_SECONDS", "60"))
WARM_UP = float(os.environ.get("IDLE_WARM_UP", "5"))
TARGET = 0.2


def main():
    mock = b.Mock("--events", "0", "--seed", "1")
    batch = b.Proc([b.OCCTOP, "--batch", "--api-url", mock.base], env=b.CLIENT_ENV,
                   stdout=subprocess.DEVNULL)
    monitor = b.Pty([b.OCCTOP, "--api-url", mock.base, "--quiet"], b.CLIENT_ENV)
    time.sleep(WARM_UP)
    pids = {"batch": batch.pid, "monitor": monitor.pid, "mock": mock.pid}
    with monitor.lock:
        bytes0 = sum(len(d) for _, d in monitor.chunks)
    ticks0 = {k: b.cpu_ticks(p) for k, p in pids.items()}
    t0 = time.monotonic()
    time.sleep(IDLE_SECONDS)
    ticks1 = {k: b.cpu_ticks(p) for k, p in pids.items()}
    elapsed = time.monotonic() - t0
    with monitor.lock:
        written = sum(len(d) for _, d in monitor.chunks) - bytes0
    alive = batch.running()
    live = monitor.first_time_containing(b"LIVE") is not None
    monitor.stop()
    batch.stop()
    mock.stop()
    cpu = {k: 100.0 * (ticks1[k] - ticks0[k]) / b.CLK_TCK / elapsed for k in pids}
    b.log("idle CPU on a live, quiet stream (mock --events 0, demo campus), %.0f s after %.0f s"
          % (elapsed, WARM_UP))
    b.log("  occtop --batch --api-url:  %.3f %% of a core (%d ticks)%s"
          % (cpu["batch"], ticks1["batch"] - ticks0["batch"],
             "" if alive else "  (it ended early)"))
    b.log("  the monitor (120x40 pty):  %.3f %% of a core (%d ticks), %d bytes written"
          % (cpu["monitor"], ticks1["monitor"] - ticks0["monitor"], written))
    b.log("  the mock (for reference):  %.3f %% of a core" % cpu["mock"])
    if not live:
        b.log("  the monitor never showed LIVE: its figure is not valid")
    b.figure("idle CPU, --batch on a quiet stream (%% of a core, %.0f s)" % elapsed, cpu["batch"],
             None, "<= 0.2 % of a core", alive and cpu["batch"] <= TARGET, fmt="%.3f")
    b.figure("idle CPU, the monitor on a quiet stream (%% of a core, %.0f s)" % elapsed,
             cpu["monitor"], None, "<= 0.2 % of a core", live and cpu["monitor"] <= TARGET,
             fmt="%.3f")


main()
