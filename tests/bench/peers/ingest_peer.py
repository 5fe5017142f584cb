#!/usr/bin/python3
"""The Python peer of tests/bench/stream_ingest.py: a Density stream client
with Debian's python3-websockets and json.loads, doing per message what
occtop's client does: parse it, look up the space, set its count.
    /usr/bin/python3 ingest_peer.py BASE_URL   (DENSITY_API_TOKEN in the environment)
Prints "peer-stats <wall ms> <messages applied>" every 100 ms."""
import asyncio
import json
import os
import sys
import time
import urllib.request

import websockets

BASE = sys.argv[1]
AUTH = {"Authorization": "Bearer " + os.environ["DENSITY_API_TOKEN"]}


def spaces():
    by_id, url = {}, BASE + "/spaces/?page_size=1000"
    while url:
        with urllib.request.urlopen(urllib.request.Request(url, headers=AUTH), timeout=30) as r:
            page = json.load(r)
        for s in page["results"]:
            by_id[s["id"]] = {"id": s["id"], "count": s["current_count"]}
        url = page["next"]
    return by_id


async def main():
    by_id = spaces()
    request = urllib.request.Request(BASE + "/sockets/", method="POST", data=b"", headers=AUTH)
    with urllib.request.urlopen(request, timeout=30) as r:
        url = json.load(r)["url"]
    applied = 0

    async def report():
        while True:
            sys.stdout.write("peer-stats %d %d\n" % (time.time() * 1000, applied))
            sys.stdout.flush()
            await asyncio.sleep(0.1)

    reporter = asyncio.create_task(report())
    async with websockets.connect(url, compression=None, max_size=64 * 1024) as ws:
        async for text in ws:
            message = json.loads(text)
            p = message.get("payload")
            if not p or p.get("type") != "count":
                continue
            space = by_id.get(p.get("space_id"))
            count = p.get("count")
            if space is None or not isinstance(count, int):
                continue
            space["count"] = count
            applied += 1
    reporter.cancel()
    print("peer: the server closed the stream", file=sys.stderr)
    sys.exit(1)


try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
