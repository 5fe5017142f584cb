#!/bin/sh
# occtop --replay RECORDING through the real binary: a --record recording
# (tests/fixtures/replay/recording.jsonl, its lines in README.md there) played
# back as live batch mode prints, at --speed and at the recorded speed, with
# --format json, --at, --interval, --iterations, --duration; hostile lines;
# a damaged header; and sensor logs still replayed as before.
. "$(dirname "$0")/lib.sh"
replay=$fixtures/replay
rec=$replay/recording.jsonl
A=spc_700000000000000001 L=spc_700000000000000002 W=spc_700000000000000003 P=spc_700000000000000004

now_ms() { date +%s%3N; }
# final SPACE COUNT: the last line printed for SPACE shows COUNT.
final() { [ "$(grep " $1 " "$work/out" | tail -n 1 | cut -d' ' -f3)" = "$2" ]; }
table_count() { # NAME COUNT: the last table's row of NAME shows COUNT
    grep -E "^ *$1 +(building|floor|space) +" "$work/out" | tail -n 1 | grep -qE " $2 +[0-9]+ "
}

# --- the fixture, fast: one line per change, as live batch mode prints -----------
run --replay "$rec" --batch --speed 1000
check "replay: exit 0" [ "$status" -eq 0 ]
check "replay: six changes" [ "$(lines "$work/out")" -eq 6 ]
check "replay: the first line" \
    grep -qx "2024-03-12T16:00:00.400Z $A 4 Annex" "$work/out"
check "replay: Wet Lab from its message" \
    grep -qx "2024-03-12T16:00:00.900Z $W 2 Wet Lab" "$work/out"
check "replay: Annex ends at 3" final $A 3
check "replay: Level 1 ends at 3" final $L 3
check "replay: Wet Lab ends at 2" final $W 2
check "replay: Prep Room ends at 1" final $P 1
check "replay: the escape sequences in a name come out harmless" no_control "$work/out"
check "replay: ... and the rest of the name is kept" grep -q "$P 1 .*Prep Room" "$work/out"
check "replay: a duplicate message prints nothing" [ "$(grep -c " $A 4 " "$work/out")" -eq 1 ]
check "replay: four skipped lines and a summary on stderr" [ "$(lines "$work/err")" -eq 5 ]
check "replay: invalid JSON named with its line" grep -q 'recording.jsonl:5: invalid JSON' "$work/err"
check "replay: a wrong type named with its line" \
    grep -q 'recording.jsonl:7: websocket message: field "payload.count"' "$work/err"
check "replay: an unknown space named" \
    grep -q 'recording.jsonl:8: space spc_799999999999999999 is not in the recording' "$work/err"
check "replay: a line without its time" grep -q 'recording.jsonl:15: field "received_at"' "$work/err"
check "replay: the summary" grep -q 'messages played 7, lines skipped 4 (unreadable 3, unknown space 1), malformed when received 1' "$work/err"
check "replay: stderr is terminal-safe" no_control "$work/err"

run --replay "$rec" --batch --speed 1000 --ascii
check "--ascii: only ASCII" ascii_only "$work/out"

# A clean recording says nothing on stderr.
head -n 4 "$rec" >"$work/clean.jsonl"
run --replay "$work/clean.jsonl" --batch --speed 1000
check "clean: exit 0, nothing on stderr" [ "$status" -eq 0 -a ! -s "$work/err" ]
check "clean: three lines" [ "$(lines "$work/out")" -eq 3 ]

# --- the recorded speed: the fixture spans 2 s ----------------------------------------
t0=$(now_ms)
run --replay "$work/clean.jsonl" --batch
t1=$(now_ms)
check "recorded speed: the lines came at the recorded pace (>= 0.8 s for 1 s)" \
    [ $((t1 - t0)) -ge 800 ]
t0=$(now_ms)
run --replay "$rec" --batch --speed 1
t1=$(now_ms)
check "recorded speed: 2 s of recording take at least 1.5 s" [ $((t1 - t0)) -ge 1500 ]
check "recorded speed: the same six lines" [ "$(lines "$work/out")" -eq 6 ]
t0=$(now_ms)
run --replay "$rec" --batch --speed 4
t1=$(now_ms)
check "--speed 4: at least 0.4 s" [ $((t1 - t0)) -ge 400 ]
t0=$(now_ms)
run --replay "$rec" --batch --speed 1000
t1=$(now_ms)
check "--speed 1000: well under the recorded 2 s" [ $((t1 - t0)) -lt 1500 ]

