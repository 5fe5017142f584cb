#!/bin/sh
# valgrind memcheck over the unit tests and the real binary's batch view:
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

for test in "$top_builddir"/tests/unit/test_*; do
    case $test in *.o|*.c|*.log|*.trs) continue ;; esac
    [ -x "$test" ] && memcheck "$test"
done
occtop=$top_builddir/src/occtop
memcheck "$occtop" --batch --site "$top_srcdir/data/demo-campus.json"
memcheck "$occtop" --batch --site "$top_srcdir/data/demo-campus.json" --format json
memcheck "$occtop" --batch --site "$top_srcdir/tests/fixtures/cli/problems.json"
memcheck "$occtop" --batch --site "$top_srcdir/tests/fixtures/cli/hostile-names.json"
head -c 3000 "$top_srcdir/data/demo-campus.json" >/tmp/occtop-memcheck-truncated.json
memcheck "$occtop" --batch --site /tmp/occtop-memcheck-truncated.json
rm -f /tmp/occtop-memcheck-truncated.json
exit $status
