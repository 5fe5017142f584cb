#!/bin/sh
# The manual page: groff finds nothing to warn about, the page stays ASCII,
# and it documents every long option that `occtop --help` prints.
# Skipped (77) only when groff is not installed.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/cli/lib.sh"

page=$top_srcdir/man/occtop.1

if ! command -v groff >/dev/null 2>&1; then
    echo "SKIP: groff is not installed (Debian package groff-base)"
    exit 77
fi
if [ ! -f "$page" ]; then
    fail "no manual page at $page"
    finish
fi

# 1. groff -man -ww -z prints nothing: no warnings, no errors.
groff -man -ww -z "$page" >"$work/groff" 2>&1
groff_status=$?
if [ "$groff_status" -ne 0 ] || [ -s "$work/groff" ]; then
    fail "groff -man -ww -z $page (status $groff_status) printed:"
    sed 's/^/    /' "$work/groff" >&2
else
    pass "groff -man -ww -z prints nothing"
fi

# 2. groff reads a page as Latin-1 unless preconv runs first: keep it ASCII
#    and write other characters with groff escapes (\(em, \(rs, ...).
if ascii_only "$page"; then
    pass "the page is ASCII"
else
    fail "the page has non-ASCII bytes (use groff escapes):"
    LC_ALL=C grep -n "$(printf '[\200-\377]')" "$page" | sed 's/^/    /' >&2
fi

# 3. Every long option of --help is in the page.  The page is compared as
#    text: font escapes, \- and \% removed.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\%//g' \
    "$page" >"$work/page.txt"
documented() { # OPTION
    grep -Eq -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|$)" "$work/page.txt"
}

if [ -x "$OCCTOP" ]; then
    run --help
else
    status=127
fi
if [ "$status" -ne 0 ] || [ ! -s "$work/out" ]; then
    echo "note: no --help output from $OCCTOP (status $status); checked the page alone"
else
    grep -o -- '--[A-Za-z][A-Za-z0-9-]*' "$work/out" | sort -u >"$work/options"
    if [ ! -s "$work/options" ]; then
        fail "--help prints no long options"
    fi
    while read -r option; do
        if documented "$option"; then
            pass "$option is documented"
        else
            fail "$option is in --help but not in $page"
        fi
    done <"$work/options"

    # The version in the page's title line is the program's.
    run --version
    version=$(sed -n '1s/^occtop \([0-9][0-9.]*\)$/\1/p' "$work/out")
    if [ "$status" -eq 0 ] && [ -n "$version" ]; then
        if grep -q "^\.TH OCCTOP 1 .*\"occtop $version\"" "$page"; then
            pass "the page is for occtop $version"
        else
            fail "the .TH line of $page does not say \"occtop $version\": update it"
        fi
    fi
fi

finish
