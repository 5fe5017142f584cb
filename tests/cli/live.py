#!/usr/bin/env python3
"""occtop --batch --api-url through the real binary, against the real mock
(occtop --serve), the real curl command, and a hand-made fake Density server
(fake_density.py, raw sockets: it answers pings only when told to):

  1. a 2,500-space hierarchy loaded across pages;
  2. live counts equal the server's after 1,000 events;
  3. the server killed and restarted ten times on the same port: the client
     catches up with each new server within 5 s of it going quiet;
  4. a server that stops answering pings is replaced (and one that answers
     them is kept);
  5. --budget 5 never sends more than 5 requests in a minute, and a 429 is
     waited out;
  6. exit statuses: wrong token 3, no token 2, unreachable 4;
  7. malformed and hostile messages rejected, good ones kept, names made
     terminal-safe;
  8. the token never appears in any output;
  9. --duration and --iterations end the client on time on a quiet stream.

Everything against the fake server runs in threads beside the mock-server
checks (1, 2, 3), so the whole takes about a minute (longer when checks
fail: each waits out its deadline); the longest waits are the ping timeout
(4: 25 s) and the ten restarts (3: about 45 s)."""
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
work = tempfile.mkdtemp(prefix="occtop-live.")
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
outputs = []  # (what, bytes) of every process started, for check 8
outputs_lock = threading.Lock()
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
    """A process with its stdout and stderr read into memory as they come."""
    everyone = []

    def __init__(self, args, env, name):
        self.name = name
        self.args = args
        self.started = time.monotonic()
        self.ended = None
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=env)
        self._out, self._err = bytearray(), bytearray()
        self._lock = threading.Lock()
        self._readers = [threading.Thread(target=self._read, args=(self.process.stdout, self._out),
                                          daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stderr, self._err),
                                          daemon=True)]
        for reader in self._readers:
            reader.start()
        with outputs_lock:
            Proc.everyone.append(self)

    def _read(self, pipe, into):
        while True:
            data = os.read(pipe.fileno(), 65536)
            if not data:
                return
            with self._lock:
                into += data

    def out(self):
        with self._lock:
            return bytes(self._out)

    def err(self):
        with self._lock:
            return bytes(self._err)

    def wait(self, timeout):
        """The exit status, or None if still running after timeout."""
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


def client(*args, env=None, name="client"):
    return Proc([OCCTOP, "--batch", *args], CLIENT_ENV if env is None else env, name)


class Mock(Proc):
    """occtop --serve on 127.0.0.1 (port 0: a free one); self.base is its URL."""

    def __init__(self, *args, port=0, site=SITE):
        super().__init__([OCCTOP, "--serve", "--listen", "127.0.0.1:%d" % port, "--site", site,
                          "--token-file", token_file, *args], BASE_ENV, "mock")
        deadline = time.monotonic() + 30
        while b"\n" not in self.out() and time.monotonic() < deadline and self.running():
            time.sleep(0.02)
        self.base = self.out().split(b"\n")[0].decode(errors="replace").strip()
        if not self.base.startswith("http://127.0.0.1:"):
            self.stop(signal.SIGKILL)
            raise RuntimeError("the mock did not print its base URL: %r %r"
                               % (self.out()[:200], self.err()[-2000:]))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def curl(url):
    """GET url with the token, through the real curl: (status, parsed body)."""
    result = subprocess.run(["curl", "-sS", "-K", curl_config, "-o", "-", "-w", "\n%{http_code}",
                             url], capture_output=True, timeout=30, env=BASE_ENV)
    with outputs_lock:
        outputs.append(("curl", result.stdout + result.stderr))
    body, _, status = result.stdout.decode(errors="replace").rpartition("\n")
    try:
        return int(status or 0), json.loads(body) if body else None
    except ValueError:
        return int(status or 0), body


def server_spaces(base):
    """Every space of GET /spaces/?page_size=1000 (following next), and the
    number of pages; None on an error."""
    url, spaces, pages = base + "/spaces/?page_size=1000", [], 0
    while url:
        status, body = curl(url)
        if status != 200 or not isinstance(body, dict):
            return None, pages
        spaces += body["results"]
        url = body["next"]
        pages += 1
    return spaces, pages


