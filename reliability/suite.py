"""The reliability suite: load, faults, hostile input, crons and the read replica against two
``--workers=2`` Odoo servers sharing one database, one filestore and one read replica.

Started by ``reliability/run.sh`` (which prepares PostgreSQL and the database); prints a
summary, writes ``reliability/RESULTS.md`` after a full run, and exits 1 when any
invariant fails.
"""

import argparse
import os
import platform
import sys
import time

import crons
import faults
import fuzz
import invariants
import load
import replica
from report import Report, stats_lines
from rpc import Stats
from seed import seed
from server import Server

HERE = os.path.dirname(os.path.abspath(__file__))

FULL = {"clients": 8, "operations": 500, "time_limit": 900, "restart_ops": 150, "kills": 5, "fuzz_cases": 2000}
SHORT = {"clients": 8, "operations": 60, "time_limit": 240, "restart_ops": 40, "kills": 2, "fuzz_cases": 1000}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--http-port", type=int, action="append", required=True, help="one per Odoo server")
    parser.add_argument("--gevent-port", type=int, action="append", required=True, help="one per Odoo server")
    parser.add_argument("--replica-port", type=int, help="the streaming replica of db_replica_port")
    parser.add_argument("--assets-port", type=int, required=True, help="the threaded server of report.url")
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--odoo-cmd", required=True)
    parser.add_argument("--pg-ctl", required=True)
    parser.add_argument("--short", action="store_true", help="the CI run: fewer operations and cases")
    parser.add_argument(
        "--only", choices=["load", "faults", "fuzz", "replica", "crons"], action="append", help="run only these parts"
    )
    parser.add_argument("--operations", type=int, help="operations per load client (overrides the size)")
    parser.add_argument("--fuzz-cases", type=int, help="hostile inputs (overrides the size)")
    return parser.parse_args()


def part_load(report, server, args, data, sizes):
    ledger, stats, seconds = load.run_load(
        server.urls, args.database, data, sizes["clients"], sizes["operations"], sizes["time_limit"], "LOAD"
    )
    lines = [f"{sizes['clients']} clients x {sizes['operations']} operations (limit {sizes['time_limit']} s)"]
    lines += stats_lines(stats, seconds, ledger.operations)
    lines.append(
        f"flows {ledger.flows}, abandoned {ledger.abandoned}; acknowledged: tickets {len(ledger.tickets)}, "
        f"repair orders {len(ledger.orders)}, callbacks {len(ledger.callbacks_done)}, "
        f"deductions posted {len(ledger.deductions_posted)} (two accountants at once: {ledger.double_posts})"
    )
    for name, violations in invariants.all_checks(server, ledger).items():
        lines += report.check(name, violations)
    lines += report.check("internal errors", stats.internal)
    # without faults, no 5xx and nothing unacknowledged may exist
    lines += report.check("HTTP 5xx", [f"{k} x{v}" for k, v in stats.statuses.items() if k and k >= 500])
    lines += report.check(
        "unavailable answers", [f"{stats.outcomes['unavailable']} calls"] if stats.outcomes["unavailable"] else []
    )
    unacknowledged = invariants.unacknowledged(server, ledger)
    lines += report.check("committed but unacknowledged", [f"{unacknowledged} records"] if unacknowledged else [])
    report.section("Load", lines)
    return {"ledger": ledger, "stats": stats, "seconds": seconds}


