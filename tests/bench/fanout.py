#!/usr/bin/python3
"""Fan-out: the mock (occtop --serve --rate FANOUT_RATE --events N on a 1,000-space
site: one message per event but for the 8 entrances, which give 3) serving
FANOUT_CLIENTS (default 200) websocket clients at once, each from its own POST
/sockets, for about FANOUT_SECONDS (default 30) of stream; then the stream stops
(--events) and every client must have received every message the server
sent after it connected, none dropped.

The clients are raw websockets on asyncio (standard library only): each
counts its messages ("request_id" occurrences in the bytes, which is cheap
at a million messages a second) and notes its first and last message's
request_id (random, unique per message).  The first client to connect also
keeps every request_id in order: the reference of what the server sent.
Client i should then have len(reference) - position(its first id) messages
and end on the reference's last id.  A client the server dropped (a whole
ring, 8,192 messages, behind) sees its connection closed.

Also printed: the messages per second fanned out and the mock's CPU.
Target: 200 clients at 5,000 events/s, none falling behind.

    FANOUT_CLIENTS=200 FANOUT_RATE=5000 FANOUT_SECONDS=30 /usr/bin/python3 tests/bench/fanout.py"""
import asyncio
import json
import os
import re
import resource
import sys
import time
import base64
import datetime

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402

CLIENTS = int(os.environ.get("FANOUT_CLIENTS", "200"))
RATE = int(os.environ.get("FANOUT_RATE", "5000"))
SECONDS = float(os.environ.get("FANOUT_SECONDS", "30"))
SPACES = int(os.environ.get("FANOUT_SPACES", "1000"))
CONNECT_ALLOWANCE = 5.0  # seconds of events for the clients to connect
MARK = b'"request_id":"'
ID = re.compile(rb'"request_id":"([0-9a-f]{32})"')
STAMP = re.compile(rb'"timestamp":"([0-9T:.-]+)Z"')


def lag_of(tail):
    """Seconds from the newest message's timestamp in tail to now."""
    stamps = STAMP.findall(tail)
    if not stamps:
        return None
    try:
        when = datetime.datetime.fromisoformat(stamps[-1].decode()).replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    return time.time() - when.timestamp()


class Client:
    def __init__(self, keep_all=False):
        self.count = 0
        self.first = None
        self.head = b""
        self.tail = b""
        self.keep_all = keep_all
        self.all = []
        self.closed_by_server = False
        self.error = None
        self.last_data = time.monotonic()
        self.first_data = None
        self.bytes = 0
        self.max_lag = 0.0
        self.min_lag = None


async def http(host, port, request):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request)
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data


async def open_socket(host, port, client, ready):
    try:
        answer = await http(host, port, (
            "POST /v2/sockets/ HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n" % (host, port, b.TOKEN)).encode())
        url = json.loads(answer.split(b"\r\n\r\n", 1)[1])["url"]
        path = "/" + url.split("/", 3)[3]
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key)).encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(head[:100])
    except Exception as e:  # noqa: BLE001
        client.error = repr(e)[:200]
        ready.set_result(False)
        return
    ready.set_result(True)
    carry = b""
    while True:
        data = await reader.read(1 << 18)
        if not data:
            client.closed_by_server = not stopping
            break
        client.last_data = time.monotonic()
        if client.first_data is None:
            client.first_data = client.last_data
        client.bytes += len(data)
        joined = carry + data
        client.count += joined.count(MARK)
        carry = joined[-(len(MARK) - 1):]
        if client.keep_all:
            client.all.append(data)
        if client.first is None:
            client.head += data
            m = ID.search(client.head)
            if m:
                client.first = m.group(1)
                client.head = b""
        client.tail = (client.tail + data)[-400:]
        # (the first second aside: the mock's first tick after its start-up
        # sends a backlog of events)
        lag = lag_of(client.tail) if client.last_data - client.first_data > 1 else None
        if lag is not None:
            client.max_lag = max(client.max_lag, lag)
            client.min_lag = lag if client.min_lag is None else min(client.min_lag, lag)
    writer.close()


stopping = False


