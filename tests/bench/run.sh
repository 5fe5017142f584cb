#!/bin/sh
# Runs every benchmark of tests/bench and prints one table of their figures:
# figure, occtop's value, the peer's, the ratio, the target, met or not.
# `make bench` runs it (after building engine_bench, sim_bench and occtop).
#
#   sh tests/bench/run.sh                     every benchmark
#   BENCH_ONLY="engine rest" sh tests/bench/run.sh   some (names below)
#   BENCH_FORMAT=markdown                     the table as Markdown (README)
#   ENGINE_EVENTS=2000000                     fewer events for engine_bench
#
# The benchmarks, in order: engine (engine_bench), sim (sim_bench), then every
# tests/bench/*.sh and *.py but this script, setup.sh and benchlib.py, by
# name without the extension (rest_throughput, terminal_bytes, stream_ingest,
# ...).  Each prints its own lines, shown as they come, and one line per
# figure in this form, which the table is made of:
#
#   FIGURE<TAB>name<TAB>occtop value<TAB>peer value or -<TAB>ratio or -<TAB>target<TAB>met|missed|skipped|-
#
# A benchmark that ends with an error and printed no figure gets a row that
# says so.  Nothing is installed here: a benchmark whose tools or peers are
# missing marks its figures skipped, and the end says how to install them
# (sh tests/bench/setup.sh).  Exit status 0 unless a benchmark failed.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OCCTOP=${OCCTOP:-$top_builddir/src/occtop}
export top_srcdir top_builddir OCCTOP
bench_dir=$top_srcdir/tests/bench
# Debian's interpreter for the .py benchmarks: the websocket client is
# Debian's python3-websockets, which another python3 first on PATH would not see.
if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/occtop-bench-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

names="engine sim"
for f in "$bench_dir"/*.sh "$bench_dir"/*.py; do
    [ -e "$f" ] || continue
    base=$(basename "$f")
    case $base in run.sh | setup.sh | benchlib.py) continue ;; esac
    names="$names ${base%.*}"
done
if [ -n "${BENCH_ONLY:-}" ]; then
    chosen=
    for n in $names; do
        case " $BENCH_ONLY " in *" $n "*) chosen="$chosen $n" ;; esac
    done
    names=$chosen
fi

: >"$work/figures"
failed=0
for n in $names; do
    echo "=== $n ($(date -u +%H:%M:%S) UTC)"
    case $n in
    engine) set -- "$top_builddir/tests/bench/engine_bench" ${ENGINE_EVENTS:-} ;;
    sim) set -- "$top_builddir/tests/bench/sim_bench" ;;
    *) if [ -e "$bench_dir/$n.sh" ]; then set -- "${SHELL:-/bin/sh}" "$bench_dir/$n.sh"
       else set -- "$py" "$bench_dir/$n.py"; fi ;;
    esac
    # The output as it comes, and a copy for the FIGURE lines.
    { "$@" 2>&1; echo $? >"$work/$n.status"; } | tee "$work/$n.log"
    status=$(cat "$work/$n.status")
    grep "^FIGURE	" "$work/$n.log" >"$work/$n.figures"
    if [ "$status" -ne 0 ]; then
        failed=1
        if [ ! -s "$work/$n.figures" ]; then
            printf 'FIGURE\t%s: failed (exit %s), no figure\t-\t-\t-\t-\tfailed\n' "$n" "$status" \
                >"$work/$n.figures"
        fi
    fi
    cat "$work/$n.figures" >>"$work/figures"
    echo
done

echo "=== the figures ($(nproc 2>/dev/null || echo ?) cores; $(date -u '+%Y-%m-%d %H:%M') UTC)"
"$py" - "$work/figures" "${BENCH_FORMAT:-text}" <<'EOF'
import sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")[1:]
    parts += ["-"] * (6 - len(parts))
    rows.append(parts[:6])
head = ["figure", "occtop", "peer", "ratio", "target", "met"]
if sys.argv[2] == "markdown":
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * 3 + ["---", "---"]) + "|")
    for r in rows:
        print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
else:
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(6)]
    for r in [head] + rows:
        print("  ".join(c.ljust(w) if i in (0, 4, 5) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())
EOF
if cut -f7 "$work/figures" | grep -qx skipped; then
    echo
    echo "Some figures were skipped: their tools or peers are not installed (wrk, json-server,"
    echo "ws, python3-websockets, tmux, watch, jq).  Install them with: sh tests/bench/setup.sh"
fi
exit $failed
