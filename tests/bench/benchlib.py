"""Shared by the live benchmarks in tests/bench (stream_ingest.py,
idle_cpu.py, startup.py, fanout.py): paths, the mock server, sites,
/proc readings, medians and the FIGURE lines.

Each benchmark prints its own human-readable lines and, per figure, one
machine-readable line (tests/bench/run.sh collects them into the README):

    FIGURE<TAB>name<TAB>occtop value<TAB>peer value or -<TAB>ratio or -<TAB>target<TAB>met|missed

Run from a build directory with OCCTOP (the binary) and top_srcdir set, as
`make bench` does; both default to the source tree."""
import json
import os
import pty
import secrets
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir") or os.path.normpath(os.path.join(HERE, "..", ".."))
OCCTOP = os.environ.get("OCCTOP") or os.path.join(TOP, "src", "occtop")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
TOKEN = "tok-" + secrets.token_hex(16)
WORK = tempfile.mkdtemp(prefix="occtop-bench.")
TOKEN_FILE = os.path.join(WORK, "token")
with open(TOKEN_FILE, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(TOKEN_FILE, 0o600)
_home = os.path.join(WORK, "home")  # no ~/.config/occtop/config with a token in it
os.makedirs(os.path.join(_home, ".config"))
ENV = dict(os.environ, HOME=_home, XDG_CONFIG_HOME=os.path.join(_home, ".config"),
           OCCTOP_DATA_DIR=os.path.join(TOP, "data"), LANG="C.UTF-8", LC_ALL="C.UTF-8")
for _name in ("DENSITY_API_TOKEN", "DENSITY_API_URL", "OCCTOP_STATS"):
    ENV.pop(_name, None)
CLIENT_ENV = dict(ENV, DENSITY_API_TOKEN=TOKEN)
DEMO_SITE = os.path.join(TOP, "data", "demo-campus.json")


def log(text):
    print(text, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def figure(name, value, peer, target, met, fmt="%.0f", status=None):
    """The machine-readable line; ratio = value / peer when both are known;
    status (skipped) in place of met/missed."""
    def show(v):
        return "-" if v is None else (fmt % v if isinstance(v, (int, float)) else str(v))
    ratio = "-"
    if isinstance(value, (int, float)) and isinstance(peer, (int, float)) and peer > 0:
        ratio = "%.2f" % (value / peer)
    print("FIGURE\t%s\t%s\t%s\t%s\t%s\t%s" % (name, show(value), show(peer), ratio, target,
                                             status or ("met" if met else "missed")), flush=True)


def site_file(spaces):
    """A site of `spaces` spaces (tests/soak/soak.py's generator: a campus,
    4 buildings, 20 floors, a door for every room) written to WORK."""
    path = os.path.join(WORK, "site-%d.json" % spaces)
    if not os.path.exists(path):
        sys.path.insert(0, os.path.join(TOP, "tests", "soak"))
        import soak  # noqa: E402  (its main() runs only as a script)
        with open(path, "w") as f:
            json.dump(soak.make_site(spaces), f)
    return path


# --- /proc -----------------------------------------------------------------------------------
def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


# --- processes -------------------------------------------------------------------------------
class Proc:
    """A process with stdout and stderr read as they come; on_err(line)
    sees every stderr line."""

    def __init__(self, args, env=None, on_err=None, stdout=subprocess.PIPE):
        self.args = args
        self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=stdout,
                                  stderr=subprocess.PIPE, env=env or ENV)
        self.pid = self.p.pid
        self.out, self.err = bytearray(), bytearray()
        self.lock = threading.Lock()
        self.on_err = on_err
        self.readers = []
        if stdout == subprocess.PIPE:
            self.readers.append(threading.Thread(target=self._read, args=(self.p.stdout, self.out,
                                                                          None), daemon=True))
        self.readers.append(threading.Thread(target=self._read, args=(self.p.stderr, self.err,
                                                                      on_err), daemon=True))
        for r in self.readers:
            r.start()

    def _read(self, pipe, into, on_line):
        partial = b""
        while True:
            data = os.read(pipe.fileno(), 65536)
            if not data:
                return
            if on_line:
                partial += data
                *lines, partial = partial.split(b"\n")
                for line in lines:
                    on_line(line.decode(errors="replace"))
                if len(self.err) > 1 << 20:
                    continue  # keep the head only
            with self.lock:
                into += data

    def running(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            code = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            code = self.p.wait(10)
        for r in self.readers:
            r.join(5)
        return code


class Mock(Proc):
    """occtop --serve on a free loopback port, --rate-limit 0; .base is its
    http://127.0.0.1:PORT/v2."""

    def __init__(self, *args, site=DEMO_SITE):
        super().__init__([OCCTOP, "--serve", "--listen", "127.0.0.1:0", "--site", site,
                          "--token-file", TOKEN_FILE, "--rate-limit", "0", *args])
        deadline = time.monotonic() + 120
        while b"\n" not in self.out and time.monotonic() < deadline and self.running():
            time.sleep(0.02)
        self.base = bytes(self.out).split(b"\n")[0].decode(errors="replace").strip()
        if not self.base.startswith("http://127.0.0.1:"):
            self.stop(signal.SIGKILL)
            raise RuntimeError("the mock did not print its base URL: %r" % bytes(self.err)[-2000:])


def post_socket(base):
    """POST /sockets: the websocket URL."""
    request = urllib.request.Request(base + "/sockets/", method="POST", data=b"",
                                     headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)["url"]


class Pty:
    """A program on a pseudo-terminal of rows x cols; everything it writes is
    read by a thread (with the time of each read) so it never blocks."""

    def __init__(self, args, env, rows=40, cols=120):
        import fcntl
        import termios
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execve(args[0], args, dict(env, TERM="xterm-256color"))
        self.chunks = []  # (monotonic time, bytes)
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.done:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.chunks.append((time.monotonic(), data))

    def first_time_containing(self, needle):
        """The monotonic time of the read that completed `needle`, or None."""
        with self.lock:
            chunks = list(self.chunks)
        seen = b""
        for t, data in chunks:
            seen += data
            if needle in seen:
                return t
        return None

    def stop(self):
        try:
            os.write(self.fd, b"q")
        except OSError:
            pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        self.done = True
        self.thread.join(2)
        os.close(self.fd)
