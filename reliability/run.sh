#!/usr/bin/env bash
# The reliability suite of customer_service_warranty, in one command:
#
#   ./reliability/run.sh            full run: 8 clients x 500 operations, every fault,
#                                   2,000 hostile inputs; writes reliability/RESULTS.md
#   ./reliability/run.sh --short    CI run: fewer operations and cases, every invariant
#
# It creates a private PostgreSQL cluster on a loopback port (as `./dev.sh test` does),
# installs customer_service_warranty without demo data, makes a streaming replica of it
# (pg_basebackup) on a second loopback port, starts two Odoo servers with --workers=2 and a
# cron worker each on loopback, sharing the database, the filestore and the replica
# (db_replica_host/db_replica_port), and runs reliability/suite.py against them over
# JSON-RPC: seeding, load split between the servers, faults (a worker killed while posting a
# deduction and while recording a callback, PostgreSQL restarted under load), the
# hostile-input fuzzer, reads served by the replica, the crons on both servers with one
# killed mid-job, and the invariant checks. It exits non-zero when any invariant fails or
# anything it needs is missing.
#
# Ports (loopback only): CSW_REL_PG_PORT (default 56432), CSW_REL_REPLICA_PORT (56433),
# CSW_REL_HTTP_PORT and CSW_REL_HTTP_PORT_2 (58069, 58169), CSW_REL_GEVENT_PORT and
# CSW_REL_GEVENT_PORT_2 (58072, 58172), CSW_REL_ASSETS_PORT (58070, the threaded server
# wkhtmltopdf fetches the reports' CSS from); a busy default is replaced by a free port.
set -euo pipefail

REL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# dev.sh's functions (Odoo, PostgreSQL, the pinned virtualenv, clusters), without its
# command dispatch at the end
dev_functions="$(sed '/^case "\${1:-}" in/,$d' "$REL_DIR/../dev.sh")"
# shellcheck disable=SC1090
source <(printf '%s\n' "$dev_functions")
REPO="$(cd "$REL_DIR/.." && pwd)"
for fn in find_odoo find_postgres use_virtualenv start_cluster stop_cluster write_rc install_checked as_pg_owner; do
    declare -F "$fn" >/dev/null || die "dev.sh no longer defines $fn"
done

find_odoo
find_postgres
ensure_report_tools
use_virtualenv

port_or_free() {
    if "$PYTHON" -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; then
        echo "$1"
    else
        free_port
    fi
}

if [[ "$(id -u)" == 0 ]]; then
    REL_TMP="$(mktemp -d /var/tmp/csw-reliability-XXXXXX)"
else
    REL_TMP="$(mktemp -d "${TMPDIR:-/tmp}/csw-reliability-XXXXXX")"
fi
chmod 755 "$REL_TMP"
cleanup() {
    stop_cluster "$REL_TMP/replica"
    stop_cluster "$REL_TMP"
    rm -rf "$REL_TMP"
}
trap cleanup EXIT

pg_port="$(port_or_free "${CSW_REL_PG_PORT:-56432}")"
replica_port="$(port_or_free "${CSW_REL_REPLICA_PORT:-56433}")"
http_port="$(port_or_free "${CSW_REL_HTTP_PORT:-58069}")"
http_port_2="$(port_or_free "${CSW_REL_HTTP_PORT_2:-58169}")"
gevent_port="$(port_or_free "${CSW_REL_GEVENT_PORT:-58072}")"
gevent_port_2="$(port_or_free "${CSW_REL_GEVENT_PORT_2:-58172}")"
assets_port="$(port_or_free "${CSW_REL_ASSETS_PORT:-58070}")"
start_cluster "$REL_TMP" "$pg_port"
rc="$REL_TMP/odoo.conf"
CSW_HTTP_PORT="$http_port" write_rc "$rc" "$REL_TMP" "$pg_port"
echo "gevent_port = $gevent_port" >>"$rc"

db=csw_reliability
say "installing $ADDON without demo data in database $db"
install_checked "$rc" "$db" --without-demo=all

# the read replica: a base backup of the primary (its defaults already allow it: wal_level
# replica, wal senders, initdb's replication lines of pg_hba) started as a hot standby that
# streams from it (-R writes standby.signal and primary_conninfo)
say "streaming replica of the database on 127.0.0.1:$replica_port"
mkdir -p "$REL_TMP/replica"
if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$REL_TMP/replica"
fi
as_pg_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$pg_port" -U odoo -D "$REL_TMP/replica/pgdata" -R -X stream -c fast \
    || die "pg_basebackup failed"
start_cluster "$REL_TMP/replica" "$replica_port"
printf 'db_replica_host = 127.0.0.1\ndb_replica_port = %s\n' "$replica_port" >>"$rc"

# a script, not `python -m odoo`: the prefork server starts its gevent process again
# from sys.argv[0]
if [[ -n "${ODOO_PATH:-}" ]]; then
    odoo_cmd=("$PYTHON" "$ODOO_PATH/odoo-bin")
else
    printf 'import odoo\nodoo.cli.main()\n' >"$REL_TMP/odoo-bin"
    odoo_cmd=("$PYTHON" "$REL_TMP/odoo-bin")
fi
pg_ctl=("$PG_BIN/pg_ctl" -D "$REL_TMP/pgdata")
if [[ "$(id -u)" == 0 ]]; then
    pg_ctl=("$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser)" -u postgres -- "${pg_ctl[@]}")
fi

say "reliability suite"
# the suite's own command line, for RESULTS.md
REL_COMMAND="./reliability/run.sh${*:+ $*}" REL_PG_VERSION="$("$PG_BIN/postgres" --version)" "$PYTHON" "$REL_DIR/suite.py" \
    --config "$rc" --database "$db" --http-port "$http_port" --http-port "$http_port_2" --gevent-port "$gevent_port" \
    --gevent-port "$gevent_port_2" --replica-port "$replica_port" --assets-port "$assets_port" --work-dir "$REL_TMP" \
    --odoo-cmd "$(printf '%q ' "${odoo_cmd[@]}")" --pg-ctl "$(printf '%q ' "${pg_ctl[@]}")" "$@"
