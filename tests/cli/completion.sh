#!/bin/sh
# Bash completion (data/bash-completion/occtop): every option of --help is
# offered, the options that take a value are those of src/options.c, the
# values of --format, --scenario, --alert and --readonly= are offered, file
# names after --site and the like, space ids after --kiosk from the site
# file of --site (read through occtop itself) or the demo campus with --demo.
# Skipped (77) without bash.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/cli/lib.sh"

script=$top_srcdir/data/bash-completion/occtop
if ! command -v bash >/dev/null 2>&1; then
    echo "SKIP: bash is not installed"
    exit 77
fi
check "the completion script parses (bash -n)" bash -n "$script"

# complete WORD...: the words of a command line, the last one being
# completed; prints COMPREPLY, one a line, sorted.
complete_words() {
    OCCTOP_DATA_DIR=$top_srcdir/data bash -c '
        source "$1" || exit 1
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _occtop
        printf "%s\n" "${COMPREPLY[@]}"
    ' completion "$script" "$@" | sed '/^$/d' | LC_ALL=C sort
}
# expect WHAT EXPECTED WORD...: the completions, space-separated and sorted.
expect() {
    what=$1 expected=$2
    shift 2
    got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$expected" ]; then
        pass "$what"
    else
        fail "$what: expected \"$expected\", got \"$got\""
    fi
}

# 1. The options: those of --help, and no others.
run --help
grep -o -- '--[A-Za-z][A-Za-z0-9-]*' "$work/out" | LC_ALL=C sort -u >"$work/help-options"
check "--help lists options" [ -s "$work/help-options" ]
complete_words "$OCCTOP" '' | grep -- '^--' >"$work/completed"
while read -r option; do
    if grep -qx -- "$option" "$work/completed"; then
        pass "$option is completed"
    else
        fail "$option is in --help but not completed"
    fi
done <"$work/help-options"
while read -r option; do
    grep -qx -- "$option" "$work/help-options" || fail "$option is completed but not in --help"
done <"$work/completed"
expect "--fo completes to --format" "--format" occtop --fo
expect "-- prefix: the short options are not offered" "" occtop --zz

# 2. Options that take a value (required_argument in src/options.c) are
#    followed by a value, never by an option; the others by options.
sed -n 's/^ *{ "\([a-z-]*\)", required_argument.*/\1/p' "$top_srcdir/src/options.c" \
    >"$work/valued"
sed -n 's/^ *{ "\([a-z-]*\)", no_argument.*/\1/p' "$top_srcdir/src/options.c" >"$work/flags"
check "src/options.c lists options with values" [ -s "$work/valued" ]
while read -r option; do
    if complete_words occtop "--$option" '' | grep -q -- '^--'; then
        fail "--$option takes a value, but options are offered after it"
    else
        pass "--$option is followed by its value"
    fi
done <"$work/valued"
while read -r option; do
    if complete_words occtop "--$option" '' | grep -qx -- '--batch'; then
        pass "--$option is followed by options"
    else
        fail "--$option takes no value, but options are not offered after it"
    fi
done <"$work/flags"

# 3. Values.
expect "--format" "json text" occtop --format ''
expect "--format j" "json" occtop --format j
expect "--format=j (= a word break)" "json" occtop --format = j
expect "--format=j (= not a word break)" "--format=json" occtop --format=j
expect "--scenario" "evacuation lunch-rush normal sensor-offline" occtop --scenario ''
expect "--alert" "bell both flash none" occtop --alert ''
expect "--readonly=" "1 2" occtop --readonly = ''
expect "a value nobody can guess (--seed): nothing" "" occtop --seed ''
# The values are occtop's: each is accepted.
for format in $(complete_words occtop --format ''); do
    "$OCCTOP" --batch --site "$demo_site" --format "$format" >/dev/null 2>&1
    check "--format $format is accepted" [ $? -eq 0 ]
done
for alert in $(complete_words occtop --alert ''); do
    grep -A2 -- '--alert KIND' "$work/out" | grep -qw -- "$alert"
    check "--alert $alert is in --help" [ $? -eq 0 ]
done
for scenario in $(complete_words occtop --scenario ''); do
    grep -A1 -- '--scenario NAME' "$work/out" | grep -qw -- "$scenario"
    check "--scenario $scenario is in --help" [ $? -eq 0 ]
done

# 4. File names.
mkdir "$work/dir"
: >"$work/dir/site one.json"
: >"$work/dir/token"
for option in --site --state --token-file --record --replay; do
    expect "$option completes file names" "$work/dir/site one.json" occtop "$option" "$work/dir/s"
done
expect "--site=FILE (= a word break)" "$work/dir/token" occtop --site = "$work/dir/t"

# 5. Space ids for --kiosk, from the site file of --site, through occtop.
ids=$(python3 -c '
import json, sys
spaces = json.load(open(sys.argv[1]))["spaces"]
spaces = spaces["results"] if isinstance(spaces, dict) else spaces
print(" ".join(sorted(s["id"] for s in spaces)))' "$demo_site")
check "the demo site has space ids" [ -n "$ids" ]
expect "--kiosk: every space id of --site" "$ids" "$OCCTOP" --site "$demo_site" --kiosk ''
expect "--kiosk: --site=FILE" "$ids" "$OCCTOP" --demo --site = "$demo_site" --kiosk ''
expect "--kiosk: --demo without --site: the demo campus" "$ids" "$OCCTOP" --demo --kiosk ''
building=$(echo "$ids" | tr ' ' '\n' | grep -m1 '^spc_5942139')
expect "--kiosk: a prefix" "$(echo "$ids" | tr ' ' '\n' | grep '^spc_5942139' | tr '\n' ' ' |
    sed 's/ $//')" "$OCCTOP" --demo --kiosk spc_5942139
check "--kiosk: the prefix picks buildings" [ -n "$building" ]
expect "--kiosk: live data (no site): nothing" "" "$OCCTOP" --kiosk ''
expect "--kiosk: a site file that is not one: nothing" "" "$OCCTOP" --site "$work/dir/token" --kiosk ''
# The token and the config file do not make it go to the network.
mkdir -p "$work/config/occtop"
printf 'api_url = http://127.0.0.1:9/v2\ntoken = tok_x\n' >"$work/config/occtop/config"
chmod 600 "$work/config/occtop/config"
got=$(XDG_CONFIG_HOME=$work/config DENSITY_API_TOKEN=tok_y DENSITY_API_URL=http://127.0.0.1:9/v2 \
    complete_words "$OCCTOP" --demo --kiosk '' | tr '\n' ' ' | sed 's/ $//')
check "--kiosk: ids even with a token and an API URL around" [ "$got" = "$ids" ]
if command -v python3 >/dev/null 2>&1; then
    expect "--tag: the tags of --site (python3)" "northwind ny" "$OCCTOP" --site "$demo_site" --tag n
    got=$(complete_words "$OCCTOP" --site "$demo_site" --tag '' | wc -l)
    check "--tag: every tag of the demo site" [ "$got" -gt 10 ]
fi

finish