# --- JSON lines ---------------------------------------------------------------------------
run --replay "$rec" --batch --speed 1000 --format json
check "json: exit 0" [ "$status" -eq 0 ]
check "json: one object per change, connection REPLAY" /usr/bin/python3 -c "
import json
rows = [json.loads(l) for l in open('$work/out')]
assert len(rows) == 6, rows
assert all(r['connection'] == 'REPLAY' for r in rows), rows
assert set(rows[0]) == {'time', 'space_id', 'name', 'count', 'connection'}, rows[0]
last = {r['space_id']: r['count'] for r in rows}
assert last == {'$A': 3, '$L': 3, '$W': 2, '$P': 1}, last
assert rows[3]['name'].startswith('\x1b[31mPrep Room'), rows[3]
"
check "json: ASCII, escapes written as \\u" ascii_only "$work/out"

# --- --at: the table as of that time ----------------------------------------------------
run --replay "$rec" --batch --speed 1000 --at 2024-03-12T16:00:01.500Z
check "--at: exit 0" [ "$status" -eq 0 ]
check "--at: the changes before it" [ "$(grep -c "^2024-03-12T16:00:0.\.[0-9]*Z spc_" "$work/out")" -eq 3 ]
check "--at: then the table headed by the time" \
    grep -qx '2024-03-12T16:00:01.500Z REPLAY, newest data 0 s old' "$work/out"
check "--at: Annex 4 then" table_count Annex 4
check "--at: Wet Lab 2 then" table_count "Wet Lab" 2
check "--at: Prep Room 0 then (its message came later)" table_count ".*Prep Room.*" 0
run --replay "$rec" --batch --speed 1000 --at 2024-03-12T15:00:00Z
check "--at before the recording: exit 1, one line" [ "$status" -eq 1 -a "$(lines "$work/err")" -eq 1 ]
check "--at before the recording: says so" grep -q 'before the recording starts' "$work/err"

# --- --interval, --iterations, --duration (recorded time) -------------------------------------
run --replay "$rec" --batch --speed 1000 --interval 1
check "--interval 1: three tables over 2 s" [ "$(grep -c ' REPLAY, newest data ' "$work/out")" -eq 3 ]
check "--interval 1: at 0, 1 and 2 s" sh -c "grep ' REPLAY, newest data ' '$work/out' | cut -c1-24 | tr '\n' ' ' | grep -qx '2024-03-12T16:00:00.000Z 2024-03-12T16:00:01.000Z 2024-03-12T16:00:02.000Z '"
check "--interval 1: the last table has the final counts" table_count Annex 3
check "--interval 1: ... Wet Lab 2" table_count "Wet Lab" 2
run --replay "$rec" --batch --speed 1000 --interval 1 --iterations 2
check "--interval --iterations 2: two tables" [ "$(grep -c ' REPLAY, newest data ' "$work/out")" -eq 2 ]
run --replay "$rec" --batch --speed 1000 --iterations 2
check "--iterations 2: two lines" [ "$(lines "$work/out")" -eq 2 ]
run --replay "$rec" --batch --speed 1000 --duration 1
check "--duration 1: the lines of the first second" [ "$(lines "$work/out")" -eq 3 ]
run --replay "$rec" --batch --speed 1000 --interval 1 --format json
check "--interval json: three JSON tables" /usr/bin/python3 -c "
import json
text = open('$work/out').read()
dec, at, docs = json.JSONDecoder(), 0, []
while at < len(text.rstrip()):
    doc, at = dec.raw_decode(text, at)
    docs.append(doc)
    while at < len(text) and text[at].isspace():
        at += 1
assert len(docs) == 3, len(docs)
by = {s['name']: s['count'] for s in docs[-1]['spaces']}
assert by['Annex'] == 3 and by['Wet Lab'] == 2, by
"

# --- a later run appended to the same file (--record appends) ---------------------------------
{ cat "$work/clean.jsonl"
  head -n 1 "$rec" | sed 's/"started_at":"2024-03-12T16:00:00.000Z"/"started_at":"2024-03-12T16:00:03.000Z"/'
} >"$work/two-runs.jsonl"
run --replay "$work/two-runs.jsonl" --batch --speed 1000
check "two runs: exit 0, quiet" [ "$status" -eq 0 -a ! -s "$work/err" ]
check "two runs: the second run's counts are changes" final $A 3
check "two runs: ... Wet Lab back to 1" final $W 1

