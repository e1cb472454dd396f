#!/usr/bin/env bash
# The benchmark suite of customer_service_warranty, in one command:
#
#   ./bench/run.sh            full volumes (10 to 15 minutes on 2 cores)
#   ./bench/run.sh --small    ten times smaller, for a quick check
#
# It creates a throwaway PostgreSQL cluster as `./dev.sh test` does, installs
# customer_service_warranty, repair and project (without demo data) in ONE
# database, then runs bench/bench.py on it: seeding, measurements, and the
# results table in bench/results/ (see bench/README.md); then bench/sizes.py
# writes the sizes of the busiest tables and their indexes there. Odoo is found as by
# dev.sh: ODOO_PATH, or an `odoo` package importable by python3.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# dev.sh's functions (Odoo, PostgreSQL, the pinned virtualenv, throwaway clusters),
# without its command dispatch at the end
dev_functions="$(sed '/^case "\${1:-}" in/,$d' "$BENCH_DIR/../dev.sh")"
# shellcheck disable=SC1090
source <(printf '%s\n' "$dev_functions")
REPO="$(cd "$BENCH_DIR/.." && pwd)"
declare -F throwaway_cluster >/dev/null || die "dev.sh no longer defines throwaway_cluster"

find_odoo
find_postgres
use_virtualenv
throwaway_cluster
db=csw_bench
log="$TMP_DIR/install.log"
say "installing $ADDON, repair and project in database $db (a few minutes)"
odoo -c "$TMP_RC" -d "$db" -i "$ADDON,repair,project" --without-demo=all --stop-after-init --log-level=warn \
    >"$log" 2>&1 || { cat "$log" >&2; die "installing the modules failed"; }
if grep -qE " (ERROR|CRITICAL) |failed to install" "$log"; then
    cat "$log" >&2
    die "installing the modules logged errors"
fi
say "benchmarks"
ODOO_PATH="${ODOO_PATH:-}" "$PYTHON" "$BENCH_DIR/bench.py" --config "$TMP_RC" --database "$db" "$@"
units=20000
if [[ " $* " == *" --small "* ]]; then units=2000; fi
say "importing $units units with their handover dates"
ODOO_PATH="${ODOO_PATH:-}" "$PYTHON" "$BENCH_DIR/import_units.py" --config "$TMP_RC" --database "$db" --units "$units"
say "background planning: one worker, then two"
ODOO_PATH="${ODOO_PATH:-}" "$PYTHON" "$BENCH_DIR/plan_throughput.py" --config "$TMP_RC" --database "$db" \
    --units "$((units / 10))"
say "table and index sizes"
small=()
[[ " $* " == *" --small "* ]] && small=(--small)
"$PYTHON" "$BENCH_DIR/sizes.py" --config "$TMP_RC" --database "$db" "${small[@]}"
