#!/usr/bin/env python3
"""Network faults live.py and tls.py do not cover, through the real binary
(occtop --batch --api-url), the real mock (occtop --serve) and
fake_density.py:

  1. a server that takes the TCP connection and never answers, from the
     start: the client times out (15 s), says so in one line, tries again,
     and loads the hierarchy once a real server is on that port;
  2. the same while running: the mock is killed and a silent listener takes
     its port; one line saying the server does not answer, the client keeps
     trying, and catches up with the next real server;
  3. a host name that cannot resolve: one line naming it, exit 4, in
     seconds;
  4. a 429 storm with Retry-After: 2: each wait is kept, then the hierarchy
     loads as soon as the storm ends;
  5. a 429 storm with Retry-After: 0 ("try now") and --budget 6: the budget
     holds (never more than 6 requests in any 60 s), and the client loads
     when its budget allows;
  6. the token in no output.

Covered elsewhere (tests/HOSTILE.md lists them): the mock killed and
restarted, a server that stops answering pings, one 429, an unreachable
port, wrong and missing tokens, hostile stream messages (live.py); TLS
(tls.py); --record to a full disk (record.py).

The checks run in threads side by side; the whole takes about 65 s (5 waits
out a 60 s budget window)."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import fake_density as fd  # noqa: E402

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
OCCTOP = os.environ.get("OCCTOP", os.path.join(TOP, "src", "occtop"))
SITE = os.path.join(TOP, "data", "demo-campus.json")
TOKEN = "tok-" + secrets.token_hex(16)
REST_TIMEOUT = 15  # rest.c's REST_DEFAULT_TIMEOUT_MS
work = tempfile.mkdtemp(prefix="occtop-faults.")
token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(token_file, 0o600)
curl_config = os.path.join(work, "curl.conf")  # the token stays out of curl's argv
with open(curl_config, "w") as f:
    f.write('header = "Authorization: Bearer %s"\n' % TOKEN)
os.chmod(curl_config, 0o600)
home = os.path.join(work, "home")  # no ~/.config/occtop/config with a token in it
os.makedirs(os.path.join(home, ".config"))
BASE_ENV = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
for name in ("DENSITY_API_TOKEN", "DENSITY_API_URL"):
    BASE_ENV.pop(name, None)
CLIENT_ENV = dict(BASE_ENV, DENSITY_API_TOKEN=TOKEN)

failures = []
print_lock = threading.Lock()
outputs = []  # (what, bytes) for check 6
T0 = time.monotonic()


def check(what, condition, detail=""):
    with print_lock:
        if condition:
            print("ok:", what)
        else:
            print("FAIL:", what, detail if isinstance(detail, str) else repr(detail)[:1500],
                  file=sys.stderr)
            failures.append(what)
        sys.stdout.flush()
        sys.stderr.flush()
    return condition


def note(text):
    with print_lock:
        print("   ", text)
        sys.stdout.flush()


class Proc:
    """A process with its stdout and stderr read as they come, each stderr
    line with the monotonic time it was seen."""
    everyone = []

    def __init__(self, args, env, name):
        self.name = name
        self.started = time.monotonic()
        self.ended = None
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env)
        self._out, self._err, self.err_lines = bytearray(), bytearray(), []
        self._lock = threading.Lock()
        self._readers = [threading.Thread(target=self._read, args=(self.process.stdout, False),
                                          daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stderr, True),
                                          daemon=True)]
        for reader in self._readers:
            reader.start()
        with print_lock:
            Proc.everyone.append(self)

    def _read(self, pipe, is_err):
        partial = b""
        while True:
            data = os.read(pipe.fileno(), 65536)
            if not data:
                return
            with self._lock:
                (self._err if is_err else self._out).extend(data)
                if is_err:
                    partial += data
                    while b"\n" in partial:
                        line, partial = partial.split(b"\n", 1)
                        self.err_lines.append((time.monotonic(), line))

    def out(self):
        with self._lock:
            return bytes(self._out)

    def err(self):
        with self._lock:
            return bytes(self._err)

    def lines(self):
        with self._lock:
            return list(self.err_lines)

    def wait(self, timeout):
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        if self.ended is None:
            self.ended = time.monotonic()
        for reader in self._readers:
            reader.join(5)
        return code

    def running(self):
        return self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.wait(timeout)
        if code is None:
            self.process.kill()
            code = self.wait(10)
        return code

    def took(self):
        return (self.ended or time.monotonic()) - self.started


def client(*args, name="client"):
    return Proc([OCCTOP, "--batch", *args], CLIENT_ENV, name)


class Mock(Proc):
    """occtop --serve on 127.0.0.1:port (0: a free one); self.base is its URL."""

    def __init__(self, *args, port=0):
        super().__init__([OCCTOP, "--serve", "--listen", "127.0.0.1:%d" % port, "--site", SITE,
                          "--token-file", token_file, "--rate-limit", "0", *args], BASE_ENV,
                         "mock")
        deadline = time.monotonic() + 30
        while b"\n" not in self.out() and time.monotonic() < deadline and self.running():
            time.sleep(0.02)
        self.base = self.out().split(b"\n")[0].decode(errors="replace").strip()
        if not self.base.startswith("http://127.0.0.1:"):
            self.stop(signal.SIGKILL)
            raise RuntimeError("the mock did not start: %r" % self.err()[-2000:])


class Silent:
    """Listens on 127.0.0.1:port, accepts every connection and never sends a
    byte; self.accepted holds the monotonic time of each accept."""

    def __init__(self, port=0):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted, self.connections = [], []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted.append(time.monotonic())
                self.connections.append(connection)

    def times(self):
        with self.lock:
            return list(self.accepted)

    def close(self):
        """Stops listening and hangs up on everyone (the port is free again:
        shutdown first, or the accept() in progress keeps it listening)."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.close()
                except OSError:
                    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def curl(url):
    result = subprocess.run(["curl", "-sS", "-K", curl_config, "-o", "-", "-w", "\n%{http_code}",
                             url], capture_output=True, timeout=30, env=BASE_ENV)
    with print_lock:
        outputs.append(("curl", result.stdout + result.stderr))
    body, _, status = result.stdout.decode(errors="replace").rpartition("\n")
    try:
        return int(status or 0), json.loads(body) if body else None
    except ValueError:
        return int(status or 0), body


