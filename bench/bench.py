"""Benchmarks of customer_service_warranty against Odoo's own modules, on one database.

``./bench/run.sh`` prepares the database (a throwaway cluster with customer_service_warranty,
repair and project installed) and runs this script on it. To run it on a database of your
own that has the three modules installed and no data of the addon yet::

    python3 bench/bench.py --config odoo.conf --database DB [--small]

It seeds an estate group, measures, prints the results table and writes it, with the
machine, the command and the EXPLAIN plans of the hot queries, to bench/results/.
Everything it measures is rolled back: the seeded data stays, the measured work does not.
"""

import argparse
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg2
from lxml import etree

BENCH_DIR = Path(__file__).resolve().parent

FULL = {
    "agents": 12,
    "estates": 20,
    "units": 30_000,
    "create": 2_000,
    "history_tickets": 1_000_000,
    "history_orders": 300_000,
    "open": (10_000, 100_000),
}
SMALL = {
    "agents": 6,
    "estates": 4,
    "units": 3_000,
    "create": 500,
    "history_tickets": 100_000,
    "history_orders": 30_000,
    "open": (1_000, 10_000),
}
CREATE_BATCH = 500
EXPLAIN_TIMEOUT = 10
BIG_TABLES = (
    "csw_ticket",
    "csw_repair_order",
    "csw_callback",
    "csw_assessment",
    "csw_unit",
    "res_partner",
    "mail_message",
    "mail_followers",
    "mail_activity",
)
# the models whose records seeded through SQL get followers, as the ORM would subscribe them
FOLLOWED = ("csw.ticket", "csw.repair.order", "csw.callback")
# the web client's list and kanban pages, and its count limit
PAGE, COUNT_LIMIT = 80, 10001
# widgets whose fields the web client reads with the field (kanban_activity's dependencies)
WIDGET_FIELDS = {
    "kanban_activity": [
        "activity_exception_decoration",
        "activity_exception_icon",
        "activity_state",
        "activity_summary",
        "activity_type_icon",
        "activity_type_id",
    ],
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="Odoo configuration file (database connection)")
    parser.add_argument("--database", required=True, help="database with the addon, repair and project installed")
    parser.add_argument("--small", action="store_true", help="ten times smaller volumes, for a quick check")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing; the median is reported")
    parser.add_argument("--output", default=str(BENCH_DIR / "results"), help="where to write the results")
    return parser.parse_args()


def median(values):
    return statistics.median(values) if values else 0.0


class QueryLog:
    """Times every statement of a cursor; the slowest SELECTs are the hot queries to EXPLAIN."""

    def __init__(self, cr):
        self.cr = cr
        self.entries = []
        self._execute = None

    def __enter__(self):
        cr, original = self.cr, self.cr.execute

        def execute(query, params=None, log_exceptions=True):
            start = time.perf_counter()
            try:
                return original(query, params, log_exceptions)
            finally:
                self.entries.append((time.perf_counter() - start, query, params))

        self._execute = original
        cr.execute = execute
        return self

    def __exit__(self, *exc):
        del self.cr.execute

    def seconds(self):
        return sum(duration for duration, _query, _params in self.entries)

    def heaviest(self, count):
        """The ``count`` kinds of statement (their first words) that took the most time in all."""
        totals = defaultdict(lambda: [0.0, 0])
        for duration, query, _params in self.entries:
            code = " ".join(str(getattr(query, "code", query)).split())[:90]
            totals[code][0] += duration
            totals[code][1] += 1
        return sorted(((seconds, calls, code) for code, (seconds, calls) in totals.items()), reverse=True)[:count]

    def hot(self, count):
        """The ``count`` slowest SELECT statements, as SQL text with their parameters bound."""
        by_text = {}
        for duration, query, params in self.entries:
            code = getattr(query, "code", query)
            params = getattr(query, "params", params)
            if not isinstance(code, str) or not code.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in code:
                continue
            text = self.cr._obj.mogrify(code, params).decode()
            if duration > by_text.get(text, 0):
                by_text[text] = duration
        return sorted(by_text.items(), key=lambda item: -item[1])[:count]


class GcTimer:
    """Time spent in Python's garbage collector while the block runs."""

    def __init__(self):
        self.seconds = 0.0
        self._start = None

    def _callback(self, phase, _info):
        if phase == "start":
            self._start = time.perf_counter()
        elif self._start is not None:
            self.seconds += time.perf_counter() - self._start

    def __enter__(self):
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._callback)


