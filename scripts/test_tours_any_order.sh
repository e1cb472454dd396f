#!/usr/bin/env bash
# The browser tours in any order and at any hour: each tour class builds what it reads, so the
# tour files pass whatever ran before them in the same process.
#
#   scripts/test_tours_any_order.sh [--at MOMENT] [--runs N] [pytest args]
#
# Each run takes the tour files in file order and in reverse order in one process, then each
# file alone, each time on a fresh copy of a database installed once without demo data
# (Simplified Chinese loaded, as in `./dev.sh test`). --at runs every process (PostgreSQL, Odoo,
# pytest, Chromium) with its clock moved to MOMENT, a UTC instant (libfaketime, as in
# scripts/test_at_dates.sh); CI gives an early morning in China. --runs repeats the whole
# (default 1). Needs Debian's faketime with --at (installed when missing and running as root).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

TOUR_FILES=(test_tours.py test_tours_progress.py test_tours_appointment.py test_caller_tours.py)
moment=""
runs=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --at) moment="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) break ;;
    esac
done

# dev.sh's functions (Odoo, PostgreSQL, the pinned virtualenv, clusters), without its
# command dispatch at the end
dev_functions="$(sed '/^case "\${1:-}" in/,$d' "$REPO/dev.sh")"
# shellcheck disable=SC1090
source <(printf '%s\n' "$dev_functions")
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON_TESTS="$REPO/$ADDON/tests"
for file in "${TOUR_FILES[@]}"; do
    [[ -f "$ADDON_TESTS/$file" ]] || die "tour file $file is missing: update TOUR_FILES"
done
# every tour file is listed: a new one is run here too
for file in $(grep -l "start_tour" "$ADDON_TESTS"/test_*.py); do
    [[ " ${TOUR_FILES[*]} " == *" $(basename "$file") "* ]] || die "$(basename "$file") runs tours: add it to TOUR_FILES"
done

libfaketime() {
    local lib
    for lib in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 /usr/local/lib/faketime/libfaketime.so.1; do
        [[ -f "$lib" ]] && echo "$lib" && return
    done
    return 0
}

find_odoo
find_postgres
ensure_report_tools
ensure_browser
use_virtualenv
if [[ -n "$moment" ]]; then
    offset=$(($(date -u -d "$moment" +%s) - $(date -u +%s))) || die "--at: not a date: $moment"
    if [[ -z "$(libfaketime)" && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing Debian's faketime"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null \
            || die "apt-get could not install faketime"
    fi
    lib="$(libfaketime)"
    [[ -n "$lib" ]] || die "libfaketime is missing: install it (Debian: apt-get install faketime)"
fi

throwaway_cluster
say "installing $ADDON without demo data"
install_checked "$TMP_RC" template_csw_tours --without-demo=all
stop_cluster "$TMP_DIR"
filestore="$TMP_DIR/filestore/filestore"
port="$(sed -n 's/^db_port = //p' "$TMP_RC")"

# the cluster is started again under the moved clock (if any), so the database's now() and
# Python's agree
if [[ -n "$moment" ]]; then
    # the monotonic clock moves too: with it left alone, Python's time.sleep() fails (EINVAL) under
    # libfaketime 0.9.10, and the browser tests wait for Chromium with it
    export LD_PRELOAD="$lib" FAKETIME="+$offset"
    say "the clock of every process moved to $moment UTC"
fi
start_cluster "$TMP_DIR" "$port"

sequence=0
failed=()
# tours FILE...: the given tour files in one pytest process, on a fresh copy of the database
tours() {
    local db="csw_tours_$((sequence += 1))" paths=() file
    as_pg_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U odoo -T template_csw_tours "$db"
    if [[ -d "$filestore/template_csw_tours" ]]; then
        cp -a "$filestore/template_csw_tours" "$filestore/$db"
    fi
    for file in "$@"; do
        paths+=("$ADDON_TESTS/$file")
    done
    say "tours: $*"
    ODOO_RC="$TMP_RC" "$PYTHON" -m pytest -p no:cacheprovider --odoo-database="$db" --odoo-http \
        --odoo-log-level=warn -q "${paths[@]}" "${EXTRA_ARGS[@]}" || failed+=("run $run: $*")
}

EXTRA_ARGS=("$@")
cd "$REPO"
for ((run = 1; run <= runs; run++)); do
    reversed=()
    for ((index = ${#TOUR_FILES[@]} - 1; index >= 0; index--)); do
        reversed+=("${TOUR_FILES[$index]}")
    done
    tours "${TOUR_FILES[@]}"
    tours "${reversed[@]}"
    for file in "${TOUR_FILES[@]}"; do
        tours "$file"
    done
done
if [[ ${#failed[@]} -gt 0 ]]; then
    die "the tours failed: $(printf '%s; ' "${failed[@]}")"
fi
say "the tours passed in file order, in reverse order and each alone, $runs time(s)${moment:+, at $moment UTC}"
