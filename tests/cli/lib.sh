# lib.sh — shared by the shell tests: where things are, and how to fail.
# The automake harness sets top_srcdir, top_builddir and OCCTOP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OCCTOP=${OCCTOP:-$top_builddir/src/occtop}
fixtures=$top_srcdir/tests/fixtures
demo_site=$top_srcdir/data/demo-campus.json

work=$(mktemp -d "${TMPDIR:-/tmp}/occtop-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() {
    echo "ok: $*"
}
# check WHAT COMMAND...: runs COMMAND, passes if it succeeds.
check() {
    what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    exit 0
}
# run: captures stdout, stderr and status of the binary in $work.
run() {
    "$OCCTOP" "$@" >"$work/out" 2>"$work/err"
    status=$?
}
lines() { wc -l <"$1" | tr -d ' '; }
has_byte_above_7f() { LC_ALL=C grep -q "$(printf '[\200-\377]')" "$1"; }
has_control() { LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"; }
no_control() { ! has_control "$1"; }
ascii_only() { ! has_byte_above_7f "$1"; }