def server_counts(base):
    status, body = curl(base + "/spaces/?page_size=1000")
    if status != 200 or not isinstance(body, dict):
        return None
    return {s["id"]: s["current_count"] for s in body["results"]}


def wait_quiet(base, timeout, stable=1.0):
    """(counts, time) once the server's counts stay the same for `stable` s."""
    deadline = time.monotonic() + timeout
    last, since = None, None
    while time.monotonic() < deadline:
        counts = server_counts(base)
        now = time.monotonic()
        if counts is not None and counts == last:
            if now - since >= stable:
                return counts, now
        else:
            last, since = counts, now
        time.sleep(0.2)
    return None, None


def json_values(data):
    """The JSON values printed one after another (snapshots or lines)."""
    text, position, values = data.decode("utf-8", errors="replace"), 0, []
    decoder = json.JSONDecoder()
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return values
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            return values
        values.append(value)


def is_timeout_line(line):
    return (line.startswith(b"occtop: ") and b"cannot reach 127.0.0.1" in line and
            b"timed out" in line and line.endswith(b"; trying again"))


def in_background(name, function):
    def run():
        try:
            function()
        except Exception:
            check("%s: ran to the end" % name, False, traceback.format_exc())
    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


# === 1. a server that never answers, from the start ========================================
def silent_at_start():
    silent = Silent()
    port = silent.port
    c = client("--api-url", "http://127.0.0.1:%d/v2" % port, "--interval", "1", "--iterations",
               "1", "--format", "json", "--duration", "90", name="silent-at-start client")
    # The first attempt, its timeout, and the second attempt.
    deadline = time.monotonic() + REST_TIMEOUT + 10
    while len(silent.times()) < 2 and time.monotonic() < deadline and c.running():
        time.sleep(0.1)
    accepted = silent.times()
    gap = accepted[1] - accepted[0] if len(accepted) >= 2 else None
    note("1: the second attempt came %s s after the first" % (gap and round(gap, 1)))
    check("1: a silent server: the request times out after 15 s and is sent again",
          gap is not None and REST_TIMEOUT - 1 <= gap <= REST_TIMEOUT + 5, (accepted, c.err()))
    time.sleep(0.5)  # the notice follows the timeout at once
    said = c.lines()
    check("1: ... saying so in one line at the timeout: 'cannot reach 127.0.0.1: ... timed "
          "out ...; trying again'",
          len(said) == 1 and is_timeout_line(said[0][1]) and
          said[0][0] - accepted[0] <= REST_TIMEOUT + 3, said)
    check("1: ... still running, nothing on stdout yet", c.running() and c.out() == b"",
          (c.out()[:200], c.err()[-300:]))
    silent.close()
    mock = Mock("--seed", "1", port=port)
    ready = time.monotonic()
    code = c.wait(30)
    if code is None:
        code = c.stop()
    tables = json_values(c.out())
    loaded = tables and len(tables[0].get("spaces", [])) == 78
    note("1: loaded %.1f s after a real server took the port" % ((c.ended or 0) - ready))
    check("1: a real server on that port: the client loads the 78 spaces and exits 0, "
          "within 10 s", code == 0 and loaded and c.ended - ready <= 10,
          (code, c.out()[:200], c.err()[-500:]))
    check("1: ... and said nothing else", len(c.lines()) == 1, c.lines())
    mock.stop()


