#!/usr/bin/env bash
# The test suite at several dates, to prove that its result does not depend on the day it runs.
#
#   scripts/test_at_dates.sh [pytest args]           ./dev.sh test (both databases) at every date
#   scripts/test_at_dates.sh --short [pytest args]   CI: the date-sensitive modules, database
#                                                    without demo data, at every date
#
# libfaketime moves the clock of every process the run starts (PostgreSQL, Odoo, pytest,
# Chromium) by one offset, so the database's now() and Python's agree and time keeps running.
# The addon is installed once (at today's date) in a private cluster; each date gets a copy of
# that cluster, started under the moved clock, and the suite runs on a fresh copy of the
# installed database and its filestore (createdb -T), rather than installing again at every
# date. Two dates run side by side (CSW_DATE_JOBS), their outputs printed as each ends.
# The dates are moments where a calendar bug shows: the UTC date and the date in China differ
# (a month end and a year end in the evening, UTC), a leap day, a Chinese public holiday.
# Needs Debian's faketime (installed when missing and running as root).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# UTC instants, with what the clock in Shanghai (UTC+8) shows
DATES=(
    "2027-05-31 17:30:00" # 2027-06-01 01:30 in China: the UTC month ends, the Chinese one began
    "2027-12-31 16:30:00" # 2028-01-01 00:30 in China: new year in China, not yet in UTC
    "2028-02-29 02:00:00" # 29 February, 10:00 in China
    "2027-10-01 02:00:00" # National Day (国庆节), a Friday, 10:00 in China
)
# the test classes whose rules count days, hours, months or seasons are tagged csw_dates
# (odoo.tests.tagged); --csw-tag (conftest.py) selects them
# not test_sequence_concurrency: it numbers on dates of its own, and PostgreSQL's lock_timeout,
# which it relies on, never fires under libfaketime (the test would wait forever)

short=0
if [[ "${1:-}" == "--short" ]]; then
    short=1
    shift
fi

die() { echo "error: $*" >&2; exit 1; }
libfaketime() {
    local lib
    for lib in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 /usr/local/lib/faketime/libfaketime.so.1; do
        [[ -f "$lib" ]] && echo "$lib" && return
    done
}
if [[ -z "$(libfaketime)" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "==> installing Debian's faketime" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null \
            || die "apt-get could not install faketime"
    fi
    [[ -n "$(libfaketime)" ]] || die "libfaketime is missing: install it (Debian: apt-get install faketime)"
fi
LIB="$(libfaketime)"

# dev.sh's functions (Odoo, PostgreSQL, the pinned virtualenv, clusters), without its
# command dispatch at the end
dev_functions="$(sed '/^case "\${1:-}" in/,$d' "$REPO/dev.sh")"
# shellcheck disable=SC1090
source <(printf '%s\n' "$dev_functions")
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
find_odoo
find_postgres
ensure_report_tools
ensure_browser
use_virtualenv
throwaway_cluster
filestore="$TMP_DIR/filestore/filestore"
databases=(csw_test)
if [[ "$short" == 0 ]]; then
    databases+=(csw_test_demo)
fi
say "installing $ADDON without demo data"
install_checked "$TMP_RC" template_csw_test --without-demo=all
if [[ "$short" == 0 ]]; then
    say "installing $ADDON with demo data"
    install_checked "$TMP_RC" template_csw_test_demo
fi
stop_cluster "$TMP_DIR"
# each date runs on its own copy of the cluster, so that two dates run side by side
trap 'for dir in "$TMP_DIR"/at-* "$TMP_DIR"; do stop_cluster "$dir"; done; rm -rf "$TMP_DIR"' EXIT

# run_at_date DIR PORT [PYTEST ARGS]: the suite on fresh copies of the installed databases
# in the cluster copied to DIR, started on PORT (under the moved clock of the caller)
run_at_date() {
    local dir="$1" port="$2" db status=0
    shift 2
    start_cluster "$dir" "$port"
    for db in "${databases[@]}"; do
        as_pg_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U odoo -T "template_$db" "$db"
        if [[ -d "$filestore/template_$db" ]]; then
            mkdir -p "$dir/filestore/filestore"
            cp -a "$filestore/template_$db" "$dir/filestore/filestore/$db"
        fi
    done
    cd "$REPO"
    for db in "${databases[@]}"; do
        say "test suite on $db"
        run_suite "$dir/odoo.conf" "$db" -q "$@" || status=$?
    done
    stop_cluster "$dir"
    return "$status"
}

# start_date INDEX MOMENT [PYTEST ARGS]: the suite at MOMENT in the background (its process
# in DATE_PID), its output in $TMP_DIR/at-INDEX/suite.log
start_date() {
    local dir="$TMP_DIR/at-$1" moment="$2" offset port
    shift 2
    mkdir -p "$dir"
    cp -a "$TMP_DIR/pgdata" "$dir/pgdata"
    port="$(free_port)"
    CSW_HTTP_PORT="$(free_port)" write_rc "$dir/odoo.conf" "$dir" "$port"
    offset=$(($(date -u -d "$moment" +%s) - $(date -u +%s)))
    # a relative offset (not a fixed start) keeps every process on the same running clock
    (
        export LD_PRELOAD="$LIB" FAKETIME="+$offset" FAKETIME_DONT_FAKE_MONOTONIC=1
        run_at_date "$dir" "$port" "$@"
    ) >"$dir/suite.log" 2>&1 &
    DATE_PID=$!
}

args=("$@")
if [[ "$short" == 1 ]]; then
    args=(--csw-tag csw_dates "${args[@]}")
fi
# dates side by side, CSW_DATE_JOBS at a time (2 by default, one per core of a small machine)
jobs="${CSW_DATE_JOBS:-2}"
failed=()
for ((first = 0; first < ${#DATES[@]}; first += jobs)); do
    pids=()
    for ((index = first; index < first + jobs && index < ${#DATES[@]}; index++)); do
        echo "==> the test suite on ${DATES[$index]} UTC (output: $TMP_DIR/at-$index/suite.log)" >&2
        start_date "$index" "${DATES[$index]}" "${args[@]}"
        pids+=("$DATE_PID")
    done
    for ((index = first; index < first + ${#pids[@]}; index++)); do
        status=0
        wait "${pids[$((index - first))]}" || status=$?
        echo "==> the test suite on ${DATES[$index]} UTC:" >&2
        cat "$TMP_DIR/at-$index/suite.log" >&2
        if [[ "$status" != 0 ]]; then
            failed+=("${DATES[$index]}")
        fi
        rm -rf "$TMP_DIR/at-$index"
    done
done
if [[ ${#failed[@]} -gt 0 ]]; then
    die "the suite failed at: ${failed[*]} (UTC)"
fi
echo "==> the suite passed at every date (UTC): $(printf '%s; ' "${DATES[@]}")" >&2
