#!/bin/sh
# Hostile input through the real binary, where no other test puts it (the
# whole catalogue, with where each kind is tested: tests/HOSTILE.md):
#   - big and deep sites in the batch view: 100,000 spaces, a hierarchy
#     1,000 levels deep (nothing may recurse), and the same deep hierarchy
#     and a 100 KB name served by the mock and read by the live client;
#   - a tag made of OSC, CSI, C1 and BEL in the monitor's status bar (tmux);
#   - broken site files: invalid and overlong UTF-8, surrogates, NUL, numbers
#     out of range or negative, nesting 100,000 deep: one clear line, exit 1;
#   - parent cycles, orphans and duplicate ids served by the mock: marked,
#     not fatal;
#   - security: loose permissions on a token file or a config file are
#     flagged, --token on the command line is flagged, the mock binds
#     loopback unless told and warns when it listens beyond, the binary is
#     built with the stack protector and _FORTIFY_SOURCE.
. "$(dirname "$0")/lib.sh"

python=${PYTHON:-python3}
token=tok-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s\n' "$token" >"$work/token"
chmod 600 "$work/token"
printf 'header = "Authorization: Bearer %s"\n' "$token" >"$work/curl.conf"
chmod 600 "$work/curl.conf"
mkdir -p "$work/home/.config"
# No ~/.config/occtop/config of the user's, no token from the environment.
HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
export HOME XDG_CONFIG_HOME
unset DENSITY_API_TOKEN DENSITY_API_URL
OCCTOP_DATA_DIR=$top_srcdir/data
export OCCTOP_DATA_DIR

# --- the mock, in the background --------------------------------------------------
mock_pid=
start_mock() { # SITE [ARGS...]: sets mock_url (empty when it did not start)
    site=$1
    shift
    "$OCCTOP" --serve --listen 127.0.0.1:0 --site "$site" --token-file "$work/token" \
        --rate-limit 0 "$@" >"$work/mock.out" 2>"$work/mock.err" &
    mock_pid=$!
    mock_url=
    tries=0
    while [ "$tries" -lt 300 ] && [ -z "$mock_url" ]; do
        mock_url=$(head -n 1 "$work/mock.out" 2>/dev/null | grep '^http://127\.0\.0\.1:[0-9]*/v2$')
        [ -n "$mock_url" ] || sleep 0.1
        tries=$((tries + 1))
    done
}
stop_mock() {
    if [ -n "$mock_pid" ]; then
        kill "$mock_pid" 2>/dev/null
        wait "$mock_pid" 2>/dev/null
        mock_pid=
    fi
}
socket=$work/tmux # a private tmux server, for the monitor
tm() { tmux -S "$socket" -f /dev/null "$@"; }
trap 'stop_mock; tm kill-server >/dev/null 2>&1; rm -rf "$work"' EXIT
live_table() { # the live client's first table of the mock, as JSON, in $work/out
    DENSITY_API_TOKEN=$token "$OCCTOP" --batch --api-url "$mock_url" --interval 1 \
        --iterations 1 --format json --duration 60 >"$work/out" 2>"$work/err"
    status=$?
}
no_token_in() { ! grep -qF "$token" "$@"; }
absent() { ! grep -q "$@"; }
exited_quietly() { [ "$status" -eq "$1" ] && [ ! -s "$work/err" ]; }
widest() { awk '{ print length }' "$1" | sort -n | tail -n 1; }

# --- generated sites ---------------------------------------------------------------
"$python" - "$work" <<'EOF'
import json, os, sys
work = sys.argv[1]

def space(i, parent, space_type="space", name=None):
    return {"id": "spc_%d" % i, "name": name or "Level %d" % i, "parent_id": parent,
            "space_type": space_type, "time_zone": "America/New_York", "daily_reset": "04:00",
            "current_count": i % 7, "doorways": []}

