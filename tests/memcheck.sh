#!/bin/sh
# valgrind memcheck over the unit tests, the fuzz corpus replays and the real
# binary (batch view, mock server, demo, the monitor in tmux):
# no errors, nothing definitely or indirectly lost.  Run from a built tree
# (CI runs it after `make check`).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
export top_srcdir LC_ALL=C.UTF-8
status=0

memcheck() {
    log=$(mktemp)
    if valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$@" >/dev/null 2>"$log"; then
        echo "memcheck ok: $*"
    else
        code=$?
        # Exit status 1 is the program's own answer to a bad file; 99 is valgrind's.
        if [ "$code" -eq 99 ] || [ "$code" -gt 2 ]; then
            echo "memcheck FAILED ($code): $*" >&2
            cat "$log" >&2
            status=1
        else
            echo "memcheck ok (exit $code): $*"
        fi
    fi
    rm -f "$log"
}

for test in "$top_builddir"/tests/unit/test_* "$top_builddir"/tests/fuzz/replay_*; do
    case $test in *.o|*.c|*.log|*.trs) continue ;; esac
    [ -x "$test" ] && memcheck "$test"
done
occtop=$top_builddir/src/occtop
memcheck "$occtop" --batch --site "$top_srcdir/data/demo-campus.json"
memcheck "$occtop" --batch --site "$top_srcdir/data/demo-campus.json" --format json
memcheck "$occtop" --batch --site "$top_srcdir/tests/fixtures/cli/problems.json"
memcheck "$occtop" --batch --site "$top_srcdir/tests/fixtures/cli/hostile-names.json"
# The batch replays: a raw sensor log through the engine, and a recording.
memcheck "$occtop" --replay "$top_srcdir/tests/fixtures/replay/messy.csv" --batch \
    --site "$top_srcdir/tests/fixtures/replay/site.json" --format json
memcheck "$occtop" --replay "$top_srcdir/tests/fixtures/replay/recording.jsonl" --batch \
    --speed 1000
head -c 3000 "$top_srcdir/data/demo-campus.json" >/tmp/occtop-memcheck-truncated.json
memcheck "$occtop" --batch --site /tmp/occtop-memcheck-truncated.json
rm -f /tmp/occtop-memcheck-truncated.json
# The mock server under a short load: requests, a websocket client, SIGTERM.
if command -v curl >/dev/null && [ -x /usr/bin/python3 ]; then
    tmp=$(mktemp -d)
    echo "memcheck-token" >"$tmp/token"
    chmod 600 "$tmp/token"
    OCCTOP_DATA_DIR="$top_srcdir/data" valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$occtop" --serve --listen 127.0.0.1:0 \
        --site "$top_srcdir/data/demo-campus.json" --token-file "$tmp/token" --seed 3 \
        --rate 200 --rate-limit 0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    i=0
    while [ ! -s "$tmp/out" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    base=$(head -n 1 "$tmp/out")
    auth="Authorization: Bearer memcheck-token"
    for path in spaces/ "spaces/?page_size=5&page=2" doorways/ sensors/ tags/ nothing/; do
        curl -s -H "$auth" "$base/$path" >/dev/null
    done
    space=$(curl -s -H "$auth" "$base/spaces/?page_size=1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')
    curl -s -H "$auth" "$base/spaces/$space/counts/?start_time=2020-01-01T00:00:00Z&end_time=2020-01-02T00:00:00Z&interval=1h" >/dev/null
    curl -s -X PUT -H "$auth" -d '{"capacity": 500}' "$base/spaces/$space/" >/dev/null
    url=$(curl -s -X POST -H "$auth" "$base/sockets" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
    /usr/bin/python3 -c "
import asyncio, websockets
async def main():
    async with websockets.connect('$url') as ws:
        for _ in range(20):
            await asyncio.wait_for(ws.recv(), 30)
asyncio.run(main())" || echo "memcheck: the websocket client failed" >&2
    kill -TERM $pid
    if wait $pid; then
        echo "memcheck ok: occtop --serve under a short load"
    else
        echo "memcheck FAILED: occtop --serve under a short load" >&2
        cat "$tmp/err" >&2
        status=1
    fi
    rm -rf "$tmp"
fi
# The demo in batch mode: the mock, the REST worker and the stream client in
# one process.
OCCTOP_DATA_DIR="$top_srcdir/data" memcheck "$occtop" --demo --batch --seed 4 --speed 30 \
    --iterations 40
# The monitor itself, driven in tmux: every view, then q.
if command -v tmux >/dev/null; then
    tmp=$(mktemp -d)
    sock="occtop-memcheck-$$"
    tmux -L "$sock" new-session -d -x 120 -y 40 "env LANG=C.UTF-8 TERM=xterm-256color \
        OCCTOP_DATA_DIR='$top_srcdir/data' valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --log-file='$tmp/valgrind' '$occtop' --demo \
        --seed 4 --speed 60 --scenario lunch-rush 2>'$tmp/err'; echo \$? >'$tmp/status'"
    sleep 8
    for keys in j j d Escape s s / H a r Enter Escape - + '?' x k Escape t a e 5 Enter Escape \
                C-l q; do
        tmux -L "$sock" send-keys "$keys"
        sleep 0.4
    done
    i=0
    while [ ! -s "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    tmux -L "$sock" kill-server 2>/dev/null
    if [ "$(cat "$tmp/status" 2>/dev/null)" = 0 ] && [ ! -s "$tmp/valgrind" ]; then
        echo "memcheck ok: the monitor (occtop --demo) through every view"
    else
        echo "memcheck FAILED: the monitor (status $(cat "$tmp/status" 2>/dev/null))" >&2
        cat "$tmp/valgrind" "$tmp/err" >&2
        status=1
    fi
    rm -rf "$tmp"
fi
exit $status
