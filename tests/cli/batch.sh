#!/bin/sh
# The batch view through the real binary: the demo tree, JSON, the safe
# states, hierarchy problems, hostile names, and one clear line for a bad file.
. "$(dirname "$0")/lib.sh"

# --- the demo campus --------------------------------------------------------
run --batch --site "$demo_site"
check "demo: exit 0" [ "$status" -eq 0 ]
check "demo: no warnings (the demo site is valid)" [ ! -s "$work/err" ]
check "demo: header names the columns" grep -qE '^NAME +TYPE +COUNT +CAP +UTIL +STATE +LIMIT +MARKS' "$work/out"
rows=$(grep -cE ' (campus|building|floor|space) +[0-9]+ ' "$work/out")
check "demo: at least 50 spaces printed ($rows)" [ "$rows" -ge 50 ]
check "demo: the first row is the campus, not indented" \
    sh -c "sed -n 3p '$work/out' | grep -qE '^[^ ].* campus '"
check "demo: buildings indented under the campus" grep -qE '^  [^ ].* building ' "$work/out"
check "demo: floors indented under buildings" grep -qE '^    [^ ].* floor ' "$work/out"
check "demo: every safe state column holds a word" \
    sh -c "grep -E ' (campus|building|floor|space) ' '$work/out' | grep -vqE '  (OK|WARN|UNSAFE|-) ' && exit 1 || exit 0"
check "demo: summary line" grep -qE '^[0-9]+ unsafe, [0-9]+ in warning, 0 problems$' "$work/out"
check "demo: UTF-8 names kept in a UTF-8 locale" has_byte_above_7f "$work/out"

run --batch --site "$demo_site" --ascii
check "--ascii: exit 0" [ "$status" -eq 0 ]
check "--ascii: no byte above 0x7f" ascii_only "$work/out"
LC_ALL=C "$OCCTOP" --batch --site "$demo_site" >"$work/c-locale" 2>&1
check "C locale: ASCII chosen by itself" ascii_only "$work/c-locale"

run --batch --site "$demo_site" --format json
check "json: exit 0" [ "$status" -eq 0 ]
check "json: parses, one object per space" python3 -c "
import json, sys
doc = json.load(open('$work/out'))
assert doc['site'], 'site name'
assert len(doc['spaces']) >= 50, len(doc['spaces'])
assert doc['problems'] == []
keys = {'id','name','type','parent_id','depth','count','capacity','utilization','safe_state','safe_limit','safe_threshold_mode','marks'}
for s in doc['spaces']:
    assert keys <= set(s), set(s) ^ keys
    assert s['safe_state'] in ('none','ok','warn','unsafe')
assert doc['spaces'][0]['type'] == 'campus' and doc['spaces'][0]['depth'] == 0
"
check "json: ASCII only (escaped)" ascii_only "$work/out"

# --- the safe states of every mode ---------------------------------------------
run --batch --site "$fixtures/cli/safe-modes.json"
check "safe modes: exit 0" [ "$status" -eq 0 ]
state_of() { # NAME STATE LIMIT
    grep -E "^  $1 " "$work/out" | grep -qE "  $2 +$3( |$)"
}
check "SAFE_CAPACITY over the limit is UNSAFE" state_of "Cap over" UNSAFE 10
check "SAFE_CAPACITY at the limit is WARN" state_of "Cap at limit" WARN 10
check "SAFE_CAPACITY below the band is OK" state_of "Cap below band" OK 10
check "PERC_TARGET 0.6 x 10, 7 people is UNSAFE" state_of "Target over" UNSAFE 6
check "PERC_TARGET 0.6 x 10, 6 people is WARN" state_of "Target at limit" WARN 6
check "PERC_LEGAL 0.8 x 50, 41 people is UNSAFE" state_of "Legal over" UNSAFE 40
check "PERC_LEGAL 0.8 x 50, 20 people is OK" state_of "Legal low" OK 40
check "no threshold shows -" state_of "No threshold" - -
check "a mode without its limit shows -" state_of "Mode without limit" - -
check "safe modes: summary counts" grep -qE '^3 unsafe, 2 in warning, 0 problems$' "$work/out"

