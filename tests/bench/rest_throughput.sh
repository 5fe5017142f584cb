#!/bin/sh
# REST throughput of the mock server (occtop --serve) beside json-server
# serving the same documents: requests per second that wrk gets from
#   GET /v2/spaces/:id/
#   GET /v2/spaces/:id/counts/?start_time=...&end_time=...&interval=5m
# wrk -t2 -c32 -d10s, 3 runs of each server and path (taken in turn), the
# median; the ratio occtop / json-server (target >= 5x).  A measurement, not a
# test: it prints a table, then FIGURE lines for tests/bench/run.sh.
#
#   sh tests/bench/rest_throughput.sh     (make bench runs it, through run.sh)
#   WRK_SECONDS=10 WRK_RUNS=3 WRK_THREADS=2 WRK_CONNECTIONS=32 to change the runs.
#
# The mock: `occtop --serve --site data/demo-campus.json --rate-limit 0
# --seed 1 --start 2024-05-01T17:00:00Z`, the token sent in an Authorization
# header (wrk -H), the space a room with a doorway, the counts window
# 14:00-16:00 UTC of that day (24 five-minute samples, computed per request
# from the minute history).  Both documents are fetched from the mock first
# and written to a db.json; json-server answers the same paths with them
# (custom routes, tests/bench/json_server_peer.js), and the script checks that
# both servers' bodies parse to the same JSON.  json-server checks no token.
#
# Needs wrk (Debian package wrk) and json-server in tests/bench/node_modules
# (sh tests/bench/setup.sh installs both); without them the figures are
# printed as skipped, with how to install them.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OCCTOP=${OCCTOP:-$top_builddir/src/occtop}
export OCCTOP top_srcdir
export WRK_SECONDS=${WRK_SECONDS:-10} WRK_RUNS=${WRK_RUNS:-3}
export WRK_THREADS=${WRK_THREADS:-2} WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}

exec python3 - <<'EOF'
import json, os, re, secrets, select, shutil, signal, statistics, subprocess, sys, tempfile
import time, urllib.request

OCCTOP = os.environ["OCCTOP"]
TOP = os.environ["top_srcdir"]
BENCH = os.path.join(TOP, "tests", "bench")
SITE = os.path.join(TOP, "data", "demo-campus.json")
SECONDS = int(os.environ["WRK_SECONDS"])
RUNS = int(os.environ["WRK_RUNS"])
THREADS = int(os.environ["WRK_THREADS"])
CONNECTIONS = int(os.environ["WRK_CONNECTIONS"])
START = "2024-05-01T17:00:00Z"
WINDOW = "start_time=2024-05-01T14:00:00Z&end_time=2024-05-01T16:00:00Z&interval=5m"
TARGET = 5.0
TOKEN = "tok-" + secrets.token_hex(16)
SETUP = "sh tests/bench/setup.sh"
PATHS = [("space", "GET /v2/spaces/:id/"), ("counts", "GET /v2/spaces/:id/counts/ (5m, 2 h)")]
work = tempfile.mkdtemp(prefix="occtop-restbench.")


def figure(name, occtop, peer, ratio, status):
    print("FIGURE\t%s\t%s\t%s\t%s\t>= %gx json-server\t%s"
          % (name, occtop, peer, ratio, TARGET, status))


def figure_name(what):
    return "REST: requests/s, %s, wrk -t%d -c%d" % (what, THREADS, CONNECTIONS)


wrk = shutil.which("wrk")
node = shutil.which("node")
peer_module = os.path.join(BENCH, "node_modules", "json-server", "package.json")
if not wrk:
    print("rest_throughput: wrk is not installed (Debian package wrk): run %s" % SETUP,
          file=sys.stderr)
    for _, what in PATHS:
        figure(figure_name(what), "-", "-", "-", "skipped")
    sys.exit(0)
have_peer = bool(node) and os.path.exists(peer_module)
if not have_peer:
    print("rest_throughput: json-server is not installed in tests/bench/node_modules"
          "%s: run %s; measuring occtop alone" % ("" if node else " (nor node)", SETUP),
          file=sys.stderr)


