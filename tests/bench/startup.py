#!/usr/bin/python3
"""Start-up and memory at 10,000 spaces (tests/soak's generator: a campus, 4
buildings, 20 floors, a door for every room), served by the mock over
loopback (pages of 1,000: 10 of spaces, 10 of doorways, 10 of sensors).

  1. time to the first table: from launch until
     occtop --batch --api-url URL --interval 1 --iterations 1 has written
     its whole table and exited (and, for reference, its first byte);
  2. time to the first frame: from launch until the monitor (occtop
     --api-url URL on a 120x40 pty) has written a frame holding the tree
     (the row of "Building 1");
  3. resident memory of the monitor with two hours of minute history for
     every space: the mock drives all the site's doorways (--rate
     STARTUP_RSS_RATE, default 5,000 events/s) for STARTUP_RSS_SECONDS
     (default 60, about 30 events a doorway) with its clock running
     STARTUP_RSS_HISTORY_MINUTES (default 120) of simulated minutes in that
     time (--speed 120), so every space has data from the first REST counts
     to two hours later.  core/activity's rings grow with the minutes they
     hold (up to 240), so the history must really span two hours: a minute
     of real time would leave them one step long.  VmRSS and VmHWM from
     /proc/PID/status.

Times are medians of STARTUP_RUNS (default 3) launches against one mock.
Targets: the first table and the first frame within 1 s; <= 64 MiB.

    STARTUP_SPACES=10000 STARTUP_RUNS=3 STARTUP_RSS_SECONDS=60 \
        STARTUP_RSS_HISTORY_MINUTES=120 /usr/bin/python3 tests/bench/startup.py"""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402

SPACES = int(os.environ.get("STARTUP_SPACES", "10000"))
RUNS = int(os.environ.get("STARTUP_RUNS", "3"))
RSS_SECONDS = float(os.environ.get("STARTUP_RSS_SECONDS", "60"))
RSS_RATE = int(os.environ.get("STARTUP_RSS_RATE", "5000"))
RSS_HISTORY_MINUTES = float(os.environ.get("STARTUP_RSS_HISTORY_MINUTES", "120"))
NEEDLE = b"Building 1"


def first_table(base):
    """(seconds to exit with the table, seconds to the first byte, lines)."""
    t0 = time.monotonic()
    p = subprocess.Popen([b.OCCTOP, "--batch", "--api-url", base, "--interval", "1",
                          "--iterations", "1"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=b.CLIENT_ENV)
    first = p.stdout.read(1)
    t_first = time.monotonic() - t0
    rest = p.stdout.read()
    err = p.stderr.read()
    code = p.wait()
    t_done = time.monotonic() - t0
    lines = (first + rest).count(b"\n")
    if code != 0:
        b.log("  --batch exited %d: %s" % (code, err[-300:]))
        return None, t_first, lines
    return t_done, t_first, lines


def first_frame(base):
    m = b.Pty([b.OCCTOP, "--api-url", base, "--quiet"], b.CLIENT_ENV)
    deadline = time.monotonic() + 30
    seen = None
    while time.monotonic() < deadline:
        seen = m.first_time_containing(NEEDLE)
        if seen is not None:
            break
        time.sleep(0.02)
    m.stop()
    return None if seen is None else seen - m.started


def main():
    site = b.site_file(SPACES)
    b.log("start-up at %d spaces (mock over loopback, pages of 1000), %d runs, medians"
          % (SPACES, RUNS))
    t = time.monotonic()
    mock = b.Mock("--events", "0", "--seed", "1", "--history-days", "1", site=site)
    b.log("  the mock itself took %.1f s to start" % (time.monotonic() - t))
    tables, firsts, frames = [], [], []
    for run in range(RUNS):
        done, first, lines = first_table(mock.base)
        tables.append(done)
        firsts.append(first)
        frame = first_frame(mock.base)
        frames.append(frame)
        b.log("  run %d: --batch table %s s (first byte %.3f s, %d lines); monitor frame %s s"
              % (run + 1, "-" if done is None else "%.3f" % done, first, lines,
                 "-" if frame is None else "%.3f" % frame))
    mock.stop()
    table, frame = b.median(tables), b.median(frames)

    speed = RSS_HISTORY_MINUTES * 60 / RSS_SECONDS
    mock = b.Mock("--rate", str(RSS_RATE), "--speed", "%g" % speed, "--seed", "1",
                  "--history-days", "1", site=site)
    m = b.Pty([b.OCCTOP, "--api-url", mock.base, "--quiet"], b.CLIENT_ENV)
    time.sleep(RSS_SECONDS)
    rss = b.status_kb(m.pid, "VmRSS")
    hwm = b.status_kb(m.pid, "VmHWM")
    cpu = b.cpu_ticks(m.pid) / b.CLK_TCK
    m.stop()
    mock.stop()
    b.log("  the monitor after %.0f s of --rate %d --speed %g over %d spaces (%.0f minutes of"
          " history): VmRSS %.1f MiB, VmHWM %.1f MiB (%.1f s of CPU)"
          % (RSS_SECONDS, RSS_RATE, speed, SPACES, RSS_HISTORY_MINUTES, rss / 1024, hwm / 1024,
             cpu))

    b.figure("start-up to the first table, --batch, %d spaces (s)" % SPACES, table, None,
             "<= 1 s", table is not None and table <= 1.0, fmt="%.3f")
    b.figure("start-up to the first frame, the monitor, %d spaces (s)" % SPACES, frame, None,
             "<= 1 s", frame is not None and frame <= 1.0, fmt="%.3f")
    b.figure("resident memory, the monitor, %d spaces with %.0f minutes of history (MiB)"
             % (SPACES, RSS_HISTORY_MINUTES),
             rss / 1024, None, "<= 64 MiB", rss <= 64 * 1024, fmt="%.1f")


main()