def main():
    args = parse_args()
    sizes = dict(SHORT if args.short else FULL)
    if args.operations:
        sizes["operations"] = args.operations
    if args.fuzz_cases:
        sizes["fuzz_cases"] = args.fuzz_cases
    parts = args.only or ["load", "faults", "fuzz", "replica", "crons"]
    server = Server(
        args.odoo_cmd,
        args.config,
        args.database,
        args.http_port,
        args.work_dir,
        args.pg_ctl,
        args.assets_port,
        args.gevent_port,
        args.replica_port,
    )
    report = Report()
    started = time.monotonic()
    server.start()
    results = {}
    try:
        data = seed(server.url, args.database, sizes["clients"], server.assets_url)
        report.section(
            "Servers",
            [
                f"Odoo --workers=2 --max-cron-threads=1 on {url}, workers {server.worker_pids(index)}"
                for index, url in enumerate(server.urls)
            ]
            + [f"read replica on port {args.replica_port}" if args.replica_port else "no read replica"],
        )
        if "fuzz" in parts:
            results["fuzz"] = fuzz.run(report, server, args.database, data, sizes["fuzz_cases"])
        if "load" in parts:
            results["load"] = part_load(report, server, args, data, sizes)
        if "replica" in parts:
            replica.run(report, server, args.database, data)
        if "faults" in parts:
            results["faults"] = faults.run(report, server, args.database, data, sizes)
        if "crons" in parts:
            # last: it kills one of the two servers
            crons.run(report, server, args.database)
    finally:
        server.stop()
    wall = time.monotonic() - started
    summary = summarize(report, results, wall)
    if not args.short and not args.only and not args.operations and not args.fuzz_cases:
        write_results(report, summary, wall)
    if report.failures:
        print("\nFAILED: " + "; ".join(report.failures), flush=True)
        print(server.log_tail(), file=sys.stderr)
        return 1
    print(f"\nall invariants hold ({wall:.0f} s)", flush=True)
    return 0


def summarize(report, results, wall):
    total = Stats()
    operations = 0
    if "load" in results:
        total.merge(results["load"]["stats"])
        operations += results["load"]["ledger"].operations
    if "faults" in results:
        total.merge(results["faults"]["stats"])
        operations += results["faults"]["operations"]
    lines = [f"wall time {wall:.0f} s", f"load and fault operations: {operations}"]
    internal = total.outcomes["internal"]
    if "fuzz" in results:
        fuzzed = results["fuzz"]
        internal += fuzzed["internal"]
        lines.append(f"hostile inputs: {fuzzed['cases']}")
        lines.append("refusals by type: " + ", ".join(f"{k} {v}" for k, v in fuzzed["refusals"].most_common()))
        lines.append(
            f"hostile inputs accepted: {fuzzed['accepted']}, database changed by a refusal: {fuzzed['changed']}"
        )
        tamper = fuzzed["tamper"]
        internal += tamper["internal"]
        lines.append(
            f"tampering (valid values the forms do not allow, actions out of turn): {tamper['cases']} cases, "
            f"refused {tamper['refused']}, accepted {tamper['accepted']}, "
            f"database changed by a refusal {tamper['changed']}"
        )
    lines.append(f"internal errors = {internal}")
    lines.append(f"lost = {count_failures(report, 'lost records')}")
    duplicates = count_failures(report, "duplicate records") + count_failures(report, "duplicate numbers")
    lines.append(f"duplicates = {duplicates}")
    lines.append(f"invariant failures: {len(report.failures)}")
    report.section("Summary", lines)
    return lines


def count_failures(report, name):
    return sum(int(f.rsplit(": ", 1)[1]) for f in report.failures if f.startswith(name + ":"))


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ram = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kb = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            ram = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": ram, "os": platform.platform()}


def write_results(report, summary, wall):
    info = machine()
    pg_version = os.environ.get("REL_PG_VERSION") or "?"
    lines = [
        "# Reliability suite — last full run",
        "",
        "Produced by:",
        "",
        "```bash",
        os.environ.get("REL_COMMAND", "./reliability/run.sh"),
        "```",
        "",
        f"on {time.strftime('%Y-%m-%d %H:%M %Z')}, machine: `nproc` = {info['nproc']}, CPU {info['cpu']}, "
        f"RAM {info['ram']}, PostgreSQL {pg_version}, {info['os']}; wall time {wall:.0f} s.",
        "",
    ]
    for title, section in report.sections:
        lines += [f"## {title}", "", "```", *section, "```", ""]
    with open(os.path.join(HERE, "RESULTS.md"), "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
