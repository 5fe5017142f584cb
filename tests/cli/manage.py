#!/usr/bin/env python3
"""The mock's management endpoints through the real binary and the real curl
command: a campus > building > floor > space hierarchy made through the API,
a doorway linked to the space, simulated traffic through it moving the
counts and reaching the websocket stream; every hierarchy rule's 400; tags,
teams, links, doorways; deleting.  (README, "The mock server".)"""
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import websockets  # noqa: E402

server = h.Server("--site", h.SITE, "--seed", "7", "--rate", "400", "--rate-limit", "0")
base = server.base

# A live client follows what the API changes while it runs: it starts now.
watcher = subprocess.Popen([h.OCCTOP, "--batch", "--api-url", base, "--interval", "1",
                            "--format", "json", "--duration", "120"],
                           env=dict(os.environ, DENSITY_API_TOKEN=h.TOKEN),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
tables = []


def read_tables():
    decoder = json.JSONDecoder()
    text = ""
    for line in watcher.stdout:
        text += line.decode(errors="replace")
        while True:
            text = text.lstrip()
            try:
                value, end = decoder.raw_decode(text)
            except ValueError:
                break
            tables.append(value)
            text = text[end:]


reader = threading.Thread(target=read_tables, daemon=True)
reader.start()


def client_sees(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tables and predicate({s["id"]: s for s in tables[-1]["spaces"]}):
            return True
        time.sleep(0.2)
    return False


def post(path, data, expect=201):
    status, _, body = h.curl(base + path, "POST", data)
    if status != expect:
        h.check("POST %s %s answers %d" % (path, json.dumps(data)[:80], expect), False,
                (status, body))
    return body


def refused(what, path, data, method="POST", field=None):
    status, _, body = h.curl(base + path, method, data)
    detail = body.get("detail", "") if isinstance(body, dict) else ""
    h.check("400: %s" % what, status == 400 and (field is None or field in detail), (status, body))
    return detail


# --- a hierarchy made through the API ----------------------------------------------------------
campus = post("/spaces/", {"name": "North Campus", "space_type": "campus",
                           "time_zone": "Europe/Paris"})
building = post("/spaces/", {"name": "Hall A", "space_type": "building",
                             "parent_id": campus["id"], "annual_rent": 120000.5})
floor = post("/spaces/", {"name": "Ground", "space_type": "floor", "parent_id": building["id"]})
room = post("/spaces/", {"name": "Reading Room", "parent_id": floor["id"], "capacity": 30,
                         "notes": "quiet", "meta": {"wing": "east"}, "function": "library"})
h.check("created: ids with their prefixes, the hierarchy as asked",
        campus["id"].startswith("spc_") and room["parent_id"] == floor["id"] and
        [a["id"] for a in room["ancestry"]] == [floor["id"], building["id"], campus["id"]],
        room.get("ancestry"))
h.check("a new space takes its parent's time zone; the fields given are shown",
        room["time_zone"] == "Europe/Paris" and room["notes"] == "quiet" and
        room["meta"] == {"wing": "east"} and room["function"] == "library" and
        room["capacity"] == 30 and room["daily_reset"] == "04:00" and room["created_at"],
        room)
status, _, got = h.curl(base + "/spaces/%s/" % building["id"])
h.check("GET shows a created space as POST answered it, annual_rent on the building",
        status == 200 and got["annual_rent"] == 120000.5 and got["name"] == "Hall A", got)

# --- every rule of the hierarchy: a 400 naming it ------------------------------------------------
refused("a floor belongs to a building (under a campus)", "/spaces/",
        {"name": "x", "space_type": "floor", "parent_id": campus["id"]}, field="a floor belongs to a building")
refused("a floor belongs to a building (no parent)", "/spaces/",
        {"name": "x", "space_type": "floor"}, field="a floor belongs to a building")
refused("a building stands alone or belongs to a campus", "/spaces/",
        {"name": "x", "space_type": "building", "parent_id": floor["id"]},
        field="a building stands alone or belongs to a campus")
refused("a campus cannot have a parent", "/spaces/",
        {"name": "x", "space_type": "campus", "parent_id": campus["id"]},
        field="a campus cannot have a parent")
refused("annual_rent only on buildings", "/spaces/",
        {"name": "x", "parent_id": floor["id"], "annual_rent": 10}, field="annual_rent")
post("/spaces/", {"name": "Alcove", "parent_id": room["id"]})
refused("a space has at most one child space", "/spaces/",
        {"name": "x", "parent_id": room["id"]}, field="at most one child space")
refused("a space cannot be its own ancestor", "/spaces/%s/" % campus["id"],
        {"parent_id": room["id"]}, method="PUT", field="own ancestor")
refused("a type change must keep the children within the rules", "/spaces/%s/" % building["id"],
        {"space_type": "space", "annual_rent": None}, method="PUT", field="space_type")
lone = post("/spaces/", {"name": "Hall B", "space_type": "building", "parent_id": campus["id"],
                         "annual_rent": 5000})
refused("a building that stops being one drops its rent", "/spaces/%s/" % lone["id"],
        {"space_type": "space"}, method="PUT", field="annual_rent")
status, _, got = h.curl(base + "/spaces/%s/" % lone["id"], "PUT",
                        {"space_type": "space", "annual_rent": None})
h.check("... and with the rent dropped, it may", status == 200 and got["space_type"] == "space" and
        got["annual_rent"] is None, got)
# Renamed before the live client learns of any change (see below).
status, _, _ = h.curl(base + "/spaces/%s/" % lone["id"], "PUT", {"name": "Hall B (renamed)"})
refused("parent_id must name a space", "/spaces/", {"name": "x", "parent_id": "spc_nope"},
        field="parent_id")
refused("name is required", "/spaces/", {"capacity": 3}, field="name")
refused("a blank name", "/spaces/", {"name": "  "}, field="name")
refused("an unknown function", "/spaces/", {"name": "x", "function": "bowling"}, field="function")
refused("latitude out of range", "/spaces/", {"name": "x", "latitude": 91}, field="latitude")
refused("not a JSON object", "/spaces/", "[1, 2]", field="request body")
status, _, after = h.curl(base + "/spaces/?page_size=1000")
h.check("nothing refused was made", status == 200 and
        not any(s["name"] == "x" for s in after["results"]), status)

# --- a doorway, its sensor and a link: simulated traffic moves the count -------------------------
door = post("/doorways/", {"name": "North Reading Door", "description": "east",
                           "sensor_serial_number": "ZTEST001"})
refused("a doorway's name is unique", "/doorways/", {"name": "North Reading Door"}, field="name")
refused("a sensor is on one doorway", "/doorways/", {"name": "Other", "sensor_serial_number": "ZTEST001"},
        field="sensor_serial_number")
link = post("/links/", {"space_id": room["id"], "doorway_id": door["id"], "sensor_placement": 1})
refused("a second link between the same two", "/links/",
        {"space_id": room["id"], "doorway_id": door["id"], "sensor_placement": -1}, field="doorway_id")
refused("a link to an unknown space", "/links/",
        {"space_id": "spc_nope", "doorway_id": door["id"], "sensor_placement": 1}, field="space_id")
refused("sensor_placement is 1 or -1", "/links/",
        {"space_id": floor["id"], "doorway_id": door["id"], "sensor_placement": 2},
        field="sensor_placement")
status, _, got = h.curl(base + "/links/%s/" % link["id"])
h.check("GET /links/:id/ shows the link", status == 200 and got == link, got)
status, _, got = h.curl(base + "/doorways/%s/" % door["id"])
h.check("the doorway lists the space with the link's id and placement",
        status == 200 and got["spaces"] == [{"id": room["id"], "name": "Reading Room",
                                             "link_id": link["id"], "sensor_placement": 1}], got)
status, _, sensor = h.curl(base + "/sensors/ZTEST001/")
h.check("the new serial is a sensor on that doorway", status == 200 and
        sensor["doorway_id"] == door["id"], sensor)


async def stream_events_for(space_id, seconds):
    status, _, ticket = h.curl(base + "/sockets", "POST")
    seen = 0
    async with websockets.connect(ticket["url"], open_timeout=10) as ws:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and seen == 0:
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 1))
            except asyncio.TimeoutError:
                continue
            seen += message["payload"]["space_id"] == space_id
    return seen


