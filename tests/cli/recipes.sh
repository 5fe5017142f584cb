#!/bin/sh
# The deployment recipes of data/deploy, as far as they can be tried without
# root and without a booted systemd:
#   - the scripts parse (sh -n; shellcheck too when it is installed);
#   - the systemd unit: made with the install paths, accepted by
#     systemd-analyze verify (skipped without it), and its ExecStart line,
#     run by hand with a private token file and state directory, serves the
#     site and writes the state file;
#   - the security desk: occtop-desk run against occtop --demo in a private
#     tmux server makes one pane with the site's tree and one kiosk pane per
#     building, each showing its building; a pane whose occtop stops starts
#     it again; run twice, it does not make a second session;
#   - the SSH kiosk's login loop (occtop-kiosk) in a tmux pane: the kiosk
#     view, no quit key, occtop started again after it stops, and nothing
#     left running once the terminal goes away.
#   - the demo starts with a proxy in the environment.
# About 30 seconds.  Skipped (77) without tmux.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux is not installed (Debian package tmux)"
    exit 77
fi
LC_ALL=C.UTF-8
export LC_ALL
deploy=$top_srcdir/data/deploy
desk=$deploy/tmux/occtop-desk
kiosk=$deploy/kiosk/occtop-kiosk
harbor=spc_594213939708412225
hudson=spc_594213974723872327
kingsway=spc_594213996450394823
aurora=spc_594214150598661487
demo_options="--demo --seed 1 --start 2026-03-10T17:30:00Z --quiet"

