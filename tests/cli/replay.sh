#!/bin/sh
# occtop --replay through the real binary: the messy CSV worked out by hand
# (tests/fixtures/replay/README.md), --at, JSON history, resets, bad input.
. "$(dirname "$0")/lib.sh"
replay=$fixtures/replay
site=$replay/site.json

count_of() { # NAME COUNT: the row of NAME shows COUNT
    grep -qE "^ *$1 +(building|floor|space) +$2 " "$work/out"
}

# --- the messy CSV, by hand: Annex 2, Level 1 2, Wet Lab 1, Prep Room 1 ----------
run --replay "$replay/messy.csv" --site "$site" --batch
check "messy: exit 0" [ "$status" -eq 0 ]
check "messy: Annex counts 2" count_of Annex 2
check "messy: Annex Level 1 counts 2" count_of "Annex Level 1" 2
check "messy: Wet Lab counts 1" count_of "Wet Lab" 1
check "messy: Prep Room counts 1" count_of "Prep Room" 1
check "messy: the summary" grep -qx 'replay: rows read 22, events applied 16, duplicates dropped 4, rows rejected 2, clamps 3' "$work/out"
check "messy: the span" grep -qx 'replay: events from 2024-03-12T16:00:05.250Z, counts as of 2024-03-12T16:10:00.000Z' "$work/out"
check "messy: two bad rows, one line each" [ "$(lines "$work/err")" -eq 2 ]
check "messy: bad timestamp named with its line" grep -q 'messy.csv:11: column "Timestamp"' "$work/err"
check "messy: bad trajectory named with its line" grep -q 'messy.csv:12: column "Direction"' "$work/err"

# --- --at: the counts as of 16:05:30 --------------------------------------------
run --replay "$replay/messy.csv" --site "$site" --batch --at 2024-03-12T16:05:30Z
check "--at: exit 0" [ "$status" -eq 0 ]
check "--at: Annex counts 1" count_of Annex 1
check "--at: Wet Lab counts 1" count_of "Wet Lab" 1
check "--at: Prep Room counts 0" count_of "Prep Room" 0
check "--at: the summary" grep -qx 'replay: rows read 22, events applied 8, duplicates dropped 3, rows rejected 2, clamps 1, after --at 9' "$work/out"
check "--at: as of the time asked" grep -q 'counts as of 2024-03-12T16:05:30.000Z' "$work/out"

# --- JSON: per-space counts, clamps and hourly history ---------------------------
run --replay "$replay/messy.csv" --site "$site" --batch --format json
check "json: exit 0" [ "$status" -eq 0 ]
check "json: counts, clamps, history" python3 -c "
import json
doc = json.load(open('$work/out'))
s = doc['summary']
assert (s['rows_read'], s['events_applied'], s['duplicates_dropped'], s['rows_rejected'], s['clamps']) == (22, 16, 4, 2, 3), s
assert doc['replay']['format'] == 'csv' and doc['replay']['first_event'] == '2024-03-12T16:00:05.250Z'
by = {x['name']: x for x in doc['spaces']}
assert by['Annex']['count'] == 2 and by['Prep Room']['count'] == 1 and by['Wet Lab']['count'] == 1
assert by['Annex Level 1']['clamps'] == 1 and by['Prep Room']['clamps'] == 1, [(x['name'], x['clamps']) for x in doc['spaces']]
h = by['Annex']['history']
assert len(h) == 1 and h[0]['timestamp'] == '2024-03-12T16:00:00.000Z', h
# 16:00-17:00 at the front door: 5 in (4 by sensor, 1 by doorway id), 4 out.
# The count reached 3 at 16:10 as the file was read, but the late exit of
# 16:06:30 (last row) means only 2 were in at 16:10: history says max 2.
assert (h[0]['entrances'], h[0]['exits'], h[0]['count'], h[0]['max'], h[0]['min']) == (5, 4, 0, 2, 0), h
"

# --- the daily reset happens inside a replay (04:00 in Los Angeles = 11:00Z) -------
cat >"$work/night.csv" <<'CSV'
timestamp,trajectory,sensor_serial_number
2024-03-12T10:00:00Z,1,Z700000000000000001
2024-03-12T10:30:00Z,1,Z700000000000000001
CSV
run --replay "$work/night.csv" --site "$site" --batch --at 2024-03-12T10:59:59Z
check "before the reset: 2 in" count_of Annex 2
run --replay "$work/night.csv" --site "$site" --batch --at 2024-03-12T11:00:00Z
check "at 04:00 local the count is 0" count_of Annex 0

# --- JSON lines and a saved API response -----------------------------------------
run --replay "$replay/events.jsonl" --site "$site" --batch
check "jsonl: exit 0" [ "$status" -eq 0 ]
check "jsonl: one bad line reported" [ "$(lines "$work/err")" -eq 1 ]
check "jsonl: summary present" grep -q '^replay: rows read ' "$work/out"
run --replay "$replay/envelope.json" --site "$site" --batch
check "envelope: exit 0" [ "$status" -eq 0 ]
check "envelope: events applied" grep -qE '^replay: rows read [1-9][0-9]*, events applied [1-9]' "$work/out"

# --- many bad rows: a bounded number of lines ----------------------------------------
{ echo "timestamp,trajectory,serial"; i=0; while [ $i -lt 100 ]; do echo "nope,1,X"; i=$((i + 1)); done; } >"$work/bad.csv"
run --replay "$work/bad.csv" --site "$site" --batch
check "100 bad rows: exit 0 with a summary" grep -q 'rows rejected 100' "$work/out"
check "100 bad rows: 20 lines and a count of the rest" [ "$(lines "$work/err")" -eq 21 ]
check "100 bad rows: the rest counted" grep -q '80 more rejected rows not shown' "$work/err"

# --- retention: history older than --history-days is not kept --------------------
cat >"$work/week.csv" <<'CSV'
timestamp,trajectory,serial
2024-03-01T16:00:00Z,1,Z700000000000000001
2024-03-12T16:00:00Z,1,Z700000000000000001
CSV
run --replay "$work/week.csv" --site "$site" --batch --format json --history-days 2
check "--history-days 2: only the last two days of history" /usr/bin/python3 -c "
import json
by = {x['name']: x for x in json.load(open('$work/out'))['spaces']}
h = by['Annex']['history']
assert h and h[0]['timestamp'] >= '2024-03-10', h[:2]
"
run --replay "$work/week.csv" --site "$site" --batch --history-days 0
check "--history-days 0: exit 2" [ "$status" -eq 2 ]

# --- mistakes ---------------------------------------------------------------------
run --replay "$work/none.csv" --site "$site" --batch
check "missing log: exit 1, one line" [ "$status" -eq 1 ] && [ "$(lines "$work/err")" -eq 1 ]
printf 'when,who\n1,2\n' >"$work/columns.csv"
run --replay "$work/columns.csv" --site "$site" --batch
check "CSV without the columns: exit 1" [ "$status" -eq 1 ]
check "CSV without the columns: names what is missing" grep -qi 'time' "$work/err"
run --replay "$replay/messy.csv" --site "$site"
check "--replay without --batch: exit 2" [ "$status" -eq 2 ]
run --replay "$replay/messy.csv" --site "$site" --batch --at yesterday
check "bad --at: exit 2" [ "$status" -eq 2 ]
check "bad --at: names it" grep -q -- '--at takes an ISO 8601 time' "$work/err"
run --batch --at 2024-01-01T00:00:00Z --site "$site"
check "--at without --replay: exit 2" [ "$status" -eq 2 ]
finish
