"""Reads on the streaming replica, writes on the primary.

Odoo sends the read-only requests to the replica of ``db_replica_host``/``db_replica_port``:
routes declared ``readonly`` (the report pages, the portal's lists of homes and jobs) and the web client's
calls of ``@api.readonly`` methods (``web_search_read`` of the managers' dashboard,
``web_read_group`` of the pivot and graph views). Each read below runs alone against the
second server, and the scans it causes are counted on both PostgreSQL servers
(``pg_stat_user_tables``, which each server keeps for the queries it ran itself): the table
read must be scanned on the replica and not on the primary. A create through the same server
must land on the primary at once.
"""

import time

from fuzz import portal_session

# the tables whose scans tell which server answered
TABLES = ("csw_ticket", "csw_repair_order", "csw_project", "csw_callback", "csw_unit")
# PostgreSQL 15 keeps a backend's statistics up to 10 s before it reports them
STATS_DELAY = 11


def scans(server, replica):
    rows = server.sql(
        "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname IN %s",
        [TABLES],
        replica=replica,
    )
    return dict(rows)


def call_kw(session, url, model, method, args, kwargs=None):
    response = session.post(
        f"{url}/web/dataset/call_kw/{model}/{method}",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        },
        timeout=120,
    )
    response.raise_for_status()
    body = response.json()
    if "error" in body:
        raise RuntimeError(f"{model}.{method}: {body['error'].get('data', {}).get('message', body['error'])}")
    return body["result"]


def measured(server, reads):
    """Run each read alone and return the scans it caused per table on ``(replica, primary)``.

    A backend that reported its statistics less than a second before keeps the next ones
    for up to 10 s (PostgreSQL's PGSTAT_IDLE_INTERVAL): each read waits for them."""
    time.sleep(STATS_DELAY)
    before = scans(server, True), scans(server, False)
    for read in reads:
        read()
        time.sleep(STATS_DELAY)
        after = scans(server, True), scans(server, False)
        yield tuple({table: after[i].get(table, 0) - before[i].get(table, 0) for table in TABLES} for i in (0, 1))
        before = after


def run(report, server, db, data):
    lines = []
    if server.replica_dsn is None:
        report.failures.append("read replica: the run has none")
        report.section("Read replica", ["no replica configured"])
        return
    url = server.urls[-1]
    password = data["password"]
    manager = portal_session(url, db, "rel_manager", password)
    owner = portal_session(url, db, "rel_owner", password)
    team = portal_session(url, db, "rel_team", password)
    agent = portal_session(url, db, "rel_agent", password)
    order = server.sql("SELECT max(id) FROM csw_repair_order WHERE state <> 'draft'")[0][0]
    lag = server.sql(
        "SELECT pg_is_in_recovery(), extract(epoch FROM now() - pg_last_xact_replay_timestamp())", replica=True
    )[0]
    lines.append(f"replica in recovery: {lag[0]}, last replayed transaction {lag[1] or 0:.1f} s ago")

    def page(session, path):
        def get():
            response = session.get(url + path, timeout=120)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")

        return get

    reads = [
        (
            "managers' dashboard (web_search_read of csw.project)",
            "csw_ticket",
            lambda: call_kw(
                manager,
                url,
                "csw.project",
                "web_search_read",
                [],
                {
                    "domain": [],
                    "specification": {
                        "name": {},
                        "breached_ticket_count": {},
                        "callback_overdue_count": {},
                        "month_callback_rate": {},
                    },
                },
            ),
        ),
        (
            "pivot of tickets (web_read_group of csw.ticket)",
            "csw_ticket",
            lambda: call_kw(
                manager,
                url,
                "csw.ticket",
                "web_read_group",
                [],
                {"domain": [], "fields": ["__count"], "groupby": ["ticket_type", "state"]},
            ),
        ),
        (
            "repair notice report (/report/html)",
            "csw_repair_order",
            page(manager, f"/report/html/customer_service_warranty.report_repair_notice/{order}"),
        ),
        ("owner's portal list of homes (/my/homes)", "csw_unit", page(owner, "/my/homes")),
        ("team's portal list of jobs (/my/jobs)", "csw_repair_order", page(team, "/my/jobs")),
    ]
    for (name, table, _read), (on_replica, on_primary) in zip(
        reads, measured(server, [read for _name, _table, read in reads]), strict=True
    ):
        lines.append(
            f"{name}: {table} scanned {on_replica[table]} times on the replica, {on_primary[table]} on the primary"
        )
        if not on_replica[table] or on_primary[table]:
            report.failures.append(f"read replica: {name} not served from the replica")
    # a write through the same server: on the primary at once
    estate = data["estates"][0]
    token = f"REPLICA-{time.time_ns()}"
    ticket = call_kw(
        agent,
        url,
        "csw.ticket",
        "create",
        [
            {
                "name": token,
                "ticket_type": "consultation",
                "channel": "phone",
                "unit_id": estate["unit"],
                "partner_id": data["owner_partner"],
            }
        ],
    )
    ticket = ticket[0] if isinstance(ticket, list) else ticket
    on_primary = server.sql("SELECT id FROM csw_ticket WHERE name = %s", [token])
    lines.append(f"a ticket created through the same server (call_kw create): on the primary {on_primary}")
    if on_primary != [(ticket,)]:
        report.failures.append("read replica: a write through the server did not land on the primary")
    # and the replica replays it (streaming replication works)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not server.sql("SELECT 1 FROM csw_ticket WHERE id = %s", [ticket], True):
        time.sleep(0.2)
    replayed = bool(server.sql("SELECT 1 FROM csw_ticket WHERE id = %s", [ticket], True))
    lines.append(f"replayed on the replica: {replayed}")
    if not replayed:
        report.failures.append("read replica: the primary's write never reached the replica")
    stats = server.sql(
        "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s",
        [db],
        replica=True,
    )[0]
    lines.append(f"replica since its start: {stats[0]} transactions, {stats[1]} rows read")
    report.section("Read replica: reports, dashboard and portal lists read from it, writes on the primary", lines)