def server_counts(base):
    spaces, _ = server_spaces(base)
    return None if spaces is None else {s["id"]: s["current_count"] for s in spaces}


def wait_quiet(base, timeout, stable=1.0):
    """Polls the server's counts until they stay the same for `stable`
    seconds: (counts, monotonic time it was seen quiet), or (None, None)."""
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


class JsonObjects:
    """The JSON values a process prints one after another (pretty-printed
    snapshots or one per line), parsed as they complete, each with the
    monotonic time it was first seen."""

    def __init__(self, proc):
        self.proc = proc
        self.consumed = 0  # bytes of stdout parsed
        self.items = []    # (time seen, value)
        self.decoder = json.JSONDecoder()

    def poll(self):
        data = self.proc.out()[self.consumed:]
        text = data.decode("utf-8", errors="ignore")  # a cut character is at the end, unparsed yet
        position = 0
        now = time.monotonic()
        while True:
            while position < len(text) and text[position] in " \t\r\n":
                position += 1
            if position >= len(text):
                break
            try:
                value, end = self.decoder.raw_decode(text, position)
            except ValueError:
                break
            self.items.append((now, value))
            position = end
        self.consumed += len(text[:position].encode("utf-8"))
        return self.items


def snapshot_counts(snapshot):
    return {s["id"]: s["count"] for s in snapshot.get("spaces", [])}


def differences(a, b, limit=5):
    keys = sorted(set(a or {}) | set(b or {}))
    diff = [(k, (a or {}).get(k), (b or {}).get(k)) for k in keys if (a or {}).get(k) != (b or {}).get(k)]
    return "%d differ, e.g. %r" % (len(diff), diff[:limit])



def in_background(name, function):
    def run():
        try:
            function()
        except Exception:
            check("%s: ran to the end" % name, False, traceback.format_exc())
    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


# === 4. a server that stops answering pings is replaced ===================================
def ping_silent():
    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=fd.silent) as fake:
        c = client("--api-url", fake.base, "--duration", "60", name="silent-server client")
        got_first = fake.wait_for(lambda: len(fake.handshakes) >= 1, 15)
        check("4: the client connects to the silent server's websocket", got_first,
              (fake.requests, c.err()[-500:]))
        if not got_first:
            c.stop()
            return
        first = fake.handshakes[0]
        got_second = fake.wait_for(lambda: len(fake.handshakes) >= 2, 40)
        if got_second:  # the refresh follows the new connection: give it time to come
            fake.wait_for(lambda: any(r.path.startswith("/v2/spaces") and r.time > fake.handshakes[1]
                                      for r in fake.requests), 5)
        code = c.stop()
        with fake.lock:
            requests = list(fake.requests)
            handshakes = list(fake.handshakes)
            frames = list(fake.frames_in)
        gap = handshakes[1] - first if len(handshakes) >= 2 else None
        note("4: second websocket %s s after the first" % (None if gap is None else round(gap, 1)))
        check("4: a silent server is replaced: a new socket within 35 s of the first",
              got_second and gap <= 35, (gap, requests))
        check("4: ... not before the hang-up time (20 s or more: a quiet link is not dropped early)",
              gap is not None and gap >= 20, gap)
        posts = [r for r in requests if r.method == "POST" and r.path.startswith("/v2/sockets")]
        check("4: a fresh POST /sockets for the new socket",
              gap is not None and any(first < r.time <= handshakes[1] for r in posts),
              [(round(r.time - first, 1), r.target) for r in posts])
        pings = [t - first for t, opcode in frames if opcode == fd.OP_PING and t > first]
        check("4: the client pinged the silent server before hanging up (about 15 s in)",
              pings and 10 <= pings[0] <= 25 and (gap is None or pings[0] < gap),
              [round(p, 1) for p in pings])
        refetch = [r for r in requests if r.path.startswith("/v2/spaces") and gap is not None
                   and r.time > handshakes[1]]
        check("4: counts re-fetched after the new connection", refetch,
              [(round(r.time - first, 1), r.target) for r in requests])
        check("4: SIGTERM ends the client with 0", code == 0, (code, c.err()[-500:]))