# --- a signal ends a long gap at once -----------------------------------------------------------
{ head -n 2 "$rec"; sed -n 4p "$rec" | sed 's/16:00:01.000Z/17:00:01.000Z/'; } >"$work/gap.jsonl"
t0=$(now_ms)
"$OCCTOP" --replay "$work/gap.jsonl" --batch >"$work/out" 2>"$work/err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
status=$?
t1=$(now_ms)
check "SIGINT in an hour-long gap: exit 0 at once" [ "$status" -eq 0 -a $((t1 - t0)) -lt 5000 ]
check "SIGINT: the line before the gap was printed" [ "$(lines "$work/out")" -eq 1 ]

# --- damaged input --------------------------------------------------------------------------------
printf '{"occtop_recording":1,"started_at":"2024-03-12T16:00:00Z","site":{\n' >"$work/broken.jsonl"
run --replay "$work/broken.jsonl" --batch
check "damaged header: exit 1, one line" [ "$status" -eq 1 -a "$(lines "$work/err")" -eq 1 ]
check "damaged header: names the file and line" grep -q 'broken.jsonl:1: a recording whose first line is not valid JSON' "$work/err"
printf '{"occtop_recording":1,"started_at":"2024-03-12T16:00:00Z","site":{"spaces":[{"id":"s","name":"\\u001b]0;x\\u0007","space_type":"campus","capacity":"lots"}]}}\n' >"$work/badsite.jsonl"
run --replay "$work/badsite.jsonl" --batch
check "bad site in the header: exit 1, one line" [ "$status" -eq 1 -a "$(lines "$work/err")" -eq 1 ]
check "bad site in the header: names the field" grep -q 'badsite.jsonl:1: site.spaces\[0\]' "$work/err"
check "bad site in the header: terminal-safe" no_control "$work/err"
{ head -n 1 "$rec"; i=0; while [ $i -lt 100 ]; do echo '{"received_at":1}'; i=$((i + 1)); done; } >"$work/many.jsonl"
run --replay "$work/many.jsonl" --batch --speed 1000
check "100 bad lines: exit 0" [ "$status" -eq 0 ]
check "100 bad lines: 20 lines, the rest counted, a summary" [ "$(lines "$work/err")" -eq 22 ]
check "100 bad lines: the rest counted" grep -q '80 more skipped lines not shown' "$work/err"

# --- from a pipe, and sensor logs as before -----------------------------------------------------
cat "$rec" | "$OCCTOP" --replay /dev/stdin --batch --speed 1000 >"$work/out" 2>"$work/err"
check "a recording from a pipe" [ "$(lines "$work/out")" -eq 6 ]
run --replay "$replay/messy.csv" --site "$replay/site.json" --batch
check "sensor log: still counted" grep -qx 'replay: rows read 22, events applied 16, duplicates dropped 4, rows rejected 2, clamps 3' "$work/out"
cat "$replay/messy.csv" | "$OCCTOP" --replay /dev/stdin --site "$replay/site.json" --batch \
    >"$work/out" 2>"$work/err"
check "sensor log from a pipe: nothing lost to the detection" grep -qx 'replay: rows read 22, events applied 16, duplicates dropped 4, rows rejected 2, clamps 3' "$work/out"
run --replay "$replay/messy.csv" --site "$replay/site.json" --batch --speed 10
check "--speed with a sensor log: exit 2" [ "$status" -eq 2 ]
check "--speed with a sensor log: one line that says why" \
    grep -qx 'occtop: --speed goes with --serve, --demo or --replay of a recording' "$work/err"
# Without --batch a recording plays in the monitor, which needs a terminal.
run --replay "$rec" --speed 10
check "a recording without --batch and without a terminal: exit 1" [ "$status" -eq 1 ]
check "... saying the monitor needs a terminal" grep -q 'the monitor needs a terminal' "$work/err"
run --replay "$top_srcdir/tests/fixtures/replay/messy.csv"
check "a sensor log without --batch: exit 2" [ "$status" -eq 2 ]
check "... saying it needs --batch" grep -q 'replay of a sensor log needs --batch' "$work/err"
finish
