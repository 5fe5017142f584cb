#!/bin/sh
# make fuzz: builds each fuzz target with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer, then runs each for FUZZ_SECONDS over its
# seed corpus (tests/fuzz/corpus/<target>).  See tests/fuzz/README.md.
#
# Called by the Makefile with: FUZZ_CC (clang, empty when configure found
# none), top_srcdir, top_builddir, FUZZ_SOURCES (the core/, wire/ and
# net/api.c sources, relative to top_srcdir), FUZZ_CFLAGS, FUZZ_LIBS; and by
# hand with FUZZ_SECONDS (60), FUZZ_JOBS (targets run at once, 1),
# FUZZ_CRASHES (where crash inputs go: $top_builddir/tests/fuzz/crashes) and
# FUZZ_ARGS (more libFuzzer options).  Arguments: the targets to run.
#
# New inputs that reach new code go to $top_builddir/tests/fuzz/build/corpus/
# (the committed seeds are only read).  Exit status 1 when a target crashed.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${FUZZ_SECONDS:=60}" "${FUZZ_JOBS:=1}"
: "${FUZZ_CRASHES:=$top_builddir/tests/fuzz/crashes}" "${FUZZ_ARGS:=}"
: "${FUZZ_CFLAGS:=}" "${FUZZ_LIBS:=}" "${FUZZ_SOURCES:=}"

if [ -z "${FUZZ_CC:-}" ] || ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
    echo "make fuzz needs clang (libFuzzer): apt-get install clang, then run ./configure again" >&2
    exit 1
fi
[ $# -gt 0 ] || set -- json_model stream_message sensor_log recording request termtext

build=$top_builddir/tests/fuzz/build
mkdir -p "$build/obj" "$FUZZ_CRASHES" || exit 1
flags="-std=c11 -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined -D_GNU_SOURCE"
flags="$flags -I$top_srcdir/src -I$top_srcdir/tests/fuzz $FUZZ_CFLAGS"

# --- build: the library sources once (again when a source or header is newer)
newest_header=$(ls -t "$top_srcdir"/src/*/*.h "$top_srcdir"/tests/fuzz/*.h | head -n 1)
objects=""
for source in $FUZZ_SOURCES; do
    case $source in *.c) ;; *) continue ;; esac
    object=$build/obj/$(echo "$source" | tr / _ | sed 's/\.c$/.o/')
    objects="$objects $object"
    if [ ! -f "$object" ] || [ "$top_srcdir/$source" -nt "$object" ] ||
        [ "$newest_header" -nt "$object" ]; then
        echo "  CC (fuzz) $source"
        # shellcheck disable=SC2086 # flags are meant to split
        "$FUZZ_CC" $flags -fsanitize=fuzzer-no-link,address,undefined \
            -c "$top_srcdir/$source" -o "$object" || exit 1
    fi
done
rm -f "$build/libfuzzdeps.a"
# shellcheck disable=SC2086
ar rcs "$build/libfuzzdeps.a" $objects || exit 1

max_len() {
    case $1 in
    json_model | recording) echo 16384 ;;
    sensor_log) echo 8192 ;;
    termtext) echo 1024 ;;
    *) echo 4096 ;;
    esac
}

for target in "$@"; do
    source=$top_srcdir/tests/fuzz/fuzz_$target.c
    [ -f "$source" ] || { echo "make fuzz: no target $target ($source)" >&2; exit 1; }
    echo "  CCLD (fuzz) fuzz_$target"
    # shellcheck disable=SC2086
    "$FUZZ_CC" $flags -fsanitize=fuzzer,address,undefined "$source" "$build/libfuzzdeps.a" \
        $FUZZ_LIBS -lm -o "$build/fuzz_$target" || exit 1
done

# --- run ----------------------------------------------------------------------
run_one() {
    target=$1
    corpus=$build/corpus/$target
    mkdir -p "$corpus"
    dict=""
    [ "$target" != termtext ] && dict=-dict=$top_srcdir/tests/fuzz/occtop.dict
    before=$(ls "$FUZZ_CRASHES" | grep -c "^$target-" || true)
    # shellcheck disable=SC2086 # FUZZ_ARGS is meant to split
    "$build/fuzz_$target" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$target")" \
        -timeout=10 -print_final_stats=1 $dict -artifact_prefix="$FUZZ_CRASHES/$target-" \
        $FUZZ_ARGS "$corpus" "$top_srcdir/tests/fuzz/corpus/$target" \
        >"$build/$target.log" 2>&1
    status=$?
    after=$(ls "$FUZZ_CRASHES" | grep -c "^$target-" || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$target.log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$build/$target.log")
    cov=$(grep -o 'cov: [0-9]*' "$build/$target.log" | tail -n 1)
    echo "fuzz_$target: ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-cov: ?}," \
        "$((after - before)) new crash(es), exit $status (log: $build/$target.log)"
    [ "$status" -eq 0 ] && [ "$after" -eq "$before" ]
}

failed=0
running=0
pids=""
for target in "$@"; do
    run_one "$target" &
    pids="$pids $!"
    running=$((running + 1))
    if [ "$running" -ge "$FUZZ_JOBS" ]; then
        for pid in $pids; do wait "$pid" || failed=1; done
        pids=""
        running=0
    fi
done
for pid in $pids; do wait "$pid" || failed=1; done
if [ "$failed" -ne 0 ]; then
    echo "make fuzz: crashes are in $FUZZ_CRASHES; replay one with" \
        "tests/fuzz/replay_<target> FILE, and keep it in tests/fuzz/regress/<target>/" >&2
    exit 1
fi