def ping_answered():
    def pong(ws):
        while True:
            frame = ws.read_frame()
            if frame is None or frame[0] == fd.OP_CLOSE:
                return
            if frame[0] == fd.OP_PING:
                ws.send_frame(fd.OP_PONG, frame[1])

    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=pong) as fake:
        c = client("--api-url", fake.base, "--duration", "60", name="pong-server client")
        if not check("4: the client connects to the server that answers pings",
                     fake.wait_for(lambda: len(fake.handshakes) >= 1, 15), c.err()[-500:]):
            c.stop()
            return
        first = fake.handshakes[0]
        fake.wait_for(lambda: len(fake.handshakes) >= 2, 37)
        code = c.stop()
        pings = [t - first for t, opcode in fake.frames_in if opcode == fd.OP_PING]
        check("4: a quiet server that answers pings keeps its socket (one socket in 37 s)",
              len(fake.handshakes) == 1, [round(t - first, 1) for t in fake.handshakes])
        check("4: ... and was pinged", pings, pings)
        check("4: SIGTERM ends that client with 0", code == 0, code)


# === 5a. --budget 5 never sends more than 5 requests in a minute ======================
def budget_fake():
    lock = threading.Lock()
    let_through, refused = [], []

    def limit(request):  # the fake's own limit: 5 per sliding minute
        if request.upgrade:
            return None
        with lock:
            now = time.monotonic()
            if len([t for t in let_through if now - t < 60]) >= 5:
                refused.append(now)
                return 429, {"Retry-After": "60"}, {"detail": "Request was throttled."}
            let_through.append(now)
        return None

    # The fake hangs up each socket at once: the client wants a new /sockets URL
    # and fresh counts again and again, and only its budget holds it back.
    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=fd.hang_up, hook=limit) as fake:
        c = client("--api-url", fake.base, "--budget", "5", "--interval", "1", "--duration", "14",
                   "--format", "json", name="budget client")
        code = c.wait(14 + 20)
        on_time = code is not None
        if code is None:
            code = c.stop()
        rest = fake.rest_requests()
        times = [r.time for r in rest]
        most = max((len([u for u in times if t <= u < t + 60]) for t in times), default=0)
        note("5a: %d REST requests in 14 s with --budget 5: %s" %
             (len(rest), ", ".join("%.1f %s %s" % (r.time - c.started, r.method, r.path) for r in rest)))
        check("5a: --budget 5: never more than 5 requests in any 60 s", most <= 5, most)
        check("5a: --budget 5: the fake never had to answer 429", not refused, len(refused))
        check("5a: --budget 5: the budget was what held the client back (5 requests made)",
              len(rest) >= 5, len(rest))
        snapshots = JsonObjects(c).poll()
        check("5a: --budget 5: the table is printed while the stream cannot stay up",
              snapshots and len(snapshots[-1][1].get("spaces", [])) == 5, c.out()[-300:])
        check("5a: --budget 5: --duration ends the client on time while it waits for its budget",
              on_time and c.took() < 14 + 5, round(c.took(), 1))
        check("5a: --budget 5: exit 0", code == 0, (code, c.err()[-500:]))


# === 6. unreachable: exit 4 ==============================================================
def unreachable():
    port = free_port()  # nothing listens there any more
    c = client("--api-url", "http://127.0.0.1:%d/v2" % port, "--duration", "60",
               name="unreachable client")
    code = c.wait(60)
    if code is None:
        code = c.stop()
    note("6: unreachable after %.1f s" % c.took())
    check("6: an unreachable server: exit 4", code == 4, (code, c.err()[-500:]))
    check("6: ... with one line saying so", c.err().count(b"\n") == 1 and b"127.0.0.1" in c.err(),
          c.err()[-500:])