# --- hierarchy problems: warnings, marks, still shown ----------------------------
run --batch --site "$fixtures/cli/problems.json"
check "problems: exit 0 (the site is still shown)" [ "$status" -eq 0 ]
check "problems: one warning line each (6)" [ "$(lines "$work/err")" -eq 6 ]
check "problems: every warning names the file" \
    sh -c "! grep -v 'problems.json' '$work/err'"
check "problems: duplicate id named" grep -q 'duplicate space id spc_200' "$work/err"
check "problems: missing parent named" grep -q 'spc_missing' "$work/err"
check "problems: cycle members named" grep -qE 'cycle.*spc_40[01].*spc_40[01]' "$work/err"
check "problems: floor under campus named" grep -q 'floor spc_500 has campus spc_100' "$work/err"
check "problems: two child spaces named" grep -q 'spc_600.*2 child spaces' "$work/err"
check "problems: unknown doorway named" grep -q 'drw_ghost' "$work/err"
check "problems: orphan at the top level, marked" grep -qE '^Orphan room .* orphan$' "$work/out"
check "problems: cycle members at the top level, marked" grep -qE '^Loop A .* cycle$' "$work/out"
check "problems: twin marked dup-id" grep -qE '^  Twin of Building .* dup-id$' "$work/out"
check "problems: bad parent marked" grep -qE '^  Floor on campus .* bad-parent$' "$work/out"
check "problems: parent with two children marked" grep -qE 'Parent room .* children$' "$work/out"
check "problems: bad link marked" grep -qE 'Linked room .* bad-link$' "$work/out"
check "problems: summary counts them" grep -qE ' 6 problems$' "$work/out"

# --- hostile names ------------------------------------------------------------------
run --batch --site "$fixtures/cli/hostile-names.json"
check "hostile: exit 0" [ "$status" -eq 0 ]
check "hostile: no control bytes reach the terminal" no_control "$work/out"
check "hostile: no C1 control (U+009B) either" sh -c "! grep -q \"\$(printf '\302\233')\" '$work/out'"
check "hostile: no bidi override" sh -c "! grep -q \"\$(printf '\342\200\256')\" '$work/out'"
check "hostile: escape shown neutralised" grep -q 'Lobby �\[2J�\[H' "$work/out"
check "hostile: a 100 KB name is cut to the column" [ "$(awk '{ print length }' "$work/out" | sort -n | tail -n 1)" -lt 200 ]

# --- bad files: one clear line, exit 1 ----------------------------------------------
bad_file() { # WHAT EXPECTED-TEXT FILE
    run --batch --site "$3"
    check "$1: exit status 1" [ "$status" -eq 1 ]
    check "$1: exactly one line on stderr" [ "$(lines "$work/err")" -eq 1 ]
    check "$1: the line says what is wrong" grep -q -- "$2" "$work/err"
    check "$1: nothing on stdout" [ ! -s "$work/out" ]
}
head -c 20000 "$demo_site" >"$work/truncated.json"
bad_file "truncated demo" "truncated.json" "$work/truncated.json"
sed '0,/"capacity": [0-9][0-9]*/s//"capacity": "many"/' "$demo_site" >"$work/wrong-type.json"
bad_file "wrong type" 'field "capacity"' "$work/wrong-type.json"
printf '\0\1\2garbage' >"$work/binary.json"
bad_file "binary garbage" "binary.json" "$work/binary.json"
: >"$work/empty.json"
bad_file "empty file" "empty.json" "$work/empty.json"
bad_file "missing file" "No such file" "$work/none.json"
bad_file "a directory" "$work" "$work"
finish
