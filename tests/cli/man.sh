#!/bin/sh
# The manual pages: groff finds nothing to warn about, the pages stay ASCII,
# occtop(1) documents every long option that `occtop --help` prints and
# every environment variable the source reads, and occtop.conf(5) every key
# that src/user_config.c accepts.
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


# 4. Every environment variable the source reads (getenv) is in occtop(1).
grep -rhoE 'getenv\("[A-Za-z_]+"\)' "$top_srcdir/src" | sed 's/getenv("\(.*\)")/\1/' |
    sort -u >"$work/variables"
check "the source reads environment variables" test -s "$work/variables"
while read -r variable; do
    if documented "$variable"; then
        pass "$variable is documented"
    else
        fail "the source reads $variable, which $page does not document"
    fi
done <"$work/variables"
for section in "ENVIRONMENT" "FILES" "EXIT STATUS" "EXAMPLES"; do
    check "occtop(1) has $section" grep -q "^\.SH \"*$section\"*\$" "$page"
done
for use in "Demo" "Security desk" "SSH kiosk"; do
    check "occtop(1) has an example for the $use" grep -q "^\.SS $use\$" "$page"
done
check "occtop(1) refers to occtop.conf(5)" grep -q '^\.BR occtop\.conf (5)' "$page"

# 5. occtop.conf(5): groff, ASCII, every key of src/user_config.c, the version.
conf=$top_srcdir/man/occtop.conf.5
groff -man -ww -z "$conf" >"$work/groff5" 2>&1
if [ $? -ne 0 ] || [ -s "$work/groff5" ]; then
    fail "groff -man -ww -z $conf printed:"
    sed 's/^/    /' "$work/groff5" >&2
else
    pass "groff -man -ww -z occtop.conf.5 prints nothing"
fi
check "occtop.conf.5 is ASCII" ascii_only "$conf"
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' "$conf" >"$work/conf.txt"
sed -n 's/.*strcmp(key, "\([a-z_]*\)").*/\1/p' "$top_srcdir/src/user_config.c" | sort -u >"$work/keys"
check "src/user_config.c has keys" test -s "$work/keys"
while read -r key; do
    if grep -Eq "^\.BI? \"?$key = " "$work/conf.txt"; then
        pass "config key $key is documented"
    else
        fail "config key $key (src/user_config.c) has no entry in $conf"
    fi
done <"$work/keys"
for variable in XDG_CONFIG_HOME HOME DENSITY_API_TOKEN DENSITY_API_URL; do
    check "occtop.conf(5) documents $variable" grep -q "^\.B $variable\$" "$work/conf.txt"
done
if [ -n "${version:-}" ]; then
    check "occtop.conf(5) is for occtop $version" \
        grep -q "^\.TH OCCTOP.CONF 5 .*\"occtop $version\"" "$conf"
fi

finish