# === 9. --duration and --iterations end the client on time on a quiet stream =================
def quiet_exits():
    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=fd.silent) as fake:
        c = client("--api-url", fake.base, "--duration", "2", name="quiet --duration client")
        code = c.wait(25)
        took = c.took()
        if code is None:
            code = c.stop()
        check("9: --duration 2 on a quiet stream: exit 0 within 5 s", code == 0 and took < 5,
              "exit %r after %.1f s" % (code, took))
        c = client("--api-url", fake.base, "--interval", "1", "--iterations", "1",
                   name="quiet --iterations client")
        code = c.wait(25)
        took = c.took()
        if code is None:
            code = c.stop()
        check("9: --interval 1 --iterations 1 on a quiet stream: exit 0 within 5 s",
              code == 0 and took < 5 and b"Tiny Campus" in c.out(), "exit %r after %.1f s" % (code, took))
    # Ending while the websocket is still connecting is our doing, not a failure: the
    # client must not report "closed before established" on its way out.  A listener
    # whose accept queue is full leaves the client's TCP connect pending (SYN-SENT).
    with socket.socket() as full, \
            fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=fd.silent) as fake:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        queued = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(full.getsockname())
            queued.append(filler)
        fake.ws_port = full.getsockname()[1]
        c = client("--api-url", fake.base, "--duration", "2", name="pending-handshake client")
        code = c.wait(25)
        if code is None:
            code = c.stop()
        check("9: ending while the websocket still connects: exit 0 and nothing on stderr",
              code == 0 and c.err() == b"", (code, c.err()[-300:]))
        for filler in queued:
            filler.close()


# === 5b. a 429 is waited out =================================================================
def chatty(ws):
    """Sends a message Density clients ignore (not a count) every 0.3 s."""
    while True:
        try:
            ws.send_text(json.dumps({"payload": {"type": "heartbeat"}, "version": "v2"}))
        except OSError:
            return
        time.sleep(0.3)


def waits_out_429():
    answered_429 = []

    def first_spaces_429(request):
        if request.path.startswith("/v2/spaces") and not answered_429:
            answered_429.append(request.time)
            return 429, {"Retry-After": "2"}, {"detail": "Request was throttled. Expected available in 2 seconds."}
        return None

    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=chatty, hook=first_spaces_429) as fake:
        c = client("--api-url", fake.base, "--interval", "1", "--iterations", "1", name="429 client")
        code = c.wait(30)
        if code is None:
            code = c.stop()
        spaces_requests = [r for r in fake.rest_requests() if r.path.startswith("/v2/spaces")]
        waited = spaces_requests[1].time - spaces_requests[0].time if len(spaces_requests) >= 2 else None
        note("5b: the client asked again %s s after the 429" % (waited and round(waited, 2)))
        check("5b: a 429 with Retry-After: 2 is waited out: the table, exit 0",
              code == 0 and b"Tiny Campus" in c.out() and b"Room A" in c.out(),
              (code, c.out()[-300:], c.err()[-300:]))
        check("5b: ... asking again after about 2 s, not before (and not twice in the wait)",
              waited is not None and 1.9 <= waited <= 10 and
              len([r for r in spaces_requests if r.time < spaces_requests[0].time + 1.9]) == 1,
              [round(r.time - spaces_requests[0].time, 2) for r in spaces_requests])


# === 6. exit statuses: wrong token 3, no token 2 =============================================
def exit_statuses():
    mock = Mock("--rate-limit", "0", "--seed", "6")
    wrong = "wrong-" + secrets.token_hex(8)
    c = client("--api-url", mock.base, "--duration", "20", env=dict(BASE_ENV, DENSITY_API_TOKEN=wrong),
               name="wrong token client")
    code = c.wait(25)
    if code is None:
        code = c.stop()
    check("6: a wrong token: exit 3", code == 3, (code, c.err()[-500:]))
    check("6: ... saying the token was rejected", b"token rejected by " in c.err(), c.err()[-500:])
    check("6: ... without echoing the wrong token", wrong.encode() not in c.out() + c.err())
    c = client("--api-url", mock.base, "--duration", "20", env=BASE_ENV, name="no token client")
    code = c.wait(25)
    if code is None:
        code = c.stop()
    check("6: no token at all: exit 2", code == 2, (code, c.err()[-500:]))
    check("6: ... with one line naming DENSITY_API_TOKEN", c.err().count(b"\n") == 1 and
          b"DENSITY_API_TOKEN" in c.err(), c.err()[-500:])
    mock.stop()


