#!/bin/sh
# What the monitor costs a terminal: bytes written per second, frames per
# second and CPU, for `occtop --demo` on a 120x40 pseudo-terminal at about 100
# and 1,000 simulated sensor events per second (--rate) over a generated site
# of 500 spaces, and idle (a quiet site: --events 1).  Each rate is set beside
#   (a) the lower bound: the bytes a perfect screen updater would need for the
#       cells that actually changed (measured in tmux, below), and
#   (b) what people do without occtop: `watch -n1` over curl piped to jq,
#       against `occtop --serve` driving the same site at the same rate, on
#       the same 120x40 pty.
# A measurement, not a test: it prints a table, then FIGURE lines for
# tests/bench/run.sh (target: occtop within 3x of the lower bound).
#
#   sh tests/bench/terminal_bytes.sh      (make bench runs it, through run.sh)
#   BENCH_SECONDS=20 IDLE_SECONDS=30 RATES="100 1000" SPACES=500 to change the
#   runs; SITE=FILE to use a site file instead of the generated one.
#
# Bytes: occtop runs on a pty that python3 opens with the window size set
# (TIOCSWINSZ), with TERM=xterm-256color and a UTF-8 locale; everything it
# writes is read and counted.  A frame is a burst of output: the writes of one
# doupdate() come together, frames at least --delay (100 ms) apart, so a gap
# of 20 ms or more ends a burst.  CPU is utime + stime of the process (the
# simulator, the mock server, the client and the screen all run in it) from
# /proc/PID/stat over the measured seconds, after a 3-second warm-up.
#
# The lower bound: the same command (same site, seed and rate) runs in a
# private tmux server, in a 120x40 window with TERM=xterm-256color; the screen
# is captured with `tmux capture-pane -p -e -N` (text, SGR attributes and
# trailing blanks) every 100 ms -- occtop draws at most 10 frames a second --
# and each capture is compared with the one before, cell by cell (a cell: its
# character and its attributes).  The bytes a minimal updater must send for
# a changed row: for each run of changed cells, a cursor move (6 bytes, the
# length of ESC [ r ; c H for a two-digit row and column), then each changed cell's
# character in UTF-8, plus an SGR sequence (ESC [ 0 ; ... m with the cell's
# full attributes) wherever the attributes differ from the previous cell
# written; a gap of unchanged cells between two runs on a row costs the
# cheaper of a new cursor move and rewriting the gap.  Summed over the
# captures and divided by the seconds: bytes per second.  It is a lower
# bound twice over: changes that come and go within 100 ms are not seen, and
# a real updater also has to move the cursor home, hide it, and so on.  In the
# same tmux run, `pipe-pane` records what occtop wrote, a cross-check of the
# pty figure under the same load.
#
# The peer: `occtop --serve --site SITE --rate R --rate-limit 0 --seed 1`,
# and on the 120x40 pty:
#   watch -n1 "curl -s -H 'Authorization: Bearer T' 'URL/spaces/?page_size=1000' \
#              | jq -r '.results[] | [.name,.current_count] | @tsv'"
# its bytes counted as occtop's are.  Skipped (said so) without watch, curl or
# jq; the lower bound is skipped without tmux.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OCCTOP=${OCCTOP:-$top_builddir/src/occtop}
export OCCTOP top_srcdir
export BENCH_SECONDS=${BENCH_SECONDS:-20} IDLE_SECONDS=${IDLE_SECONDS:-30}
export RATES="${RATES:-100 1000}" SPACES=${SPACES:-500} SITE=${SITE:-}

exec python3 - <<'EOF'
import fcntl, importlib.util, json, os, pty, re, secrets, select, shutil, signal, struct
import subprocess, sys, tempfile, termios, time, unicodedata