deep = [space(0, None, "campus")] + [space(i, "spc_%d" % (i - 1)) for i in range(1, 1000)]
with open(os.path.join(work, "deep.json"), "w") as f:
    json.dump({"name": "1,000 levels", "spaces": deep}, f)
many = [space(0, None, "building")] + [space(i, "spc_0") for i in range(1, 100000)]
with open(os.path.join(work, "many.json"), "w") as f:
    json.dump({"name": "100,000 spaces", "spaces": many}, f)

one = json.dumps({"name": "broken", "spaces": [
    {"id": "spc_1", "name": "NAME", "parent_id": None, "space_type": "building",
     "current_count": 1}]}).encode()
broken = {
    "invalid-utf8": one.replace(b"NAME", b"A\xff\xfe\x1b[2JB"),
    "overlong-utf8": one.replace(b"NAME", b"A\xc0\xafB"),
    "surrogate": one.replace(b"NAME", b"A\\ud800B"),
    "nul": one.replace(b"NAME", b"A\\u0000B"),
    "count-too-big": one.replace(b'"current_count": 1', b'"current_count": 99999999999999999999999'),
    "count-overflow": one.replace(b'"current_count": 1', b'"current_count": 1e400'),
    "count-negative": one.replace(b'"current_count": 1', b'"current_count": -3'),
    "count-string": one.replace(b'"current_count": 1', b'"current_count": "3"'),
    "nested": b'{"name": "n", "spaces": ' + b"[" * 100000 + b"]" * 100000 + b"}",
}
for name, data in broken.items():
    with open(os.path.join(work, name + ".json"), "wb") as f:
        f.write(data)
EOF

# --- 100,000 spaces in the batch view -----------------------------------------------
run --batch --site "$work/many.json"
check "100,000 spaces: exit 0, no warning" exited_quietly 0
check "100,000 spaces: every one printed (100,000 rows + header, titles, summary)" \
    [ "$(grep -c ' space ' "$work/out")" -eq 99999 ]
check "100,000 spaces: the summary line" grep -qE '^0 unsafe, 0 in warning, 0 problems$' "$work/out"
run --batch --site "$work/many.json" --format json
check "100,000 spaces, JSON: 100,000 objects, the last one right" "$python" -c "
import json
doc = json.load(open('$work/out'))
assert len(doc['spaces']) == 100000, len(doc['spaces'])
last = [s for s in doc['spaces'] if s['id'] == 'spc_99999'][0]
assert last['parent_id'] == 'spc_0' and last['depth'] == 1 and last['count'] == 99999 % 7, last
"

# --- a hierarchy 1,000 levels deep ------------------------------------------------------
run --batch --site "$work/deep.json"
check "1,000 levels: exit 0, no warning (no recursion to overflow)" exited_quietly 0
check "1,000 levels: all 1,000 rows" [ "$(grep -cE ' (campus|space) ' "$work/out")" -eq 1000 ]
check "1,000 levels: the indentation stops growing; the deepest row says its depth" \
    grep -qE '^ +\[depth 999\] Lev' "$work/out"
check "1,000 levels: no line wider than the table (100 columns)" [ "$(widest "$work/out")" -le 100 ]
run --batch --site "$work/deep.json" --format json
check "1,000 levels, JSON: depths 0 to 999, each the parent's + 1" "$python" -c "
import json
doc = json.load(open('$work/out'))
depth = {s['id']: s['depth'] for s in doc['spaces']}
assert sorted(depth.values()) == list(range(1000)), sorted(depth.values())[-3:]
assert all(s['depth'] == depth[s['parent_id']] + 1 for s in doc['spaces'] if s['parent_id'])
"

# ... served by the mock and read by the live client
start_mock "$work/deep.json"
check "1,000 levels: the mock serves the site" [ -n "$mock_url" ]
if [ -n "$mock_url" ]; then
    curl -sS -K "$work/curl.conf" -o "$work/space.json" "$mock_url/spaces/spc_999/"
    check "1,000 levels: GET /v2/spaces/spc_999/ gives its 999 ancestors" "$python" -c "
