#!/bin/sh
# The command line: help, version, and one clear line for each mistake.
. "$(dirname "$0")/lib.sh"

run --help
check "--help exits 0" [ "$status" -eq 0 ]
check "--help shows the usage" grep -q '^Usage: occtop' "$work/out"
check "--help names --batch and --site" grep -q -- '--site FILE' "$work/out"
run -h
check "-h is --help" grep -q '^Usage: occtop' "$work/out"

run --version
check "--version exits 0" [ "$status" -eq 0 ]
check "--version names occtop and its version" grep -qE '^occtop [0-9]+\.[0-9]+\.[0-9]+$' "$work/out"
check "--version lists the libraries at run time" \
    grep -qE '^libraries: ncurses [0-9].*libwebsockets [0-9].*libcurl [0-9].*jansson [0-9]' "$work/out"
check "--version lists the libraries it was built with" \
    grep -qE '^built with: ncurses [0-9].*libwebsockets [0-9].*libcurl [0-9].*jansson [0-9]' "$work/out"
check "--version: three lines" [ "$(lines "$work/out")" -eq 3 ]
check "--version: nothing on stderr" [ ! -s "$work/err" ]

usage_error() { # WHAT EXPECTED-TEXT ARGS...
    what=$1 expected=$2
    shift 2
    run "$@"
    check "$what: exit status 2" [ "$status" -eq 2 ]
    check "$what: names the problem" grep -q -- "$expected" "$work/err"
    check "$what: nothing on stdout" [ ! -s "$work/out" ]
    check "$what: no control bytes on stderr" no_control "$work/err"
}
usage_error "unknown option" "unknown option: --frobnicate" --frobnicate
usage_error "bad format" "--format takes text or json, not: xml" --batch --format xml
usage_error "a site without --demo" "--site goes with --demo, --batch or --serve" --site x.json
usage_error "kiosk in batch mode" "--kiosk goes with the monitor" --batch --kiosk spc_1
usage_error "bad --rotate" "--rotate takes seconds from 1 to 86400, not: 0" --demo --rotate 0
usage_error "bad --readonly" "--readonly takes level 1" --demo --readonly=3
usage_error "bad --delay" "--delay takes seconds between frames" --demo --delay 0
usage_error "bad --alert" "--alert takes bell, flash, both or none, not: loud" --demo --alert loud
usage_error "demo and serve" "--demo runs its own server" --demo --serve
usage_error "demo and api-url" "--demo and --api-url: choose one" --demo --api-url http://x/v2
usage_error "missing value" "option needs a value: --site" --batch --site
usage_error "stray argument" "unexpected argument: extra" --batch extra
usage_error "escape sequence in an option" "unknown option" "--$(printf '\033')]0;pwned$(printf '\007')"
finish