OCCTOP = os.environ["OCCTOP"]
TOP = os.environ["top_srcdir"]
ROWS, COLS = 40, 120
WARM_UP = 3.0
GAP = 0.020  # a pause this long ends a frame
TICK = os.sysconf("SC_CLK_TCK")
SECONDS = float(os.environ["BENCH_SECONDS"])
RATES = os.environ["RATES"].split()
TERM_ENV = dict(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color",
                OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
work = tempfile.mkdtemp(prefix="occtop-termbench.")

# --- the site: the soak test's generator (tests/soak/soak.py) ----------------------
if os.environ.get("SITE"):
    SITE = os.environ["SITE"]
    SITE_LABEL = os.path.basename(SITE)
else:
    spec = importlib.util.spec_from_file_location("soak", os.path.join(TOP, "tests", "soak", "soak.py"))
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    SITE = os.path.join(work, "site.json")
    with open(SITE, "w") as f:
        json.dump(soak.make_site(int(os.environ["SPACES"])), f)
    SITE_LABEL = "%s spaces" % os.environ["SPACES"]


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def measure(label, argv, seconds, quit_key=b"q"):
    """Runs argv on a 120x40 pty; bytes/s, frames/s and CPU % after the warm-up."""
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.environ.update(TERM_ENV)
        os.execvp(argv[0], argv)
    start = time.monotonic()
    measuring = False
    total = frames = 0
    last = 0.0
    ticks0 = 0
    t0 = start
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
            print("%s: %s ended early" % (label, argv[0]), file=sys.stderr)
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
    if quit_key:
        os.write(fd, quit_key)
    else:
        os.kill(pid, signal.SIGINT)
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
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return {
        "label": label,
        "bytes": total / elapsed,
        "frames": frames / elapsed,
        "cpu": 100.0 * ticks / TICK / elapsed,
        "seconds": elapsed,
        "exit": os.waitstatus_to_exitcode(status) if status is not None else None,
    }


def demo_argv(args):
    return [OCCTOP, "--demo", "--site", SITE, "--seed", "1", "--quiet"] + args


# --- the lower bound: tmux captures, diffed cell by cell -------------------------------
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESCAPE = re.compile(r"\x1b(\[[0-9;:?]*[A-Za-ln-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")
DEFAULT = ()  # no attributes


def sgr_apply(state, params):
    """The attributes after an SGR sequence: a sorted tuple of (kind, value)."""
    attrs = dict(state)
    codes = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", params)] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            attrs.clear()
        elif c in (1, 2, 3, 4, 5, 7, 8, 9):
            attrs[c] = c
        elif c in (22,):
            attrs.pop(1, None); attrs.pop(2, None)
        elif 23 <= c <= 29:
            attrs.pop(c - 20, None)
        elif 30 <= c <= 37 or 90 <= c <= 97:
            attrs["fg"] = str(c)
        elif 40 <= c <= 47 or 100 <= c <= 107:
            attrs["bg"] = str(c)
        elif c in (38, 48):
            kind = "fg" if c == 38 else "bg"
            if i + 2 < len(codes) and codes[i + 1] == 5:
                attrs[kind] = "%d;5;%d" % (c, codes[i + 2]); i += 2
            elif i + 4 < len(codes) and codes[i + 1] == 2:
                attrs[kind] = "%d;2;%d;%d;%d" % ((c,) + tuple(codes[i + 2:i + 5])); i += 4
        elif c == 39:
            attrs.pop("fg", None)
        elif c == 49:
            attrs.pop("bg", None)
        i += 1
    return tuple(sorted(attrs.items(), key=lambda kv: str(kv[0])))


def sgr_bytes(state):
    """Length of ESC [ 0 ; <attributes> m: the state set from scratch."""
    return len("\x1b[0" + "".join(";" + str(v) for _, v in state) + "m")


def parse_capture(text):
    """A capture-pane -p -e screen as ROWS rows of COLS (character, attributes) cells."""
    screen = []
    state = DEFAULT
    for line in text.split("\n")[:ROWS]:
        row = []
        pos = 0
        while pos < len(line):
            ch = line[pos]
            if ch == "\x1b":
                m = SGR.match(line, pos)
                if m:
                    state = sgr_apply(state, m.group(1))
                    pos = m.end()
                    continue
                m = OTHER_ESCAPE.match(line, pos)
                pos = m.end() if m else pos + 1
                continue
            row.append((ch, state))
            if unicodedata.east_asian_width(ch) in "WF":
                row.append(("", state))  # the second half of a wide character
            pos += 1
        row = row[:COLS]
        row += [(" ", DEFAULT)] * (COLS - len(row))
        screen.append(row)
    while len(screen) < ROWS:
        screen.append([(" ", DEFAULT)] * COLS)
    return screen


def cell_bytes(cell):
    return len(cell[0].encode("utf-8"))


MOVE = 6  # ESC [ r ; c H


def update_cost(old, new):
    """Bytes a minimal updater sends to turn screen old into screen new."""
    cost = 0
    attrs = None  # the terminal's current attributes: unknown at the start

    def write(row, columns, attrs):
        """Bytes to write these cells of row in order, and the attributes after."""
        n = 0
        for c in columns:
            cell = row[c]
            if cell[1] != attrs:
                n += sgr_bytes(cell[1])
                attrs = cell[1]
            n += cell_bytes(cell)
        return n, attrs

    for r in range(ROWS):
        runs = []  # [first, last] columns of each run of changed cells
        for c in range(COLS):
            if old[r][c] != new[r][c]:
                if runs and runs[-1][1] == c - 1:
                    runs[-1][1] = c
                else:
                    runs.append([c, c])
        for i, (first, last) in enumerate(runs):
            if i == 0:
                cost += MOVE
            else:
                gap, gap_attrs = write(new[r], range(runs[i - 1][1] + 1, first), attrs)
                if gap < MOVE:
                    cost += gap  # rewriting the unchanged cells between is cheaper
                    attrs = gap_attrs
                else:
                    cost += MOVE
            n, attrs = write(new[r], range(first, last + 1), attrs)
            cost += n
    return cost


def lower_bound(label, argv, seconds):
    """argv in a 120x40 tmux window: the changed-cells bytes/s (captures every
    100 ms) and, from pipe-pane, the bytes it wrote there."""
    if not shutil.which("tmux"):
        print("%s: tmux is not installed (Debian package tmux): no lower bound" % label,
              file=sys.stderr)
        return None
    sock = os.path.join(work, "tmux")
    raw = os.path.join(work, "pane.raw")
    go = os.path.join(work, "go")
    for f in (raw, go):
        if os.path.exists(f):
            os.unlink(f)
    conf = os.path.join(work, "tmux.conf")
    with open(conf, "w") as f:
        f.write("set -g status off\n")

    def tm(*args, **kw):
        return subprocess.run(["tmux", "-S", sock, "-f", conf] + list(args),
                              capture_output=True, **kw)

    script = os.path.join(work, "run.sh")
    with open(script, "w") as f:
        f.write("while [ ! -e '%s' ]; do sleep 0.05; done\n" % go)
        f.write("exec env %s %s\n" % (" ".join("%s='%s'" % kv for kv in TERM_ENV.items()),
                                      " ".join("'%s'" % a for a in argv)))
    tm("new-session", "-d", "-s", "bench", "-x", str(COLS), "-y", str(ROWS), "sh '%s'" % script)
    tm("pipe-pane", "-t", "bench", "-o", "cat >>'%s'" % raw)
    size = tm("display-message", "-p", "-t", "bench", "#{pane_width}x#{pane_height}").stdout.decode().strip()
    open(go, "w").close()
    try:
        if size != "%dx%d" % (COLS, ROWS):
            print("%s: the tmux pane is %s, not %dx%d" % (label, size, COLS, ROWS), file=sys.stderr)
            return None
        time.sleep(WARM_UP)
        raw0 = os.path.getsize(raw) if os.path.exists(raw) else 0
        t0 = time.monotonic()
        prev = parse_capture(tm("capture-pane", "-p", "-e", "-N", "-t", "bench").stdout.decode("utf-8", "replace"))
        total = captures = changed_frames = cells = 0
        tick = t0
        while True:
            tick += 0.1
            delay = tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            cap = tm("capture-pane", "-p", "-e", "-N", "-t", "bench")
            if cap.returncode != 0:
                print("%s: the tmux pane went away" % label, file=sys.stderr)
                return None
            screen = parse_capture(cap.stdout.decode("utf-8", "replace"))
            cost = update_cost(prev, screen)
            if cost:
                changed_frames += 1
                cells += sum(1 for r in range(ROWS) for c in range(COLS) if prev[r][c] != screen[r][c])
            total += cost
            captures += 1
            prev = screen
            if time.monotonic() - t0 >= seconds:
                break
        elapsed = time.monotonic() - t0
        raw1 = os.path.getsize(raw) if os.path.exists(raw) else 0
        return {"bytes": total / elapsed, "cells": cells / elapsed, "captures": captures / elapsed,
                "changed": changed_frames / elapsed, "tmux_bytes": (raw1 - raw0) / elapsed}
    finally:
        tm("send-keys", "-t", "bench", "q")
        time.sleep(0.5)
        tm("kill-server")


# --- the peer: watch -n1 over curl | jq, against occtop --serve ----------------------------
def watch_peer(label, rate, seconds):
    missing = [p for p in ("watch", "curl", "jq") if not shutil.which(p)]
    if missing:
        print("%s: %s not installed (Debian packages procps, curl, jq): no watch figure"
              % (label, ", ".join(missing)), file=sys.stderr)
        return None
    token = "tok-" + secrets.token_hex(12)
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    os.chmod(token_file, 0o600)
    env = dict(os.environ, OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
    env.pop("DENSITY_API_TOKEN", None)
    server = subprocess.Popen([OCCTOP, "--serve", "--site", SITE, "--listen", "127.0.0.1:0",
                               "--token-file", token_file, "--rate-limit", "0", "--seed", "1",
                               "--rate", str(rate)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 30)
        base = server.stdout.readline().decode().strip() if ready else ""
        if not base.startswith("http://"):
            print("%s: occtop --serve did not print its URL" % label, file=sys.stderr)
            return None
        command = ("curl -s -H 'Authorization: Bearer %s' '%s/spaces/?page_size=1000' | "
                   "jq -r '.results[] | [.name,.current_count] | @tsv'" % (token, base))
        return measure(label, ["watch", "-n1", command], seconds, quit_key=None)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


try:
    runs = []
    for rate in RATES:
        label = "%s events/s" % rate
        argv = demo_argv(["--rate", rate])
        r = measure(label, argv, SECONDS)
        if r is not None:
            r["rate"] = rate
            r["lower"] = lower_bound(label, argv, SECONDS)
            r["watch"] = watch_peer(label, rate, SECONDS)
        runs.append(r)
    idle = measure("idle (--events 1)", demo_argv(["--events", "1"]), float(os.environ["IDLE_SECONDS"]))
finally:
    shutil.rmtree(work, ignore_errors=True)

print("occtop --demo on a %dx%d pty (TERM=xterm-256color, UTF-8), site: %s" % (COLS, ROWS, SITE_LABEL))
print("%-20s %12s %10s %8s %9s %6s" % ("load", "bytes/s", "frames/s", "CPU %", "seconds", "exit"))
for r in runs + [idle]:
    if r is None:
        continue
    print("%-20s %12.0f %10.1f %8.1f %9.1f %6s" % (r["label"], r["bytes"], r["frames"], r["cpu"],
                                                   r["seconds"], r["exit"]))
print()
print("lower bound: the changed cells of 100 ms tmux captures, 6 bytes a cursor move")
print("%-20s %12s %12s %12s %12s %12s" % ("load", "bytes/s", "cells/s", "changes/s", "in tmux B/s",
                                           "watch B/s"))
for r in runs:
    if r is None:
        continue
    lo, w = r["lower"], r["watch"]
    print("%-20s %12s %12s %12s %12s %12s" % (
        r["label"], "%.0f" % lo["bytes"] if lo else "-", "%.0f" % lo["cells"] if lo else "-",
        "%.1f" % lo["changed"] if lo else "-", "%.0f" % lo["tmux_bytes"] if lo else "-",
        "%.0f" % w["bytes"] if w else "-"))
print()
for r in runs:
    if r is None:
        continue
    what = "terminal: bytes/s, 120x40 pty, %s, %s events/s" % (SITE_LABEL, r["rate"])
    lo, w = r["lower"], r["watch"]
    if lo and lo["bytes"] > 0:
        ratio = r["bytes"] / lo["bytes"]
        print("FIGURE\t%s, vs changed cells\t%.0f\t%.0f\t%.2fx\t<= 3x the lower bound\t%s"
              % (what, r["bytes"], lo["bytes"], ratio, "met" if ratio <= 3 else "missed"))
    else:
        print("FIGURE\t%s, vs changed cells\t%.0f\t-\t-\t<= 3x the lower bound\tskipped"
              % (what, r["bytes"]))
    if w:
        print("FIGURE\t%s, vs watch -n1 curl|jq\t%.0f\t%.0f\t%.2fx\t-\t-"
              % (what, r["bytes"], w["bytes"], r["bytes"] / w["bytes"] if w["bytes"] else 0))
    else:
        print("FIGURE\t%s, vs watch -n1 curl|jq\t%.0f\t-\t-\t-\tskipped" % (what, r["bytes"]))
EOF