seen = asyncio.run(stream_events_for(room["id"], 20))
h.check("the new space's events reach the websocket stream", seen > 0, seen)
status, _, events = h.curl(base + "/spaces/%s/events/?start_time=2000-01-01T00:00:00Z" % room["id"])
status2, _, now = h.curl(base + "/spaces/%s/" % room["id"])
h.note("%d events through the new doorway, count %s" % (events["total"], now["current_count"]))
h.check("simulated traffic through the linked doorway: events, from sensor ZTEST001",
        status == 200 and events["total"] > 0 and
        all(e["doorway_id"] == door["id"] for e in events["results"]), events)
h.check("... and the count follows them", status2 == 200 and now["current_count"] ==
        sum(e["direction"] for e in events["results"]) if events["total"] <= 200 else True,
        (now["current_count"], events["total"]))

# A space made now, with a doorway: its first event reaches the live client,
# which does not know it and fetches the new shape, renames included.
h.check("the live client was running before the changes", client_sees(lambda spaces: True, 10))
late = post("/spaces/", {"name": "Late Room", "parent_id": floor["id"]})
late_door = post("/doorways/", {"name": "Late Door", "sensor_serial_number": "ZLATE001"})
post("/links/", {"space_id": late["id"], "doorway_id": late_door["id"], "sensor_placement": 1})
h.check("the live client's table shows the space made through the API (by its events)",
        client_sees(lambda spaces: late["id"] in spaces and
                    spaces[late["id"]]["parent_id"] == floor["id"], 30),
        tables[-1]["spaces"][-3:] if tables else None)
