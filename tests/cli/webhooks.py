#!/usr/bin/env python3
"""Webhooks through the real binary (occtop --serve --rate 50), the real curl
command and a small HTTP receiver on loopback (http.server in a thread):

  1. POST, GET, PUT, DELETE /webhooks/ in the reference's shape; 400s naming
     the field (a bad endpoint, a header value with CR/LF, a body that is not
     an object, no endpoint), 404s for unknown ids;
  2. every space event reaches the webhook exactly once and in order: per
     space, the payloads received are the rows of the mock's own
     /spaces/:id/events/ over the same window, one for one, in the same
     order; with the configured headers and Content-Type: application/json,
     in the reference's payload shape;
  3. the receiver answers 503 for 2 s, then refuses connections for 5 s,
     then comes back: nothing lost, nothing twice, order kept (2 holds over
     the whole run), and the webhook's delivery counters say it retried;
  4. a webhook disabled stops receiving (and starts again when enabled); a
     webhook deleted stops receiving and is 404;
  5. the API token never reaches the receiver nor any output, and the
     configured header value never appears in the server's output.

The site goes quiet after --events (so that every queue drains); the whole
takes about a minute."""
import http.server
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
OCCTOP = os.environ.get("OCCTOP", os.path.join(TOP, "src", "occtop"))
SITE = os.path.join(TOP, "data", "demo-campus.json")
TOKEN = "tok-" + secrets.token_hex(16)
HEADER_SECRET = "hdr-" + secrets.token_hex(12)  # a configured header value: never logged
RATE = 50             # sensor events per second
EVENTS = 2000         # then the site is quiet: 40 s of traffic
work = tempfile.mkdtemp(prefix="occtop-webhooks.")
token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(token_file, 0o600)
curl_config = os.path.join(work, "curl.conf")  # the token stays out of curl's argv
with open(curl_config, "w") as f:
    f.write('header = "Authorization: Bearer %s"\n' % TOKEN)
