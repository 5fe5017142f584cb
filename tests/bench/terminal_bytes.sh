#!/bin/sh
# What the monitor costs a terminal: bytes written per second, frames per
# second and CPU, for `occtop --demo` on a 120x40 pseudo-terminal at about 100
# and 1,000 simulated sensor events per second (--rate), and idle (a quiet
# site: --events 1).  A measurement, not a test: it prints a table.
#
#   sh tests/bench/terminal_bytes.sh      (make bench runs it)
#   BENCH_SECONDS=20 IDLE_SECONDS=30 RATES="100 1000" to change the runs.
#
# occtop runs on a pty that python3 opens with the window size set
# (TIOCSWINSZ), with TERM=xterm-256color and a UTF-8 locale; everything it
# writes is read and counted.  A frame is a burst of output: the writes of one
# doupdate() come together, frames at least --delay (100 ms) apart, so a gap
# of 20 ms or more ends a burst.  CPU is utime + stime of the process (the
# simulator, the mock server, the client and the screen all run in it) from
# /proc/PID/stat over the measured seconds, after a 3-second warm-up.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OCCTOP=${OCCTOP:-$top_builddir/src/occtop}
export OCCTOP top_srcdir
export BENCH_SECONDS=${BENCH_SECONDS:-20} IDLE_SECONDS=${IDLE_SECONDS:-30}
export RATES="${RATES:-100 1000}"

exec python3 - <<'EOF'
import fcntl, os, pty, select, signal, struct, sys, termios, time

OCCTOP = os.environ["OCCTOP"]
SITE = os.path.join(os.environ["top_srcdir"], "data", "demo-campus.json")
ROWS, COLS = 40, 120
WARM_UP = 3.0
GAP = 0.020  # a pause this long ends a frame
TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def measure(label, args, seconds):
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.environ.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color",
                          OCCTOP_DATA_DIR=os.path.join(os.environ["top_srcdir"], "data"))
        os.execv(OCCTOP, [OCCTOP, "--demo", "--site", SITE, "--seed", "1", "--quiet"] + args)
    start = time.monotonic()
    measuring = False
    total = frames = 0
    last = 0.0
    ticks0 = 0
    end = start + WARM_UP + seconds
    while True:
        now = time.monotonic()
        if not measuring and now >= start + WARM_UP:
            measuring, ticks0, t0 = True, cpu_ticks(pid), now
            total = frames = 0
            last = 0.0
        if now >= end:
            break
        ready, _, _ = select.select([fd], [], [], min(0.05, end - now))
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            print("%s: occtop ended early" % label, file=sys.stderr)
            return None
        if not data:
            break
        now = time.monotonic()
        if measuring:
            total += len(data)
            if now - last >= GAP:
                frames += 1
            last = now
    elapsed = time.monotonic() - t0
    ticks = cpu_ticks(pid) - ticks0
    os.write(fd, b"q")
    deadline = time.monotonic() + 5
    status = None
    while time.monotonic() < deadline:
        try:
            os.read(fd, 65536)
        except OSError:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    os.close(fd)
    return {
        "label": label,
        "bytes": total / elapsed,
        "frames": frames / elapsed,
        "cpu": 100.0 * ticks / TICK / elapsed,
        "seconds": elapsed,
        "exit": os.waitstatus_to_exitcode(status) if status is not None else None,
    }


runs = []
for rate in os.environ["RATES"].split():
    runs.append(measure("%s events/s" % rate, ["--rate", rate],
                        float(os.environ["BENCH_SECONDS"])))
runs.append(measure("idle (--events 1)", ["--events", "1"], float(os.environ["IDLE_SECONDS"])))

print("occtop --demo on a %dx%d pty (TERM=xterm-256color, UTF-8)" % (COLS, ROWS))
print("%-20s %12s %10s %8s %9s %6s" % ("load", "bytes/s", "frames/s", "CPU %", "seconds", "exit"))
for r in runs:
    if r is None:
        continue
    print("%-20s %12.0f %10.1f %8.1f %9.1f %6s" % (r["label"], r["bytes"], r["frames"], r["cpu"],
                                                   r["seconds"], r["exit"]))
EOF
