#!/usr/bin/python3
"""Stream ingest end to end on loopback: websocket count messages per second
that a client applies to its model, for occtop's client (--batch --api-url
URL --interval 3600: one table at the start, then no output) and two peers
doing the same work per message (parse the JSON, look up the space, set its
count): Node.js with the `ws` package and JSON.parse
(peers/ingest_peer.js), Python with Debian's python3-websockets and
json.loads (peers/ingest_peer.py).  Each client runs alone (the machine's
cores are not shared between clients), in turn, RUNS times; the figure is
the median of the runs, peers measured in the same invocation.

Two servers, each on a 1,000-space site (tests/soak's generator):

  1. firehose: peers/firehose.js pushes messages to a client as fast as the
     client reads them (each a new event_id, the wall clock's timestamp,
     spaces in turn), REST proxied to a quiet mock.  The client is the
     bottleneck: this is its ingest capacity.  Target: occtop >= 2x the
     faster peer.
  2. the mock (occtop --serve --rate MOCK_RATE --rate-limit 0): does each
     client keep up with the mock's stream?  The mock makes each 100 ms
     tick's events at once and drops a client a whole ring (8,192
     messages) behind, so it cannot offer much more than 80,000 messages/s
     to anyone; INGEST_MOCK_RATE (default 40,000 sensor events/s, about as
     many messages) stays clear of that.

Counts come from outside the client's hot path: occtop prints its
live_stats on stderr every 100 ms when OCCTOP_STATS is set; the peers print
theirs on stdout.  A run: the first applied message, INGEST_WARM_UP
seconds, then INGEST_SECONDS seconds measured between two of those lines.
INGEST_RUNS runs of each client; INGEST_SPACES spaces.

    INGEST_SECONDS=20 INGEST_RUNS=3 INGEST_WARM_UP=3 INGEST_MOCK_RATE=40000 \
        /usr/bin/python3 tests/bench/stream_ingest.py
Peers missing: tests/bench/setup.sh installs them (this never installs
anything); their figures are then skipped."""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as b  # noqa: E402

SECONDS = float(os.environ.get("INGEST_SECONDS", "20"))
RUNS = int(os.environ.get("INGEST_RUNS", "3"))
WARM_UP = float(os.environ.get("INGEST_WARM_UP", "3"))
MOCK_RATE = int(os.environ.get("INGEST_MOCK_RATE", "40000"))
SPACES = int(os.environ.get("INGEST_SPACES", "1000"))
PEERS = os.path.join(b.HERE, "peers")
NODE = shutil.which("node")


def have_node_ws():
    if not NODE:
        return "node not found (apt-get install nodejs npm; then sh tests/bench/setup.sh)"
    if not os.path.isdir(os.path.join(b.HERE, "node_modules", "ws")):
        return "tests/bench/node_modules/ws missing: sh tests/bench/setup.sh"
    return None


def have_python_websockets():
    if subprocess.run(["/usr/bin/python3", "-c", "import websockets"],
                      capture_output=True).returncode != 0:
        return "python3-websockets missing: apt-get install python3-websockets " \
               "(or sh tests/bench/setup.sh)"
    return None


