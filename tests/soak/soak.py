#!/usr/bin/env python3
"""Soak test of the live client (run by hand; see README.md).

The mock server (occtop --serve) drives a generated site of 1,000 spaces at
2,000 sensor events a second; the live client (occtop --batch --api-url)
follows it through a small HTTP and WebSocket proxy written here, and the
proxy cuts every connection (the stream included) once a minute, so the
client must reconnect and fetch the counts again each time.  Meanwhile the
resident memory (VmRSS) of both processes is sampled every 10 s.  The mock
stops its simulation after 2,000 x DURATION events (--events); when it is
quiet, the client's next table must equal GET /v2/spaces/ for all 1,000
spaces.

Passes when:
  - the client's resident memory never grows 5 % or more above its value
    at the end of the warm-up (the first 5 minutes);
  - the client's table equals the server's counts, space for space;
  - after every cut of an open stream, the client opened a new one and
    fetched the counts again within 30 s;
  - the client ran the whole time and ends with 0 on SIGTERM.

Environment (all optional):
  OCCTOP         the binary (default: src/occtop of the source tree)
  DURATION       seconds of load (default 1800); 180 for a trial run
  WARMUP         seconds of warm-up (default 300, or DURATION/3 when
                 DURATION is under 900)
  RATE           sensor events a second (default 2000)
  SPACES         spaces in the generated site (default 1000)
  CUT_EVERY      seconds between cuts (default 60)
  CUT            all (default: every proxied connection, REST keep-alive
                 ones too) or ws (only websockets)
  INTERVAL       the client's --interval (default 60)
  SAMPLE_EVERY   seconds between memory samples (default 10)
  KEEP           a directory to keep the site, the samples (CSV) and the
                 processes' stderr in (default: a temporary one, removed)
  FAULT          stale-counts: the proxy answers every GET /v2/spaces/ after
                 the first with the first one's body (a client that does not
                 fetch fresh counts on reconnecting): the counts check must
                 then fail; shows that it can

Exit status 0 when every check passes, 1 otherwise.  Standard library only.
"""
import asyncio
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir", os.path.join(HERE, "..", ".."))
OCCTOP = os.environ.get("OCCTOP", os.path.join(TOP, "src", "occtop"))
DURATION = float(os.environ.get("DURATION", "1800"))
WARMUP = float(os.environ.get("WARMUP", "300" if DURATION >= 900 else str(DURATION / 3)))
RATE = int(os.environ.get("RATE", "2000"))
SPACES = int(os.environ.get("SPACES", "1000"))
CUT_EVERY = float(os.environ.get("CUT_EVERY", "60"))
CUT = os.environ.get("CUT", "all")
INTERVAL = int(os.environ.get("INTERVAL", "60"))
SAMPLE_EVERY = float(os.environ.get("SAMPLE_EVERY", "10"))
KEEP = os.environ.get("KEEP")
FAULT = os.environ.get("FAULT", "")
EVENTS = int(RATE * DURATION)
GROWTH_LIMIT = 5.0      # per cent
RECONNECT_LIMIT = 30.0  # seconds from a cut to a new stream and a fresh GET /spaces
TOKEN = "tok-" + secrets.token_hex(16)
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

if CUT not in ("all", "ws"):
    sys.exit("CUT must be all or ws")
if FAULT not in ("", "stale-counts"):
    sys.exit("FAULT must be stale-counts or unset")
T0 = time.monotonic()


def log(text):
    print("[%7.1f s] %s" % (time.monotonic() - T0, text), flush=True)


