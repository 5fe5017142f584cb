#!/usr/bin/env python3
"""Time segments through occtop --serve and the real curl command: the demo
site's segments and groups, what spaces show (inherited ones included),
create / change / delete with their errors, and counts filtered by segment
in each space's own time zone.  (net/api_segments.c has the choices.)"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

AURORA = "spc_594214150598661487"  # Aurora Café, San Francisco: Breakfast, Lunch
LEVEL1 = "spc_594214077030723049"  # Level 1 of Harbor Building (Core Hours, inherited)
HARBOR = "spc_594213939708412225"
ZOE = "spc_594216916211869321"     # Café Zoë, London: Lunch
LUNCH = "tsm_612004642239573898"   # 11:30-14:00, weekdays
CORE = "tsm_612004699432390916"    # 09:00-17:00 on the three buildings
ALL_LUNCHES = "tsg_612009179586822601"
KEYS = ["id", "label", "start", "end", "spaces", "days"]

# 2024-05-01 is a Wednesday: 10:00 in San Francisco (PDT, UTC-7), 18:00 in
# London (BST, UTC+1).
server = h.Server("--site", h.SITE, "--seed", "1", "--rate-limit", "0",
                  "--start", "2024-05-01T17:00:00Z")
base = server.base
segments = base + "/time_segments/"

# --- the demo's segments --------------------------------------------------------------------
status, headers, body = h.curl(segments)
h.check("GET /time_segments/: 200, the demo's six", status == 200 and body["total"] == 6,
        "%s %s" % (status, body))
results = body["results"] if status == 200 else []
h.check("... each with exactly the reference's keys, in its order",
        results and all(list(s) == KEYS for s in results), results[:1])
lunch = next((s for s in results if s["id"] == LUNCH), {})
h.check("... Lunch: 11:30:00 to 14:00:00 on weekdays, on the five cafés",
        lunch.get("start") == "11:30:00" and lunch.get("end") == "14:00:00"
        and lunch.get("days") == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        and len(lunch.get("spaces", [])) == 5
        and {"space_id": AURORA, "name": "Aurora Café"} in lunch.get("spaces", []), lunch)
status, _, page = h.curl(segments + "?page_size=4")
h.check("... paginated: page_size=4 gives 4 and a next link with page=2",
        status == 200 and len(page["results"]) == 4 and "page=2" in (page["next"] or ""), page)
status, _, one = h.curl(segments + LUNCH + "/")
h.check("GET /time_segments/:id/ is the list's object", status == 200 and one == lunch, one)
status, _, missing = h.curl(segments + "tsm_nope/")
h.check("an unknown id is 404 naming it", status == 404 and "tsm_nope" in missing["detail"],
        missing)

# --- what spaces show -----------------------------------------------------------------------
status, _, aurora = h.curl(base + "/spaces/%s/" % AURORA)
names = [s["name"] for s in aurora.get("time_segments", [])] if status == 200 else []
h.check("a café shows its own segments and the building's Core Hours (inherited)",
        names == ["Core Hours", "Breakfast", "Lunch"] and aurora["inherits_time_segments"] is True,
        names)
h.check("... as the reference's space shows them (id, name, start, end, days)",
        all(sorted(s) == ["days", "end", "id", "name", "start"] for s in aurora["time_segments"]))
h.check("... with its groups", {"id": ALL_LUNCHES, "name": "All Lunches"}
        in aurora.get("time_segment_groups", []), aurora.get("time_segment_groups"))
status, _, level1 = h.curl(base + "/spaces/%s/" % LEVEL1)
h.check("a floor inherits its building's Core Hours",
        [s["id"] for s in level1["time_segments"]] == [CORE]
        and level1["inherits_time_segments"] is True, level1.get("time_segments"))
status, _, harbor = h.curl(base + "/spaces/%s/" % HARBOR)
h.check("the building has it itself: inherits_time_segments false",
        [s["id"] for s in harbor["time_segments"]] == [CORE]
        and harbor["inherits_time_segments"] is False, harbor.get("inherits_time_segments"))

# --- create, change, delete -----------------------------------------------------------------
status, headers, made = h.curl(segments, "POST", {
    "label": "Quiet Hours", "start": "20:00", "end": "07:00",
    "days": ["Sunday", "Monday"], "spaces": [HARBOR], "time_segment_groups": ["Night"]})
h.check("POST /time_segments/: 201 with the segment, days Monday first",
        status == 201 and made["id"].startswith("tsm_") and made["start"] == "20:00:00"
        and made["days"] == ["Monday", "Sunday"] and list(made) == KEYS, "%s %s" % (status, made))
h.check("... as JSON", headers.get("content-type", "").startswith("application/json"), headers)
made_id = made.get("id", "none") if status == 201 else "none"
status, _, level1 = h.curl(base + "/spaces/%s/" % LEVEL1)
h.check("... the floor inherits it at once, and its group",
        made_id in [s["id"] for s in level1["time_segments"]]
        and "Night" in [g["name"] for g in level1["time_segment_groups"]],
        level1.get("time_segments"))
status, _, changed = h.curl(segments + made_id + "/", "PUT", {"label": "Late", "spaces": []})
h.check("PUT changes what it names and keeps the rest",
        status == 200 and changed["label"] == "Late" and changed["spaces"] == []
        and changed["end"] == "07:00:00", changed)
for body, field in [
        ({"start": "11:00", "end": "12:00", "days": ["Monday"], "spaces": []}, '"label"'),
        ({"label": "x", "start": "25:00", "end": "12:00", "days": ["Monday"], "spaces": []},
         '"start"'),
        ({"label": "x", "start": "11:00", "end": "12:00", "days": ["monday"], "spaces": []},
         '"days[0]"'),
        ({"label": "x", "start": "11:00", "end": "12:00", "days": ["Monday", "Monday"],
          "spaces": []}, '"days[1]"'),
        ({"label": "x", "start": "11:00", "end": "12:00", "days": ["Monday"],
          "spaces": ["spc_nope"]}, '"spaces[0]"')]:
    status, _, error = h.curl(segments, "POST", body)
    h.check("POST %s: 400 naming %s" % (sorted(body), field),
            status == 400 and field in error.get("detail", ""), "%s %s" % (status, error))
status, _, error = h.curl(segments, "POST", "not json")
h.check("a body that is not JSON: 400 naming the request body",
        status == 400 and "request body" in error["detail"], error)
status, headers, empty = h.curl(segments + made_id + "/", "DELETE")
h.check("DELETE: 204 without a body", status == 204 and not empty, "%s %r" % (status, empty))
status, _, _ = h.curl(segments + made_id + "/")
h.check("... then it is gone (404)", status == 404)
status, _, level1 = h.curl(base + "/spaces/%s/" % LEVEL1)
h.check("... and so is its group, left empty",
        "Night" not in [g["name"] for g in level1["time_segment_groups"]],
        level1.get("time_segment_groups"))
status, headers, _ = h.curl(segments, "DELETE")
h.check("DELETE /time_segments/: 405 with Allow: GET, POST",
        status == 405 and headers.get("allow") == "GET, POST", headers)

# --- counts by segment ------------------------------------------------------------------------
window = "start_time=2024-05-01T17:00:00Z&end_time=2024-05-01T23:00:00Z"


def counts(space, query):
    status, _, body = h.curl(base + "/spaces/%s/counts/?%s&%s" % (space, window, query))
    return body if status == 200 else {"total": -1, "results": [], "detail": body}


def stamps(body):
    return [s["timestamp"][11:16] for s in body["results"]]


# Lunch in San Francisco is 18:30-21:00Z; in London 10:30-13:00Z, outside the window.
whole = counts(AURORA, "interval=1h")
by_lunch = counts(AURORA, "interval=1h&time_segment_id=" + LUNCH)
h.check("1h without a segment: six samples", whole["total"] == 6, whole.get("total"))
h.check("1h with Lunch: the three hours that hold lunch minutes (18:00, 19:00, 20:00Z)",
        stamps(by_lunch) == ["18:00", "19:00", "20:00"], stamps(by_lunch))
quarter = counts(AURORA, "interval=15m&time_segment_id=" + LUNCH)
h.check("15m with Lunch: 18:30Z to 20:45Z, ten samples",
        quarter["total"] == 10 and stamps(quarter)[0] == "18:30"
        and stamps(quarter)[-1] == "20:45", stamps(quarter))
minutes = counts(AURORA, "interval=1m&page_size=1000&time_segment_id=" + LUNCH)
first_hour = [s for s in minutes["results"] if s["timestamp"][11:13] == "18"]
h.check("... the 18:00 sample is the 18:30-18:59 minutes: its entrances add up",
        by_lunch["results"] and by_lunch["results"][0]["interval"]["analytics"]["entrances"]
        == sum(s["interval"]["analytics"]["entrances"] for s in first_hour),
        len(first_hour))
h.check("... metrics over the lunch minutes only",
        minutes["total"] == 150 and by_lunch["metrics"]["entrances"]["total"]
        == sum(s["interval"]["analytics"]["entrances"] for s in minutes["results"]),
        minutes.get("total"))
group = counts(AURORA, "interval=1h&time_segment_group_id=" + ALL_LUNCHES)
h.check("time_segment_group_id: the group's segments, the same answer", group == by_lunch)
h.check("London's café: its lunch is outside the window, an empty list",
        counts(ZOE, "interval=1h&time_segment_id=" + LUNCH)["total"] == 0)
unknown = counts(AURORA, "interval=1h&time_segment_id=tsm_nope")
h.check("an unknown segment id: an empty list, not an error",
        unknown["total"] == 0 and unknown["metrics"]["entrances"]["total"] == 0, unknown)
paged = counts(AURORA, "interval=15m&page_size=4&time_segment_id=" + LUNCH)
h.check("next keeps the filter", "time_segment_id=" + LUNCH in (paged.get("next") or ""),
        paged.get("next"))

server.stop()
h.finish()