class Samples:
    """(wall ms, messages applied) lines from a client, as they come."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.points = []
        self.extra = None
        self.cond = threading.Condition()

    def line(self, text):
        parts = text.split()
        if len(parts) >= 3 and parts[0] == self.prefix:
            with self.cond:
                self.points.append((int(parts[1]) / 1000.0, int(parts[2])))
                self.extra = parts[3:]
                self.cond.notify_all()

    def wait(self, predicate, timeout):
        with self.cond:
            return self.cond.wait_for(lambda: predicate(self.points), timeout)


def client_args(name, base):
    if name == "occtop":
        return [b.OCCTOP, "--batch", "--api-url", base, "--interval", "3600"]
    if name == "node (ws)":
        return [NODE, os.path.join(PEERS, "ingest_peer.js"), base]
    return ["/usr/bin/python3", os.path.join(PEERS, "ingest_peer.py"), base]


def measure(name, base):
    """Messages per second applied over SECONDS, or None (with why)."""
    samples = Samples("occtop-stats" if name == "occtop" else "peer-stats")
    env = dict(b.CLIENT_ENV, OCCTOP_STATS="1", NODE_PATH=os.path.join(b.HERE, "node_modules"))
    if name == "occtop":
        p = b.Proc(client_args(name, base), env=env, on_err=samples.line,
                   stdout=subprocess.DEVNULL)
    else:
        p = b.Proc(client_args(name, base), env=env)
        # the peers print on stdout: follow it in a thread
        def follow():
            seen = 0
            while p.running() or seen < len(p.out):
                with p.lock:
                    data = bytes(p.out[seen:])
                cut = data.rfind(b"\n") + 1
                for line in data[:cut].decode(errors="replace").splitlines():
                    samples.line(line)
                seen += cut
                time.sleep(0.05)
        threading.Thread(target=follow, daemon=True).start()
    try:
        if not samples.wait(lambda pts: pts and pts[-1][1] > 0, 60):
            return None, "no message applied within 60 s: %s" % bytes(p.err)[-300:]
        first = next(t for t, n in samples.points if n > 0)
        start = first + WARM_UP
        end = start + SECONDS
        if not samples.wait(lambda pts: pts[-1][0] >= end, SECONDS + WARM_UP + 30):
            return None, "stopped reporting: %s" % bytes(p.err)[-300:]
        pts = list(samples.points)
        t0, n0 = next((t, n) for t, n in pts if t >= start)
        t1, n1 = next((t, n) for t, n in pts if t >= end)
        note = ""
        if name == "occtop" and samples.extra:
            dup, stale, unknown, malformed = (int(x) for x in samples.extra[:4])
            if dup or stale or unknown or malformed:
                note = " (duplicates %d, stale %d, unknown %d, malformed %d)" % (
                    dup, stale, unknown, malformed)
        alive = p.running()
        return (n1 - n0) / (t1 - t0), note + ("" if alive else " (the client ended early)")
    finally:
        p.stop()


def series(label, base, clients):
    """RUNS rounds, each client in turn: {name: [rates]}."""
    rates = {name: [] for name in clients}
    for run in range(RUNS):
        for name in clients:
            rate, note = measure(name, base)
            rates[name].append(rate)
            b.log("  %s run %d: %-10s %s%s" % (label, run + 1, name,
                                               "-" if rate is None else "%10.0f msgs/s" % rate,
                                               note))
    return rates


def main():
    clients = ["occtop"]
    missing = []
    for name, why in (("node (ws)", have_node_ws()), ("python (websockets)",
                                                      have_python_websockets())):
        if why:
            missing.append("%s: %s" % (name, why))
        else:
            clients.append(name)
    for line in missing:
        b.log("stream_ingest: peer skipped: " + line)
    site = b.site_file(SPACES)
    import json
    with open(site) as f:
        parsed = json.load(f)
    ids = [s["id"] for s in parsed["spaces"]["results"]]
    doorways = parsed["doorways"]["results"]
    # --rate picks doorways uniformly; a crossing sends one message per linked space
    offered = MOCK_RATE * sum(len(d["spaces"]) for d in doorways) / len(doorways)
    b.log("stream ingest on loopback, %d spaces, %d runs of %.0f s (after %.0f s), medians"
          % (SPACES, RUNS, SECONDS, WARM_UP))

    # 1. the firehose: the client is the bottleneck
    firehose_result = None
    if NODE:
        quiet = b.Mock("--events", "0", "--seed", "1", site=site)
        fire = subprocess.Popen([NODE, os.path.join(PEERS, "firehose.js"), quiet.base],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=b.ENV)
        fire.stdin.write(("\n".join(ids) + "\n").encode())
        fire.stdin.close()
        base = fire.stdout.readline().decode().strip()
        b.log("1. firehose (peers/firehose.js at %s, REST from a quiet mock)" % base)
        rates = series("firehose", base, clients)
        fire.terminate()
        fire.wait(10)
        quiet.stop()
        firehose_result = {k: b.median(v) for k, v in rates.items()}
    else:
        b.log("1. firehose skipped: it runs on node (apt-get install nodejs)")

    # 2. the mock's own stream
    mock = b.Mock("--rate", str(MOCK_RATE), "--seed", "1", site=site)
    b.log("2. the mock at --rate %d (%s): about %.0f messages/s offered"
          % (MOCK_RATE, mock.base, offered))
    rates = series("mock", mock.base, clients)
    mock.stop()
    mock_result = {k: b.median(v) for k, v in rates.items()}

    b.log("")
    b.log("%-22s %16s %16s" % ("client", "firehose msgs/s", "mock msgs/s"))
    for name in clients:
        b.log("%-22s %16s %16s" % (name, "-" if not firehose_result or
                                   firehose_result[name] is None else
                                   "%.0f" % firehose_result[name],
                                   "-" if mock_result[name] is None else
                                   "%.0f" % mock_result[name]))
    peers = [n for n in clients if n != "occtop"]
    if firehose_result and firehose_result["occtop"] is not None:
        best = max(peers, key=lambda n: firehose_result[n] or 0) if peers else None
        peer = firehose_result[best] if best else None
        ok = peer is not None and firehose_result["occtop"] >= 2 * peer
        b.figure("stream ingest, client-bound (msgs/s applied; peer: %s)" % (best or "none"),
                 firehose_result["occtop"], peer, ">= 2x the faster peer", ok,
                 status="skipped" if missing else None)
    elif not firehose_result:
        b.figure("stream ingest, client-bound (msgs/s applied)", None, None,
                 ">= 2x the faster peer", False, status="skipped")
    for name in clients:
        if mock_result[name] is not None:
            b.log("%-22s keeps %.1f %% of the mock's %.0f messages/s"
                  % (name, 100.0 * mock_result[name] / offered, offered))
    if mock_result["occtop"] is not None:
        best = max(peers, key=lambda n: mock_result[n] or 0) if peers else None
        ok = mock_result["occtop"] >= 0.97 * offered
        b.figure("stream ingest at the mock's pace, --rate %d (msgs/s applied; peer: %s)"
                 % (MOCK_RATE, best or "none"), mock_result["occtop"],
                 mock_result[best] if best else None, "keeps up with the mock", ok,
                 status="skipped" if missing else None)
    if missing:
        b.log("peers missing (figures without them): run sh tests/bench/setup.sh")


main()