# === 2. the server goes silent while the client runs ================================================
def silent_while_running():
    port = free_port()
    base = "http://127.0.0.1:%d/v2" % port
    mock = Mock("--seed", "21", "--rate", "50", port=port)
    c = client("--api-url", base, "--interval", "1", "--format", "json", "--duration", "80",
               name="silent-while-running client")
    time.sleep(4)
    check("2: the client runs against the mock", c.running() and json_values(c.out()),
          c.err()[-500:])
    mock.stop(signal.SIGKILL)
    silent = Silent(port)  # the port at once, before the client asks again
    went_silent = time.monotonic()
    deadline = went_silent + REST_TIMEOUT + 8

    def retried_after_timeout():  # a connection 15 s (-1, +5) after the first
        times = silent.times()
        return any(REST_TIMEOUT - 1 <= t - times[0] <= REST_TIMEOUT + 5 for t in times[1:])
    while not retried_after_timeout() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)
    said = [(round(t - went_silent, 1), line) for t, line in c.lines() if t > went_silent]
    accepted = [round(t - went_silent, 1) for t in silent.times()]
    note("2: stderr while the server was silent: %s; connections to it at %s s"
         % (said, accepted))
    # Usually the client's first try after the kill finds the silent
    # listener (it waits 250 ms, the listener takes the port at once); on a
    # very slow machine it may be refused first, and the line says that.
    refused = said and b"Couldn't connect" in said[0][1] and said[0][1].endswith(b"; trying again")
    check("2: a silent server in the middle: one line within 15 s (+3) saying what is wrong "
          "(the request timed out) and that the client is trying again",
          len(said) == 1 and (is_timeout_line(said[0][1]) or refused) and
          said[0][0] <= REST_TIMEOUT + 3, said)
    check("2: ... it timed out after 15 s and tried again (a connection to the silent server "
          "15 s after the first)", retried_after_timeout(), accepted)
    silent.close()
    mock = Mock("--seed", "22", "--rate", "100", "--events", "200", port=port)
    back = time.monotonic()
    final, quiet_at = wait_quiet(base, 25)
    matched, last = None, None
    while final is not None and matched is None and time.monotonic() < quiet_at + 8:
        snapshots = [s for s in json_values(c.out()) if isinstance(s, dict)]
        if snapshots:
            last = {s["id"]: s["count"] for s in snapshots[-1].get("spaces", [])}
            if last == final:
                matched = time.monotonic()
        time.sleep(0.2)
    note("2: caught up %s s after the real server came back" % (matched and round(matched - back, 1)))
    check("2: a real server again: the client's counts equal it within 8 s of it going quiet",
          matched is not None, (final is not None, last and final and
                                [k for k in final if last.get(k) != final[k]][:5]))
    code = c.stop()
    check("2: the client ran the whole time and ends with 0", code == 0, (code, c.err()[-500:]))
    mock.stop()


# === 3. a host that cannot resolve =================================================================
def no_such_host():
    c = client("--api-url", "http://occtop-no-such-host.invalid/v2", "--duration", "60",
               name="no-such-host client")
    code = c.wait(60)
    if code is None:
        code = c.stop()
    err = c.err()
    note("3: exit %r after %.1f s: %r" % (code, c.took(), err))
    check("3: a host that cannot resolve: exit 4 (unreachable), within 15 s",
          code == 4 and c.took() < 15, (code, round(c.took(), 1)))
    check("3: ... one stderr line naming the host and saying it does not resolve",
          err.count(b"\n") == 1 and err.startswith(b"occtop: cannot reach "
                                                   b"occtop-no-such-host.invalid: ") and
          b"resolve" in err, err)
    check("3: ... nothing on stdout", c.out() == b"", c.out()[:200])


# === 4. a 429 storm with Retry-After: 2 ===============================================================
STORM = 10  # seconds


