"""Faults: a worker killed (SIGKILL) in the middle of a transaction, PostgreSQL restarted under load.

A kill is aimed from PostgreSQL's side: the suite waits until a worker's transaction for
the request has been open for a random share of the time the same request took without a
fault, then kills that worker (found by its end of the connection: ``pg_stat_activity.client_port``).
After each fault, every record must be all done or not done at all, the client must have
seen an error it can retry, and the retry must finish the work exactly once.
"""

import os
import random
import signal
import threading
import time
from collections import Counter

import invariants
import load
from report import stats_lines
from rpc import RETRYABLE, Client, RpcError, Stats, retry


def watch(server, call, rng=None, longest=None):
    """Run ``call`` in a thread while watching the workers' transactions.

    Without ``longest``: returns how long the request's transaction lasted (as seen).
    With it: SIGKILLs the worker once its transaction has lasted a random share of
    ``longest``, and returns ``(killed, outcome of the call)``.
    """
    outcome = {}

    def request():
        try:
            outcome["result"] = call()
            outcome["outcome"] = "ok"
        except RpcError as exc:
            outcome["outcome"] = exc.outcome
            outcome["error"] = exc.name

    target = rng.uniform(0.1, 0.8) * longest if longest is not None else None
    thread = threading.Thread(target=request)
    thread.start()
    killed, seen = None, 0.0
    while thread.is_alive():
        busy = server.busy_worker()
        if busy:
            seen = max(seen, busy[1])
            if target is not None and busy[1] >= target:
                os.kill(busy[0], signal.SIGKILL)
                killed = busy
                break
        time.sleep(0.002)
    thread.join()
    return seen if longest is None else (killed, outcome)


class FaultRun:
    def __init__(self, report, server, db, data, sizes):
        self.report = report
        self.server = server
        self.db = db
        self.data = data
        self.sizes = sizes
        self.stats = Stats()
        self.ledger = load.Ledger("FAULT")
        self.rng = random.Random(7)
        estate = data["estates"][0]
        self.client = load.LoadClient(
            server.url, db, data, estate, self.ledger, self.stats, 10**9, time.monotonic() + 3600, 7
        )
        self.operations = 0

    def approved_deduction(self):
        """A deduction ready to post, made through the ordinary flow."""
        return self.client.approved_deduction(cost=1000)

    def planned_callback(self):
        """A callback of a completed repair, about to be recorded as very dissatisfied."""
        c = self.client
        callback = c.completed_repair("更换防水层")[0]
        c.call(
            c.agent,
            "csw.callback",
            "write",
            [callback],
            {"result": "reached", "satisfaction": "1", "comment": "还在漏水"},
        )
        return callback

    def kills(self, name, prepare, model, method, client, done_state):
        """Kill a worker during ``method`` on fresh records, then retry; check every invariant."""
        lines = []
        # the same request without a fault: how long its transaction lasts (the shorter of two)
        durations = []
        for _n in range(2):
            record = prepare()
            durations.append(watch(self.server, lambda record=record: client.call(model, method, [record])))
        duration = min(durations)
        seen = Counter()
        killed_count = attempts = 0
        while killed_count < self.sizes["kills"] and attempts < 4 * self.sizes["kills"]:
            attempts += 1
            record = prepare()
            killed, outcome = watch(
                self.server, lambda record=record: client.call(model, method, [record]), self.rng, duration
            )
            seen[outcome["outcome"]] += 1
            if killed:
                killed_count += 1
            self.server.wait_ready()
            table = model.replace(".", "_")
            state_after_kill = self.server.sql(f"SELECT state FROM {table} WHERE id = %s", [record])[0][0]
            if state_after_kill != done_state:
                # the client retries: the work was not done (rolled back with the worker)
                retry(lambda record=record: client.call(model, method, [record]))
            final = self.server.sql(f"SELECT state FROM {table} WHERE id = %s", [record])[0][0]
            what = (
                f"worker {killed[0]} after {killed[1]:.2f} s in its transaction" if killed else "missed (ended first)"
            )
            error = f" ({outcome['error']})" if outcome.get("error") else ""
            lines.append(
                f"kill {what}: client saw {outcome['outcome']}{error}, "
                f"state after the kill {state_after_kill}, after the retry {final}"
            )
            if outcome["outcome"] not in ("ok", *RETRYABLE):
                self.report.failures.append(f"{name}: the client saw a non-retryable {outcome}")
            if final != done_state:
                self.report.failures.append(f"{name}: record {record} is {final} after the retry")
        lines.insert(
            0,
            f"{killed_count} workers killed mid-transaction in {attempts} attempts "
            f"(its transaction alone lasts {duration:.2f} s); client outcomes {dict(seen)}",
        )
        if not killed_count:
            self.report.failures.append(f"{name}: no worker could be killed during the request")
        for check, violations in invariants.all_checks(self.server).items():
            lines += self.report.check(check, violations)
        self.report.section(f"Fault: worker killed during {name}", lines)

    def postgres_restart(self):
        sizes = self.sizes
        clients = min(4, len(self.data["estates"]))
        box = {}

        def run():
            box["result"] = load.run_load(
                self.server.urls,
                self.db,
                self.data,
                clients,
                sizes["restart_ops"],
                sizes["time_limit"],
                "PGRESTART",
                estates=self.data["estates"][1 : clients + 1],
                seed=3,
            )

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(4)
        start = time.monotonic()
        self.server.restart_postgres()
        restart = time.monotonic() - start
        thread.join()
        ledger, stats, seconds = box["result"]
        self.stats.merge(stats)
        self.operations += ledger.operations
        lines = [
            f"{clients} clients x {sizes['restart_ops']} operations; PostgreSQL restarted after 4 s ({restart:.1f} s)"
        ]
        lines += stats_lines(stats, seconds, ledger.operations)
        lines.append(
            f"acknowledged: tickets {len(ledger.tickets)}, repair orders {len(ledger.orders)}, "
            f"callbacks {len(ledger.callbacks_done)}, deductions posted {len(ledger.deductions_posted)}; "
            f"committed without an answer (found again by the retry): {invariants.unacknowledged(self.server, ledger)}"
        )
        lines += self.report.check("internal errors", stats.internal)
        if not stats.outcomes["unavailable"]:
            lines.append("note: no client call failed during the restart")
        for check, violations in invariants.all_checks(self.server, ledger).items():
            lines += self.report.check(check, violations)
        self.report.section("Fault: PostgreSQL restarted under load", lines)


def run(report, server, db, data, sizes):
    fault = FaultRun(report, server, db, data, sizes)
    accountant = Client(server.url, db, "rel_accountant", data["password"], fault.stats)
    # the agent on the second server: workers of both servers are killed mid-request
    agent = Client(server.urls[-1], db, "rel_agent", data["password"], fault.stats)
    fault.kills("deduction posting", fault.approved_deduction, "csw.deduction", "action_post", accountant, "posted")
    fault.kills("callback recording", fault.planned_callback, "csw.callback", "action_done", agent, "done")
    fault.postgres_restart()
    fault.operations += fault.client.operations
    lines = fault.report.check("internal errors", fault.stats.internal)
    report.section("Faults: all calls", [*lines, f"outcomes: {dict(fault.stats.outcomes)}"])
    return {"stats": fault.stats, "operations": fault.operations}
