#!/bin/sh
# Installs the peers that tests/bench/stream_ingest.py and
# tests/bench/rest_throughput.sh measure occtop against (make bench never
# installs anything itself; without them it skips those figures and says to
# run this):
#   - Node.js's `ws` and `json-server` packages at the versions pinned in
#     package-lock.json, into tests/bench/node_modules (gitignored), with
#     `npm ci`;
#   - Debian's wrk (the HTTP load generator of rest_throughput.sh; apt-get,
#     as root);
#   - Debian's python3-websockets for /usr/bin/python3 (apt-get, as root).
# Node.js itself (18 or later: the peer uses its built-in fetch) and npm
# come from the system: apt-get install nodejs npm.
set -e
here=$(cd "$(dirname "$0")" && pwd)
if command -v npm >/dev/null 2>&1; then
    (cd "$here" && npm ci --no-audit --no-fund)
else
    echo "setup.sh: npm not found: apt-get install nodejs npm, then run this again" >&2
fi
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y wrk
    else
        echo "setup.sh: wrk missing: sudo apt-get install wrk" >&2
    fi
fi
if ! /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y python3-websockets
    else
        echo "setup.sh: python3-websockets missing: sudo apt-get install python3-websockets" >&2
    fi
fi