# === 7. malformed and hostile messages ===========================================================
HOSTILE_NAME = "Evil\u001b[2J\u001b]0;pwned\u0007Room"
MIB = 1024 * 1024
junk_span = []  # when the junk began and ended


def hostile(ws):
    fake = ws.fake
    opened = ws.request.time
    # Wait for the count refresh the client makes once connected, so that
    # what follows is newer than it.
    fake.wait_for(lambda: any(r.path.startswith("/v2/spaces") and r.time > opened and r.status == 200
                              for r in fake.requests), 5)
    time.sleep(0.3)

    def good(space_id, count, **fields):  # "padding" as in the 1 MiB ones: only the size differs
        return fd.count_message(space_id, count, padding="", **fields)

    def accepted(space_id, count, **fields):
        # The server's REST counts agree with what it streams, as Density's do:
        # the unknown space in the junk makes the client fetch them again.
        for space in fake.site["spaces"]:
            if space["id"] == space_id:
                space["current_count"] = count
        return good(space_id, count, **fields)

    ws.send_text(accepted("spc_3a", 11, event_id="evt_first"))
    time.sleep(0.3)
    ws.send_fragmented(accepted("spc_3b", 21), 3)  # fragments are reassembled
    time.sleep(0.3)
    junk = [
        "{not json",
        json.dumps({"payload": {"type": "count", "space_id": "spc_3b", "count": "7", "direction": 1,
                                "event_id": "evt_t", "timestamp": fd.now_iso()}, "version": "v2"}),
        good("spc_nope\u001b[31m\u0007", 3),                  # an unknown space
        fd.count_message("spc_3a", 50, padding="A" * MIB),     # 1 MiB in one frame
        ("fragments", fd.count_message("spc_3a", 51, padding="B" * MIB)),
        "[" * 30000 + "]" * 30000,                             # deep nesting
        ("binary", b"\x00\xff\xfe\x01 not text"),
        good("spc_3a", 99, event_id="evt_first"),              # a duplicate event id
        good("spc_3a", -5),                                    # a negative count
        good("spc_3a", 10 ** 30),                              # past any integer
        good("spc_3a", 77, timestamp="2001-01-01T00:00:00.000Z"),  # long stale
        good("spc_3a", 78, timestamp="yesterday"),
        good("spc_3a\u0000x", 79),                             # a NUL in an id
        json.dumps({"payload": {"type": "count", "space_id": 7, "count": 80, "direction": 1,
                                "event_id": "evt_n", "timestamp": fd.now_iso()}}),
        json.dumps({"version": "v2"}), json.dumps({"payload": 5}), "null", "[]", '"text"', "",
        "ping",
    ]
    junk_span.append(time.monotonic())
    for repeat in range(3):
        for item in junk:
            if isinstance(item, tuple) and item[0] == "fragments":
                ws.send_fragmented(item[1], 64)
            elif isinstance(item, tuple):
                ws.send_binary(item[1])
            else:
                ws.send_text(item)
            time.sleep(0.05)
        if repeat == 1:
            ws.send_text(accepted("spc_3c", 5))  # the space with the hostile name, mid-junk
            time.sleep(0.3)
    junk_span.append(time.monotonic())
    ws.send_text(accepted("spc_3a", 12))
    ws.send_text(accepted("spc_3b", 22))
    time.sleep(0.3)
    ws.send_text(accepted("spc_3a", 13))
    chatty(ws)