def first_line(process, what):
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline().decode().strip() if ready else ""
    if not line.startswith("http://127.0.0.1:"):
        process.kill()
        sys.exit("rest_throughput: %s did not print its URL: %r" % (what, line))
    return line


def get(url, token=TOKEN):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_wrk(url):
    """One wrk run: requests/s, and the count of non-2xx answers and socket errors."""
    out = subprocess.run([wrk, "-t%d" % THREADS, "-c%d" % CONNECTIONS, "-d%ds" % SECONDS,
                          "-H", "Authorization: Bearer " + TOKEN, url],
                         capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s*([0-9.]+)", out)
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s*(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return (float(m.group(1)) if m else 0.0), bad


token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(token_file, 0o600)
env = dict(os.environ, OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
env.pop("DENSITY_API_TOKEN", None)
mock = subprocess.Popen([OCCTOP, "--serve", "--site", SITE, "--listen", "127.0.0.1:0",
                         "--token-file", token_file, "--rate-limit", "0", "--seed", "1",
                         "--start", START],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
peer = None
try:
    base = first_line(mock, "occtop --serve")  # http://127.0.0.1:PORT/v2
    spaces = json.loads(get(base + "/spaces/?page_size=1000"))["results"]
    room = next(s for s in spaces if s["space_type"] == "space" and s["doorways"])
    paths = {"space": "/spaces/%s/" % room["id"],
             "counts": "/spaces/%s/counts/?%s" % (room["id"], WINDOW)}
    bodies = {key: get(base + path) for key, path in paths.items()}
    prefix = base[base.index("/", len("http://")):]  # /v2
    urls = {"occtop": {key: base + path for key, path in paths.items()}}

    if have_peer:
        db = os.path.join(work, "db.json")
        with open(db, "w") as f:
            json.dump({key: json.loads(body) for key, body in bodies.items()}, f)
        routes = os.path.join(work, "routes.json")
        with open(routes, "w") as f:
            json.dump({prefix + paths["space"]: "/space",
                       prefix + "/spaces/%s/counts/*" % room["id"]: "/counts"}, f)
        peer = subprocess.Popen([node, os.path.join(BENCH, "json_server_peer.js"), db, routes, "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env=dict(os.environ, NODE_PATH=os.path.join(BENCH, "node_modules")),
                                cwd=BENCH)
        peer_base = first_line(peer, "json-server")
        urls["json-server"] = {key: peer_base + prefix + path for key, path in paths.items()}
        for key in paths:
            answer = get(urls["json-server"][key])
            if json.loads(answer) != json.loads(bodies[key]):
                sys.exit("rest_throughput: json-server's %s differs from the mock's" % key)
            print("%s: occtop %d bytes, json-server %d bytes, the same JSON"
                  % (key, len(bodies[key]), len(answer)))

    results = {server: {key: [] for key in paths} for server in urls}
    bad_runs = []
    for run in range(RUNS):
        for key in paths:
            for server in urls:
                rate, bad = run_wrk(urls[server][key])
                results[server][key].append(rate)
                if bad:
                    bad_runs.append("%s %s run %d: %d non-2xx answers or socket errors"
                                    % (server, key, run + 1, bad))
finally:
    stop(mock)
    if peer:
        stop(peer)
    shutil.rmtree(work, ignore_errors=True)

print("wrk -t%d -c%d -d%ds, %d runs each, requests/s (the runs; median)"
      % (THREADS, CONNECTIONS, SECONDS, RUNS))
for key, what in PATHS:
    for server in results:
        rates = results[server][key]
        print("  %-40s %-12s %s; median %.0f" % (what, server, ", ".join("%.0f" % r for r in rates),
                                                statistics.median(rates)))
for line in bad_runs:
    print("  not every answer was a 200:", line)
print()
for key, what in PATHS:
    mine = statistics.median(results["occtop"][key])
    if "json-server" in results:
        theirs = statistics.median(results["json-server"][key])
        ratio = mine / theirs if theirs else 0.0
        status = "met" if ratio >= TARGET and not bad_runs else "missed"
        figure(figure_name(what), "%.0f" % mine, "%.0f" % theirs, "%.1fx" % ratio, status)
    else:
        figure(figure_name(what), "%.0f" % mine, "-", "-", "skipped")
EOF
