#!/bin/sh
# The interactive monitor through the real binary, driven in tmux with
# send-keys and read back with capture-pane: the tree and its sparklines,
# folding (keys and mouse), sorting, filtering, help, the lunch-rush alarm and
# its acknowledgement, the kiosk view, --ascii, resizing, hostile names, a
# clean exit, and Ctrl-Z / fg.  Every byte occtop writes is recorded too
# (pipe-pane).  screen.py reads the captures.  The lunch-rush run starts
# first: its cafés take about a minute to fill and empty again, and the rest
# runs meanwhile.  About a minute in all.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux is not installed (Debian package tmux); the monitor is not tested"
    exit 77
fi
LC_ALL=C.UTF-8
export LC_ALL

screen_py=$top_srcdir/tests/cli/screen.py
aurora=spc_594214150598661487 # Aurora Café: capacity 120, safe capacity 60
socket=$work/tmux             # a private tmux server: a user's sessions stay untouched
tm() { tmux -S "$socket" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; rm -rf "$work"' EXIT

# start NAME COLS ROWS ARGS...: `occtop --demo --seed 1 --quiet ARGS` in a new
# tmux session of that size.  occtop waits until pipe-pane records what it
# writes ($work/NAME.raw); when it ends, the pane shows its exit status and
# the terminal's line modes.
start() {
    s_name=$1 s_cols=$2 s_rows=$3
    shift 3
    s_args=
    for s_arg in "$@"; do
        s_args="$s_args '$(printf %s "$s_arg" | sed "s/'/'\\\\''/g")'"
    done
    cat >"$work/$s_name.sh" <<EOF
while [ ! -e '$work/$s_name.go' ]; do sleep 0.05; done
env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color OCCTOP_DATA_DIR='$top_srcdir/data' \\
    '$OCCTOP' --demo --seed 1 --quiet --site '$demo_site' $s_args
echo "OCCTOP-EXIT=\$?"
echo "TTY: \$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost)' | tr '\\n' ' ')"
exec sleep 600
EOF
    tm new-session -d -s "$s_name" -x "$s_cols" -y "$s_rows" "sh '$work/$s_name.sh'"
    tm pipe-pane -t "$s_name" -o "cat >>'$work/$s_name.raw'"
    : >"$work/$s_name.go"
}
key() { k_name=$1; shift; tm send-keys -t "$k_name" "$@"; }
# down NAME N: the cursor to the first row, then N rows down.
down() {
    key "$1" g
    d_n=$2
    while [ "$d_n" -gt 0 ]; do key "$1" j; d_n=$((d_n - 1)); done
}

# shows SECONDS NAME TEST [ARGS...]: captures NAME's screen into $screen until
# TEST succeeds; after SECONDS it fails and prints why and the screen.
shows() {
    p_end=$(($(date +%s) + $1)) p_name=$2
    shift 2
    screen=$work/$p_name.txt
    while :; do
        tm capture-pane -p -t "$p_name" >"$screen" 2>"$work/$p_name.why"
        if "$@" 2>>"$work/$p_name.why"; then return 0; fi
        if [ "$(date +%s)" -ge "$p_end" ]; then
            {
                echo "--- waited in vain for: $*"
                cat "$work/$p_name.why"
                echo "--- the screen of $p_name:"
                cat "$screen"
                echo "---"
            } >&2
            return 1
        fi
        sleep 0.25
    done
}
has() { grep -qF -- "$1" "$screen"; }
lacks() { ! grep -qF -- "$1" "$screen"; }
# line N ERE: line N of the screen (0 at the top) matches ERE.
line() { sed -n "$(($1 + 1))p" "$screen" | grep -qE -- "$2"; }
py() { py_command=$1; shift; python3 "$screen_py" "$py_command" "$screen" "$@"; }
# plain TEXT: TEXT alone on a line (centred), not drawn big.
plain() { grep -qxE -- " *$1 *" "$screen"; }
lines_at_most() { py width-at-most "$1"; }
still_running() { lacks "OCCTOP-EXIT="; }

# --- 6. the lunch rush's alarm, until acknowledged ---------------------------------------------
# Its cafés take about a minute to fill and empty again: these checks run in
# the background while the others go on, and report at the end.
rush_checks() {
    first=
    find_first() { first=$(py first-unsafe) && [ -n "$first" ]; }
    check "alarm: a café becomes UNSAFE in the alarm pane (HH:MM:SS UNSAFE name)" \
        shows 90 rush find_first
    echo "# the first alarm: $first"
    check "alarm: the header counts it" shows 5 rush line 0 '  unsafe [1-9][0-9]*  '
    # Acknowledge that one alarm: filter to the cafés, select its row, press a.
    key rush /
    key rush -l caf
    key rush Enter
    shows 10 rush py filtered "$demo_site" caf >/dev/null
    down rush $(($(py line-of "$first") - 2))
    key rush a
    # The message first: it shows for 5 s, and a slow machine (ASan) may
    # take that long over the next check.
    check "alarm: a on its row acknowledges that one alarm, and says so" \
        shows 10 rush line 39 '^ alarm acknowledged'
    # Still UNSAFE and marked acknowledged; or, if its café emptied in the
    # meantime, gone (acknowledged and safe).
    acknowledged_first() { py alarm "$first" UNSAFE acknowledged || py no-alarm "$first"; }
    check "alarm: ... listed as acknowledged while still UNSAFE" \
        shows 10 rush acknowledged_first
    check "alarm: ... and the title counts the alarms not acknowledged" \
        shows 5 rush py alarm-title-consistent
    second=
    find_second() { second=$(py first-unsafe "$first") && [ -n "$second" ]; }
    check "alarm: another café becomes UNSAFE, not acknowledged" shows 90 rush find_second
    echo "# the second alarm: $second"
    sleep 5
    second_listed() {
        py alarm "$second" UNSAFE "" 2>/dev/null || py alarm "$second" "was unsafe" "safe again"
    }
    check "alarm: five seconds on, it is still listed, not acknowledged" shows 1 rush second_listed
    check "alarm: the acknowledged one goes once its café is safe again" \
        shows 120 rush py no-alarm "$first"
    check "alarm: the other stays when its café is safe again, until acknowledged" \
        shows 120 rush py alarm "$second" "was unsafe" "safe again"
    key rush g a
    acknowledged_all() { py no-alarm "$second" && py alarm-title 0; }
    check "alarm: a on a row without an alarm acknowledges all: it goes, ALARMS 0" \
        shows 10 rush acknowledged_all
    check "alarm: ... and says how many" shows 5 rush line 39 '^ [0-9]+ alarms? acknowledged'
    key rush q
    check "alarm: q quits, status 0" shows 10 rush has "OCCTOP-EXIT=0"
}
# A fixed start: early morning in all three of the campus's zones, so that
# after the rush the cafés' own traffic is light whatever the time of day
# the test runs at (at a real lunch hour a café may stay unsafe for long).
start rush 120 40 --speed 60 --scenario lunch-rush --start 2024-05-01T06:00:00Z
(
    failures=0
    rush_checks
    echo "$failures" >"$work/rush.failures"
) >"$work/rush.log" 2>&1 &
rush_pid=$!

# --- 1. the tree, its counts and sparklines ---------------------------------------------
# A fixed start, on a weekday's working hours in the campus's three zones:
# the checks below want traffic, which a night (at the wall clock's hour of
# the run) may not give (8 rows with a sparkline instead of 10, seen once).
start main 120 40 --speed 60 --start 2024-05-01T16:00:00Z
header='^ Northwind Campus +DEMO ×60 +LIVE +unsafe [0-9]+  warn [0-9]+  people [0-9]+(/[0-9]+)? +[0-9]{2}:[0-9]{2}:[0-9]{2}$'
check "tree: the header names the site, DEMO ×60, LIVE, the counts and the clock" \
    shows 30 main line 0 "$header"
check "tree: the column titles" \
    shows 5 main line 1 '^NAME +COUNT +CAP +UTIL +STATE +IN/OUT /m +MARKS +LAST [0-9]+ MIN$'
check "tree: the campus, expanded, at the top" shows 5 main py row "Northwind Campus" ▼ 0
check "tree: Harbor Building under it" shows 5 main py row "Harbor Building" ▼ 1
check "tree: Aurora Café, a leaf, under Level 1" shows 5 main py row "Aurora Café" · 3
check "tree: a number in COUNT on each of at least 20 rows" shows 5 main py counts 20
check "tree: sparklines (▁..█) on at least 10 rows after some seconds" \
    shows 30 main py sparks 10
check "tree: the bottom bar shows the keys and sort:tree" \
    shows 5 main line 39 '^q Quit +\? Help +/ Filter .* sort:tree$'

# --- 2. folding ----------------------------------------------------------------------------
shows 5 main py line-of "Harbor Building" >/dev/null
down main $(($(py line-of "Harbor Building") - 2))
key main Space
harbor_folded() {
    py row "Harbor Building" ► 1 && py no-row "Level 1" && py no-row "Aurora Café" &&
        py row "Hudson Building" any 1
}
harbor_open() { py row "Harbor Building" ▼ 1 && py row "Level 1" ▼ 2 && py row "Aurora Café" · 3; }
check "fold: Space on Harbor Building hides its floors and rooms" shows 10 main harbor_folded
key main Space
check "fold: Space again shows them" shows 10 main harbor_open
key main Left
check "fold: Left folds" shows 10 main harbor_folded
key main Right
check "fold: Right unfolds" shows 10 main harbor_open
key main -
only_campus() { py only-top-level && py row "Northwind Campus" ► 0; }
check "fold: - collapses everything to the top-level rows" shows 10 main only_campus
key main +
all_open() { py row "Northwind Campus" ▼ 0 && py row "Fitness Center" ▼ 3 && py row "Yoga Studio" · 4; }
check "fold: + expands everything" shows 10 main all_open
# A mouse click as an xterm reports it (SGR 1006: ESC [ < button ; x ; y M/m),
# clicks half a second apart (curses makes two within 1/6 s a double click).
click() {
    key "$1" -l "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' 10 "$2" 10 "$2")"
    sleep 0.5
}
harbor_y=$(($(py line-of "Harbor Building") + 1))
click main "$harbor_y"
click main "$harbor_y"
check "mouse: a click selects Harbor Building, a second one folds it" shows 10 main harbor_folded
click main "$harbor_y"
check "mouse: a click on the selected row unfolds it" shows 10 main harbor_open

# --- 3. sorting -------------------------------------------------------------------------------
key main g s
check "sort: s shows sort:count at the bottom right" shows 10 main line 39 ' sort:count$'
check "sort: siblings in non-increasing COUNT order" shows 10 main py sorted-by-count
key main s
check "sort: then sort:utilization" shows 10 main line 39 ' sort:utilization$'
key main s
check "sort: then sort:state" shows 10 main line 39 ' sort:state$'
key main s
check "sort: then back to sort:tree" shows 10 main line 39 ' sort:tree$'

# --- 4. filtering -------------------------------------------------------------------------------
everything() { py row "Harbor Lobby" · 3 && py row "Level 2" any 2 && line 39 ' sort:tree$'; }
key main /
key main -l caf
check "filter: the prompt shows what is typed" shows 10 main line 39 '^filter: caf'
check "filter: only the spaces named *caf* and their ancestors" \
    shows 10 main py filtered "$demo_site" caf
key main Escape
check "filter: Esc clears it: every row again" shows 10 main everything
key main /
key main -l caf
key main Enter
kept() { line 39 ' sort:tree /caf$' && py filtered "$demo_site" caf; }
check "filter: Enter keeps it, named at the bottom right" shows 10 main kept
key main /
key main Escape
check "filter: / then Esc clears a kept filter" shows 10 main everything

# --- 5. help ---------------------------------------------------------------------------------
key main '?'
help_shown() {
    has "occtop - live occupancy monitor" && has "Press any key to return." &&
        has "acknowledge" && ! grep -qE '^NAME +COUNT' "$screen"
}
check "help: ? shows the keys instead of the tree" shows 10 main help_shown
key main x
back_to_tree() { lacks "Press any key to return." && py row "Harbor Building" ▼ 1; }
check "help: any key returns to the tree" shows 10 main back_to_tree

# --- 7a. the kiosk key on a quiet leaf: COME IN ------------------------------------------------
shows 5 main py line-of "Harbor Lobby" >/dev/null
down main $(($(py line-of "Harbor Lobby") - 2))
key main k
come_in() { line 0 '^ +Harbor Lobby$' && py big "COME IN" █ && py big-count █; }
check "kiosk key: Harbor Lobby (not full) shows its count and COME IN, big" shows 10 main come_in
key main k
check "kiosk key: k returns to the tree" shows 10 main back_to_tree

# --- 11. q quits: status 0, the terminal as it was ----------------------------------------------
key main q
check "quit: q ends occtop with status 0" shows 10 main has "OCCTOP-EXIT=0"
check "quit: the tree is gone (the normal screen is back)" shows 5 main lacks "Harbor Building"
modes=$(tm display -p -t main \
    'alt=#{alternate_on} mouse=#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}#{mouse_sgr_flag} cursor=#{cursor_flag} keypad=#{keypad_flag}#{keypad_cursor_flag}')
check "quit: no alternate screen, no mouse reports, cursor shown, keypad reset ($modes)" \
    [ "$modes" = "alt=0 mouse=0000 cursor=1 keypad=00" ]
tty_modes() {
    grep -q '^TTY: ' "$screen" || return 1
    for t_mode in icanon echo isig icrnl opost; do
        grep '^TTY: ' "$screen" | tr ' ' '\n' | grep -qx -- "$t_mode" || return 1
    done
}
check "quit: the line modes restored (icanon, echo, isig, icrnl, opost)" shows 5 main tty_modes

# --- 7. the kiosk of the café that the lunch rush fills ----------------------------------------
start kiosk 120 40 --speed 60 --scenario lunch-rush --kiosk "$aurora"
start kiosk-small 40 12 --speed 60 --scenario lunch-rush --kiosk "$aurora"
start hold 120 40 --speed 60 --scenario lunch-rush --kiosk "$aurora" --please-wait "HOLD ON"
start hold-small 40 12 --speed 60 --scenario lunch-rush --kiosk "$aurora" --please-wait "HOLD ON"
check "kiosk: Aurora Café becomes UNSAFE in the lunch rush" shows 60 kiosk py kiosk-state UNSAFE
check "kiosk: its name on the top line" shows 5 kiosk line 0 '^ +Aurora Café$'
check "kiosk 120x40: the count (of the status line) drawn big in █" shows 10 kiosk py big-count █
check "kiosk 120x40: PLEASE WAIT drawn big" shows 10 kiosk py big "PLEASE WAIT" █
check "kiosk 120x40: no words as plain text" shows 5 kiosk lacks "PLEASE WAIT"
unsafe_small() { py kiosk-state UNSAFE && plain "PLEASE WAIT" && py plain-count; }
check "kiosk 40x12: too small to draw big: PLEASE WAIT and the count as text" \
    shows 30 kiosk-small unsafe_small
check "kiosk 40x12: fits the window" shows 5 kiosk-small lines_at_most 40
hold_on() { py kiosk-state UNSAFE && py big "HOLD ON" █ && lacks "PLEASE WAIT"; }
check "--please-wait HOLD ON: drawn big instead of PLEASE WAIT" shows 30 hold hold_on
hold_on_small() { py kiosk-state UNSAFE && plain "HOLD ON" && lacks "PLEASE WAIT"; }
check "--please-wait HOLD ON at 40x12: as text" shows 30 hold-small hold_on_small
key kiosk Escape
sleep 1.5
check "kiosk from the command line: Esc does not leave it" shows 5 kiosk py kiosk-state UNSAFE
key kiosk q
check "kiosk from the command line: q quits, status 0" shows 10 kiosk has "OCCTOP-EXIT=0"
for s in kiosk-small hold hold-small; do tm kill-session -t "$s"; done

# --- 8. --ascii: not one byte above 0x7f, in every view ---------------------------------------
start ascii 120 40 --speed 60 --scenario lunch-rush --ascii
check "--ascii: the tree, with ASCII markers and bars" \
    shows 30 ascii line 3 '^  - Harbor Building +[0-9]+ +640 [#.]+ +[0-9]+% '
key ascii j Space
check "--ascii: a folded row" shows 10 ascii line 3 '^  \+ Harbor Building '
key ascii Space
shows 10 ascii line 3 '^  - Harbor Building ' >/dev/null
key ascii '?'
check "--ascii: the help" shows 10 ascii has "Press any key to return."
key ascii x
aurora_leaf() { grep -q '^      \. Aurora Caf' "$screen"; }
shows 10 ascii aurora_leaf
down ascii $(($(grep -n '^      \. Aurora Caf' "$screen" | head -n 1 | cut -d: -f1) - 3))
key ascii d
check "--ascii: the details of a leaf" shows 10 ascii has "DOORWAYS"
key ascii Escape
check "--ascii: Esc leaves the details" shows 10 ascii line 1 '^NAME +COUNT'
key ascii k
check "--ascii: the kiosk view" shows 10 ascii has "full  -  "
key ascii k
key ascii s
check "--ascii: the tree again" shows 10 ascii line 39 ' sort:count$'
key ascii q
shows 10 ascii has "OCCTOP-EXIT=" >/dev/null
check "--ascii: more than 10 KB were recorded" [ "$(wc -c <"$work/ascii.raw")" -gt 10000 ]
check "--ascii: no byte above 0x7f reached the terminal" ascii_only "$work/ascii.raw"

# --- 8a. the details: tags and time segments, the current one marked ----------------------------
# 2024-05-01T19:00:00Z is a Wednesday, 12:00 in San Francisco: Aurora Café is
# in its Lunch (its own) and in Core Hours (its building's, inherited).
start segments 120 40 --start 2024-05-01T19:00:00Z
shows 30 segments py row "Harbor Building" ▼ 1 >/dev/null
key segments /
key segments -l Aurora
key segments Enter
shows 10 segments has "Aurora Café Kitchen" >/dev/null
down segments 3
key segments d
check "details: the tags of Aurora Café" shows 10 segments has "tags: cafe, food, safe-display"
check "details: its time segments, now: Core Hours (inherited) and Lunch" \
    shows 5 segments has "TIME SEGMENTS  now: Core Hours, Lunch"
lunch_row() {
    grep -qE '^   Lunch +Mon-Fri +11:30-14:00 +now *$' "$screen" &&
        grep -qE '^   Breakfast +Mon-Fri +07:30-10:00 *$' "$screen" &&
        grep -qE '^   Core Hours +Mon-Fri +09:00-17:00 +now *$' "$screen"
}
check "details: each segment with its days and times, the current ones marked now" \
    shows 5 segments lunch_row
check "details: the doorways still below" shows 5 segments has "DOORWAYS"
key segments q
shows 10 segments line 1 '^NAME +COUNT' >/dev/null
key segments q
shows 10 segments has "OCCTOP-EXIT=" >/dev/null

# --- 10. hostile space and doorway names --------------------------------------------------------
python3 - "$demo_site" "$work/hostile.json" <<'EOF'
import json, sys
site = json.load(open(sys.argv[1], encoding="utf-8"))
names = {
    "Northwind Campus": "North\x1b]0;pwned\x07wind",  # OSC 0: set the window title
    "Harbor Lobby": "X\x1b[31mevil",                   # SGR: red
    "Aurora Café Kitchen": "Bell\x07\x07Rm",            # BEL
    "Yoga Studio": "C1\u009b2Jcsi",                    # C1 CSI: clear the screen
    "Level 1 Restrooms": "\u202eRevo",                 # right-to-left override
    "Harbor Auditorium": "Tab\tNL\nCR\rEnd",           # C0 layout controls
}
for space in site["spaces"]["results"]:
    space["name"] = names.get(space["name"], space["name"])
for door in site["doorways"]["results"]:
    if door["name"] == "Harbor Main Entrance":
        door["name"] = "Door\x1b[2JMain"
json.dump(site, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
demo_site_kept=$demo_site
demo_site=$work/hostile.json
start hostile 120 40 --speed 60
demo_site=$demo_site_kept
hostile_shown() {
    line 0 '^ North.*pwned.*wind ' && has "evil" && has "Revo" && grep -q 'C1.*csi' "$screen" &&
        grep -q 'Bell.*Rm' "$screen" && grep -q 'Tab.*End' "$screen" && py row "Fitness Center" ▼ 3
}
check "hostile: every name shown on its own row, its visible rest kept" \
    shows 30 hostile hostile_shown
down hostile $(($(grep -n 'evil' "$screen" | head -n 1 | cut -d: -f1) - 3))
key hostile d
check "hostile: the details of X<ESC>[31mevil" shows 10 hostile has "DOORWAYS"
key hostile Escape
shows 10 hostile line 1 '^NAME +COUNT' >/dev/null
key hostile k
check "hostile: its kiosk view" shows 10 hostile line 0 'evil'
key hostile k
hostile_door() { grep -q 'via Door.*Main = [0-9]' "$screen"; }
check "hostile: a hostile doorway name in the events pane" shows 30 hostile hostile_door
title=$(tm display -p -t hostile '#{pane_title}')
check "hostile: the pane's title was not set by the OSC in a name ($title)" \
    [ "$title" != "pwned" ]
key hostile q
shows 10 hostile has "OCCTOP-EXIT=" >/dev/null
check "hostile: the recording saw UTF-8 (so the --ascii check can fail)" \
    has_byte_above_7f "$work/hostile.raw"
check "hostile: no injected sequence, C1, bidi or BEL, only curses' own escapes" \
    python3 "$screen_py" clean-stream "$work/hostile.raw" \
    '\x1b[31mevil' '\x1b]0;pwned' '\x07' '\x1b[2JMain' '\xc2\x9b2J' '\xe2\x80\xae'

# --- 9. resizing -----------------------------------------------------------------------------
start quiet 120 40 --events 1
check "resize: a quiet site (--events 1) drawn" shows 30 quiet py row "Harbor Building" ▼ 1
tm resize-window -t quiet -x 60 -y 20
small_ok() {
    line 0 '^ Northwind Campus' && line 1 '^NAME +COUNT' && line 19 '^q Quit' &&
        line 3 '^  ▼ Harbor Buil.* 640 ' && lines_at_most 60
}
check "resize to 60x20: header, titles, rows and keys laid out for 60 columns" \
    shows 10 quiet small_ok
tm resize-window -t quiet -x 30 -y 8
check "resize to 30x8: the window-too-small message" shows 10 quiet has "window too small"
tm resize-window -t quiet -x 120 -y 40
full_ok() {
    line 0 "$(echo "$header" | sed 's/DEMO ×60/DEMO ×1/')" &&
        line 1 '^NAME +COUNT +CAP +UTIL +STATE +IN/OUT /m +MARKS +LAST [0-9]+ MIN$' &&
        py row "Harbor Building" ▼ 1 && line 39 ' sort:tree$' && has "ALARMS 0" &&
        lacks "window too small" && lacks "LAST 11 MIN"
}
check "resize back to 120x40: the full layout again, nothing of the small ones left" \
    shows 10 quiet full_ok
repaint_changes_nothing() {
    tm capture-pane -p -t quiet >"$work/resized.txt"
    key quiet C-l
    sleep 1
    tm capture-pane -p -t quiet >"$work/repainted.txt"
    python3 "$screen_py" same-screen "$work/resized.txt" "$work/repainted.txt"
}
# Twice at most: a minute boundary may move the sparklines between the two.
if repaint_changes_nothing 2>/dev/null || repaint_changes_nothing; then
    pass "resize back to 120x40: a full repaint (Ctrl-L) changes nothing"
else
    fail "resize back to 120x40: a full repaint (Ctrl-L) changes nothing"
fi
# 80x24, the commonest size: siblings must stay apart (Aurora Café and Aurora
# Café Kitchen both showed as "Aurora …").
tm resize-window -t quiet -x 80 -y 24
laid_out_80() { line 1 '^NAME +COUNT .* LAST [0-9]+ MIN$' && ! line 1 MARKS && line 23 '^q Quit'; }
check "resize to 80x24: laid out again (no MARKS column)" shows 10 quiet laid_out_80
check "resize to 80x24: no two siblings shown with the same name" \
    shows 5 quiet py distinct-siblings
key quiet q
check "resize: q still quits with status 0" shows 10 quiet has "OCCTOP-EXIT=0"

# --- 12. Ctrl-Z and fg, in an interactive shell with job control ----------------------------
tm new-session -d -s job -x 120 -y 40 "env PS1='PROMPT\$ ' ENV= sh -i"
key job -l "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color OCCTOP_DATA_DIR='$top_srcdir/data' '$OCCTOP' --demo --seed 1 --quiet --site '$demo_site' --speed 60; echo OCCTOP-EXIT=\$?"
key job Enter
flags_are() { [ "$(tm display -p -t "$1" "$2")" = "$3" ]; }
check "job control: the tree drawn" shows 30 job py row "Harbor Building" ▼ 1
key job C-z
suspended() { has "Stopped" && flags_are job '#{alternate_on}#{mouse_any_flag}#{cursor_flag}' 001; }
check "job control: Ctrl-Z stops occtop, the terminal as the shell had it" \
    shows 10 job suspended
key job -l fg
key job Enter
check "job control: fg draws the tree again" shows 10 job py row "Harbor Building" ▼ 1
check "job control: after fg, the keypad sends application keys again (smkx)" \
    shows 5 job flags_are job '#{alternate_on}#{keypad_flag}#{keypad_cursor_flag}' 111
key job Down
key job Space
check "job control: the first arrow key after fg moves the cursor" \
    shows 10 job py row "Harbor Building" ► 1
key job q
# The stopped job left the rest of its command line behind: ask the shell.
shows 10 job flags_are job '#{alternate_on}' 0
key job -l 'echo "FG-EXIT=$?"'
key job Enter
check "job control: q quits, status 0" shows 10 job has "FG-EXIT=0"

# --- 13. the tree follows spaces made and deleted through a server's API -------------------
printf 'tok-monitor-%s\n' "$$" >"$work/token"
chmod 600 "$work/token"
OCCTOP_DATA_DIR=$top_srcdir/data "$OCCTOP" --serve --listen 127.0.0.1:0 --site "$demo_site" \
    --seed 5 --rate 300 --rate-limit 0 --token-file "$work/token" >"$work/serve.out" \
    2>"$work/serve.err" &
serve_pid=$!
api=
for _ in $(seq 100); do
    api=$(head -n 1 "$work/serve.out" 2>/dev/null)
    [ -n "$api" ] && break
    sleep 0.1
done
api_call() { curl -sS -H "Authorization: Bearer $(cat "$work/token")" \
    -H 'Content-Type: application/json' "$@"; }
json_id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
tm new-session -d -s follow -x 120 -y 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
DENSITY_API_TOKEN=\$(cat '$work/token') '$OCCTOP' --api-url '$api' --quiet; echo OCCTOP-EXIT=\$?; \
exec sleep 600"
check "reshaping: the monitor shows the server's tree" shows 30 follow py row "Northwind Campus" ▼ 0
made=$(api_call -X POST -d '{"name": "Aardvark Hangar", "space_type": "building", "capacity": 80}' \
    "$api/spaces/" | json_id)
door=$(api_call -X POST -d '{"name": "Hangar Door", "sensor_serial_number": "ZHANGAR1"}' "$api/doorways/" | json_id)
api_call -X POST -d "{\"space_id\": \"$made\", \"doorway_id\": \"$door\", \"sensor_placement\": 1}" \
    "$api/links/" >/dev/null
check "reshaping: a building made through the API appears in the tree (by its first event)" \
    shows 40 follow py row "Aardvark Hangar" · 0
api_call -X DELETE -d '{"name": "Aardvark Hangar"}' "$api/spaces/$made/" >/dev/null
other=$(api_call -X POST -d '{"name": "Abbey Yurt", "space_type": "building"}' "$api/spaces/" | json_id)
door2=$(api_call -X POST -d '{"name": "Yurt Door", "sensor_serial_number": "ZYURT1"}' "$api/doorways/" | json_id)
api_call -X POST -d "{\"space_id\": \"$other\", \"doorway_id\": \"$door2\", \"sensor_placement\": 1}" \
    "$api/links/" >/dev/null
gone() { py row "Abbey Yurt" · 0 && py no-row "Aardvark Hangar"; }
check "reshaping: a deleted building leaves the tree at the next refresh" shows 40 follow gone
key follow q
check "reshaping: q quits, status 0" shows 10 follow has "OCCTOP-EXIT=0"
kill "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null

# --- the lunch rush's results ------------------------------------------------------------
wait "$rush_pid"
cat "$work/rush.log"
failures=$((failures + $(cat "$work/rush.failures" 2>/dev/null || echo 1)))
finish
