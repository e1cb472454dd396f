"""The addon's crons on two servers at once, one of them killed in the middle of a job.

Odoo distributes the crons between servers with row locks (``ir.cron._acquire_one_job``:
``FOR NO KEY UPDATE SKIP LOCKED``): a job runs on one server at a time, and a job whose
server dies is left due, its uncommitted work rolled back with the connection, for the
other server to run. This part makes every cron of the addon due at once, with work waiting
(time moved on in SQL: callbacks, notified repairs and unanswered tickets past their
deadlines), wakes the cron workers of both servers, SIGKILLs the whole second server while
its cron worker is inside a job, then lets the first one finish. Afterwards nothing may be
left undone (a lost batch) and nothing done twice: one note, one to-do and one assessment per
record and reason, one monthly report per estate, on top of the invariants of every run.

Then the killed server is started again and units are imported over the API, more than an
estate plans in the request: the planning cron makes their periodic callbacks in batches of
500 units, each committed. Once a batch is committed and the next is under way, the server
running it (either) is SIGKILLed and started again. Every imported unit must end with each of
its 16 periodic callbacks once, none left to plan, and no cron failed.
"""

import random
import time

import invariants
import psycopg2
from rpc import Client

# every cron of the addon: their server actions run a csw.* model's method
ADDON_CRONS = """
    SELECT c.id FROM ir_cron c
      JOIN ir_act_server a ON a.id = c.ir_actions_server_id
      JOIN ir_model m ON m.id = a.model_id
     WHERE c.active AND m.model LIKE 'csw.%%'
"""
NOW = "(now() AT TIME ZONE 'UTC')"
# units created at once (an import): more than an estate plans in the request, so their
# periodic callbacks (16 each) are left to the planning cron, in batches of 500
IMPORTED_UNITS = 2000
PERIODIC_CALLBACKS = 16


def wake(server):
    """What ``ir.cron._notifydb`` does: wake the cron workers listening on ``cron_trigger``."""
    dsn = dict(server.dsn, dbname="postgres")
    with psycopg2.connect(**dsn, application_name="reliability-check") as cnx, cnx.cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", [server.database])
    cnx.close()


def jobs_in_progress(server):
    """``(client port, seconds)`` of the connections holding a cron job's lock."""
    return server.sql(
        """SELECT a.client_port, extract(epoch FROM now() - a.xact_start) FROM pg_locks l
             JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = 'ir_cron'::regclass AND l.mode = 'RowShareLock' AND a.datname = %s""",
        [server.database],
    )


def due_jobs(server):
    """Addon crons due: at their next call or by a trigger (``ir.cron._trigger``), as Odoo reads it."""
    return server.sql(
        f"""SELECT count(*) FROM ({ADDON_CRONS}) c JOIN ir_cron r ON r.id = c.id
             WHERE r.nextcall <= {NOW}
                OR EXISTS (SELECT 1 FROM ir_cron_trigger t WHERE t.cron_id = r.id AND t.call_at <= {NOW})"""
    )[0][0]


def make_work_due(server):
    """Time passes: the deadlines of the open work move into the past; every addon cron is due."""
    counts = {}
    counts["overdue callbacks"] = server.sql(
        f"""UPDATE csw_callback SET scheduled_date = least(scheduled_date, {NOW} - interval '2 days'),
                                    deadline = {NOW} - interval '1 day'
             WHERE state = 'planned' RETURNING id"""
    )
    counts["repairs past their entry deadline"] = server.sql(
        f"""UPDATE csw_repair_order SET entry_deadline = {NOW} - interval '1 day'
             WHERE state = 'notified' AND NOT coalesce(is_overdue, false) RETURNING id"""
    )
    counts["unanswered tickets past their deadlines"] = server.sql(
        f"""UPDATE csw_ticket SET response_deadline = {NOW} - interval '2 days',
                                  resolve_deadline = {NOW} - interval '1 day',
                                  response_risk_date = {NOW} - interval '3 days'
             WHERE state IN ('new', 'in_progress') AND coalesce(escalation_level, 0) = 0 RETURNING id"""
    )
    server.sql(f"UPDATE ir_cron SET nextcall = {NOW} - interval '1 minute' WHERE id IN ({ADDON_CRONS})")
    return {name: len(rows) for name, rows in counts.items()}