import json
space = json.load(open('$work/space.json'))
assert len(space['ancestry']) == 999, len(space['ancestry'])
"
    live_table
    check "1,000 levels: the live client loads it (exit 0)" [ "$status" -eq 0 ]
    check "1,000 levels: the live client's table: 1,000 spaces, depths to 999, no problem" \
        "$python" -c "
import json
doc = json.load(open('$work/out'))
assert len(doc['spaces']) == 1000, len(doc['spaces'])
assert max(s['depth'] for s in doc['spaces']) == 999
assert doc['problems'] == [], doc['problems']
"
fi
stop_mock

# --- hostile names served by the mock (the batch view of the file: batch.sh) ----------------
start_mock "$fixtures/cli/hostile-names.json"
check "hostile names: the mock serves them" [ -n "$mock_url" ]
if [ -n "$mock_url" ]; then
    DENSITY_API_TOKEN=$token "$OCCTOP" --batch --api-url "$mock_url" --interval 1 \
        --iterations 1 --duration 60 >"$work/out" 2>"$work/err"
    status=$?
    check "hostile names, live: exit 0" [ "$status" -eq 0 ]
    check "hostile names, live: no control byte reaches the terminal" no_control "$work/out"
    check "hostile names, live: no C1 control (U+009B)" \
        sh -c "! grep -q \"\$(printf '\302\233')\" '$work/out'"
    check "hostile names, live: no bidi override" \
        sh -c "! grep -q \"\$(printf '\342\200\256')\" '$work/out'"
    check "hostile names, live: the 100 KB name cut to the column" [ "$(widest "$work/out")" -le 110 ]
    check "hostile names, live: nothing on stderr" [ ! -s "$work/err" ]
    live_table
    check "hostile names, live JSON: the 100 KB name arrives whole, escaped, in ASCII" \
        "$python" -c "
import json
doc = json.load(open('$work/out'))
names = {s['id']: s['name'] for s in doc['spaces']}
assert len(names['spc_3']) == 100000, len(names['spc_3'])
assert names['spc_1'].startswith('Lobby'), names['spc_1']
"
    check "hostile names, live JSON: ASCII only" ascii_only "$work/out"
    check "hostile names, live JSON: no raw control byte" no_control "$work/out"
fi
stop_mock

# --- a hostile tag in the monitor (tmux): the t key shows it in the status bar ----------------
if command -v tmux >/dev/null 2>&1; then
    "$python" - "$demo_site" "$work/tagged.json" <<'EOF'
import json, sys
site = json.load(open(sys.argv[1]))
spaces = site["spaces"]["results"] if isinstance(site["spaces"], dict) else site["spaces"]
for s in [s for s in spaces if s.get("space_type") == "space"][:3]:
    s["tags"] = ["\u001b]0;pwned\u0007evil\u009b31m\u001b[2Jtag"]
json.dump(site, open(sys.argv[2], "w"))
EOF
    cat >"$work/tagged.sh" <<EOF
while [ ! -e '$work/tagged.go' ]; do sleep 0.05; done
env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color OCCTOP_DATA_DIR='$top_srcdir/data' \\
    '$OCCTOP' --demo --seed 1 --quiet --site '$work/tagged.json'