class Bench:
    def __init__(self, registry, cr, args):
        import odoo
        from odoo import SUPERUSER_ID, api

        self.odoo = odoo
        self.registry = registry
        self.cr = cr
        self.args = args
        self.volume = SMALL if args.small else FULL
        self.env = api.Environment(cr, SUPERUSER_ID, {})
        self.rows = []  # the results table
        self.details = defaultdict(dict)  # every measurement, for the JSON file
        self.hot_queries = {}  # operation -> [(sql, seconds)]
        self.explained = {}  # operation -> [(sql, plans)]
        self.started = time.perf_counter()
        self.load_start = os.getloadavg()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def log(self, message):
        # the load average shows whether something else ran on the machine meanwhile
        load = os.getloadavg()[0]
        print(f"[{time.perf_counter() - self.started:7.1f}s load {load:4.1f}] {message}", flush=True)

    def row(self, item, figure, ours, reference, ratio, goal, passed):
        self.rows.append(
            {
                "item": item,
                "figure": figure,
                "ours": ours,
                "reference": reference,
                "ratio": ratio,
                "goal": goal,
                "pass": passed,
            }
        )
        verdict = {True: "pass", False: "FAIL", None: "-"}[passed]
        self.log(f"  {figure}: {ours} | {reference} | {ratio} | {goal} | {verdict}")

    def commit_and_analyze(self):
        """Commit, then VACUUM ANALYZE the big tables as autovacuum would have done on a live
        database (the visibility map lets PostgreSQL use index-only scans), ANALYZE the others."""
        self.cr.commit()
        connection = self.cr._cnx
        connection.autocommit = True
        try:
            with connection.cursor() as raw:
                raw.execute(f"VACUUM ANALYZE {', '.join(BIG_TABLES)}")
                raw.execute("ANALYZE")
        finally:
            connection.autocommit = False
        self.env.invalidate_all()

    def measure(self, func, env=None, capture=None):
        """Run ``func`` once: (seconds, queries, result), flushed; SELECTs captured under ``capture``."""
        env = env or self.env
        env.invalidate_all()
        cr = self.cr
        log = QueryLog(cr)
        collector = GcTimer()
        with log, collector:
            before = cr.sql_log_count
            start = time.perf_counter()
            result = func()
            # everything up to the commit: the ORM's pending writes, then the precommit
            # hooks (mail tracking messages, bus notifications)
            env.flush_all()
            cr.flush()
            seconds = time.perf_counter() - start
            queries = cr.sql_log_count - before
        # where the time went: in PostgreSQL, in Python's garbage collector, the rest in Python
        self.last_split = {"sql_seconds": log.seconds(), "gc_seconds": collector.seconds}
        # where the SQL time went, for the JSON file
        self.last_heaviest = [
            {"seconds": round(seconds, 3), "calls": calls, "statement": code}
            for seconds, calls, code in log.heaviest(5)
        ]
        if capture:
            self.hot_queries[capture] = log.hot(3)
        return seconds, queries, result

    def count_rows(self, table, where="TRUE"):
        self.cr.execute(f"SELECT count(*) FROM {table} WHERE {where}")
        return self.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # the run
    # ------------------------------------------------------------------
    def run(self):
        import seed

        self.seed = seed
        env = self.env
        if env["csw.ticket"].search_count([]) or "repair.order" not in env or "project.task" not in env:
            sys.exit("the database must have customer_service_warranty, repair and project installed, and no tickets")
        volume = self.volume
        self.log(f"seeding the master data ({volume['units']} units) through the ORM")
        start = time.perf_counter()
        self.data = seed.seed_master(env(user=env.ref("base.user_admin").id), volume, self.log)
        self.log("the form benchmark's ticket, with its repair orders and callbacks")
        self.data["showcase"] = self.seed_showcase()
        self.details["seeding"]["master_seconds"] = time.perf_counter() - start
        self.log("VACUUM ANALYZE")
        self.commit_and_analyze()
        self.info = seed._prepare_sql(env, self.data)
        self.now = self.odoo.fields.Datetime.now()

        small_open, large_open = volume["open"]
        self.log(f"seeding {small_open} open tickets, repair orders and callbacks (SQL)")
        self.seed_open(0, small_open)
        self.web_reads("small")

        self.seed_history()
        self.crons(small_open)
        self.log(f"seeding {large_open} open tickets, repair orders and callbacks (SQL)")
        self.seed_open(small_open, large_open)
        self.crons(large_open)
        self.planner()
        self.web_reads("large")
        self.compare_web_reads()
        self.monthly_report()
        self.create_throughput()
        self.write_results()  # the figures are safe, whatever happens to the plans
        self.explain()
        self.write_results()

    # ------------------------------------------------------------------
    # seeding
    # ------------------------------------------------------------------
    def seed_showcase(self):
        """One ticket with two repair orders done and called back, the form benchmark's record."""
        env = self.env(user=self.env.ref("base.user_admin").id)
        unit = env["csw.unit"].search([], limit=1)
        ticket = env["csw.ticket"].create(
            {"name": "卫生间天花渗水", "unit_id": unit.id, "channel": "phone", "location": "主卫天花"}
        )
        ticket.action_start()
        category = env.ref("customer_service_warranty.category_waterproofing_bathroom")
        orders = env["csw.repair.order"].create(
            [
                {"ticket_id": ticket.id, "unit_id": unit.id, "location": location, "category_id": category.id}
                for location in ("主卫天花", "次卫墙面")
            ]
        )
        # notified by phone (no PDF notice), then done: the callbacks are planned
        orders.write({"notify_method": "verbal", "state": "notified", "notify_date": self.odoo.fields.Datetime.now()})
        orders.write({"completion_note": "重做防水层"})
        orders.action_done()
        ticket.message_post(body="已联系业主,约好明天上门。", message_type="comment", subtype_xmlid="mail.mt_note")
        return ticket

    def seed_open(self, first, last):
        seed, env, info = self.seed, self.env, self.info
        start = time.perf_counter()
        since = {model: seed.max_id(env, env[model]._table) for model in FOLLOWED}
        tickets = seed.insert_open_tickets(env, info, first + 1, last, self.now)
        orders = seed.insert_open_orders(env, info, first + 1, last, self.now)
        callbacks = seed.insert_open_callbacks(env, info, first + 1, last, self.now)
        for model, since_id in since.items():
            seed.insert_followers(env, model, since_id)
        self.commit_and_analyze()
        self.log(
            f"  {tickets} tickets, {orders} repair orders, {callbacks} callbacks in {time.perf_counter() - start:.0f}s"
        )

    def seed_history(self):
        seed, env, info, volume = self.seed, self.env, self.info, self.volume
        end = self.now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
        start = end - timedelta(days=3 * 365)
        self.log(
            f"seeding three years of history through SQL: {volume['history_tickets']} tickets, "
            f"{volume['history_orders']} repair orders, their callbacks and assessments"
        )
        clock = time.perf_counter()
        # where the history starts in each table: its id ranges, and whom its followers are for
        since = {model: seed.max_id(env, env[model]._table) for model in FOLLOWED}
        count = 0
        # in slices, so that progress shows and no statement holds too much memory
        step = 250_000
        for low in range(1, volume["history_tickets"] + 1, step):
            high = min(low + step - 1, volume["history_tickets"])
            part_start = start + (end - start) * ((low - 1) / volume["history_tickets"])
            part_end = start + (end - start) * (high / volume["history_tickets"])
            count += seed.insert_history_tickets(env, info, low, high, part_start, part_end)
            self.log(f"  tickets: {count}")
        tickets = seed.id_range(env, "csw_ticket", since["csw.ticket"])
        orders = seed.insert_history_orders(
            env, info, 1, volume["history_orders"], start, end, (tickets[0], tickets[1] - tickets[0] + 1)
        )
        order_ids = seed.id_range(env, "csw_repair_order", since["csw.repair.order"])
        self.log(f"  repair orders: {orders}")
        callbacks = seed.insert_history_callbacks(env, info, order_ids, tickets)
        self.log(f"  callbacks: {callbacks}")
        assessments = seed.insert_history_assessments(env, info, tickets)
        self.log(f"  assessments: {assessments}")
        followers = sum(seed.insert_followers(env, model, since_id) for model, since_id in since.items())
        self.log(f"  followers: {followers}")
        self.commit_and_analyze()
        seconds = time.perf_counter() - clock
        self.details["seeding"]["history_seconds"] = seconds
        self.details["seeding"]["history"] = {
            "tickets": count,
            "repair_orders": orders,
            "callbacks": callbacks,
            "assessments": assessments,
            "followers": followers,
        }
        self.log(f"  history seeded in {seconds:.0f}s")

    # ------------------------------------------------------------------
    # 2. crons and planner
    # ------------------------------------------------------------------
    def _changed(self, snapshot_sql, compare_sql):
        """Rows a cron changed: ``snapshot_sql`` fills bench_before, ``compare_sql`` counts."""
        cr = self.cr
        cr.execute("DROP TABLE IF EXISTS bench_before")
        cr.execute(f"CREATE TEMP TABLE bench_before AS {snapshot_sql}")
        return lambda: (cr.execute(compare_sql), cr.fetchone()[0])[1]

    def crons(self, size):
        env = self.env
        self.log(f"crons with {size} open records of each kind")
        cases = {
            "sla": (
                "SLA / escalation cron (csw.ticket._cron_escalate)",
                lambda: env["csw.ticket"]._cron_escalate(),
                "SELECT id, sla_state, escalation_level, response_breached FROM csw_ticket "
                "WHERE state IN ('new', 'in_progress')",
                "SELECT count(*) FROM csw_ticket t JOIN bench_before b ON b.id = t.id "
                "WHERE (t.sla_state, t.escalation_level, t.response_breached) IS DISTINCT FROM "
                "(b.sla_state, b.escalation_level, b.response_breached)",
            ),
            "overdue": (
                "Overdue-entry cron (csw.repair.order._cron_flag_overdue)",
                lambda: env["csw.repair.order"]._cron_flag_overdue(),
                "SELECT id, is_overdue FROM csw_repair_order WHERE state = 'notified'",
                "SELECT count(*) FROM csw_repair_order o JOIN bench_before b ON b.id = o.id "
                "WHERE o.is_overdue IS DISTINCT FROM b.is_overdue",
            ),
            "callback": (
                "Overdue-callback cron (csw.callback._cron_escalate_overdue)",
                lambda: env["csw.callback"]._cron_escalate_overdue(),
                "SELECT id, escalated FROM csw_callback WHERE state = 'planned'",
                "SELECT count(*) FROM csw_callback c JOIN bench_before b ON b.id = c.id "
                "WHERE c.escalated IS DISTINCT FROM b.escalated",
            ),
        }
        for key, (label, func, snapshot, compare) in cases.items():
            changed = self._changed(snapshot, compare)
            capture = f"{label}, {size:,} open" if size == self.volume["open"][1] else None
            seconds, queries, _result = self.measure(func, capture=capture)
            split = self.last_split
            records = changed()
            # a second run finds nothing left to do: what every run costs on a quiet day
            idle_seconds, idle_queries, _result = self.measure(func)
            self.cr.rollback()
            self.details["crons"][f"{key}@{size}"] = {
                "label": label,
                "seconds": seconds,
                "queries": queries,
                "records_changed": records,
                "idle_seconds": idle_seconds,
                "idle_queries": idle_queries,
                **split,
            }
            self.log(
                f"  {label}: {seconds:.2f}s (SQL {split['sql_seconds']:.2f}s, GC {split['gc_seconds']:.2f}s), "
                f"{queries} queries, {records} records changed; idle {idle_seconds:.2f}s, {idle_queries} queries"
            )
        if size == self.volume["open"][1]:
            self.cron_rows()

    def cron_rows(self):
        small, large = self.volume["open"]
        crons = self.details["crons"]
        names = {
            "sla": "SLA / escalation cron",
            "overdue": "Overdue-entry cron",
            "callback": "Overdue-callback cron",
        }
        for key, name in names.items():
            low, high = crons[f"{key}@{small}"], crons[f"{key}@{large}"]
            goal_seconds = 10.0 * large / 100_000
            self.row(
                "2",
                f"{name}: wall time, {large:,} open (ref. {small:,} open)",
                f"{high['seconds']:.2f} s",
                f"{low['seconds']:.2f} s",
                f"{high['seconds'] / low['seconds']:.1f}×",
                f"< {goal_seconds:g} s" if key == "sla" else "-",
                high["seconds"] < goal_seconds if key == "sla" else None,
            )
            self.row(
                "2",
                f"{name}: queries, {large:,} open (ref. {small:,} open), "
                f"{high['records_changed']:,} (ref. {low['records_changed']:,}) records changed",
                f"{high['queries']}",
                f"{low['queries']}",
                f"{high['queries'] / low['queries']:.2f}×",
                "growth ≤ 1 query per 10 records changed",
                (high["queries"] - low["queries"]) <= max(high["records_changed"] - low["records_changed"], 0) / 10 + 2,
            )
            self.row(
                "2",
                f"{name}: queries of a run with nothing due, {large:,} open (ref. {small:,} open)",
                f"{high['idle_queries']} ({high['idle_seconds']:.2f} s)",
                f"{low['idle_queries']} ({low['idle_seconds']:.2f} s)",
                f"{high['idle_queries'] / low['idle_queries']:.2f}×",
                "equal",
                high["idle_queries"] == low["idle_queries"],
            )

    def planner(self):
        """The periodic plan after handover for units handed over now: 16 callbacks a unit."""
        env = self.env
        results = {}
        for size in self.volume["open"]:
            count = size // 16
            # units without periodic callbacks in the history (the odd ones), handed over 10 days ago
            env.cr.execute("SELECT id FROM bench_unit WHERE k %% 2 = 1 ORDER BY k DESC LIMIT %s", [count])
            ids = [row[0] for row in env.cr.fetchall()]
            handover = (self.now - timedelta(days=10)).date()
            env.cr.execute("UPDATE csw_unit SET handover_date = %s WHERE id = ANY(%s)", [handover, ids])
            env.invalidate_all()
            units = env["csw.unit"].browse(ids)
            seconds, queries, created = self.measure(
                lambda units=units: env["csw.callback"]._plan_periodic(units),
                capture="callback planner" if size == self.volume["open"][1] else None,
            )
            split, heaviest = self.last_split, self.last_heaviest
            for entry in heaviest:
                self.log(f"    SQL {entry['seconds']:.2f}s in {entry['calls']} × {entry['statement']}")
            # the handover date moves: every planned callback moves with it
            env.cr.execute(
                "UPDATE csw_unit SET handover_date = handover_date + 3 WHERE id = ANY(%s)",
                [ids],
            )
            env.invalidate_all()
            units = env["csw.unit"].browse(ids)
            move_seconds, move_queries, _result = self.measure(
                lambda units=units: env["csw.callback"]._plan_periodic(units)
            )
            self.cr.rollback()
            results[size] = {
                "units": count,
                "created": len(created),
                "seconds": seconds,
                "queries": queries,
                "move_seconds": move_seconds,
                "move_queries": move_queries,
                **split,
                "heaviest_statements": heaviest,
            }
            self.log(
                f"  planner: {len(created)} callbacks for {count} units in {seconds:.2f}s "
                f"(SQL {split['sql_seconds']:.2f}s, GC {split['gc_seconds']:.2f}s), {queries} queries; "
                f"moved in {move_seconds:.2f}s, {move_queries} queries"
            )
        self.details["planner"] = results
        small, large = self.volume["open"]
        low, high = results[small], results[large]
        self.row(
            "2",
            f"Callback planner (_plan_periodic): {high['created']:,} callbacks planned (ref. {low['created']:,})",
            f"{high['seconds']:.2f} s, {high['created'] / high['seconds']:,.0f}/s",
            f"{low['seconds']:.2f} s, {low['created'] / low['seconds']:,.0f}/s",
            f"{high['seconds'] / low['seconds']:.1f}×",
            "-",
            None,
        )
        self.row(
            "2",
            f"Callback planner: queries for {high['created']:,} callbacks (ref. {low['created']:,})",
            f"{high['queries']}",
            f"{low['queries']}",
            f"{high['queries'] / low['queries']:.2f}×",
            "growth ≤ 1 query per 10 callbacks",
            high["queries"] - low["queries"] <= (high["created"] - low["created"]) / 10 + 2,
        )
        self.row(
            "2",
            f"Callback re-planning (handover moved): queries for {high['created']:,} callbacks "
            f"(ref. {low['created']:,})",
            f"{high['move_queries']} ({high['move_seconds']:.2f} s)",
            f"{low['move_queries']} ({low['move_seconds']:.2f} s)",
            f"{high['move_queries'] / low['move_queries']:.2f}×",
            "growth ≤ 1 query per 10 callbacks",
            high["move_queries"] - low["move_queries"] <= (high["created"] - low["created"]) / 10 + 2,
        )

    # ------------------------------------------------------------------
    # 3. monthly report
    # ------------------------------------------------------------------
    MONTH_SQL = [
        """SELECT project_id, count(*), count(*) FILTER (WHERE ticket_type = 'complaint'),
                  count(*) FILTER (WHERE response_deadline IS NOT NULL
                                     AND (first_response_date IS NOT NULL OR response_breached)),
                  count(*) FILTER (WHERE response_deadline IS NOT NULL
                                     AND (first_response_date IS NOT NULL OR response_breached)
                                     AND response_breached IS NOT TRUE)
             FROM csw_ticket
            WHERE project_id = ANY(%(projects)s) AND received_date >= %(start)s AND received_date < %(end)s
         GROUP BY project_id""",
        """SELECT project_id, count(*), count(*) FILTER (WHERE resolve_on_time)
             FROM csw_ticket
            WHERE project_id = ANY(%(projects)s) AND resolved_date >= %(start)s AND resolved_date < %(end)s
              AND resolve_deadline IS NOT NULL
         GROUP BY project_id""",
        """SELECT project_id, count(*), count(*) FILTER (WHERE is_substitute)
             FROM csw_repair_order
            WHERE project_id = ANY(%(projects)s) AND report_date >= %(month)s AND report_date < %(next_month)s
              AND state != 'cancelled'
         GROUP BY project_id""",
        """SELECT project_id, count(*) FROM csw_repair_order
            WHERE project_id = ANY(%(projects)s) AND done_date >= %(start)s AND done_date < %(end)s
         GROUP BY project_id""",
        """SELECT project_id, count(*) FROM csw_repair_order
            WHERE project_id = ANY(%(projects)s) AND notify_date >= %(start)s AND notify_date < %(end)s
              AND entry_late
         GROUP BY project_id""",
        """SELECT project_id, count(*), sum(amount_total), sum(compensation_amount) FROM csw_deduction
            WHERE project_id = ANY(%(projects)s) AND state = 'posted'
              AND posted_date >= %(start)s AND posted_date < %(end)s
         GROUP BY project_id""",
        """SELECT o.project_id, count(*), count(*) FILTER (WHERE c.state = 'done')
             FROM csw_repair_order o
        LEFT JOIN LATERAL (SELECT cb.state FROM csw_callback cb
                            WHERE cb.repair_order_id = o.id AND cb.callback_type = 'repair'
                         ORDER BY cb.id DESC LIMIT 1) c ON TRUE
            WHERE o.project_id = ANY(%(projects)s) AND o.state IN ('done', 'verified')
              AND o.done_date >= %(start)s AND o.done_date < %(end)s
         GROUP BY o.project_id""",
        """SELECT project_id, satisfaction, count(*) FROM csw_callback
            WHERE project_id = ANY(%(projects)s) AND state = 'done' AND satisfaction IS NOT NULL
              AND done_date >= %(start)s AND done_date < %(end)s
         GROUP BY project_id, satisfaction""",
        """SELECT project_id, count(*), sum(points), sum(amount) FROM csw_assessment
            WHERE project_id = ANY(%(projects)s) AND date >= %(month)s AND date < %(next_month)s
         GROUP BY project_id""",
    ]

    def monthly_report(self):
        env = self.env
        today = self.now.date()
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        next_month = today.replace(day=1)
        projects = env["csw.project"].search([])
        params = {
            "projects": projects.ids,
            "start": datetime.combine(month, datetime.min.time()),
            "end": datetime.combine(next_month, datetime.min.time()),
            "month": month,
            "next_month": next_month,
        }
        Report = env["csw.monthly.report"]
        self.log(f"monthly report of {len(projects)} estates for {month:%Y-%m}")

        def orm():
            return Report._count(projects, month)

        def sql():
            rows = []
            for query in self.MONTH_SQL:
                env.cr.execute(query, params)
                rows.append(env.cr.fetchall())
            return rows

        orm()  # warm the caches, as in a running server
        sql()
        orm_runs = [self.measure(orm, capture="monthly report" if n == 0 else None) for n in range(self.args.repeat)]
        sql_runs = [self.measure(sql) for _n in range(self.args.repeat)]
        figures = orm_runs[0][2]
        tickets = sum(figure["ticket_count"] for figure in figures.values())
        repairs = sum(figure["repair_count"] for figure in figures.values())
        ours = median([run[0] for run in orm_runs])
        reference = median([run[0] for run in sql_runs])
        self.details["monthly_report"] = {
            "month": str(month),
            "orm_seconds": [run[0] for run in orm_runs],
            "orm_queries": orm_runs[0][1],
            "sql_seconds": [run[0] for run in sql_runs],
            "sql_queries": len(self.MONTH_SQL),
            "tickets_in_month": tickets,
            "repairs_in_month": repairs,
            "tickets_total": self.count_rows("csw_ticket"),
            "repair_orders_total": self.count_rows("csw_repair_order"),
            "callbacks_total": self.count_rows("csw_callback"),
        }
        detail = self.details["monthly_report"]
        self.row(
            "3",
            f"Monthly report `_count`, {len(projects)} estates, one month ({tickets:,} tickets, {repairs:,} repairs) "
            f"over {detail['tickets_total']:,} tickets / {detail['repair_orders_total']:,} repair orders / "
            f"{detail['callbacks_total']:,} callbacks",
            f"{ours * 1000:.0f} ms ({orm_runs[0][1]} queries)",
            f"{reference * 1000:.0f} ms (hand-written SQL, {len(self.MONTH_SQL)} queries)",
            f"{ours / reference:.2f}×",
            "≤ 3×",
            ours <= 3 * reference,
        )

    # ------------------------------------------------------------------
    # 4. list, kanban and form reads
    # ------------------------------------------------------------------
    def spec_of(self, model, arch_node, form=False):
        """The ``specification`` the web client sends for the fields of a view."""
        Model = self.env[model]
        spec = {"display_name": {}} if form else {}
        for node in arch_node.iter("field"):
            # the fields of an inline x2many view belong to that view
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            name = node.get("name")
            field = Model._fields[name]
            if field.type == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                subview = next((child for child in node if child.tag in ("list", "kanban")), None)
                if subview is not None:
                    spec[name] = {"fields": self.spec_of(field.comodel_name, subview), "limit": 40, "order": ""}
                else:
                    spec[name] = {"fields": {}}
            else:
                spec[name] = {}
            for extra in WIDGET_FIELDS.get(node.get("widget"), []):
                extra_field = Model._fields[extra]
                spec[extra] = {"fields": {"display_name": {}}} if extra_field.type == "many2one" else {}
        return spec

    def view_spec(self, env, model, view_type):
        arch = env[model].get_view(view_type=view_type)["arch"]
        return self.spec_of(model, etree.fromstring(arch), form=view_type == "form")

    def web_reads(self, stage):
        env = self.env(user=self.data["center_agent"].id)
        self.log(f"web reads ({stage} tables, as a center agent)")
        open_domains = {
            "csw.ticket": [("state", "in", ("new", "in_progress", "waiting"))],
            "csw.repair.order": [("state", "in", ("draft", "notified", "in_progress", "done"))],
        }
        results = {}
        for model, domain in open_domains.items():
            for view_type in ("list", "kanban"):
                spec = self.view_spec(env, model, view_type)

                def read(model=model, domain=domain, spec=spec):
                    return env[model].web_search_read(domain, spec, limit=PAGE, count_limit=COUNT_LIMIT)

                read()  # warm the caches
                runs = [
                    self.measure(
                        read, env=env, capture=f"{model} {view_type} view" if n == 0 and stage == "large" else None
                    )
                    for n in range(self.args.repeat)
                ]
                results[f"{model} {view_type}"] = {
                    "seconds": median([run[0] for run in runs]),
                    "queries": runs[0][1],
                    "records": len(runs[0][2]["records"]),
                    "length": runs[0][2]["length"],
                    "table": self.count_rows(model.replace(".", "_")),
                }
        ticket = self.data["showcase"]
        spec = self.view_spec(env, "csw.ticket", "form")

        def form():
            return env["csw.ticket"].browse(ticket.id).web_read(spec)

        form()
        runs = [self.measure(form, env=env) for _n in range(self.args.repeat)]
        results["csw.ticket form"] = {
            "seconds": median([run[0] for run in runs]),
            "queries": runs[0][1],
            "records": 1,
            "table": self.count_rows("csw_ticket"),
            "callbacks": len(runs[0][2][0]["callback_ids"]),
        }
        for name, result in results.items():
            self.log(
                f"  {name}: {result['seconds'] * 1000:.0f} ms, {result['queries']} queries, table {result['table']}"
            )
        self.details["web"][stage] = results

    def compare_web_reads(self):
        small, large = self.details["web"]["small"], self.details["web"]["large"]
        for name, result in large.items():
            reference = small[name]
            what = "web_read of one ticket" if name.endswith("form") else f"web_search_read of {PAGE}"
            self.row(
                "4",
                f"{name} view: {what}, {result['table']:,} rows in the table (ref. {reference['table']:,})",
                f"{result['queries']} queries, {result['seconds'] * 1000:.0f} ms",
                f"{reference['queries']} queries, {reference['seconds'] * 1000:.0f} ms",
                f"{result['queries'] / reference['queries']:.2f}× queries",
                "same query count",
                result["queries"] == reference["queries"],
            )

    # ------------------------------------------------------------------
    # 1. create throughput
    # ------------------------------------------------------------------
    def create_run(self, model, vals_list, context):
        """One run of the ORM's batch create as the administrator: (records/s, queries/record)."""
        env = self.env(user=self.env.ref("base.user_admin").id, context=context)
        env.invalidate_all()
        before, start = self.cr.sql_log_count, time.perf_counter()
        for low in range(0, len(vals_list), CREATE_BATCH):
            env[model].create(vals_list[low : low + CREATE_BATCH])
        env.flush_all()
        self.cr.flush()
        seconds = time.perf_counter() - start
        queries = (self.cr.sql_log_count - before) / len(vals_list)
        self.cr.rollback()
        return len(vals_list) / seconds, queries

    def sql_run(self, model, vals_list):
        """Records per second of a raw multi-row INSERT of the rows the ORM stored for ``vals_list``."""
        from psycopg2.extras import execute_values

        env = self.env(user=self.env.ref("base.user_admin").id)
        table = env[model]._table
        records = env[model].create(vals_list)
        env.flush_all()
        columns = [
            name for name, field in env[model]._fields.items() if field.store and field.column_type and name != "id"
        ]
        quoted = ", ".join(f'"{name}"' for name in columns)
        self.cr.execute(f"SELECT {quoted} FROM {table} WHERE id = ANY(%s)", [records.ids])
        rows = self.cr.fetchall()
        start = time.perf_counter()
        execute_values(self.cr._obj, f"INSERT INTO {table} ({quoted}) VALUES %s", rows, page_size=CREATE_BATCH)
        rate = len(rows) / (time.perf_counter() - start)
        self.cr.rollback()
        return rate

    def create_throughput(self):
        seed, data, count = self.seed, self.data, self.volume["create"]
        self.log(f"create throughput: {count} records per run, batches of {CREATE_BATCH}, {self.args.repeat} runs")
        models = {
            "csw.ticket": seed.ticket_values,
            "csw.repair.order": seed.repair_order_values,
            "repair.order": seed.odoo_repair_values,
            "project.task": seed.task_values,
        }
        modes = {"normal": {}, "import": seed.IMPORT_CONTEXT}
        runs = defaultdict(list)
        # round after round, every model and mode once per round: whatever else loads the
        # machine meanwhile weighs on ours and on the references alike
        for run in range(self.args.repeat):
            for model, factory in models.items():
                for mode, context in modes.items():
                    # fresh values each time: create numbers them in place
                    runs[model, mode].append(self.create_run(model, factory(data, count, seed=run), context))
            for model in ("csw.ticket", "csw.repair.order"):
                runs[model, "sql"].append((self.sql_run(model, models[model](data, count, seed=run)), None))
            self.log(f"  round {run + 1} of {self.args.repeat} done")
        rates = {}
        for (model, mode), results in runs.items():
            run_rates = [rate for rate, _queries in results]
            rates[model, mode] = median(run_rates)
            entry = {"rate": rates[model, mode], "runs": run_rates}
            if mode != "sql":
                entry["queries_per_record"] = median([queries for _rate, queries in results])
            self.details["create"][f"{model} {mode}"] = entry
            self.log(f"  {model} ({mode}): {rates[model, mode]:.0f} records/s")
        for model in ("csw.ticket", "csw.repair.order"):
            for mode in ("normal", "import"):
                for reference in ("repair.order", "project.task"):
                    ours, theirs = rates[model, mode], rates[reference, mode]
                    self.row(
                        "1",
                        f"Create {model} vs Odoo's {reference}, {mode} mode",
                        f"{ours:,.0f} rec/s",
                        f"{theirs:,.0f} rec/s",
                        f"{ours / theirs:.2f}×",
                        "≥ 1× (not slower)",
                        ours >= theirs,
                    )
            ours, physical = rates[model, "import"], rates[model, "sql"]
            self.row(
                "1",
                f"Create {model}, import mode vs raw SQL INSERT of the same rows",
                f"{ours:,.0f} rec/s",
                f"{physical:,.0f} rec/s",
                f"{physical / ours:.1f}× slower",
                "≤ 10× slower",
                physical <= 10 * ours,
            )

    # ------------------------------------------------------------------
    # 5. EXPLAIN of the hot queries
    # ------------------------------------------------------------------
    def explain(self):
        """EXPLAIN ANALYZE the slowest SELECTs of each measured operation, and for every index of
        the addon's a plan uses, the same query without that index (dropped, then rolled back)."""
        cr = self.cr
        self.log("EXPLAIN of the hot queries")
        explained = {}
        for operation, queries in self.hot_queries.items():
            for sql, seconds in queries:
                if seconds < 0.002:
                    continue
                plan = self._plan(sql)
                entry = {"seconds": seconds, "plan": plan, "without": {}}
                for index in sorted(set(re.findall(r"(?:using|Index Scan on) (\w+__\w+_index)", plan))):
                    cr.execute("SAVEPOINT bench_index")
                    cr.execute(f'DROP INDEX "{index}"')
                    # some plans without their index take minutes: stopped after EXPLAIN_TIMEOUT
                    cr.execute(f"SET LOCAL statement_timeout = '{EXPLAIN_TIMEOUT}s'")
                    try:
                        entry["without"][index] = self._plan(sql)
                    except psycopg2.errors.QueryCanceled:
                        entry["without"][index] = f"(more than {EXPLAIN_TIMEOUT} s: cancelled)"
                    cr.execute("ROLLBACK TO SAVEPOINT bench_index")
                explained.setdefault(operation, []).append((sql, entry))
        cr.rollback()
        self.explained = explained
        self.index_rows()

    def index_rows(self):
        """Item 5 of the table: each index of the addon a hot query uses, its plan's execution
        time with and without it."""

        def execution_ms(plan):
            found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
            return float(found.group(1)) if found else None

        seen = set()
        for operation, entries in self.explained.items():
            for _sql, entry in entries:
                with_index = execution_ms(entry["plan"])
                for index, plan in entry["without"].items():
                    if (operation, index) in seen or with_index is None:
                        continue
                    seen.add((operation, index))
                    without = execution_ms(plan)
                    self.row(
                        "5",
                        f"`{index}` in the {operation} query",
                        f"{with_index:.1f} ms",
                        f"{without:.1f} ms without it" if without is not None else plan,
                        f"{without / with_index:.1f}× faster" if without and with_index else "-",
                        "not slower with the index (0.5 ms margin)",
                        without is None or with_index <= without + 0.5,
                    )

    def _plan(self, sql):
        # the raw cursor: a cancelled statement is expected here, not an error for Odoo's log;
        # run twice, the plan of the second run: with warm caches, as in the measured run
        raw = self.cr._obj
        for _run in range(2):
            raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in raw.fetchall())

    # ------------------------------------------------------------------
    # results
    # ------------------------------------------------------------------
    def machine(self):
        cpu = "unknown"
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            memory_kb = int(handle.readline().split()[1])
        self.cr.execute("SHOW server_version")
        postgres = self.cr.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "fsync", "synchronous_commit"):
            self.cr.execute(f"SHOW {name}")
            settings[name] = self.cr.fetchone()[0]
        return {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory_gb": round(memory_kb / 1024 / 1024),
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(),
            "odoo": self.odoo.release.version,
            "postgresql": postgres,
            "postgresql_settings": settings,
            "load_average": f"{self.load_start[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
        }

    def write_results(self):
        output = Path(self.args.output)
        output.mkdir(parents=True, exist_ok=True)
        size = "small" if self.args.small else "full"
        machine = self.machine()
        command = "./bench/run.sh" + (" --small" if self.args.small else "")
        total = time.perf_counter() - self.started
        lines = [
            f"# Benchmark results ({size})",
            "",
            f"Command: `{command}` — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {total / 60:.0f} minutes.",
            "",
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; {machine['os']}; "
            f"Python {machine['python']}; Odoo {machine['odoo']}; PostgreSQL {machine['postgresql']} "
            f"({', '.join(f'{k}={v}' for k, v in machine['postgresql_settings'].items())}); "
            f"load average {machine['load_average']}.",
            "",
            "| # | figure | ours | reference | ratio | goal | result |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            verdict = {True: "pass", False: "**FAIL**", None: "-"}[row["pass"]]
            lines.append(
                f"| {row['item']} | {row['figure']} | {row['ours']} | {row['reference']} | {row['ratio']} "
                f"| {row['goal']} | {verdict} |"
            )
        lines += ["", "## EXPLAIN of the hot queries", ""]
        for operation, entries in self.explained.items():
            for sql, entry in entries:
                lines += [
                    f"### {operation} — {entry['seconds'] * 1000:.1f} ms in the run",
                    "",
                    "```sql",
                    sql.strip() if len(sql) < 3000 else sql.strip()[:3000] + " ...",
                    "```",
                    "",
                    "```",
                    entry["plan"],
                    "```",
                    "",
                ]
                for index, plan in entry["without"].items():
                    lines += [f"Without `{index}`:", "", "```", plan, "```", ""]
        (output / f"results-{size}.md").write_text("\n".join(lines), encoding="utf-8")
        (output / f"results-{size}.json").write_text(
            json.dumps(
                {"command": command, "machine": machine, "rows": self.rows, "details": self.details},
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
        print("\n".join(lines[: 8 + len(self.rows)]))
        failed = [row for row in self.rows if row["pass"] is False]
        self.log(f"done in {total / 60:.1f} minutes; {len(failed)} of {len(self.rows)} goals missed")
        self.log(f"results in {output / f'results-{size}.md'}")


def main():
    args = parse_args()
    if os.environ.get("ODOO_PATH"):
        sys.path.insert(0, os.environ["ODOO_PATH"])
    sys.path.insert(0, str(BENCH_DIR))
    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        Bench(registry, cr, args).run()


if __name__ == "__main__":
    main()