async def run(base):
    global stopping
    host, port = base.split("//")[1].split("/")[0].split(":")
    port = int(port)
    clients = [Client(keep_all=(i == 0)) for i in range(CLIENTS)]
    loop = asyncio.get_running_loop()
    tasks = []
    t0 = time.monotonic()
    # the reference first, alone, then the others 20 at a time
    ready = loop.create_future()
    tasks.append(asyncio.create_task(open_socket(host, port, clients[0], ready)))
    await ready
    for start in range(1, CLIENTS, 20):
        batch = []
        for c in clients[start:start + 20]:
            f = loop.create_future()
            batch.append(f)
            tasks.append(asyncio.create_task(open_socket(host, port, c, f)))
        await asyncio.gather(*batch)
    connected = time.monotonic() - t0
    return clients, tasks, connected


async def main_async(mock):
    global stopping
    clients, tasks, connected = await run(mock.base)
    b.log("  %d clients connected in %.1f s" % (CLIENTS, connected))
    ticks0, t0 = b.cpu_ticks(mock.pid), time.monotonic()
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    # the stream stops after --events; then wait until every client is quiet
    while True:
        await asyncio.sleep(0.5)
        now = time.monotonic()
        quiet = all(now - c.last_data > 2.0 for c in clients)
        if quiet and now - t0 > 3:
            break
        if now - t0 > SECONDS + CONNECT_ALLOWANCE + 60:
            b.log("  still receiving after %.0f s: giving up waiting" % (now - t0))
            break
    elapsed = max(c.last_data for c in clients) - t0
    ticks = b.cpu_ticks(mock.pid) - ticks0
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    own = (own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime) / elapsed
    stopping = True
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return clients, elapsed, ticks, own


def main():
    site = b.site_file(SPACES)
    events = int(RATE * (SECONDS + CONNECT_ALLOWANCE))
    mock = b.Mock("--rate", str(RATE), "--events", str(events), "--seed", "1", site=site)
    b.log("fan-out: the mock at --rate %d (--events %d) to %d websocket clients"
          % (RATE, events, CLIENTS))
    clients, elapsed, ticks, own = asyncio.run(main_async(mock))
    mock.stop()
    ref = ID.findall(b"".join(clients[0].all))
    position = {rid: i for i, rid in enumerate(ref)}
    last = ref[-1] if ref else None
    complete, problems = 0, []
    for i, c in enumerate(clients):
        ids = ID.findall(c.tail)
        got_last = ids[-1] if ids else None
        if c.error:
            problems.append("client %d: %s" % (i, c.error))
            continue
        if c.first not in position:
            problems.append("client %d: its first message is not in the reference" % i)
            continue
        want = len(ref) - position[c.first]
        if c.closed_by_server or c.count != want or got_last != last:
            problems.append("client %d: %d of %d messages%s%s" % (
                i, c.count, want, ", closed by the server" if c.closed_by_server else "",
                "" if got_last == last else ", not the last one"))
            continue
        complete += 1
    total = sum(c.count for c in clients)
    span = (clients[0].last_data - clients[0].first_data) if clients[0].first_data else 0
    b.log("  reference stream: %d messages in %.1f s (%.0f messages/s to each client)"
          % (len(ref), span, len(ref) / span if span > 0 else 0))
    b.log("  %d messages delivered in all (%.0f/s), %.1f MB; the mock used %.1f %% of a core,"
          " these clients %.1f %%" % (total, total / elapsed, sum(c.bytes for c in clients) / 1e6,
                                      100.0 * ticks / b.CLK_TCK / elapsed, 100.0 * own))
    # The mock's simulated clock runs behind the wall clock by its start-up
    # time: lags are counted from the smallest any client saw.
    floor = min((c.min_lag for c in clients if c.min_lag is not None), default=0.0)
    lags = sorted(c.max_lag - floor for c in clients)
    b.log("  each client's worst delay (beyond the least seen): median %.2f s, worst %.2f s"
          % (lags[len(lags) // 2], lags[-1]))
    b.log("  clients with every message: %d of %d" % (complete, CLIENTS))
    for p in problems[:10]:
        b.log("    " + p)
    if len(problems) > 10:
        b.log("    ... and %d more" % (len(problems) - 10))
    b.figure("fan-out: clients with every message, %d websockets at %d events/s"
             % (CLIENTS, RATE), complete, None, "all %d, none behind" % CLIENTS,
             complete == CLIENTS and len(ref) > 0, fmt="%d")


main()