def hostile_stream():
    duration = 12
    with fd.FakeDensity(TOKEN, fd.tiny_site({"c": HOSTILE_NAME}), ws_handler=hostile) as fake:
        c = client("--api-url", fake.base, "--duration", str(duration), name="hostile stream client")
        code = c.wait(duration + 20)
        took = c.took()
        if code is None:
            code = c.stop(signal.SIGKILL)
        out, err = c.out(), c.err()
        printed = {}
        for line in out.decode(errors="replace").splitlines():
            fields = line.split(" ", 3)
            if len(fields) >= 3:
                printed.setdefault(fields[1], []).append(fields[2])
        note("7: printed %s" % printed)
        check("7: no crash: the client exits 0 at --duration", code == 0 and took < duration + 5,
              "exit %r after %.1f s: %s" % (code, took, err[-500:]))
        check("7: good counts before and after the junk: Room A 11, 12, 13",
              printed.get("spc_3a") == ["11", "12", "13"], printed.get("spc_3a"))
        check("7: a fragmented message, and one after the junk: Room B 21, 22",
              printed.get("spc_3b") == ["21", "22"], printed.get("spc_3b"))
        check("7: a good message in the middle of the junk: the hostile-named space 5",
              printed.get("spc_3c") == ["5"], printed.get("spc_3c"))
        check("7: nothing printed for junk (wrong types, unknown space, 1 MiB, duplicate, stale...)",
              set(printed) <= {"spc_3a", "spc_3b", "spc_3c"}, sorted(printed))
        check("7: no ESC and no BEL on stdout (the name came with escape sequences)",
              b"\x1b" not in out and b"\x07" not in out, out[-500:])
        check("7: no ESC, BEL or other control character on stderr",
              not any(b < 0x20 and b != 0x0a for b in err), err[-500:])
        stream_lines = [line for line in err.split(b"\n") if line.startswith(b"occtop: stream:")]
        span = junk_span[1] - junk_span[0] if len(junk_span) == 2 else None
        note("7: %d 'occtop: stream:' lines for 60 junk messages over %s s, e.g. %s"
             % (len(stream_lines), span and round(span, 1), stream_lines[:1]))
        check("7: malformed messages logged as 'occtop: stream: ...'", stream_lines, err[-500:])
        check("7: ... at most one line a second",
              span is not None and 1 <= len(stream_lines) <= span + 2, (len(stream_lines), span))
        check("7: ... each line short (no 1 MiB message echoed)",
              all(len(line) < 1000 for line in err.split(b"\n")),
              max(len(x) for x in err.split(b"\n")))
        check("7: the junk did not cost the connection (one websocket)", len(fake.handshakes) == 1,
              len(fake.handshakes))


background = [in_background("4 (silent server)", ping_silent),
              in_background("4 (server answering pings)", ping_answered),
              in_background("5a (budget)", budget_fake), in_background("5b (429)", waits_out_429),
              in_background("6 (unreachable)", unreachable), in_background("6 (tokens)", exit_statuses),
              in_background("7 (hostile stream)", hostile_stream),
              in_background("9 (quiet exits)", quiet_exits)]

# === 1. the full hierarchy, across pages ======================================================
def big_site(total=2500):
    """1 campus > 2 buildings > 12 floors each > rooms, 2,500 spaces in all;
    building entrances (campus and building) and a door for every tenth room."""
    spaces, doorways, sensors = [], [], []
    serial = iter(range(10 ** 17, 10 ** 18))

    def space(name, space_type, parent):
        s = {"id": "spc_%d" % next(serial), "name": name, "space_type": space_type,
             "parent_id": parent and parent["id"], "current_count": 0, "doorways": [],
             "counting_mode": "doorways", "time_zone": "America/New_York", "daily_reset": "04:00"}
        spaces.append(s)
        return s

    def doorway(name, linked):
        d = {"id": "drw_%d" % next(serial), "name": name,
             "sensor_serial_number": "S%d" % next(serial), "spaces": []}
        for s in linked:
            link = "lnk_%d" % next(serial)
            d["spaces"].append({"id": s["id"], "name": s["name"], "link_id": link,
                                "sensor_placement": 1})
            s["doorways"].append({"id": d["id"], "name": name, "link_id": link,
                                  "sensor_placement": 1})
        doorways.append(d)
        sensors.append({"serial_number": d["sensor_serial_number"], "doorway_id": d["id"],
                        "doorway_name": name, "status": "online"})

    campus = space("Big Campus", "campus", None)
    floors = []
    for b in (1, 2):
        building = space("Building %d" % b, "building", campus)
        doorway("Building %d Entrance" % b, [campus, building])
        floors += [space("B%d Floor %d" % (b, f), "floor", building) for f in range(1, 13)]
    room = 0
    while len(spaces) < total:
        r = space("Room %d" % room, "space", floors[room % len(floors)])
        if room % 10 == 0:
            doorway("Room %d Door" % room, [r])
        room += 1
    return {"name": "2,500 spaces", "spaces": spaces, "doorways": doorways, "sensors": sensors}


