#!/usr/bin/env bash
# Development entry point of customer_service_warranty.
#
#   ./dev.sh run    private PostgreSQL + Odoo 18.0 with the addon and demo data
#                   on http://127.0.0.1:8069 (login printed)
#   ./dev.sh test   the whole test suite on throwaway databases (pytest-odoo),
#                   browser tours included (needs Chromium)
#   ./dev.sh lint   ruff and the pylint-odoo mandatory checks
#   ./dev.sh i18n   export the addon's terms and merge them into i18n/zh_CN.po
#   ./dev.sh screenshots
#                   the user guide's screenshots, taken in headless Chromium from the demo
#
# Odoo 18.0 is found through ODOO_PATH (a source tree holding odoo-bin) or as
# an `odoo` package importable by python3. Other settings (all optional):
#   CSW_STATE_DIR  where the private cluster and the filestore live
#   CSW_PG_PORT    PostgreSQL port of `run` (default 55432)
#   CSW_HTTP_PORT  Odoo port of `run` (default 8069)
#   CSW_DB         database of `run` (default csw)
#   CSW_TEST_DEMO  0: `test` runs the suite on the database without demo data only
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ADDON=customer_service_warranty
PYTHON="${PYTHON:-python3}"

die() { echo "error: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# --- Odoo ------------------------------------------------------------------
find_odoo() {
    local pkg_dir
    if [[ -n "${ODOO_PATH:-}" ]]; then
        [[ -f "$ODOO_PATH/odoo/release.py" && -f "$ODOO_PATH/odoo-bin" ]] \
            || die "ODOO_PATH=$ODOO_PATH is not an Odoo source tree (no odoo-bin, no odoo/release.py)"
        pkg_dir="$ODOO_PATH/odoo"
        # odoo-bin puts its own directory on sys.path; pytest-odoo, the benchmarks and the
        # reliability clients import odoo in their own process, so they need the tree too
        export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
    else
        # find_spec locates the package without importing it (no dependency needed yet)
        pkg_dir="$(timeout 10 "$PYTHON" -c 'import importlib.util as u; s = u.find_spec("odoo"); print(s.submodule_search_locations[0] if s else "")' 2>/dev/null || true)"
        [[ -n "$pkg_dir" ]] \
            || die "Odoo 18.0 not found: set ODOO_PATH to an Odoo 18.0 source tree, or make the odoo package importable by $PYTHON"
    fi
    local version
    version="$("$PYTHON" - "$pkg_dir/release.py" <<'EOF'
import sys
scope = {}
exec(open(sys.argv[1], encoding="utf-8").read(), scope)
print(scope["version_info"][0])
EOF
)" || die "cannot read the Odoo version in $pkg_dir/release.py"
    [[ "$version" == 18 ]] || die "Odoo $version found in $pkg_dir; this addon needs Odoo 18.0"
    ODOO_PKG_DIR="$pkg_dir"
    ODOO_ADDONS_PATH="$pkg_dir/addons"
    if [[ -d "$(dirname "$pkg_dir")/addons/web" ]]; then
        ODOO_ADDONS_PATH="$(dirname "$pkg_dir")/addons,$ODOO_ADDONS_PATH"
    fi
    ODOO_ADDONS_PATH="$REPO,$ODOO_ADDONS_PATH"
}

odoo() {
    if [[ -n "${ODOO_PATH:-}" ]]; then
        "$PYTHON" "$ODOO_PATH/odoo-bin" "$@"
    else
        "$PYTHON" -m odoo "$@"
    fi
}

# --- Python dependencies -----------------------------------------------------
# The pinned requirements go into a virtualenv that also sees the base Python's
# packages (where Odoo may be installed); it is reused while the pins do not change.
cache_dir() {
    if [[ -n "${CSW_CACHE_DIR:-}" ]]; then
        echo "$CSW_CACHE_DIR"
    elif [[ "$(id -u)" == 0 ]]; then
        echo "/var/tmp/customer_service_warranty-cache"
    else
        echo "${XDG_CACHE_HOME:-$HOME/.cache}/customer_service_warranty"
    fi
}