# Private tmux servers, one for the desk and one for the kiosk (a server
# ends with its last session, and a new one on the same socket could race
# with its end).
socket=$work/tmux-desk
tm() { tmux -S "$socket" -f /dev/null "$@"; }
server_pid=""
trap 'for s in "$work/tmux-desk" "$work/tmux-kiosk"; do tmux -S "$s" kill-server >/dev/null 2>&1; done
      [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
# No user's config, token or API: the demo only.
HOME=$work/home
XDG_CONFIG_HOME=$work/home/.config
OCCTOP_DATA_DIR=$top_srcdir/data
export HOME XDG_CONFIG_HOME OCCTOP_DATA_DIR
unset DENSITY_API_TOKEN DENSITY_API_URL TMUX
mkdir -p "$HOME"

# The occtop the scripts start: it notes its pid and arguments, then runs.
printf '#!/bin/sh\necho "$$ $*" >>"%s"\nexec "%s" "$@"\n' "$work/started" "$OCCTOP" \
    >"$work/occtop"
chmod +x "$work/occtop"
: >"$work/started"
# pid_of WORD: the pid of the latest occtop started with WORD among its arguments.
pid_of() { grep -- " $1" "$work/started" | tail -n 1 | cut -d' ' -f1; }
# started WORD: how many occtops were started with WORD among their arguments.
started() { grep -c -- " $1" "$work/started"; }
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_for() {
    w_tries=$(($1 * 10))
    shift
    while [ "$w_tries" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        w_tries=$((w_tries - 1))
    done
    return 1
}
# shows PANE TEXT: the pane shows TEXT.
shows() { tm capture-pane -p -t "$1" 2>/dev/null | grep -qF -- "$2"; }
# started_twice WORD: a second occtop was started with WORD.
started_twice() { [ "$(started "$1")" -ge 2 ]; }

# 1. The scripts.
for script in "$desk" "$kiosk"; do
    check "sh -n $(basename "$script")" sh -n "$script"
    check "$(basename "$script") is executable" test -x "$script"
    if command -v shellcheck >/dev/null 2>&1; then
        check "shellcheck $(basename "$script")" shellcheck "$script"
    fi
done

# 2. The files made with the install paths (by make all), and the unit.
for made in systemd/occtop-serve.service kiosk/kiosk.conf.example kiosk/sshd_config.conf; do
    if [ ! -f "$top_builddir/data/deploy/$made" ]; then
        fail "data/deploy/$made was not made"
    elif grep -q '@[a-z]*@' "$top_builddir/data/deploy/$made"; then
        fail "data/deploy/$made still has @...@ in it"
    else
        pass "data/deploy/$made has the install paths"
    fi
done
check "sh -n kiosk.conf.example" sh -n "$top_builddir/data/deploy/kiosk/kiosk.conf.example"
check "the kiosk's config names the installed occtop" \
    grep -q '^OCCTOP=/.*/bin/occtop$' "$top_builddir/data/deploy/kiosk/kiosk.conf.example"
check "sshd's ForceCommand names the installed occtop-kiosk" \
    grep -q 'ForceCommand /.*/deploy/kiosk/occtop-kiosk$' "$top_builddir/data/deploy/kiosk/sshd_config.conf"
unit=$top_builddir/data/deploy/systemd/occtop-serve.service
check "the unit runs the installed occtop" grep -q '^ExecStart=/.*/bin/occtop --serve' "$unit"
sed -e "s|@bindir@|$work|g" -e "s|@pkgdatadir@|$top_srcdir/data|g" \
    "$deploy/systemd/occtop-serve.service.in" >"$work/occtop-serve.service"
if command -v systemd-analyze >/dev/null 2>&1; then
    if systemd-analyze verify --man=no "$work/occtop-serve.service" >"$work/verify" 2>&1; then
        pass "systemd-analyze verify accepts the unit"
    else
        fail "systemd-analyze verify:"
        sed 's/^/    /' "$work/verify" >&2
    fi
else
    echo "note: no systemd-analyze (Debian package systemd): the unit is not verified"
fi
for setting in DynamicUser=yes ProtectSystem=strict StateDirectory=occtop \
    LoadCredential=token: Restart=on-failure NoNewPrivileges=yes; do
    check "the unit has $setting" grep -q "^$setting" "$work/occtop-serve.service"
done
# Its ExecStart, by hand: %d is the credentials directory, %S /var/lib.
mkdir -p "$work/credentials" "$work/state/occtop"
(umask 077 && echo tok_recipes_test >"$work/credentials/token")
sed -n '/^ExecStart=/,/[^\\]$/p' "$work/occtop-serve.service" |
    sed -e 's/^ExecStart=//' -e 's/\\$//' | tr '\n' ' ' |
    sed -e "s|%d|$work/credentials|g" -e "s|%S|$work/state|g" \
        -e 's|127\.0\.0\.1:8080|127.0.0.1:0|' >"$work/execstart"
# shellcheck disable=SC2046 # the unit's words
set -- $(cat "$work/execstart")
if [ "${1:-}" = "$work/occtop" ] && [ "${2:-}" = --serve ]; then
    pass "ExecStart runs occtop --serve"
else
    fail "ExecStart is not occtop --serve: $(cat "$work/execstart")"
fi
shift
"$OCCTOP" "$@" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
wait_for 10 grep -q '^http://' "$work/serve.out"
url=$(head -n 1 "$work/serve.out")
check "the service's command prints its URL" test -n "$url"
if [ -n "$url" ] && command -v curl >/dev/null 2>&1; then
    curl -fsS -H 'Authorization: Bearer tok_recipes_test' "$url/spaces/?page_size=1" \
        >"$work/spaces" 2>"$work/curl.err"
    check "the service answers with the token of its credential" grep -q '"total":' "$work/spaces"
fi
check "the service writes its state file" wait_for 5 test -s "$work/state/occtop/site.json"
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=""

# 3. The security desk.
OCCTOP=$work/occtop
export OCCTOP
# shellcheck disable=SC2086 # the demo's options
sh "$desk" -S "$socket" -f /dev/null -d -x 160 -y 48 "$harbor" "$hudson" "$kingsway" -- $demo_options
check "occtop-desk -d exits 0" test $? -eq 0
panes=$(tm list-panes -t occtop-desk:desk -F '#{pane_index}' 2>/dev/null | wc -l | tr -d ' ')
check "the desk has four panes (got $panes)" test "$panes" -eq 4
check "pane 0: the site's tree" wait_for 20 shows occtop-desk:desk.0 "Northwind Campus"
check "pane 0: the buildings in the tree" wait_for 5 shows occtop-desk:desk.0 "Harbor Building"
check "pane 1: Harbor Building" wait_for 20 shows occtop-desk:desk.1 "Harbor Building"
check "pane 2: Hudson Building" wait_for 20 shows occtop-desk:desk.2 "Hudson Building"
check "pane 3: Kingsway House" wait_for 20 shows occtop-desk:desk.3 "Kingsway House"
for pane in 1 2 3; do
    check "pane $pane: in the kiosk view" wait_for 5 shows "occtop-desk:desk.$pane" "% full"
done
for building in "$harbor" "$hudson" "$kingsway"; do
    check "a kiosk pane for $building, read-only and silent" grep -q -- \
        "--kiosk $building --readonly --alert none --budget 10 $demo_options" "$work/started"
done
width0=$(tm display-message -p -t occtop-desk:desk.0 '#{pane_width}')
width1=$(tm display-message -p -t occtop-desk:desk.1 '#{pane_width}')
check "the tree is the wide pane ($width0 and $width1 columns)" test "$width0" -gt "$width1"
# A pane whose occtop stops starts it again.
pid=$(pid_of "--kiosk $hudson")
kill "$pid"
check "a stopped occtop: the pane says it starts again" \
    wait_for 5 shows occtop-desk:desk.2 "starting again in 5 s"
check "... and it does" wait_for 15 started_twice "--kiosk $hudson"
check "... and shows its building again" wait_for 15 shows occtop-desk:desk.2 "% full"
# Run again: it finds the session and makes no other.
# shellcheck disable=SC2086 # the demo's options
sh "$desk" -S "$socket" -f /dev/null -d "$harbor" -- $demo_options
sessions=$(tm list-sessions 2>/dev/null | wc -l | tr -d ' ')
check "occtop-desk again: still one session (got $sessions)" test "$sessions" -eq 1
sh "$desk" >"$work/desk.out" 2>&1
check "occtop-desk without a space: exit 2" test $? -eq 2
check "... and the usage line" grep -q '^usage: occtop-desk' "$work/desk.out"
tm kill-server

# 4. The kiosk's login loop.
socket=$work/tmux-kiosk
{
    echo "OCCTOP='$work/occtop'"
    echo "SPACE=$aurora"
    echo "DEMO=yes"
    echo "EXTRA='--seed 1 --start 2026-03-10T17:30:00Z --quiet'"
    echo "READONLY=2"
    echo "RESTART_DELAY=1"
} >"$work/kiosk.conf"
sh "$kiosk" "$work/kiosk.conf" </dev/null >"$work/kiosk.out" 2>&1
check "occtop-kiosk without a terminal: exit 1" test $? -eq 1
check "... and says it needs one" grep -q "needs a terminal" "$work/kiosk.out"
tm new-session -d -s kiosk -x 80 -y 24 "sh '$kiosk' '$work/kiosk.conf'"
kiosk_shell=$(tm display-message -p -t kiosk '#{pane_pid}')
check "the kiosk shows its space" wait_for 20 shows kiosk "Aurora Caf"
check "... in the kiosk view" wait_for 5 shows kiosk "% full"
check "... read-only, with no quit key" grep -q -- "--readonly=2 --kiosk $aurora --demo" "$work/started"
first=$(pid_of "--kiosk $aurora")
tm send-keys -t kiosk q
tm send-keys -t kiosk C-c
sleep 1
check "q and Ctrl-C do not stop it" alive "$first"
kill "$first"
check "occtop stopped: the loop says it starts again" wait_for 5 shows kiosk "starting again in 1 s"
check "... and starts it" wait_for 10 started_twice "--kiosk $aurora"
check "... and the kiosk is back" wait_for 20 shows kiosk "% full"
second=$(pid_of "--kiosk $aurora")
# The terminal goes away (an SSH link drops): occtop and the loop end.
tm kill-server
check "the terminal gone: occtop ends" wait_for 5 gone "$second"
check "the terminal gone: the login loop ends" wait_for 5 gone "$kiosk_shell"
count=$(started "--kiosk $aurora")
sleep 2
check "... and starts nothing more" test "$(started "--kiosk $aurora")" -eq "$count"

# 5. The demo behind a company proxy: its loopback traffic does not go to it.
http_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
    "$OCCTOP" --demo --batch --iterations 3 --rate 50 --seed 1 >"$work/proxy.out" 2>"$work/proxy.err"
check "--demo with a proxy in the environment: exit 0" test $? -eq 0
check "... and its lines" test "$(lines "$work/proxy.out")" -eq 3

finish