os.chmod(curl_config, 0o600)
ENV = dict(os.environ, OCCTOP_DATA_DIR=os.path.join(TOP, "data"),
           NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
for name in ("DENSITY_API_TOKEN", "DENSITY_API_URL", "http_proxy", "HTTP_PROXY",
             "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    ENV.pop(name, None)

failures = []
print_lock = threading.Lock()
outputs = []  # (what, bytes): every output, for the token check
T0 = time.monotonic()


def check(what, condition, detail=""):
    with print_lock:
        if condition:
            print("ok:", what)
        else:
            print("FAIL:", what, detail if isinstance(detail, str) else repr(detail)[:2000],
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

    def __init__(self, args, name):
        self.name = name
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=ENV)
        self._out, self._err = bytearray(), bytearray()
        self._lock = threading.Lock()
        self._readers = [threading.Thread(target=self._read, args=(self.process.stdout, self._out),
                                          daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stderr, self._err),
                                          daemon=True)]
        for reader in self._readers:
            reader.start()

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

    def running(self):
        return self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(10)
        for reader in self._readers:
            reader.join(5)
        return code


def curl(method, url, data=None):
    """A request through the real curl: (status, parsed body or text)."""
    command = ["curl", "-sS", "-K", curl_config, "-o", "-", "-w", "\n%{http_code}", "-X", method]
    if data is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", data]
    result = subprocess.run(command + [url], capture_output=True, timeout=30, env=ENV)
    outputs.append(("curl", result.stdout + result.stderr))
    body, _, status = result.stdout.decode(errors="replace").rpartition("\n")
    try:
        return int(status or 0), json.loads(body) if body else None
    except ValueError:
        return int(status or 0), body


class Receiver:
    """HTTP on 127.0.0.1: records every POST by path, in arrival order.  mode
    "ok" answers 204 and records; "503" answers 503 and records nothing;
    close() refuses connections until reopen() (same port)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = {}      # path -> [(headers, raw body)]
        self.refused_503 = 0
        self.mode = "ok"
        self.port = 0
        self.server = None
        self.reopen()

    def reopen(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    ok = receiver.mode == "ok"
                    if ok:
                        receiver.posts.setdefault(self.path, []).append(
                            ([(k, v) for k, v in self.headers.items()], body))
                    else:
                        receiver.refused_503 += 1
                self.send_response(204 if ok else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def count(self, path):
        with self.lock:
            return len(self.posts.get(path, []))

    def received(self, path):
        with self.lock:
            return list(self.posts.get(path, []))


def url_of(path):
    return "http://127.0.0.1:%d%s" % (rx.port, path)


def delivery(base, hook_id):
    status, body = curl("GET", "%s/webhooks/%s/" % (base, hook_id))
    return body.get("delivery", {}) if status == 200 and isinstance(body, dict) else {}


def wait_until(what, condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return check(what, False, "not within %d s" % timeout)


# === start ============================================================================================
rx = Receiver()
mock = Proc([OCCTOP, "--serve", "--site", SITE, "--seed", "1", "--rate", str(RATE),
             "--events", str(EVENTS), "--rate-limit", "0", "--token-file", token_file,
             "--listen", "127.0.0.1:0"], "mock")
deadline = time.monotonic() + 60
while b"\n" not in mock.out() and time.monotonic() < deadline and mock.running():
    time.sleep(0.02)
base = mock.out().split(b"\n")[0].decode(errors="replace").strip()
if not base.startswith("http://127.0.0.1:"):
    mock.stop(signal.SIGKILL)
    sys.exit("the mock did not print its base URL: %r %r" % (mock.out()[:200], mock.err()[-2000:]))
traffic_ends = time.monotonic() + EVENTS / RATE

# === 1. the endpoints ==================================================================================
status, listed = curl("GET", base + "/webhooks/")
check("1: GET /webhooks/ at first: an empty list", status == 200 and listed == {
    "total": 0, "next": None, "previous": None, "results": []}, (status, listed))
main_headers = {"X-Webhook-Secret": HEADER_SECRET, "X-Trace": "a b\tc"}
status, main = curl("POST", base + "/webhooks/", json.dumps({
    "endpoint": url_of("/main"), "headers": main_headers, "name": "main"}))
check("1: POST /webhooks/: 201", status == 201, (status, main))
MAIN = main["id"]
check("1: the reference's shape: id whk_<digits>, version v2, type counts, enabled by default",
      MAIN.startswith("whk_") and MAIN[4:].isdigit() and main["version"] == "v2" and
      main["type"] == "counts" and main["enabled"] is True and main["headers"] == main_headers and
      main["name"] == "main" and main["description"] is None and
      main["endpoint"] == url_of("/main"), main)
check("1: a read-only delivery object", isinstance(main.get("delivery"), dict) and
      set(main["delivery"]) == {"delivered", "retried", "dropped", "queued", "last_error"},
      main.get("delivery"))
status, got = curl("GET", "%s/webhooks/%s/" % (base, MAIN))
check("1: GET /webhooks/:id/ shows it", status == 200 and got["id"] == MAIN and
      got["endpoint"] == main["endpoint"], (status, got))
ids = {}
for name in ("off", "gone"):
    status, body = curl("POST", base + "/webhooks/", json.dumps({"endpoint": url_of("/" + name),
                                                                "name": name}))
    check("1: POST /webhooks/ (%s): 201" % name, status == 201, (status, body))
    ids[name] = body["id"]
status, listed = curl("GET", base + "/webhooks/?page_size=2")
check("1: the list is paginated, in creation order",
      status == 200 and listed["total"] == 3 and [w["id"] for w in listed["results"]] ==
      [MAIN, ids["off"]] and listed["next"] and "page=2" in listed["next"], (status, listed))

for what, body, field in [
        ("an endpoint that is not http(s)", {"endpoint": "ftp://127.0.0.1/x"}, "endpoint"),
        ("an endpoint without a host", {"endpoint": "http:///x"}, "endpoint"),
        ("no endpoint", {"name": "x"}, "endpoint"),
        ("a header value with CR/LF", {"endpoint": url_of("/x"),
                                       "headers": {"X-A": HEADER_SECRET + "\r\nX-Injected: 1"}},
         "headers"),
        ("a header value with LF", {"endpoint": url_of("/x"), "headers": {"X-A": "a\nb"}},
         "headers"),
        ("a header name with a space", {"endpoint": url_of("/x"), "headers": {"X A": "b"}},
         "headers"),
        ("headers that are not an object", {"endpoint": url_of("/x"), "headers": ["X-A: b"]},
         "headers"),
        ("a Host header", {"endpoint": url_of("/x"), "headers": {"Host": "elsewhere"}},
         "headers"),
        ("a name that is not a string", {"endpoint": url_of("/x"), "name": 5}, "name"),
        ("enabled that is not a boolean", {"endpoint": url_of("/x"), "enabled": "no"},
         "enabled")]:
    status, answer = curl("POST", base + "/webhooks/", json.dumps(body))
    check("1: POST with %s: 400 naming %s" % (what, field),
          status == 400 and field in json.dumps(answer), (status, answer))
    check("1: ... and the header value is not quoted back",
          HEADER_SECRET not in json.dumps(answer), answer)
for what, data in [("a JSON array", "[]"), ("a string", '"http://a/"'), ("no JSON", "{nope"),
                   ("an empty body", "")]:
    status, answer = curl("POST", base + "/webhooks/", data)
    check("1: POST with %s as the body: 400" % what,
          status == 400 and "request body" in json.dumps(answer), (status, answer))
status, answer = curl("PUT", "%s/webhooks/%s/" % (base, MAIN), json.dumps({"endpoint": "nope"}))
check("1: PUT with a bad endpoint: 400 naming endpoint, nothing changed",
      status == 400 and "endpoint" in json.dumps(answer) and
      curl("GET", "%s/webhooks/%s/" % (base, MAIN))[1]["endpoint"] == url_of("/main"),
      (status, answer))
for method in ("GET", "PUT", "DELETE"):
    status, answer = curl(method, base + "/webhooks/whk_1/",
                          json.dumps({"enabled": False}) if method == "PUT" else None)
    check("1: %s of an unknown id: 404" % method, status == 404 and "whk_1" in json.dumps(answer),
          (status, answer))
status, _ = curl("PATCH", "%s/webhooks/%s/" % (base, MAIN), "{}")
check("1: PATCH: 405", status == 405, status)
status, listed = curl("GET", base + "/webhooks/?page_size=100")
check("1: the 400s created nothing", status == 200 and listed["total"] == 3, listed)

# === 3. a receiver that fails, then comes back =======================================================
time.sleep(4)
with rx.lock:
    rx.mode = "503"
note("receiver: 503 for 2 s")
time.sleep(2)
rx.close()
note("receiver: refusing connections for 5 s")
time.sleep(5)
with rx.lock:
    rx.mode = "ok"
rx.reopen()
note("receiver: back (port %d)" % rx.port)
check("3: the receiver saw 503 answers during the outage", rx.refused_503 > 0, rx.refused_503)

# === 4. disabled and deleted webhooks ================================================================
wait_until("4: the webhooks caught up after the outage",
           lambda: all(delivery(base, i).get("queued", 1) < 50 for i in (MAIN, ids["off"],
                                                                          ids["gone"])), 60)
status, body = curl("PUT", "%s/webhooks/%s/" % (base, ids["off"]), json.dumps({"enabled": False}))
check("4: PUT enabled false: 200, enabled false", status == 200 and body["enabled"] is False,
      (status, body))
status, body = curl("DELETE", "%s/webhooks/%s/" % (base, ids["gone"]))
check("4: DELETE: 204 without a body", status == 204 and body is None, (status, body))
status, _ = curl("GET", "%s/webhooks/%s/" % (base, ids["gone"]))
check("4: GET after DELETE: 404", status == 404, status)
time.sleep(1)  # what was in flight lands
off_count, gone_count, main_count = rx.count("/off"), rx.count("/gone"), rx.count("/main")
time.sleep(4)
check("4: the disabled webhook receives nothing more", rx.count("/off") == off_count,
      (off_count, rx.count("/off")))
check("4: the deleted webhook receives nothing more", rx.count("/gone") == gone_count,
      (gone_count, rx.count("/gone")))
check("4: ... while the other one still does", rx.count("/main") > main_count,
      (main_count, rx.count("/main")))
check("4: the disabled webhook's queue is empty", delivery(base, ids["off"]).get("queued") == 0)
if time.monotonic() < traffic_ends - 4:
    status, body = curl("PUT", "%s/webhooks/%s/" % (base, ids["off"]),
                        json.dumps({"enabled": True}))
    check("4: enabled again: 200", status == 200 and body["enabled"] is True, (status, body))
    wait_until("4: enabled again, it receives again", lambda: rx.count("/off") > off_count, 10)
else:
    note("4: the traffic ends too soon to enable it again; skipped")

# === 2. every event, once, in order ==================================================================
wait_until("2: the traffic ends", lambda: time.monotonic() > traffic_ends + 1, EVENTS / RATE + 30)
last = [None]


def drained():
    d = delivery(base, MAIN)
    now = (d.get("queued"), d.get("delivered"))
    settled = now[0] == 0 and now == last[0]
    last[0] = now
    return settled


wait_until("2: the webhook's queue drains", drained, 120)
d = delivery(base, MAIN)
posts = rx.received("/main")
note("main webhook: %d payloads received; delivery %s" % (len(posts), d))
check("3: the webhook retried during the outage, dropped nothing, no error left",
      d.get("retried", 0) > 0 and d.get("dropped") == 0 and d.get("last_error") is None, d)
check("2: delivered counts what the receiver got", d.get("delivered") == len(posts),
      (d.get("delivered"), len(posts)))
check("2: a real amount of traffic (at least 1000 payloads)", len(posts) >= 1000, len(posts))

payloads, bad_headers = [], []
for headers, raw in posts:
    names = {k.lower(): v for k, v in headers}
    if (names.get("content-type") != "application/json" or
            names.get("x-webhook-secret") != HEADER_SECRET or names.get("x-trace") != "a b\tc" or
            "authorization" in names):
        bad_headers.append(headers)
    payloads.append(json.loads(raw))
check("2: every POST has Content-Type: application/json and the configured headers, no "
      "Authorization", not bad_headers, bad_headers[:3])
shape = {"timestamp", "space_id", "doorway_id", "organization_id", "organization_name",
         "direction", "count"}
check("2: every payload in the reference's shape", all(set(p) == shape for p in payloads),
      [p for p in payloads if set(p) != shape][:3])
check("2: timestamps are ISO 8601 UTC with milliseconds",
      all(len(p["timestamp"]) == 24 and p["timestamp"].endswith("Z") and p["timestamp"][19] == "."
          for p in payloads), payloads[:1])
check("2: direction is 1 or -1, count an integer >= 0",
      all(p["direction"] in (1, -1) and isinstance(p["count"], int) and p["count"] >= 0
          for p in payloads))
check("2: organization_id org_1, organization_name the site's name",
      all(p["organization_id"] == "org_1" and p["organization_name"] for p in payloads),
      payloads[:1])

by_space = {}
for p in payloads:
    by_space.setdefault(p["space_id"], []).append((p["timestamp"], p["doorway_id"], p["direction"]))
first = min(p["timestamp"] for p in payloads) if payloads else "2000-01-01T00:00:00.000Z"
status, spaces = curl("GET", base + "/spaces/?page_size=1000")
space_ids = [s["id"] for s in spaces["results"]] if status == 200 else []
mismatched, missing, compared = [], [], 0
for sid in space_ids:
    events, url = [], "%s/spaces/%s/events/?start_time=%s&page_size=1000" % (
        base, sid, urllib.parse.quote(first))
    while url:
        status, page = curl("GET", url)
        if status != 200:
            mismatched.append((sid, "events: %s" % status))
            break
        events += [(e["timestamp"], e["doorway_id"], e["direction"]) for e in page["results"]]
        url = page["next"]
    got = by_space.get(sid, [])
    # An event of the same millisecond as the first payload, made before the
    # webhook was, may lead the log: the only difference allowed.
    while events and len(events) > len(got) and events[0][0] == first:
        events.pop(0)
    compared += len(events)
    if events != got:
        extra = len(got) - len(events)
        mismatched.append((sid, len(events), len(got), extra,
                           next(((i, e, g) for i, (e, g) in enumerate(zip(events, got)) if e != g),
                                None)))
    if events and not got:
        missing.append(sid)
note("compared %d events of %d spaces with the mock's /events" % (compared, len(space_ids)))
check("2: per space, the payloads are the mock's events one for one, in the same order "
      "(none lost, none twice)", not mismatched and compared == len(payloads),
      (mismatched[:5], compared, len(payloads)))
check("2: no space with events went without payloads", not missing, missing[:5])
check("2: a doorway linked to two spaces gives two payloads (one per space)",
      any(sum(1 for p in payloads if (p["timestamp"], p["doorway_id"]) == key) >= 2
          for key in {(p["timestamp"], p["doorway_id"]) for p in payloads[:200]}))

# === 5. secrets ======================================================================================
received_bytes = b"".join(repr(h).encode() + raw for path in list(rx.posts) for h, raw in
                          rx.received(path))
check("5: the API token never reaches the receiver", TOKEN.encode() not in received_bytes)
code = mock.stop()
check("the mock ends with 0 on SIGTERM", code == 0, (code, mock.err()[-1000:]))
outputs += [("mock", mock.out() + mock.err())]
leaks = [name for name, data in outputs if TOKEN.encode() in data]
check("5: the token appears in no output (%d outputs)" % len(outputs), not leaks, leaks)
check("5: the configured header value is not in the server's output",
      HEADER_SECRET.encode() not in mock.out() + mock.err(), mock.err()[-500:])
check("the mock said nothing unexpected on stderr",
      all(not line or b"warning" in line for line in mock.err().split(b"\n")), mock.err()[-1000:])

note("took %.0f s" % (time.monotonic() - T0))
rx.close()
shutil.rmtree(work, ignore_errors=True)
if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