def kill_mid_job(server, index, rng, timeout=120):
    """SIGKILL the server ``index`` once its cron worker has been inside a job for a moment.

    Returns ``(seconds inside the job, jobs then running)`` or None when it never ran one."""
    target = rng.uniform(0.0, 0.05)
    deadline = time.monotonic() + timeout
    last_wake = 0.0
    while time.monotonic() < deadline and due_jobs(server):
        if time.monotonic() - last_wake > 5:
            wake(server)
            last_wake = time.monotonic()
        ports = server.connection_ports(server.worker_pids(index))
        for port, seconds in jobs_in_progress(server):
            if port in ports and seconds >= target:
                running = len(jobs_in_progress(server))
                server.kill(index)
                return float(seconds), running
        time.sleep(0.002)
    return None


def wait_for(server, finished, timeout, failure):
    """Wake the cron workers until ``finished(server)`` and no job runs; the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if finished(server) and not jobs_in_progress(server):
            return time.monotonic() - start
        wake(server)
        time.sleep(1)
    raise RuntimeError(f"{failure} after {timeout} s")


def wait_done(server):
    """Until no addon cron is due nor running."""
    return wait_for(server, lambda s: not due_jobs(s), 300, "the crons were still due or running")


def pending_units(server):
    return server.sql("SELECT count(*) FROM csw_unit WHERE callback_plan_pending IS NOT NULL")[0][0]


def planning_batches(server):
    """``(Odoo process id, seconds)`` of the transactions planning a batch: those holding the
    row locks of units (``FOR NO KEY UPDATE``: a RowShareLock on csw_unit). Odoo names its
    connections ``odoo-<pid>``."""
    rows = server.sql(
        """SELECT a.application_name, extract(epoch FROM now() - a.xact_start)
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = 'csw_unit'::regclass AND l.mode = 'RowShareLock'
              AND a.datname = %s AND a.application_name LIKE 'odoo-%%'""",
        [server.database],
    )
    return [(int(name.split("-", 1)[1]), float(seconds)) for name, seconds in rows]


def kill_mid_planning(server, rng, imported, timeout=300):
    """SIGKILL the server whose cron worker plans a batch, once an earlier batch is committed.

    Returns ``(server index, seconds into the batch, units planned before)``, or None when the
    planning ended before (it never ran a second batch)."""
    target = rng.uniform(0.5, 3.0)
    deadline = time.monotonic() + timeout
    last_wake = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() - last_wake > 5:
            wake(server)
            last_wake = time.monotonic()
        pending = pending_units(server)
        if not pending:
            return None
        if pending < imported:
            for pid, seconds in planning_batches(server):
                if seconds < target:
                    continue
                for index, process in enumerate(server.processes):
                    # a worker's connections may carry the name the server gave them before forking it
                    if pid == process.pid or pid in server.worker_pids(index):
                        server.kill(index)
                        return index, seconds, imported - pending
        time.sleep(0.005)
    return None


def wait_planned(server):
    """Until no unit is left to plan and no job runs."""
    return wait_for(server, lambda s: not pending_units(s), 600, "units were still waiting for their callbacks")


def import_units(server, db):
    """An import of ``IMPORTED_UNITS`` units with their handover date into the first estate,
    through the API as the import dialog does: their callbacks are left to the planning cron."""
    admin = Client(server.urls[0], db, "admin", "admin")
    project = server.sql("SELECT id FROM csw_project WHERE active ORDER BY id LIMIT 1")[0][0]
    handover = server.sql("SELECT (now() AT TIME ZONE 'UTC')::date - 30")[0][0].isoformat()
    ids = admin.call(
        "csw.unit",
        "create",
        [
            {"name": f"88-{1 + n // 100}-{1 + n % 100:02d}01", "project_id": project, "handover_date": handover}
            for n in range(IMPORTED_UNITS)
        ],
    )
    return ids, pending_units(server)


def planning_lost_or_doubled(server, unit_ids):
    """The imported units: all planned, each periodic callback once."""
    violations = [
        f"unit {u} still waiting for its callbacks to be planned"
        for (u,) in server.sql("SELECT id FROM csw_unit WHERE callback_plan_pending IS NOT NULL")
    ]
    violations += [
        f"unit {u}: {count} periodic callbacks instead of {PERIODIC_CALLBACKS}"
        for u, count in server.sql(
            """SELECT u.id, count(c.id) FROM csw_unit u
                 LEFT JOIN csw_callback c ON c.unit_id = u.id AND c.callback_type = 'periodic'
                WHERE u.id IN %s GROUP BY u.id HAVING count(c.id) <> %s""",
            [tuple(unit_ids), PERIODIC_CALLBACKS],
        )
    ]
    violations += [
        f"unit {u}: periodic callback {index} planned x{count}"
        for u, index, count in server.sql(
            # the imported units' plan: the load's units carry periodic callbacks made by hand
            """SELECT unit_id, plan_index, count(*) FROM csw_callback
                WHERE callback_type = 'periodic' AND unit_id IN %s
                GROUP BY unit_id, plan_index HAVING count(*) > 1""",
            [tuple(unit_ids)],
        )
    ]
    return violations


def lost(server, month):
    """Work left undone after the crons ran."""
    violations = [
        f"callback {c} overdue but never escalated"
        for (c,) in server.sql(
            f"""SELECT id FROM csw_callback
                 WHERE state = 'planned' AND deadline < {NOW} AND NOT coalesce(escalated, false)"""
        )
    ]
    violations += [
        f"repair order {o} past its entry deadline but not flagged"
        for (o,) in server.sql(
            f"""SELECT id FROM csw_repair_order
                 WHERE state = 'notified' AND entry_deadline < {NOW} AND NOT coalesce(is_overdue, false)"""
        )
    ]
    violations += [
        f"ticket {t} breached but not escalated"
        for (t,) in server.sql(
            """SELECT id FROM csw_ticket
                WHERE state IN ('new', 'in_progress') AND sla_state = 'breached'
                  AND coalesce(escalation_level, 0) = 0"""
        )
    ]
    # the month that ended in the cron user's time zone: UTC's or China's
    violations += [
        f"estate {p} without its monthly report of {month}"
        for (p,) in server.sql(
            """SELECT p.id FROM csw_project p WHERE p.active AND NOT EXISTS
                 (SELECT 1 FROM csw_monthly_report r WHERE r.project_id = p.id AND r.month IN %s)""",
            [tuple(month)],
        )
    ]
    return violations


def doubled(server, marks):
    """Cron work done twice since ``marks``."""
    violations = [
        f"{model} {res_id}: the same note x{count}"
        for model, res_id, count in server.sql(
            """SELECT model, res_id, count(*) FROM mail_message
                WHERE id > %s AND model LIKE 'csw.%%' AND coalesce(body, '') <> ''
                GROUP BY model, res_id, body HAVING count(*) > 1""",
            [marks["message"]],
        )
    ]
    violations += [
        f"{model} {res_id}: the same to-do x{count}"
        for model, res_id, count in server.sql(
            """SELECT res_model, res_id, count(*) FROM mail_activity
                WHERE id > %s AND res_model LIKE 'csw.%%'
                GROUP BY res_model, res_id, summary, user_id HAVING count(*) > 1""",
            [marks["activity"]],
        )
    ]
    violations += [
        f"assessment {reason} of ticket {ticket} / callback {callback} x{count}"
        for reason, ticket, callback, count in server.sql(
            """SELECT reason, ticket_id, callback_id, count(*) FROM csw_assessment WHERE id > %s
                GROUP BY reason, ticket_id, callback_id, user_id HAVING count(*) > 1""",
            [marks["assessment"]],
        )
    ]
    violations += [
        f"estate {project}: {count} monthly reports of {month}"
        for project, month, count in server.sql(
            "SELECT project_id, month, count(*) FROM csw_monthly_report GROUP BY project_id, month HAVING count(*) > 1"
        )
    ]
    violations += [
        f"estate {project}: {count} weekly reports of {week}"
        for project, week, count in server.sql(
            "SELECT project_id, week_start, count(*) FROM csw_weekly_report GROUP BY project_id, week_start "
            "HAVING count(*) > 1"
        )
    ]
    return violations


def run(report, server, db):
    rng = random.Random(11)
    marks = dict(
        zip(
            ("message", "activity", "assessment"),
            server.sql(
                "SELECT (SELECT coalesce(max(id), 0) FROM mail_message), "
                "(SELECT coalesce(max(id), 0) FROM mail_activity), "
                "(SELECT coalesce(max(id), 0) FROM csw_assessment)"
            )[0],
            strict=True,
        )
    )
    month = server.sql(
        "SELECT (date_trunc('month', now() AT TIME ZONE zone) - interval '1 month')::date "
        "FROM unnest(ARRAY['UTC', 'Asia/Shanghai']) zone"
    )
    month = sorted({row[0] for row in month})
    jobs = len(server.sql(ADDON_CRONS))
    due = make_work_due(server)
    lines = [f"{jobs} crons of the addon made due at once on both servers; work waiting: {due}"]
    start = time.monotonic()
    killed = kill_mid_job(server, 1, rng)
    if killed:
        lines.append(
            f"second server SIGKILLed (with its workers) {killed[0]:.3f} s into a cron job, "
            f"{killed[1]} jobs running on both servers then"
        )
    else:
        report.failures.append("crons: the second server never ran a cron job to be killed in")
        lines.append("the second server never ran a cron job")
    finished = wait_done(server)
    lines.append(
        f"the first server finished the due jobs {finished:.1f} s after the kill "
        f"({time.monotonic() - start:.1f} s in all)"
    )
    done = server.sql(
        f"""SELECT (SELECT count(*) FROM csw_callback WHERE escalated),
                   (SELECT count(*) FROM csw_repair_order WHERE is_overdue),
                   (SELECT count(*) FROM csw_ticket WHERE escalation_level > 0),
                   (SELECT count(*) FROM csw_assessment WHERE id > %s),
                   (SELECT count(*) FROM csw_monthly_report WHERE month IN %s),
                   (SELECT count(*) FROM ir_cron_progress p JOIN ({ADDON_CRONS}) c ON c.id = p.cron_id
                     WHERE p.timed_out_counter > 0)""",
        [marks["assessment"], tuple(month)],
    )[0]
    months = "/".join(map(str, month))
    lines.append(
        f"done: callbacks escalated {done[0]}, repairs flagged overdue {done[1]}, tickets escalated {done[2]}, "
        f"assessments {done[3]}, monthly reports of {months} {done[4]}; "
        f"job runs cut short by the kill (ir_cron_progress.timed_out_counter) {done[5]}"
    )
    lines += report.check("cron work lost", lost(server, month))
    lines += report.check("cron work done twice", doubled(server, marks))
    for check, violations in invariants.all_checks(server).items():
        lines += report.check(check, violations)
    lines += report.check("crons failed", failed_crons(server))
    report.section("Crons on two servers, one killed mid-job", lines)
    server.restart(1)
    report.section(
        "Background planning of an import, its server killed mid-batch", plan_import(report, server, db, rng)
    )


def failed_crons(server):
    failing = server.sql(f"SELECT id, failure_count FROM ir_cron WHERE id IN ({ADDON_CRONS}) AND failure_count > 0")
    return [f"cron {c}: {n} failures" for c, n in failing]


def plan_import(report, server, db, rng):
    start = time.monotonic()
    unit_ids, pending = import_units(server, db)
    lines = [
        f"{len(unit_ids)} units imported over the API in {time.monotonic() - start:.1f} s, "
        f"{pending} left to the planning cron"
    ]
    killed = kill_mid_planning(server, rng, pending)
    if killed:
        index, seconds, planned = killed
        lines.append(
            f"server {index + 1} SIGKILLed (with its workers) {seconds:.1f} s into a planning batch, "
            f"{planned} units planned and committed before it; started again"
        )
        server.restart(index)
    else:
        report.failures.append("planning: no batch was under way after a committed one, to be killed in")
        lines.append("no planning batch to kill")
    finished = wait_planned(server)
    lines.append(f"all units planned {finished:.1f} s later ({time.monotonic() - start:.1f} s in all)")
    lines += report.check("callback planning lost or done twice", planning_lost_or_doubled(server, unit_ids))
    lines += report.check("crons failed", failed_crons(server))
    return lines
