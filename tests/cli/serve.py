#!/usr/bin/env python3
"""occtop --serve through the real binary, the real curl command and a
websocket client (Debian's python3-websockets): authentication, errors,
pagination, counts against events, socket codes, the message shape, 100
clients at once, the rate limit, and the same events for the same seed."""
import asyncio
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time

import websockets

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
OCCTOP = os.environ.get("OCCTOP", os.path.join(TOP, "src", "occtop"))
SITE = os.path.join(TOP, "data", "demo-campus.json")
TOKEN = "tok-" + secrets.token_hex(16)
START = "2024-05-01T17:00:00Z"  # a Wednesday: 10:00 in San Francisco, 13:00 New York
failures = []
work = tempfile.mkdtemp(prefix="occtop-serve.")
token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(token_file, 0o600)


def check(what, condition, detail=""):
    if condition:
        print("ok:", what)
    else:
        print("FAIL:", what, detail, file=sys.stderr)
        failures.append(what)
    return condition


class Server:
    def __init__(self, *args):
        env = dict(os.environ, OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
        env.pop("DENSITY_API_TOKEN", None)
        self.process = subprocess.Popen(
            [OCCTOP, "--serve", "--listen", "127.0.0.1:0", "--site", SITE,
             "--token-file", token_file, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline().decode() if ready else ""
        self.base = line.strip()
        if not self.base.startswith("http://127.0.0.1:"):
            self.process.kill()
            raise SystemExit("the server did not print its base URL: %r %r"
                             % (line, self.process.stderr.read().decode()[-2000:]))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = None
        out = self.process.stdout.read().decode(errors="replace")
        err = self.process.stderr.read().decode(errors="replace")
        check("SIGTERM stops the server cleanly (exit 0)", code == 0, "exit %r: %s" % (code, err[-500:]))
        check("the token never appears in the server's output", TOKEN not in out + err)


def curl(url, token=TOKEN, method="GET", data=None):
    """Returns (status, headers, parsed JSON or raw text)."""
    headers_file = os.path.join(work, "headers")
    command = ["curl", "-sS", "-o", "-", "-D", headers_file, "-w", "\n%{http_code}", "-X", method]
    if token is not None:
        command += ["-H", "Authorization: Bearer " + token]
    if data is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", data]
    result = subprocess.run(command + [url], capture_output=True, timeout=30)
    text = result.stdout.decode()
    body, _, status = text.rpartition("\n")
    headers = {}
    with open(headers_file) as f:
        for line in f:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = body
    return int(status or 0), headers, parsed


def all_pages(url):
    items, pages = [], 0
    while url:
        status, _, body = curl(url)
        if status != 200:
            return None, pages
        items += body["results"]
        url = body["next"]
        pages += 1
    return items, pages


# --- errors, auth, shapes ------------------------------------------------------------
server = Server("--seed", "42", "--start", START, "--rate-limit", "0")
base = server.base
status, _, body = curl(base + "/spaces/", token=None)
check("no token: 403", status == 403, status)
check("no token: a JSON error body", isinstance(body, dict) and "detail" in body, body)
status, _, body = curl(base + "/spaces/", token="wrong-" + TOKEN)
check("wrong token: 403", status == 403, status)
status, _, _ = curl(base + "/nothing/here/")
check("unknown path: 404", status == 404, status)
status, _, body = curl(base + "/spaces/spc_000000000000000000/")
check("unknown space: 404 with JSON", status == 404 and isinstance(body, dict), (status, body))

spaces, pages = all_pages(base + "/spaces/?page_size=1000")
check("GET /spaces/ lists the demo site's 78 spaces", spaces is not None and len(spaces) == 78,
      len(spaces or []))
space_ids = [s["id"] for s in spaces or []]
busy = max(spaces, key=lambda s: s["current_count"] if s["counting_mode"] == "doorways" and s["doorways"] else -1)
sid = busy["id"]
status, _, space = curl(base + "/spaces/%s/" % sid)
check("GET /spaces/:id/: ancestry, doorways and a live count", status == 200 and
      isinstance(space.get("ancestry"), list) and space["doorways"] and "current_count" in space, space)

counts = base + "/spaces/%s/counts/" % sid
for what, query, parameter in [
        ("missing start_time", "?end_time=2024-05-01T12:00:00Z", "start_time"),
        ("missing end_time", "?start_time=2024-05-01T10:00:00Z", "end_time"),
        ("a timestamp that is not ISO 8601", "?start_time=yesterday&end_time=2024-05-01T12:00:00Z", "start_time"),
        ("a timestamp that is not UTC", "?start_time=2024-05-01T10:00:00%2B02:00&end_time=2024-05-01T12:00:00Z", "start_time"),
        ("an unsupported interval", "?start_time=2024-05-01T10:00:00Z&end_time=2024-05-01T12:00:00Z&interval=2m", "interval"),
        ("page_size over 1000", "?start_time=2024-05-01T10:00:00Z&end_time=2024-05-01T12:00:00Z&page_size=1001", "page_size"),
        ("order not ASC/DESC", "?start_time=2024-05-01T10:00:00Z&end_time=2024-05-01T12:00:00Z&order=UP", "order")]:
    status, _, body = curl(counts + query)
    check("400 for %s" % what, status == 400, status)
    check("the 400 body names %s" % parameter, parameter in json.dumps(body), body)

# --- pagination: no space missing or twice -----------------------------------------------
paged, pages = all_pages(base + "/spaces/?page_size=7")
check("pagination walks 12 pages of 7", pages == 12, pages)
check("pagination: no space missing or twice",
      paged is not None and sorted(s["id"] for s in paged) == sorted(space_ids) and
      len(set(s["id"] for s in paged)) == len(paged))
status, _, first = curl(base + "/spaces/?page_size=7")
check("pagination: total, next absolute, previous null on page 1",
      first["total"] == 78 and first["next"].startswith(base + "/spaces/") and first["previous"] is None, first)
status, _, last = curl(base + "/spaces/?page_size=7&page=12")
check("pagination: next null and previous set on the last page",
      last["next"] is None and last["previous"] and len(last["results"]) == 1, (last["next"], last["previous"]))

# --- counts analytics agree with the events endpoint ------------------------------------------
window = "start_time=2024-05-01T14:00:00Z&end_time=2024-05-01T16:00:00Z"
status, _, page = curl(counts + "?" + window + "&interval=5m&page_size=1000")
check("counts: 24 five-minute samples", status == 200 and page["total"] == 24 and len(page["results"]) == 24,
      (status, page if status != 200 else page["total"]))
entrances = sum(r["interval"]["analytics"]["entrances"] for r in page["results"])
exits = sum(r["interval"]["analytics"]["exits"] for r in page["results"])
events, _ = all_pages(base + "/spaces/%s/events/?%s&page_size=1000" % (sid, window))
check("the busy space had traffic in the window", events is not None and len(events) > 0, len(events or []))
check("counts entrances = +1 events of /events", entrances == sum(1 for e in events if e["direction"] == 1),
      (entrances, sum(1 for e in events if e["direction"] == 1)))
check("counts exits = -1 events of /events", exits == sum(1 for e in events if e["direction"] == -1))
check("metrics totals agree", page["metrics"]["entrances"]["total"] == entrances and
      page["metrics"]["exits"]["total"] == exits, page["metrics"])
check("event rows in the reference's shape",
      all(set(e) == {"id", "sensor_serial_number", "doorway_id", "timestamp", "direction"} for e in events))

# --- socket codes and the websocket stream ----------------------------------------------------
async def first_message(url, timeout=15):
    async with websockets.connect(url, open_timeout=10) as ws:
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def refused(url):
    try:
        async with websockets.connect(url, open_timeout=10) as ws:
            await asyncio.wait_for(ws.recv(), 3)
            return False
    except Exception:
        return True

status, _, ticket = curl(base + "/sockets", method="POST")
check("POST /sockets: 200, a ws:// URL with a code, ttl 300",
      status == 200 and ticket["url"].startswith("ws://127.0.0.1:") and "?code=skc_" in ticket["url"] and
      ticket["ttl"] == 300, ticket)
# libcurl sends "Content-Length: 0" with an empty POST (the curl command does
# not): one answer, in JSON, and the server still up for the next request.
status, _, empty = curl(base + "/sockets", method="POST", data="")
check("POST /sockets with an empty body (Content-Length: 0): 200, one JSON answer",
      status == 200 and isinstance(empty, dict) and "url" in empty, (status, empty))
check("... and the server answers the next request", curl(base + "/tags/")[0] == 200)
message = asyncio.run(first_message(ticket["url"]))
# The reference's shape, plus the doorway of the crossing (for the event log;
# a client of the reference ignores a field it does not know).
check("a message in the reference's shape, plus doorway_id",
      set(message) == {"payload", "request_id", "version"} and
      set(message["payload"]) == {"count", "direction", "doorway_id", "event_id", "space_id", "timestamp",
                                  "type"} and
      message["payload"]["doorway_id"].startswith("drw_") and
      message["version"] == "v2" and message["payload"]["type"] == "count", message)
check("the message's values", message["payload"]["direction"] in (1, -1) and
      message["payload"]["count"] >= 0 and message["payload"]["event_id"].startswith("evt_") and
      message["payload"]["space_id"] in space_ids and message["payload"]["timestamp"].endswith("Z"), message)
check("a socket code works once, then not", asyncio.run(refused(ticket["url"])))
check("an unknown code is refused", asyncio.run(refused(ticket["url"].split("?")[0] + "?code=skc_nope")))
check("no code is refused", asyncio.run(refused(ticket["url"].split("?")[0])))
server.stop()

# --- 100 clients at once --------------------------------------------------------------------------
server = Server("--seed", "5", "--rate", "400", "--rate-limit", "0")
urls = [curl(server.base + "/sockets", method="POST")[2]["url"] for _ in range(100)]


async def hundred():
    async def one(url):
        try:
            await first_message(url, timeout=20)
            return True
        except Exception:
            return False
    return await asyncio.gather(*(one(u) for u in urls))

results = asyncio.run(hundred())
check("100 websocket clients at once all receive events", all(results), results.count(False))


async def ping_and_stall():
    """A client that sends Density's text "ping" keeps receiving; a client
    that stops reading does not slow it down."""
    import socket
    stalled = socket.create_connection(("127.0.0.1", int(server.base.split(":")[2].split("/")[0])))
    stalled_url = curl(server.base + "/sockets", method="POST")[2]["url"]
    path = stalled_url.split("/", 3)[3]
    stalled.sendall(("GET /%s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                     % path).encode())
    url = curl(server.base + "/sockets", method="POST")[2]["url"]
    async with websockets.connect(url, open_timeout=10, ping_interval=None) as ws:
        await ws.send("ping")
        received, deadline = 0, time.monotonic() + 8
        while time.monotonic() < deadline:
            await asyncio.wait_for(ws.recv(), 5)
            received += 1
    stalled.close()
    return received

received = asyncio.run(ping_and_stall())
# --rate 400 for 8 s is about 3,000 sensor events; each is one or more space events.
check("a client that sends ping and reads gets the stream while another stalls", received > 1500, received)
server.stop()

# --- the rate limit ------------------------------------------------------------------------------------
server = Server("--seed", "5", "--rate-limit", "5")
answers = [curl(server.base + "/spaces/?page_size=1") for _ in range(12)]
statuses = [a[0] for a in answers]
limited = [a for a in answers if a[0] == 429]
# Twelve quick requests span at most two one-minute windows: 10 OK at most.
check("--rate-limit 5: 429 after the limit", statuses.count(200) <= 10 and len(limited) >= 2, statuses)
check("429 carries Retry-After (1..60 s)", limited and 1 <= int(limited[0][1].get("retry-after", "0")) <= 60,
      limited[0][1] if limited else None)
check("429 has a JSON body", limited and isinstance(limited[0][2], dict), limited[0][2] if limited else None)
server.stop()

# --- a scenario through the real binary: the lunch rush makes a cafe unsafe ---------
def unsafe_cafes(base):
    status, _, body = curl(base + "/spaces/?page_size=1000")
    unsafe = []
    for space in body["results"] if status == 200 else []:
        if space["function"] != "cafe" or space["safe_threshold_mode"] is None:
            continue
        limit = {"SAFE_CAPACITY": space["safe_capacity"],
                 "UTILIZATION_PERC_TARGET": (space["safe_threshold_value"] or 0) * (space["target_capacity"] or 0),
                 "UTILIZATION_PERC_LEGAL": (space["safe_threshold_value"] or 0) * (space["capacity"] or 0)
                 }.get(space["safe_threshold_mode"].upper())
        if limit is not None and space["current_count"] > limit:
            unsafe.append(space["name"])
    return unsafe

server = Server("--seed", "11", "--start", START, "--speed", "120", "--scenario", "lunch-rush",
                "--rate-limit", "0")
found, deadline = [], time.monotonic() + 30
while not found and time.monotonic() < deadline:
    time.sleep(1)
    found = unsafe_cafes(server.base)
check("--scenario lunch-rush: a cafe goes past its safe threshold", found, found)
server.stop()
bad = subprocess.run([OCCTOP, "--serve", "--scenario", "party", "--token-file", token_file,
                      "--site", SITE, "--listen", "127.0.0.1:0"], capture_output=True, timeout=30)
check("an unknown --scenario: exit 2 with one line naming it",
      bad.returncode == 2 and b"--scenario" in bad.stderr and bad.stderr.count(b"\n") == 1, bad)

# --- the same seed, the same events -------------------------------------------------------------------
def day_of_events(seed):
    s = Server("--seed", str(seed), "--start", START, "--rate-limit", "0")
    got = [all_pages(s.base + "/spaces/%s/events/?start_time=2024-04-30T17:00:00Z&end_time=2024-05-01T17:00:00Z&page_size=1000" % i)[0]
           for i in space_ids[:12]]
    s.stop()
    return got

a, b, c = day_of_events(7), day_of_events(7), day_of_events(8)
check("a day of simulated events is not empty", sum(len(x) for x in a) > 100, sum(len(x) for x in a))
check("--seed 7 twice: the same events, ids and times", a == b)
check("--seed 8: other events", a != c)

if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