site = big_site()
big_file = os.path.join(work, "big-site.json")
with open(big_file, "w") as f:
    json.dump(site, f)
mock = Mock("--rate-limit", "0", "--seed", "1", site=big_file)
served, pages = server_spaces(mock.base)
check("1: the mock serves the 2,500 spaces in 3 pages of 1000 (curl)",
      served is not None and len(served) == 2500 and pages == 3, (len(served or []), pages))
# The token from --token-file here (DENSITY_API_TOKEN everywhere else).
c = client("--api-url", mock.base, "--token-file", token_file, "--interval", "1", "--iterations",
           "1", "--format", "json", env=BASE_ENV, name="2,500 spaces client")
code = c.wait(60)
if code is None:
    code = c.stop()
objects = JsonObjects(c).poll()
table = objects[0][1] if len(objects) == 1 and isinstance(objects[0][1], dict) else {}
check("1: 2,500 spaces: exit 0 and one JSON table", code == 0 and table.get("spaces"),
      (code, c.out()[:300], c.err()[-500:]))
got = {s["id"]: (s["name"], s.get("parent_id")) for s in table.get("spaces", [])}
want = {s["id"]: (s["name"], s["parent_id"]) for s in site["spaces"]}
check("1: all 2,500 spaces in the client's table, each once", len(table.get("spaces", [])) == 2500
      and len(got) == 2500, len(table.get("spaces", [])))
check("1: the same ids, names and parents as the site file", got == want, differences(got, want))
check("1: no problems reported", table.get("problems") == [], str(table.get("problems"))[:500])
mock.stop()

# === 2. live counts equal the server's after 1,000 events =====================================
mock = Mock("--rate", "200", "--events", "1000", "--rate-limit", "0", "--seed", "2024")
snap_client = client("--api-url", mock.base, "--interval", "1", "--format", "json", "--duration", "40",
                     name="snapshot client")
line_client = client("--api-url", mock.base, "--format", "json", "--duration", "40",
                     name="lines client")
final, quiet_at = wait_quiet(mock.base, 30)
check("2: the mock's 1,000 events end (its counts stop changing)", final is not None)
snapshots = JsonObjects(snap_client)
matched, last = None, None
deadline = (quiet_at or time.monotonic()) + 5
while final is not None and time.monotonic() < deadline and matched is None:
    for seen, snapshot in snapshots.poll():
        if seen > quiet_at:
            last = snapshot_counts(snapshot)
            if last == final:
                matched = seen - quiet_at
    time.sleep(0.1)
check("2: after 1,000 events the client's table equals GET /spaces/ for every space (78)",
      matched is not None and len(final) == 78, differences(last, final))
time.sleep(1.0)  # the lines client prints changes within a tick
snap_code, line_code = snap_client.stop(), line_client.stop()
lines = [value for _, value in JsonObjects(line_client).poll()]
latest = {}
for line in lines:
    latest[line.get("space_id")] = line.get("count")
check("2: the lines client printed the changes as they came (hundreds of lines)",
      len(lines) >= 200, len(lines))
check("2: every line has time, space_id, name, count and connection",
      lines and all(set(line) == {"time", "space_id", "name", "count", "connection"} for line in lines),
      lines[:2])
check("2: the last line of each space equals the server's count",
      final is not None and latest and all(final.get(k) == v for k, v in latest.items()),
      differences(latest, {k: (final or {}).get(k) for k in latest}))
check("2: both clients end with 0 on SIGTERM", snap_code == 0 and line_code == 0,
      (snap_code, line_code, snap_client.err()[-300:], line_client.err()[-300:]))