def storm_hook(retry_after, began):
    def hook(request):
        if request.upgrade:
            return None
        if not began:
            began.append(request.time)
        if request.time - began[0] < STORM:
            return 429, {"Retry-After": retry_after}, {"detail": "Request was throttled."}
        return None
    return hook


def storm_waits():
    began = []
    with fd.FakeDensity(TOKEN, fd.tiny_site(), hook=storm_hook("2", began)) as fake:
        c = client("--api-url", fake.base, "--interval", "1", "--iterations", "1",
                   "--duration", "60", name="429 storm client")
        code = c.wait(60)
        if code is None:
            code = c.stop()
        rest = fake.rest_requests()
        times = [round(r.time - began[0], 1) for r in rest] if began else []
        in_storm = [r for r in rest if began and r.time - began[0] < STORM]
        gaps = [b.time - a.time for a, b in zip(in_storm, in_storm[1:])]
        note("4: requests at %s s (storm of 429 for the first %d s)" % (times, STORM))
        check("4: a 429 storm with Retry-After: 2: each one waited out (2 s or more between "
              "requests, 6 at most in 10 s)",
              in_storm and all(g >= 1.9 for g in gaps) and len(in_storm) <= 6, times)
        check("4: ... every refused request got 429 and was asked again",
              all(r.status == 429 for r in in_storm) and len(in_storm) >= 4, times)
        loaded_at = max((r.time for r in rest if r.status == 200), default=None)
        check("4: ... then the table (exit 0) at most 3 s after the storm",
              code == 0 and b"Tiny Campus" in c.out() and b"Room A" in c.out() and
              loaded_at is not None and loaded_at - began[0] <= STORM + 3,
              (code, times, c.out()[-300:], c.err()[-300:]))
        check("4: ... and nothing on stderr (waiting is normal)", c.err() == b"", c.err()[-300:])


# === 5. a 429 storm saying "Retry-After: 0", against --budget 6 ==========================================
def storm_budget():
    began = []
    with fd.FakeDensity(TOKEN, fd.tiny_site(), hook=storm_hook("0", began)) as fake:
        c = client("--api-url", fake.base, "--budget", "6", "--interval", "1", "--iterations",
                   "1", "--duration", "85", name="429 budget client")
        code = c.wait(90)
        if code is None:
            code = c.stop()
        rest = fake.rest_requests()
        times = [r.time for r in rest]
        # The client's window is 60 s from each send: the 7th may go 60.0 s
        # after the 1st.  Half a second allows for when the fake logs them.
        most = max((len([u for u in times if t <= u < t + 59.5]) for t in times), default=0)
        note("5: requests at %s s" % [round(t - times[0], 1) for t in times])
        check("5: Retry-After: 0 for 10 s with --budget 6: never more than 6 requests in any 60 s",
              most <= 6, most)
        check("5: ... the budget spent at once (6 refused), then a wait for the window",
              len([r for r in rest if r.status == 429]) == 6, [r.status for r in rest])
        first_ok = min((r.time for r in rest if r.status == 200), default=None)
        check("5: ... the next request when the first leaves the window (59 to 65 s)",
              first_ok is not None and 59 <= first_ok - times[0] <= 65,
              first_ok and round(first_ok - times[0], 1))
        check("5: ... then the table, exit 0",
              code == 0 and b"Tiny Campus" in c.out(), (code, c.out()[-300:], c.err()[-300:]))


threads = [in_background("1", silent_at_start), in_background("2", silent_while_running),
           in_background("3", no_such_host), in_background("4", storm_waits),
           in_background("5", storm_budget)]
for thread in threads:
    thread.join(120)
    check("check %s finished" % thread.name, not thread.is_alive())

# === 6. the token never appears ===========================================================================
for proc in Proc.everyone:
    if proc.running():
        proc.stop(signal.SIGKILL)
with print_lock:
    everything = [(p.name, p.out() + p.err()) for p in Proc.everyone] + outputs
leaks = [name for name, data in everything if TOKEN.encode() in data]
check("6: the token appears in none of the outputs of %d processes" % len(everything), not leaks,
      leaks)
crashes = [(p.name, p.process.returncode) for p in Proc.everyone
           if p.process.returncode is not None and p.process.returncode < 0 and
           p.process.returncode not in (-signal.SIGKILL, -signal.SIGTERM)]
check("no process died of a signal we did not send", not crashes, crashes)

note("took %.0f s" % (time.monotonic() - T0))
shutil.rmtree(work, ignore_errors=True)
if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