h.check("... and a rename made before that refresh",
        client_sees(lambda spaces: spaces.get(lone["id"], {}).get("name") == "Hall B (renamed)", 5),
        [s for s in tables[-1]["spaces"] if s["id"] == lone["id"]] if tables else None)

# --- tags and teams ----------------------------------------------------------------------------
refused("tag names: letters, digits, _ and - only", "/spaces/%s/tags/" % room["id"],
        {"tag_name": "no spaces"}, field="tag_name")
h.check("tagging answers 201 {tag_name}",
        post("/spaces/%s/tags/" % room["id"], {"tag_name": "quiet-zone"}) == {"tag_name": "quiet-zone"})
status, _, tag = h.curl(base + "/tags/quiet-zone/")
h.check("GET /tags/:name/ lists the tagged space", status == 200 and
        [s["id"] for s in tag["spaces"]] == [room["id"]], tag)
post("/doorways/%s/tags/" % door["id"], {"tag_name": "east"})
status, _, _ = h.curl(base + "/spaces/%s/tags/quiet-zone/" % room["id"], "DELETE")
h.check("untagging answers 204", status == 204, status)
status, _, _ = h.curl(base + "/spaces/%s/tags/quiet-zone/" % room["id"], "DELETE")
h.check("untagging a tag the space lacks: 404", status == 404, status)
team = post("/spaces/%s/assigned_teams/" % room["id"], {"team_name": "Library staff"})
status, _, got = h.curl(base + "/spaces/%s/" % room["id"])
h.check("an assigned team: 201 {id, team_name}, listed on the space",
        team["id"].startswith("ast_") and got["assigned_teams"] == [team], (team, got.get("assigned_teams")))
status, _, _ = h.curl(base + "/spaces/%s/assigned_teams/%s/" % (room["id"], team["id"]), "DELETE")
h.check("removing the team: 204", status == 204, status)

# --- deleting --------------------------------------------------------------------------------
refused("DELETE needs the space's exact name", "/spaces/%s/" % floor["id"], {"name": "ground"},
        method="DELETE", field="name")
refused("DELETE of a space with children", "/spaces/%s/" % floor["id"], {"name": "Ground"},
        method="DELETE", field="child spaces")
status, _, _ = h.curl(base + "/links/%s/" % link["id"], "DELETE")
h.check("DELETE /links/:id/: 204", status == 204, status)
status, _, got = h.curl(base + "/doorways/%s/" % door["id"])
h.check("... the doorway has no space any more", got["spaces"] == [], got)
status, _, got = h.curl(base + "/spaces/?page_size=1000")
alcove = [s for s in got["results"] if s["name"] == "Alcove"][0]
for space, name in ((alcove, "Alcove"), (room, "Reading Room")):
    status, _, _ = h.curl(base + "/spaces/%s/" % space["id"], "DELETE", {"name": name})
    h.check("DELETE %s: 204" % name, status == 204, status)
status, _, _ = h.curl(base + "/spaces/%s/" % room["id"])
h.check("a deleted space is 404", status == 404, status)
status, _, _ = h.curl(base + "/doorways/%s/" % door["id"], "DELETE")
h.check("DELETE a doorway: 204, then 404", status == 204 and
        h.curl(base + "/doorways/%s/" % door["id"])[0] == 404, status)
status, headers, _ = h.curl(base + "/spaces/%s/" % floor["id"], "PATCH", {})
h.check("405 names the methods", status == 405 and headers.get("allow") == "GET, PUT, DELETE",
        (status, headers.get("allow")))
status, _, got = h.curl(base + "/spaces/%s/" % floor["id"])
h.check("the server still answers", status == 200, status)
watcher.send_signal(signal.SIGTERM)
code = watcher.wait(15)
errors = watcher.stderr.read().decode(errors="replace")
h.outputs.append(errors)
h.check("the live client ran to the end (exit 0), saying nothing", code == 0 and errors == "",
        (code, errors[-500:]))
server.stop()
h.finish()