use_virtualenv() {
    local key venv
    key="$( (cat "$REPO/requirements.txt" "$REPO/requirements-dev.txt"; readlink -f "$(command -v "$PYTHON")"; "$PYTHON" -V) | sha1sum | cut -c1-12)"
    venv="$(cache_dir)/venv-$key"
    if [[ ! -f "$venv/.complete" ]]; then
        say "preparing a virtualenv with the pinned requirements in $venv"
        rm -rf "$venv"
        mkdir -p "$(dirname "$venv")"
        if ! "$PYTHON" -m venv --system-site-packages "$venv" >/dev/null 2>&1; then
            if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
                say "python3 cannot create virtualenvs: installing Debian's python3-venv"
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            fi
            rm -rf "$venv"
            "$PYTHON" -m venv --system-site-packages "$venv" || die "$PYTHON cannot create a virtualenv"
        fi
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "$REPO/requirements.txt" -r "$REPO/requirements-dev.txt" \
            || die "pip could not install the pinned requirements"
        touch "$venv/.complete"
    fi
    PYTHON="$venv/bin/python"
}

# --- System tools ------------------------------------------------------------------
# wkhtmltopdf renders the PDF reports, pdftotext lets the tests read them, and the
# CJK fonts print Chinese. Installed from Debian when missing and running as root.
ensure_report_tools() {
    local missing=()
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    # grep reads the whole list: with -q it would stop early, and fc-list, cut off, fail the pipe
    fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
    [[ ${#missing[@]} == 0 ]] && return
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing Debian's ${missing[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || die "apt-get could not install ${missing[*]}"
    else
        die "missing ${missing[*]}: install them (Debian: apt-get install ${missing[*]})"
    fi
}

# Chromium runs the tours (HttpCase.start_tour) headless: without it Odoo would skip
# them, so the test command installs Debian's chromium when missing and running as root.
ensure_browser() {
    local name
    # the browsers Odoo's test runner looks for
    for name in chromium google-chrome chromium-browser google-chrome-stable; do
        command -v "$name" >/dev/null && return
    done
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing Debian's chromium (the tours run in it)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
            || die "apt-get could not install chromium"
        command -v chromium >/dev/null || die "chromium is still missing after installing it"
    else
        die "Chromium is missing: the tours need it (Debian: apt-get install chromium)"
    fi
}

# --- PostgreSQL ----------------------------------------------------------------
find_postgres() {
    local dir
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        PG_BIN="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        return
    fi
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/pg_ctl" ]] && PG_BIN="$dir" && return
    done
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "PostgreSQL is missing: installing Debian's postgresql"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
            || die "apt-get could not install postgresql"
        for dir in /usr/lib/postgresql/*/bin; do
            [[ -x "$dir/pg_ctl" ]] && PG_BIN="$dir" && return
        done
    fi
    die "PostgreSQL not found: install it (Debian: apt-get install postgresql)"
}

# Run a PostgreSQL tool as the cluster owner: initdb refuses root.
as_pg_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        local runuser
        runuser="$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser)" || die "runuser is missing (util-linux)"
        "$runuser" -u postgres -- "$@"
    else
        "$@"
    fi
}

# start_cluster DIR PORT: initialise DIR if needed and start a server on 127.0.0.1:PORT
start_cluster() {
    local dir="$1" port="$2"
    mkdir -p "$dir"
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user to own the cluster"
        chown postgres: "$dir"
    fi
    if [[ ! -f "$dir/pgdata/PG_VERSION" ]]; then
        say "creating a private PostgreSQL cluster in $dir/pgdata"
        as_pg_owner "$PG_BIN/initdb" -D "$dir/pgdata" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    if as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
        return
    fi
    say "starting PostgreSQL on 127.0.0.1:$port"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null \
        || { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start (port $port busy?)"; }
}

stop_cluster() {
    as_pg_owner "$PG_BIN/pg_ctl" -D "$1/pgdata" -m fast -w stop >/dev/null 2>&1 || true
}

# A directory the cluster owner can reach: as root, postgres must traverse every parent.
state_dir() {
    if [[ -n "${CSW_STATE_DIR:-}" ]]; then
        echo "$CSW_STATE_DIR"
    elif [[ "$(id -u)" == 0 ]]; then
        echo "/var/tmp/csw-$(echo "$REPO" | sha1sum | cut -c1-10)"
    else
        echo "$REPO/.state"
    fi
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# write_rc FILE DIR PORT: an Odoo configuration file for the private cluster
write_rc() {
    cat >"$1" <<EOF
[options]
db_host = 127.0.0.1
db_port = $3
db_user = odoo
db_password = False
addons_path = $ODOO_ADDONS_PATH
data_dir = $2/filestore
http_interface = 127.0.0.1
http_port = ${CSW_HTTP_PORT:-8069}
list_db = False
admin_passwd = $(head -c 18 /dev/urandom | base64 | tr -d '/+=')
max_cron_threads = 1
EOF
}

# --- commands ----------------------------------------------------------------
cmd_run() {
    find_odoo
    find_postgres
    ensure_report_tools
    local dir port db rc
    dir="$(state_dir)"
    port="${CSW_PG_PORT:-55432}"
    db="${CSW_DB:-csw}"
    use_virtualenv
    start_cluster "$dir" "$port"
    rc="$dir/odoo.conf"
    write_rc "$rc" "$dir" "$port"
    if ! as_pg_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U odoo -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        say "creating database $db with $ADDON and its demo data (a few minutes)"
        install_checked "$rc" "$db"
    else
        say "updating $ADDON in database $db"
        odoo -c "$rc" -d "$db" -u "$ADDON" --stop-after-init --log-level=warn \
            || die "updating $ADDON failed"
    fi
    cat <<EOF

  Customer Service & Warranty is starting on http://127.0.0.1:${CSW_HTTP_PORT:-8069}
  login: admin   password: admin        (administrator)
  demo users (password = login): csw_manager, csw_center_agent, csw_project_agent;
  on the portal (/my): csw_owner (an owner), csw_team (a team's foreman), csw_substitute (a substitute team's foreman)
  stop Odoo with Ctrl-C, then its PostgreSQL with ./dev.sh stop; the data stays in $dir
  e-mail needs an outgoing mail server (Settings > Technical > Outgoing Mail Servers): without one,
  the notifications to owners and teams show as failed e-mails

EOF
    exec_odoo_server "$rc" "$db"
}

# Stop the private PostgreSQL cluster that `run` started (it keeps running after Odoo exits).
cmd_stop() {
    find_postgres
    local dir
    dir="$(state_dir)"
    if [[ ! -d "$dir/pgdata" ]]; then
        say "no private cluster in $dir"
        return 0
    fi
    if as_pg_owner "$PG_BIN/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
        stop_cluster "$dir"
        say "PostgreSQL of $dir stopped; the data stays there for the next run"
    else
        say "PostgreSQL of $dir is not running"
    fi
}

exec_odoo_server() {
    if [[ -n "${ODOO_PATH:-}" ]]; then
        exec "$PYTHON" "$ODOO_PATH/odoo-bin" -c "$1" -d "$2" --db-filter="^$2\$"
    else
        exec "$PYTHON" -m odoo -c "$1" -d "$2" --db-filter="^$2\$"
    fi
}

# throwaway_cluster: a private cluster in a new directory, removed on exit; sets TMP_DIR and TMP_RC
throwaway_cluster() {
    local port
    if [[ "$(id -u)" == 0 ]]; then
        TMP_DIR="$(mktemp -d /var/tmp/csw-test-XXXXXX)"
    else
        TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/csw-test-XXXXXX")"
    fi
    chmod 755 "$TMP_DIR"
    trap 'stop_cluster "$TMP_DIR"; rm -rf "$TMP_DIR"' EXIT
    port="$(free_port)"
    start_cluster "$TMP_DIR" "$port"
    TMP_RC="$TMP_DIR/odoo.conf"
    CSW_HTTP_PORT="$(free_port)" write_rc "$TMP_RC" "$TMP_DIR" "$port"
}

# install_checked RC DB [ODOO ARGS]: install the addon; any error in the log fails,
# including demo data that Odoo would otherwise silently skip.
install_checked() {
    local rc="$1" db="$2" log
    shift 2
    log="$(dirname "$rc")/install-$db.log"
    odoo -c "$rc" -d "$db" -i "$ADDON" --load-language=zh_CN --stop-after-init --log-level=warn "$@" \
        >"$log" 2>&1 || { cat "$log" >&2; die "installing $ADDON in $db failed"; }
    if grep -qE " (ERROR|CRITICAL) |failed to install" "$log"; then
        cat "$log" >&2
        die "installing $ADDON in $db logged errors"
    fi
}

cmd_test() {
    find_odoo
    find_postgres
    ensure_report_tools
    ensure_browser
    use_virtualenv
    throwaway_cluster
    local rc="$TMP_RC" demo_log="$TMP_DIR/suite-demo.log" demo_pid status=0
    cd "$REPO"
    if [[ "${CSW_TEST_DEMO:-1}" == 0 ]]; then
        say "installing $ADDON without demo data"
        install_checked "$rc" csw_test --without-demo=all
        say "test suite on the database without demo data"
        run_suite "$rc" csw_test "$@" || status=$?
        return "$status"
    fi
    say "installing $ADDON without and with demo data, side by side"
    install_checked "$rc" csw_test --without-demo=all &
    demo_pid=$!
    install_checked "$rc" csw_test_demo
    wait "$demo_pid" || die "installing $ADDON without demo data failed"
    # the two suites side by side (pytest-odoo gives each its own HTTP port for the browser
    # tests): on two cores the whole run takes little more than one suite
    say "test suites on the databases with and without demo data, side by side (with demo data: $demo_log)"
    run_suite "$rc" csw_test_demo -q "$@" >"$demo_log" 2>&1 &
    demo_pid=$!
    run_suite "$rc" csw_test "$@" || status=$?
    wait "$demo_pid" || status=$?
    say "test suite on the database with demo data"
    cat "$demo_log"
    return "$status"
}

# run_suite RC DB [PYTEST ARGS]: the addon's tests on database DB
run_suite() {
    local rc="$1" db="$2"
    shift 2
    ODOO_RC="$rc" "$PYTHON" -m pytest -p no:cacheprovider --odoo-database="$db" --odoo-http \
        --odoo-log-level=warn "$ADDON/tests" "$@"
}

# Export the addon's terms to i18n/*.pot and merge them into i18n/zh_CN.po,
# keeping every existing translation; lists the terms still to translate.
cmd_i18n() {
    find_odoo
    find_postgres
    use_virtualenv
    throwaway_cluster
    local pot="$REPO/$ADDON/i18n/$ADDON.pot"
    odoo -c "$TMP_RC" -d csw_i18n -i "$ADDON" --without-demo=all --stop-after-init --log-level=warn \
        || die "installing $ADDON failed"
    odoo -c "$TMP_RC" -d csw_i18n --i18n-export="$pot" --modules="$ADDON" --log-level=warn \
        || die "exporting the terms failed"
    "$PYTHON" - "$pot" "$REPO/$ADDON/i18n/zh_CN.po" <<'EOF'
import sys

import polib

pot_path, po_path = sys.argv[1:]
old = {entry.msgid: entry.msgstr for entry in polib.pofile(po_path) if entry.msgstr}
po = polib.pofile(pot_path)
po.metadata.update({"Language": "zh_CN", "Plural-Forms": ""})
missing = []
for entry in po:
    entry.msgstr = old.get(entry.msgid, "")
    if not entry.msgstr:
        missing.append(entry.msgid)
po.save(po_path)
print(f"{len(po)} terms, {len(missing)} to translate in {po_path}")
for msgid in missing:
    print("  " + msgid.replace("\n", " "))
EOF
}

cmd_lint() {
    cd "$REPO"
    use_virtualenv
    say "ruff"
    "$PYTHON" -m ruff check .
    "$PYTHON" -m ruff format --check .
    say "pylint-odoo (mandatory checks)"
    "$PYTHON" -m pylint --rcfile=.pylintrc-mandatory "$ADDON"
}

# The screenshots of the user guide, from the current code: a throwaway database with the
# demo data, served on a free port, photographed by scripts/screenshots.py.
cmd_screenshots() {
    find_odoo
    find_postgres
    ensure_report_tools
    ensure_browser
    use_virtualenv
    throwaway_cluster
    local rc="$TMP_RC" port
    say "installing $ADDON with demo data"
    install_checked "$rc" csw_shots
    port="$(sed -n 's/^http_port = //p' "$rc")"
    say "serving the demo on 127.0.0.1:$port"
    odoo -c "$rc" -d csw_shots --db-filter='^csw_shots$' --log-level=warn >"$TMP_DIR/server.log" 2>&1 &
    SERVER_PID=$!
    trap 'kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; stop_cluster "$TMP_DIR"; rm -rf "$TMP_DIR"' EXIT
    for _ in $(seq 120); do
        "$PYTHON" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/web/login', timeout=2)" 2>/dev/null && break
        sleep 1
    done
    "$PYTHON" "$REPO/scripts/screenshots.py" --url "http://127.0.0.1:$port" --db csw_shots --out "$REPO/$ADDON/static/description" \
        || { tail -30 "$TMP_DIR/server.log" >&2; die "taking the screenshots failed"; }
}

case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    lint) shift; cmd_lint "$@" ;;
    i18n) shift; cmd_i18n "$@" ;;
    screenshots) shift; cmd_screenshots "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    *) echo "usage: ./dev.sh run | stop | test [pytest args] | lint | i18n | screenshots" >&2; exit 2 ;;
esac