mock.stop()

# === 3. the server killed and restarted ten times on the same port ==================================
port = free_port()
base = "http://127.0.0.1:%d/v2" % port
mock = Mock("--rate", "100", "--events", "300", "--rate-limit", "0", "--seed", "300", port=port)
follower = client("--api-url", base, "--interval", "1", "--format", "json", "--duration", "170",
                  name="restart client")
snapshots = JsonObjects(follower)
caught_up, quiet_lags, finals = [], [], []
for round_number in range(10):
    if round_number:
        # Killed with its websocket open; every other round also a server killed
        # in the middle of a fast stream first.
        mock.stop(signal.SIGKILL)
        if round_number % 2:
            flash = Mock("--rate", "1000", "--rate-limit", "0", "--seed", str(900 + round_number),
                         port=port)
            time.sleep(1.0)
            flash.stop(signal.SIGKILL)
        mock = Mock("--rate", "100", "--events", "300", "--rate-limit", "0",
                    "--seed", str(300 + round_number), port=port)
    restarted = time.monotonic()
    final, quiet_at = wait_quiet(base, 20)
    finals.append(json.dumps(final, sort_keys=True))
    matched, last = None, None
    deadline = (quiet_at or time.monotonic()) + 5
    while final is not None and time.monotonic() < deadline and matched is None:
        for seen, snapshot in snapshots.poll():
            if seen > quiet_at:
                last = snapshot_counts(snapshot)
                if last == final:
                    matched = seen
        time.sleep(0.1)
    if matched is not None:
        caught_up.append(round(matched - restarted, 1))
        quiet_lags.append(round(matched - quiet_at, 1))
    else:
        check("3: server %d of 10: the client equals it within 5 s of it going quiet"
              % (round_number + 1), False, (differences(last, final), follower.err()[-500:]))
note("3: caught up %s s after each restart (%s s after the server went quiet)"
     % (caught_up, quiet_lags))
check("3: ten restarts on the same port: each time the client's counts equal the new server's "
      "within 5 s", len(caught_up) == 10, caught_up)
check("3: each new server has other counts (different seeds)", len(set(finals)) == 10,
      len(set(finals)))
check("3: the client ran the whole time", follower.running(), follower.err()[-500:])
code = follower.stop()
check("3: the client ends with 0 on SIGTERM", code == 0, (code, follower.err()[-500:]))
mock.stop()

# === 5a. against the real mock: --rate-limit 5 and --budget 5 ===========================================
mock = Mock("--rate-limit", "5", "--seed", "5")
c = client("--api-url", mock.base, "--budget", "5", "--interval", "1", "--iterations", "1",
           "--format", "json", name="budget 5 client")
code = c.wait(50)
took = c.took()
if code is None:
    code = c.stop()
objects = JsonObjects(c).poll()
check("5a: --budget 5 against --rate-limit 5: the table, exit 0, without waiting for a new minute",
      code == 0 and objects and len(objects[0][1].get("spaces", [])) == 78 and took < 30,
      (code, round(took, 1), c.err()[-500:]))
mock.stop()

# === the checks running in the background ==============================================================
for thread in background:
    thread.join(120)
    check("background check %s finished" % thread.name, not thread.is_alive())

# === 8. the token never appears ==========================================================================
for proc in Proc.everyone:
    if proc.running():
        proc.stop(signal.SIGKILL)
with outputs_lock:
    everything = [(p.name, p.out() + p.err()) for p in Proc.everyone] + outputs
leaks = [name for name, data in everything if TOKEN.encode() in data]
check("8: the token appears in none of the outputs of %d processes" % len(everything), not leaks, leaks)
crashes = [(p.name, p.process.returncode) for p in Proc.everyone if p.process.returncode is not None
           and p.process.returncode < 0 and p.process.returncode not in (-signal.SIGKILL, -signal.SIGTERM)]
check("no process died of a signal we did not send", not crashes, crashes)

note("took %.0f s" % (time.monotonic() - T0))
shutil.rmtree(work, ignore_errors=True)
if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
