#!/usr/bin/env python3
"""occtop --serve --state FILE: what the API changes survives a restart, and
a kill -9 in the middle of a burst of writes never leaves the file corrupt
nor loses a change whose answer came back.  (README, "The mock server".)"""
import json
import os
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

state = os.path.join(h.work, "state.json")


def load_state():
    with open(state) as f:
        return json.load(f)


def names(base):
    status, _, body = h.curl(base + "/spaces/?page_size=1000")
    return {s["name"]: s for s in body["results"]} if status == 200 else {}


# --- a new state file, changes, a restart ---------------------------------------------------
server = h.Server("--site", h.SITE, "--seed", "3", "--rate-limit", "0", "--state", state)
h.check("--state FILE that does not exist: written at start, a site file of the whole site",
        os.path.exists(state) and len(load_state()["spaces"]) == 78, state)
base = server.base
_, _, room = h.curl(base + "/spaces/", "POST", {"name": "Saved Room", "capacity": 12,
                                                "notes": "kept"})
_, _, door = h.curl(base + "/doorways/", "POST", {"name": "Saved Door",
                                                  "sensor_serial_number": "ZSAVE1"})
_, _, link = h.curl(base + "/links/", "POST", {"space_id": room["id"], "doorway_id": door["id"],
                                               "sensor_placement": -1})
h.curl(base + "/spaces/%s/tags/" % room["id"], "POST", {"tag_name": "kept"})
_, _, team = h.curl(base + "/spaces/%s/assigned_teams/" % room["id"], "POST",
                    {"team_name": "Facilities"})
h.curl(base + "/spaces/%s/" % room["id"], "PUT", {"name": "Saved Room (renamed)",
                                                   "safe_capacity": 5,
                                                   "safe_threshold_mode": "SAFE_CAPACITY"})
_, _, hook = h.curl(base + "/webhooks/", "POST", {"endpoint": "http://127.0.0.1:9/hook",
                                                  "name": "kept hook",
                                                  "headers": {"X-Kept": "yes"}})
_, _, segment = h.curl(base + "/time_segments/", "POST",
                       {"label": "Kept Hours", "start": "08:00:00", "end": "10:00:00",
                        "days": ["Monday", "Friday"], "spaces": [room["id"]]})
_, _, gone = h.curl(base + "/spaces/", "POST", {"name": "Short-lived"})
h.curl(base + "/spaces/%s/" % gone["id"], "DELETE", {"name": "Short-lived"})
server.stop()

server = h.Server("--site", h.SITE, "--seed", "3", "--rate-limit", "0", "--state", state)
base = server.base
status, _, got = h.curl(base + "/spaces/%s/" % room["id"])
h.check("after a restart: the created space with its edits, tag, team and link",
        status == 200 and got["name"] == "Saved Room (renamed)" and got["notes"] == "kept" and
        got["safe_capacity"] == 5 and got["tags"] == ["kept"] and
        got["assigned_teams"] == [team] and
        [(d["id"], d["link_id"], d["sensor_placement"]) for d in got["doorways"]] ==
        [(door["id"], link["id"], -1)], got)
status, _, got = h.curl(base + "/sensors/ZSAVE1/")
h.check("... the new sensor on its doorway", status == 200 and got["doorway_id"] == door["id"], got)
h.check("... the deleted space stays deleted",
        h.curl(base + "/spaces/%s/" % gone["id"])[0] == 404)
status, _, got = h.curl(base + "/webhooks/%s/" % hook["id"])
h.check("... the webhook, with its headers", status == 200 and got["name"] == "kept hook" and
        got["headers"] == {"X-Kept": "yes"}, got)
status, _, got = h.curl(base + "/time_segments/%s/" % segment["id"])
h.check("... the time segment, on its space", status == 200 and got["label"] == "Kept Hours" and
        [x["space_id"] for x in got["spaces"]] == [room["id"]], got)
_, _, other = h.curl(base + "/time_segments/", "POST",
                     {"label": "Next", "start": "10:00", "end": "11:00", "days": ["Monday"],
                      "spaces": [room["id"]]})
h.check("... and new ids do not reuse old ones", other.get("id") not in (None, segment["id"]),
        other)
server.stop()

# --- kill -9 during a burst of writes ------------------------------------------------------------
server = h.Server("--site", h.SITE, "--seed", "3", "--rate-limit", "0", "--state", state)
base = server.base
acknowledged, lock, stop = [], threading.Lock(), threading.Event()


def writer(n):
    i = 0
    while not stop.is_set():
        name = "burst-%d-%d" % (n, i)
        i += 1
        try:
            status, _, _ = h.curl(base + "/spaces/", "POST", {"name": name})
        except Exception:
            return
        if status == 201:
            with lock:
                acknowledged.append(name)


threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(4)]
for t in threads:
    t.start()
time.sleep(2.5)
server.process.send_signal(signal.SIGKILL)
server.process.wait()
stop.set()
for t in threads:
    t.join(35)
with lock:
    made = list(acknowledged)
h.note("%d spaces acknowledged before the kill" % len(made))
try:
    saved = load_state()
except ValueError as e:
    saved = None
    h.check("the state file parses after kill -9", False, e)
h.check("the state file is whole JSON after kill -9 in a burst of writes", saved is not None)
server = h.Server("--site", h.SITE, "--seed", "3", "--rate-limit", "0", "--state", state)
now = names(server.base)
missing = [n for n in made if n not in now]
h.check("every space whose 201 came back is there after the restart (%d)" % len(made),
        len(made) > 0 and not missing, missing[:5])
server.stop()
leftovers = [f for f in os.listdir(h.work) if f.startswith("state.json.tmp")]
h.note("temporary files left by the kill: %s" % leftovers)
h.finish()