echo "OCCTOP-EXIT=\$?"
exec sleep 600
EOF
    tm new-session -d -s tagged -x 200 -y 40 "sh '$work/tagged.sh'"
    tm pipe-pane -t tagged -o "cat >>'$work/tagged.raw'"
    : >"$work/tagged.go"
    screen_shows() { # SECONDS TEXT: polls the screen until it shows TEXT
        s_end=$(($(date +%s) + $1))
        while [ "$(date +%s)" -le "$s_end" ]; do
            tm capture-pane -p -t tagged >"$work/tagged.screen" 2>/dev/null
            grep -qF -- "$2" "$work/tagged.screen" && return 0
            sleep 0.2
        done
        return 1
    }
    check "hostile tag: the monitor starts on the site" screen_shows 20 "t Tag"
    tm send-keys -t tagged t
    replacement=$(printf '\357\277\275')
    check "hostile tag: t filters by it; the status bar shows it neutralised" \
        screen_shows 10 "tag:$replacement]0;pwned${replacement}evil$replacement"
    tm send-keys -t tagged q
    check "hostile tag: q ends the monitor with 0" screen_shows 10 "OCCTOP-EXIT=0"
    check "hostile tag: none of its OSC, CSI, C1 or BEL reached the terminal" "$python" -c "
raw = open('$work/tagged.raw', 'rb').read()
assert raw.count(b'pwned') >= 1, 'the tag was never drawn'
for bad in (b'\x1b]0;pwned', b'\x07', b'\xc2\x9b', b'\x9b31m', b'\x1b[2Jtag'):
    assert bad not in raw, bad
"
    tm kill-server >/dev/null 2>&1
else
    echo "skip: no tmux (Debian package tmux): the hostile tag in the monitor is not tested"
fi

# --- parent cycles, orphans, duplicate ids served by the mock ---------------------------------
start_mock "$fixtures/cli/problems.json"
check "problems: the mock serves the site with them (warnings, no exit)" [ -n "$mock_url" ]
check "problems: the mock warns of the cycle and the duplicate id" \
    grep -q 'parent cycle of 2 spaces' "$work/mock.err"
check "problems: ... and of the duplicate id" grep -q 'duplicate space id spc_200' "$work/mock.err"
if [ -n "$mock_url" ]; then
    live_table
    check "problems, live: exit 0, the table" [ "$status" -eq 0 ]
    check "problems, live: the cycle and the orphan marked, not fatal" "$python" -c "
import json
doc = json.load(open('$work/out'))
marks = {s['id']: s['marks'] for s in doc['spaces']}
assert 'cycle' in marks['spc_400'] and 'cycle' in marks['spc_401'], marks
assert 'orphan' in marks['spc_300'], marks
ids = [s['id'] for s in doc['spaces']]
assert ids.count('spc_200') == 1, ids  # the mock serves the first of the two
"
    check "problems, live: the client warns of the cycle too" \
        grep -q 'parent cycle of 2 spaces' "$work/err"
fi
stop_mock

# --- broken site files: one clear line, exit 1 ------------------------------------------------
one_line_naming() { [ "$status" -eq 1 ] && [ "$(lines "$work/err")" -eq 1 ] && grep -q "$1" "$work/err"; }
safe_and_silent() { no_control "$work/err" && [ ! -s "$work/out" ]; }
broken() { # NAME TEXT
    run --batch --site "$work/$1.json"
    check "$1: exit 1, one line naming the file" one_line_naming "$1.json"
    check "$1: the line says what is wrong ($2)" grep -q -- "$2" "$work/err"
    check "$1: ... in terminal-safe text, nothing on stdout" safe_and_silent
}
broken invalid-utf8 "unable to decode byte 0xff"
broken overlong-utf8 "unable to decode byte 0xc0"
broken surrogate "invalid Unicode"
broken nul "u0000 is not allowed"
broken count-too-big "too big integer"
broken count-overflow "real number overflow"
broken count-negative 'current_count": expected an integer >= 0, got -3'
broken count-string 'current_count": expected an integer, got a string'
broken nested "maximum parsing depth"

# --- security: permissions, tokens in argv, where the mock listens, hardening -------------------
cp "$work/token" "$work/loose-token"
chmod 644 "$work/loose-token"
"$OCCTOP" --serve --listen 127.0.0.1:99999 --token-file "$work/loose-token" >"$work/out" 2>"$work/err"
check "a token file others can read: flagged (chmod 600 it)" \
    grep -q "warning: --token-file .*loose-token can be read by other users (chmod 600 it)" "$work/err"
