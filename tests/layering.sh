#!/bin/sh
# core/ is pure C: no curses, lws, curl or jansson, and no I/O (DESIGN.md).
# sim/ may use core only.  Fails naming each offending line.
top_srcdir=${top_srcdir:-.}
status=0

offenders=$(grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses|libwebsockets|curl/|jansson|wire/|net/|ui/|sim/)' \
    "$top_srcdir"/src/core/*.[ch] 2>/dev/null)
if [ -n "$offenders" ]; then
    echo "core/ includes a header of a higher layer or library:" >&2
    echo "$offenders" >&2
    status=1
fi

io=$(grep -nE '\b(fopen|fread|fwrite|fprintf|printf|puts|fputs|getenv|socket|open|read|write)[[:space:]]*\(' \
    "$top_srcdir"/src/core/*.c 2>/dev/null | grep -vE '^\S+:[0-9]+:\s*(/\*|\*)')
if [ -n "$io" ]; then
    echo "core/ does I/O (it must not):" >&2
    echo "$io" >&2
    status=1
fi

if ls "$top_srcdir"/src/sim/*.[ch] >/dev/null 2>&1; then
    offenders=$(grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses|libwebsockets|curl/|jansson|wire/|net/|ui/)' \
        "$top_srcdir"/src/sim/*.[ch])
    if [ -n "$offenders" ]; then
        echo "sim/ may use core/ only:" >&2
        echo "$offenders" >&2
        status=1
    fi
fi
exit $status