# === the site: 1 campus > 4 buildings > 5 floors each > rooms ====================================
def make_site(total):
    """A site file in the Density API's shapes (paginated lists of spaces,
    doorways and sensors, as data/demo-campus.json): 1 campus, 4 buildings,
    5 floors in each, and rooms spread over the 20 floors up to `total`
    spaces.  Two entrances per building (linked to the campus, the building
    and its first floor), an elevator lobby on each upper floor (the floor),
    and a door for every room (the room): every space is counted by some
    doorway.  No daily reset, so that none falls in the run."""
    serial = iter(range(600000000000000000, 700000000000000000, 7919))
    spaces, doorways, sensors = [], [], []
    stamp = "2024-01-02T03:04:05.000Z"

    def space(name, space_type, parent, function=None, capacity=None):
        ancestry = []
        p = parent
        while p is not None:
            ancestry.append({"id": p["id"], "name": p["name"]})
            p = p["_parent"]
        s = {"id": "spc_%d" % next(serial), "name": name, "notes": None, "meta": None,
             "description": None, "parent_id": parent and parent["id"], "ancestry": ancestry,
             "space_type": space_type, "function": function, "time_zone": "America/New_York",
             "daily_reset": None, "current_count": 0, "capacity": capacity,
             "target_capacity": None, "safe_capacity": None, "safe_threshold_mode": None,
             "safe_threshold_value": None, "max_dwell_minutes": None, "doorways": [],
             "tags": [], "address": None, "latitude": None, "longitude": None,
             "counting_mode": "doorways", "component_spaces": [], "floor_level": None,
             "space_mappings": [], "time_segments": [], "time_segment_groups": [],
             "size_area": None, "size_area_unit": "square_feet", "annual_rent": None,
             "annual_rent_currency": "USD", "assigned_teams": [], "sensors_total": 0,
             "image_url": None, "created_at": stamp, "updated_at": stamp,
             "inherits_time_segments": False, "_parent": parent}
        spaces.append(s)
        return s

    def doorway(name, linked, tags):
        d = {"id": "drw_%d" % next(serial), "sensor_serial_number": "Z%d" % next(serial),
             "name": name, "description": None, "spaces": [], "tags": tags,
             "created_at": stamp, "updated_at": stamp, "multipoint": False}
        for s in linked:
            link = "lnk_%d" % next(serial)
            d["spaces"].append({"id": s["id"], "name": s["name"], "link_id": link,
                                "sensor_placement": 1})
            s["doorways"].append({"id": d["id"], "name": name, "link_id": link,
                                  "sensor_placement": 1})
            s["sensors_total"] += 1
        doorways.append(d)
        n = len(sensors)
        sensors.append({"uuid": "%08x-0000-4000-8000-%012x" % (n, n), "organization_id": "org_1",
                        "serial_number": d["sensor_serial_number"], "doorway_id": d["id"],
                        "doorway_name": name, "sensor_type": "s5", "status": "online",
                        "last_heartbeat": "2024-01-02T03:04:05", "current_disposition": "LIVE",
                        "network_addresses": [], "firmware_version": "soak",
                        "created_at": stamp, "updated_at": stamp})

    campus = space("Soak Campus", "campus", None)
    floors = []
    for b in range(1, 5):
        building = space("Building %d" % b, "building", campus)
        levels = [space("B%d Level %d" % (b, f), "floor", building) for f in range(1, 6)]
        doorway("Building %d Main Entrance" % b, [campus, building, levels[0]], ["entrance"])
        doorway("Building %d Side Door" % b, [campus, building, levels[0]], ["entrance"])
        for f, level in enumerate(levels[1:], start=2):
            doorway("B%d Level %d Elevator Lobby" % (b, f), [level], ["lobby"])
        floors += levels
    room = 0
    while len(spaces) < total:
        floor = floors[room % len(floors)]
        r = space("%s Room %d" % (floor["name"], room // len(floors) + 1), "space", floor,
                  function="meeting_room", capacity=8 + room % 13)
        doorway("%s Door" % r["name"], [r], [])
        room += 1
    for s in spaces:
        del s["_parent"]

    def page(results):
        return {"total": len(results), "next": None, "previous": None, "results": results}

    return {"name": "Soak site: %d spaces" % len(spaces), "spaces": page(spaces),
            "doorways": page(doorways), "sensors": page(sensors)}


# === processes ===================================================================================
class Proc:
    """A process whose stdout is handed to `on_out` in chunks, its stderr kept."""

    def __init__(self, args, env, name, stderr_path, on_out=None):
        self.name = name
        self.err_path = stderr_path
        self.err_file = open(stderr_path, "wb")
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=self.err_file, env=env)
        self.pid = self.process.pid
        self.on_out = on_out
        self.first_line = None
        self._seen_line = threading.Event()
        self._buffer = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = os.read(self.process.stdout.fileno(), 1 << 16)
            if not data:
                self._seen_line.set()
                return
            if self.first_line is None:
                self._buffer += data
                if b"\n" in self._buffer:
                    self.first_line = self._buffer.split(b"\n")[0].decode(errors="replace")
                    self._seen_line.set()
                    self._buffer = b""
            if self.on_out:
                self.on_out(data)

    def wait_first_line(self, timeout):
        self._seen_line.wait(timeout)
        return self.first_line

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
        self.reader.join(5)
        self.err_file.close()
        return code

    def stderr_tail(self, n=2000):
        try:
            with open(self.err_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


class Snapshots:
    """The JSON tables the client prints one after another: only the counts
    of each, with the monotonic time it was complete, are kept."""

    def __init__(self):
        self.lock = threading.Lock()
        self.text = ""
        self.decoder = json.JSONDecoder()
        self.items = []  # (time, {space id: count}, number of spaces, problems)
        self.bad = 0
        self._pending = b""

    def feed(self, data):
        now = time.monotonic()
        with self.lock:
            data = self._pending + data
            try:
                chunk = data.decode("utf-8")
                self._pending = b""
            except UnicodeDecodeError as e:  # a character cut between reads
                chunk = data[:e.start].decode("utf-8", errors="replace")
                self._pending = data[e.start:]
            self.text += chunk
            position = 0
            while True:
                while position < len(self.text) and self.text[position] in " \t\r\n":
                    position += 1
                if position >= len(self.text):
                    break
                try:
                    value, end = self.decoder.raw_decode(self.text, position)
                except ValueError:
                    break
                position = end
                if isinstance(value, dict) and isinstance(value.get("spaces"), list):
                    counts = {s.get("id"): s.get("count") for s in value["spaces"]}
                    self.items.append((now, counts, len(value["spaces"]),
                                       len(value.get("problems") or [])))
                else:
                    self.bad += 1
            self.text = self.text[position:]

    def after(self, when):
        with self.lock:
            return [item for item in self.items if item[0] > when]

    def count(self):
        with self.lock:
            return len(self.items)


# === the proxy ===================================================================================
class Proxy:
    """HTTP/1.1 and WebSocket proxy from 127.0.0.1:<port> to the mock.  Each
    response body has the mock's host:port replaced by the proxy's (the
    ws:// URL of POST /sockets, the next links of pages), its Content-Length
    set again; after a 101 the bytes are relayed both ways as they come.
    cut() aborts every proxied connection (or only the websockets)."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.loop = asyncio.new_event_loop()
        self.connections = set()
        self.lock = threading.Lock()
        # records, (monotonic time, what): read by the main thread under lock
        self.requests = []     # (time, method, path, status)
        self.handshakes = []   # time of each 101
        self.cuts = []         # (time, connections cut, websockets cut)
        self.ws_frames = 0     # frames relayed from the mock to the client
        self.ws_bytes = 0
        self.errors = []
        self.stale = {}        # FAULT=stale-counts: path -> the first body
        started = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(
                asyncio.start_server(self.handle, "127.0.0.1", 0))
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait(10)
        self.old = b"127.0.0.1:%d" % upstream_port
        self.new = b"127.0.0.1:%d" % self.port

    class Connection:
        def __init__(self, writers):
            self.writers = writers
            self.websocket = False

    async def handle(self, client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port)
        except OSError as e:
            with self.lock:
                self.errors.append("cannot reach the mock: %s" % e)
            client_writer.transport.abort()
            return
        connection = Proxy.Connection((client_writer, upstream_writer))
        self.connections.add(connection)
        try:
            while True:
                head = await client_reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                method, path = (request_line.split(" ") + ["", ""])[:2]
                headers = self.headers(head)
                body = b""
                if "chunked" in headers.get("transfer-encoding", ""):
                    raise ValueError("a chunked request: not expected from the client")
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    body = await client_reader.readexactly(length)
                upstream_writer.write(head + body)
                await upstream_writer.drain()
                response_head = await upstream_reader.readuntil(b"\r\n\r\n")
                status = int(response_head.split(b" ", 2)[1])
                response_headers = self.headers(response_head)
                with self.lock:
                    self.requests.append((time.monotonic(), method, path, status))
                if status == 101:
                    connection.websocket = True
                    with self.lock:
                        self.handshakes.append(time.monotonic())
                    client_writer.write(response_head)
                    await client_writer.drain()
                    await asyncio.gather(
                        self.relay(client_reader, upstream_writer, False),
                        self.relay(upstream_reader, client_writer, True))
                    return
                if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                    response_body = b""
                elif "chunked" in response_headers.get("transfer-encoding", ""):
                    response_body = await self.read_chunked(upstream_reader)
                    response_head = re.sub(rb"(?im)^transfer-encoding:[^\r\n]*\r\n", b"",
                                           response_head)
                    response_head = response_head[:-2] + b"content-length: 0\r\n\r\n"
                elif "content-length" in response_headers:
                    response_body = await upstream_reader.readexactly(
                        int(response_headers["content-length"]))
                else:  # delimited by the close
                    response_body = await upstream_reader.read()
                    response_headers["connection"] = "close"
                if FAULT == "stale-counts" and method == "GET" and status == 200 and \
                        path.startswith("/v2/spaces"):
                    response_body = self.stale.setdefault(path, response_body)
                response_body = response_body.replace(self.old, self.new)
                response_head = re.sub(rb"(?im)^content-length:[^\r\n]*\r\n", b"", response_head)
                response_head = (response_head[:-2] + b"content-length: %d\r\n\r\n"
                                 % len(response_body))
                client_writer.write(response_head + response_body)
                await client_writer.drain()
                if "close" in response_headers.get("connection", "").lower() or \
                        "close" in headers.get("connection", "").lower():
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                OSError):
            pass  # a close or a cut
        except Exception as e:  # noqa: BLE001 (recorded, and the test fails on it)
            with self.lock:
                self.errors.append("proxy: %r" % e)
        finally:
            self.connections.discard(connection)
            for writer in connection.writers:
                writer.transport.abort()

    @staticmethod
    def headers(head):
        result = {}
        for line in head.split(b"\r\n")[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                result[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
        return result

    @staticmethod
    async def read_chunked(reader):
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return body
            body += await reader.readexactly(size)
            await reader.readexactly(2)

    async def relay(self, reader, writer, from_mock):
        # Frames from the mock are unmasked: counted as they pass.
        buffer, need = b"", None
        try:
            while True:
                data = await reader.read(1 << 16)
                if not data:
                    break
                writer.write(data)
                if from_mock:
                    self.ws_bytes += len(data)
                    buffer += data
                    at = 0
                    while True:
                        if need is None:
                            if len(buffer) - at < 2:
                                break
                            n = buffer[at + 1] & 0x7F
                            header = 2 + (2 if n == 126 else 8 if n == 127 else 0)
                            if len(buffer) - at < header:
                                break
                            if n == 126:
                                n = int.from_bytes(buffer[at + 2:at + 4], "big")
                            elif n == 127:
                                n = int.from_bytes(buffer[at + 2:at + 10], "big")
                            need = header + n
                        if len(buffer) - at < need:
                            break
                        at, need = at + need, None
                        self.ws_frames += 1
                    buffer = buffer[at:]
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()

    def _cut(self, done):
        chosen = [c for c in list(self.connections) if CUT == "all" or c.websocket]
        for c in chosen:
            for writer in c.writers:
                writer.transport.abort()
        with self.lock:
            self.cuts.append((time.monotonic(), len(chosen), sum(c.websocket for c in chosen)))
        done.set()

    def cut(self):
        done = threading.Event()
        self.loop.call_soon_threadsafe(self._cut, done)
        done.wait(10)

    def close(self):
        def stop():
            self.server.close()
            for c in list(self.connections):
                for writer in c.writers:
                    writer.transport.abort()
            self.loop.stop()
        self.loop.call_soon_threadsafe(stop)
        self.thread.join(10)


# === the server's counts =========================================================================
def server_counts(base):
    """{space id: current_count} of every space of GET /v2/spaces/ (pages of
    1,000, following next), straight from the mock; None on an error."""
    url, counts = base + "/spaces/?page_size=1000", {}
    try:
        while url:
            request = urllib.request.Request(url, headers={"Authorization": "Bearer " + TOKEN})
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.load(response)
            for s in body["results"]:
                counts[s["id"]] = s["current_count"]
            url = body.get("next")
    except (OSError, ValueError, KeyError):
        return None
    return counts


def differences(a, b, limit=5):
    keys = sorted(set(a or {}) | set(b or {}))
    diff = [(k, (a or {}).get(k), (b or {}).get(k)) for k in keys
            if (a or {}).get(k) != (b or {}).get(k)]
    return "%d differ, e.g. %r" % (len(diff), diff[:limit])


def mib(kb):
    return "n/a" if kb is None else "%.1f MiB" % (kb / 1024)


# === the run =====================================================================================
def main():
    failures = []

    def check(what, condition, detail=""):
        if condition:
            log("ok: " + what)
        else:
            log("FAIL: %s %s" % (what, detail))
            failures.append(what)
        return condition

    work = KEEP or tempfile.mkdtemp(prefix="occtop-soak.")
    os.makedirs(work, exist_ok=True)
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(token_file, 0o600)
    home = os.path.join(work, "home")
    os.makedirs(os.path.join(home, ".config"), exist_ok=True)
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
    for name in ("DENSITY_API_TOKEN", "DENSITY_API_URL"):
        env.pop(name, None)

    site = make_site(SPACES)
    campus_id = site["spaces"]["results"][0]["id"]
    site_file = os.path.join(work, "site.json")
    with open(site_file, "w") as f:
        json.dump(site, f)
    log("site: %d spaces, %d doorways, %d sensors in %s"
        % (site["spaces"]["total"], site["doorways"]["total"], site["sensors"]["total"], site_file))
    log("load: %d events at %d a second (%.0f s), a cut every %.0f s (%s), warm-up %.0f s"
        % (EVENTS, RATE, DURATION, CUT_EVERY, CUT, WARMUP))

    mock = Proc([OCCTOP, "--serve", "--site", site_file, "--listen", "127.0.0.1:0",
                 "--token-file", token_file, "--rate", str(RATE), "--events", str(EVENTS),
                 "--rate-limit", "0", "--seed", "1"], env, "mock",
                os.path.join(work, "mock.stderr"))
    base = (mock.wait_first_line(30) or "").strip()
    if not base.startswith("http://127.0.0.1:"):
        mock.stop(signal.SIGKILL)
        sys.exit("the mock did not print its base URL: %r %s" % (base, mock.stderr_tail()))
    load_started = time.monotonic()
    mock_port = int(base.split(":")[2].split("/")[0])
    proxy = Proxy(mock_port)
    proxy_base = "http://127.0.0.1:%d/v2" % proxy.port
    log("mock %s (pid %d), proxy %s" % (base, mock.pid, proxy_base))

    snapshots = Snapshots()
    client = Proc([OCCTOP, "--batch", "--api-url", proxy_base, "--interval", str(INTERVAL),
                   "--format", "json"], dict(env, DENSITY_API_TOKEN=TOKEN), "client",
                  os.path.join(work, "client.stderr"), on_out=snapshots.feed)
    log("client pid %d: occtop --batch --api-url %s --interval %d --format json"
        % (client.pid, proxy_base, INTERVAL))

    samples = []  # (seconds since the load started, client kB, mock kB, client CPU s, mock CPU s)

    def sample():
        row = (round(time.monotonic() - load_started, 1), rss_kb(client.pid), rss_kb(mock.pid),
               cpu_seconds(client.pid), cpu_seconds(mock.pid))
        samples.append(row)
        return row

    next_sample = time.monotonic()
    next_cut = load_started + CUT_EVERY
    next_report = load_started + 60
    client_died = None

    def tick(until):
        """Samples, cuts and reports until monotonic time `until`."""
        nonlocal next_sample, next_cut, next_report, client_died
        while time.monotonic() < until:
            now = time.monotonic()
            if now >= next_sample:
                sample()
                next_sample += SAMPLE_EVERY
            if now >= next_cut:
                proxy.cut()
                next_cut += CUT_EVERY
            if now >= next_report:
                row = samples[-1]
                with proxy.lock:
                    streams = len(proxy.handshakes)
                log("client %s (%.1f CPU s), mock %s (%.1f CPU s); %d tables, %d streams opened, "
                    "%d frames relayed" % (mib(row[1]), row[3] or 0, mib(row[2]), row[4] or 0,
                                           snapshots.count(), streams, proxy.ws_frames))
                next_report += 60
            if client_died is None and not client.running():
                client_died = time.monotonic() - load_started
                log("the client ended early, with %r: %s"
                    % (client.process.returncode, client.stderr_tail(500)))
                return
            if not mock.running():
                log("the mock ended early, with %r: %s"
                    % (mock.process.returncode, mock.stderr_tail(500)))
                return
            time.sleep(max(0.0, min(next_sample, next_cut, next_report, until)
                           - time.monotonic()))

    # 1. the load
    tick(load_started + DURATION)

    # 2. the mock's events run out: wait for its counts to stay the same for 3 s
    final, quiet_at, last, since = None, None, None, None
    deadline = time.monotonic() + 600
    while client_died is None and mock.running() and time.monotonic() < deadline:
        counts = server_counts(base)
        now = time.monotonic()
        if counts is not None and counts == last:
            if now - since >= 3:
                final, quiet_at = counts, since
                break
        else:
            last, since = counts, now
        tick(now + 1)
    if quiet_at is not None:
        log("the mock went quiet %.1f s after the start (%.0f events a second on average)"
            % (quiet_at - load_started, EVENTS / (quiet_at - load_started)))

    # 3. one more cut once quiet: the client's counts are then only what it
    # fetches after reconnecting (no event comes to correct them).  Its first
    # table printed after that fetch is compared.
    next_cut = float("inf")
    compared, matched_later, final_cut, refetched = None, None, None, None
    if final is not None:
        final_cut = time.monotonic()
        proxy.cut()
        deadline = final_cut + RECONNECT_LIMIT
        while client_died is None and time.monotonic() < deadline and refetched is None:
            with proxy.lock:
                new = [t for t in proxy.handshakes if t > final_cut]
                fetch = [t for t, m, p, st in proxy.requests if m == "GET" and new and t > new[0]
                         and p.startswith("/v2/spaces") and st == 200]
            if fetch:
                refetched = fetch[-1]
                tick(time.monotonic() + 1)  # all pages (one here), and the answer applied
                with proxy.lock:
                    refetched = [t for t, m, p, st in proxy.requests if m == "GET"
                                 and p.startswith("/v2/spaces") and st == 200][-1]
            else:
                tick(time.monotonic() + 0.2)
        if refetched is not None:
            log("after the last cut (%.1f s after quiet) the client fetched the counts again "
                "%.2f s later" % (final_cut - quiet_at, refetched - final_cut))
        deadline = time.monotonic() + INTERVAL + 30
        while refetched is not None and client_died is None and time.monotonic() < deadline:
            later = snapshots.after(refetched + 0.5)
            if later:
                compared = later[0]
                break
            tick(time.monotonic() + 0.5)
        if compared is not None and compared[1] != final:  # for the report: does a later one?
            deadline = time.monotonic() + INTERVAL + 10
            while client_died is None and time.monotonic() < deadline and matched_later is None:
                for item in snapshots.after(compared[0]):
                    if item[1] == final:
                        matched_later = item[0] - quiet_at
                tick(time.monotonic() + 0.5)
    again = server_counts(base)
    sample()
    ended = time.monotonic()

    client_code = client.stop() if client_died is None else client.process.returncode
    mock_cpu_end = cpu_seconds(mock.pid)
    mock_code = mock.stop()
    proxy.close()

    # === figures ===
    warm = [s for s in samples if s[0] >= WARMUP and s[1] is not None]
    at_warmup = warm[0] if warm else None
    after = [s for s in samples if s[0] >= WARMUP and s[1] is not None]
    client_max = max(after, key=lambda s: s[1]) if after else None
    client_final = [s for s in samples if s[1] is not None][-1] if samples else None
    mock_after = [s for s in after if s[2] is not None]

    def growth(a, b):
        return None if not a or b is None else 100.0 * (b - a) / a

    g_max = growth(at_warmup and at_warmup[1], client_max and client_max[1])
    g_final = growth(at_warmup and at_warmup[1], client_final and client_final[1])
    m_warm = at_warmup and at_warmup[2]
    m_max = max((s[2] for s in mock_after), default=None)
    m_final = mock_after[-1][2] if mock_after else None

    with proxy.lock:
        requests = list(proxy.requests)
        handshakes = list(proxy.handshakes)
        cuts = list(proxy.cuts)
        errors = list(proxy.errors)
    ws_cuts = [c for c in cuts if c[2] > 0]
    # after each cut of an open stream: a new stream and a GET /spaces after it, within 30 s
    slow = []
    latencies = []
    for when, _, _ in ws_cuts:
        new = [t for t in handshakes if t > when]
        fetch = [t for t, m, p, st in requests if m == "GET" and p.startswith("/v2/spaces")
                 and st == 200 and new and t > new[0]]
        if not new or not fetch or fetch[0] - when > RECONNECT_LIMIT:
            slow.append(round(when - load_started, 1))
        else:
            latencies.append(fetch[0] - when)
    statuses = {}
    for _, m, p, st in requests:
        key = "%s %s %d" % (m, p.split("?")[0], st)
        statuses[key] = statuses.get(key, 0) + 1

    samples_file = os.path.join(work, "samples.csv")
    with open(samples_file, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seconds", "client_rss_kb", "mock_rss_kb", "client_cpu_s", "mock_cpu_s"])
        w.writerows(samples)

    print()
    print("=== occtop soak: %d spaces, %d events at %d/s, a cut every %.0f s (%s) ==="
          % (len(final or {}) or SPACES, EVENTS, RATE, CUT_EVERY, CUT))
    rows = [
        ("run", "%.0f s of load, %.0f s in all" % (DURATION, ended - load_started)),
        ("events (mock --events)", "%d; quiet after %s" % (
            EVENTS, "n/a" if quiet_at is None else "%.1f s" % (quiet_at - load_started))),
        ("stream frames relayed", "%d (%.1f MiB)" % (proxy.ws_frames, proxy.ws_bytes / 1048576)),
        ("cuts", "%d (%d of them with a stream open)" % (len(cuts), len(ws_cuts))),
        ("streams opened", "%d (%d reconnections)" % (len(handshakes), max(0, len(handshakes) - 1))),
        ("cut -> fresh counts", "median %s, max %s" % (
            "%.2f s" % sorted(latencies)[len(latencies) // 2] if latencies else "n/a",
            "%.2f s" % max(latencies) if latencies else "n/a")),
        ("REST requests", ", ".join("%s x%d" % kv for kv in sorted(statuses.items()))),
        ("client tables", "%d" % snapshots.count()),
        ("client RSS end of warm-up", "%s at %s s" % (mib(at_warmup and at_warmup[1]),
                                                       at_warmup and at_warmup[0])),
        ("client RSS max after", "%s at %s s (%s)" % (
            mib(client_max and client_max[1]), client_max and client_max[0],
            "n/a" if g_max is None else "%+.2f %%" % g_max)),
        ("client RSS final", "%s (%s)" % (mib(client_final and client_final[1]),
                                          "n/a" if g_final is None else "%+.2f %%" % g_final)),
        ("mock RSS warm-up/max/final", "%s / %s / %s" % (mib(m_warm), mib(m_max), mib(m_final))),
        ("CPU seconds", "client %.1f, mock %.1f, proxy+harness %.1f" % (
            samples[-1][3] or 0, mock_cpu_end or samples[-1][4] or 0, time.process_time())),
        ("server's counts at the end", "n/a" if not final else "%d people in %d of %d spaces, "
         "campus %d" % (sum(v for k, v in final.items() if k != campus_id),
                        sum(1 for v in final.values() if v), len(final), final.get(campus_id, 0))),
        ("counts equal", "yes (%d spaces)" % len(final) if compared and compared[1] == final else
         "NO"),
    ]
    for name, value in rows:
        print("%-27s %s" % (name, value))
    print("samples: %s" % samples_file if KEEP else "")
    print()

    check("the client ran to the end", client_died is None,
          "ended at %s s with %r: %s" % (client_died, client_code, client.stderr_tail(800)))
    check("the mock ran to the end and went quiet", final is not None and mock_code == 0,
          (mock_code, mock.stderr_tail(800)))
    check("after the last cut, a new stream and fresh counts within %.0f s" % RECONNECT_LIMIT,
          refetched is not None)
    check("the server's counts stayed put to the end", again == final, differences(final, again))
    check("the client's table after the load equals GET /v2/spaces/ for all %d spaces"
          % len(final or {}), compared is not None and compared[1] == final and len(final) == SPACES,
          "no table" if compared is None else "%s; a later table %s" % (
              differences(compared[1], final),
              "matched %.1f s after quiet" % matched_later if matched_later else "never matched"))
    check("no problems in the client's tables", all(i[3] == 0 for i in snapshots.after(0)))
    check("the client's resident memory grew less than %.0f %% after the warm-up (max %s)"
          % (GROWTH_LIMIT, "n/a" if g_max is None else "%+.2f %%" % g_max),
          g_max is not None and g_max < GROWTH_LIMIT)
    check("every cut stream was followed by a new stream and fresh counts within %.0f s"
          % RECONNECT_LIMIT, ws_cuts and not slow, "late or missing after the cuts at %s s" % slow)
    check("the proxy relayed everything without an error", not errors, errors[:5])
    check("the client ended with 0 on SIGTERM", client_code == 0,
          (client_code, client.stderr_tail(800)))
    with open(client.err_path, "rb") as f:
        err = f.read()
    log("client stderr: %d lines%s" % (err.count(b"\n"), (", the last: " + err.decode(
        errors="replace").strip().splitlines()[-1][:300]) if err.strip() else ""))
    if not KEEP:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        log("%d check(s) failed" % len(failures))
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