check "... without the token" no_token_in "$work/out" "$work/err"
mkdir -p "$work/home/.config/occtop"
printf 'token = %s\n' "$token" >"$work/home/.config/occtop/config"
chmod 640 "$work/home/.config/occtop/config"
run --batch --site "$demo_site"
check "a config file holding a token that others can read: flagged" \
    grep -q "warning: .*config can be read by other users and may hold your API token" "$work/err"
shown_without_token() { [ "$status" -eq 0 ] && no_token_in "$work/out" "$work/err"; }
check "... the batch view still shown, without the token" shown_without_token
chmod 600 "$work/home/.config/occtop/config"
run --batch --site "$demo_site"
check "... and nothing said once it is chmod 600" [ ! -s "$work/err" ]
rm -f "$work/home/.config/occtop/config"
"$OCCTOP" --serve --listen 127.0.0.1:99999 --token "$token" >"$work/out" 2>"$work/err"
check "--token on the command line: flagged (others see it in ps)" \
    grep -q "warning: a token given with --token can be seen by other users" "$work/err"
check "... without repeating it" no_token_in "$work/out" "$work/err"

start_mock "$demo_site"
check "--listen 127.0.0.1:0: loopback" [ -n "$mock_url" ]
check "... and no warning" absent "beyond this machine" "$work/mock.err"
stop_mock
# Without --listen: 127.0.0.1:8080 (or, when 8080 is taken, a refusal naming it).
"$OCCTOP" --serve --site "$demo_site" --token-file "$work/token" >"$work/default.out" \
    2>"$work/default.err" &
pid=$!
tries=0
while [ "$tries" -lt 100 ] && [ ! -s "$work/default.out" ] && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    tries=$((tries + 1))
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "no --listen: the mock binds 127.0.0.1:8080 (loopback)" \
    sh -c "grep -qx 'http://127.0.0.1:8080/v2' '$work/default.out' ||
           grep -q 'cannot listen on 127.0.0.1:8080' '$work/default.err'"
check "... and says nothing of listening beyond" absent "beyond this machine" "$work/default.err"
# 0.0.0.0 for a moment (a random port, a random token, killed at once).
"$OCCTOP" --serve --listen 0.0.0.0:0 --site "$demo_site" --token-file "$work/token" \
    >"$work/any.out" 2>"$work/any.err" &
pid=$!
tries=0
while [ "$tries" -lt 100 ] && ! grep -q "beyond" "$work/any.err" && kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    tries=$((tries + 1))
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "--listen 0.0.0.0:0: one warning that it listens beyond this machine" \
    [ "$(grep -c 'warning: listening beyond this machine (http://0.0.0.0:' "$work/any.err")" -eq 1 ]

if command -v nm >/dev/null 2>&1; then
    nm -D "$OCCTOP" >"$work/symbols" 2>/dev/null
    check "hardening: built with the stack protector (__stack_chk_fail)" \
        grep -q ' U __stack_chk_fail' "$work/symbols"
    # configure adds _FORTIFY_SOURCE=2 to optimised builds without sanitizers.
    if grep -q '^OCC_CPPFLAGS = .*-D_FORTIFY_SOURCE=2' "$top_builddir/Makefile" 2>/dev/null; then
        check "hardening: _FORTIFY_SOURCE=2: the checked libc calls (__snprintf_chk, __memcpy_chk)" \
            sh -c "grep -q ' U __snprintf_chk' '$work/symbols' && grep -q ' U __memcpy_chk' '$work/symbols'"
    else
        echo "skip: _FORTIFY_SOURCE not in this build (sanitizers, or no optimisation)"
    fi
else
    echo "skip: no nm (binutils) to look at the hardening"
fi
finish
