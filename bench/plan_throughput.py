"""Background planning throughput: one cron worker against two, on one database.

Imports ``--units`` units (3,000 by default, handed over today: 48,000 periodic callbacks) into a new estate and
commits, which leaves their callbacks to the background planning; then ``--workers`` separate
processes — the cron workers of as many Odoo servers, each running a planning job — call
``csw.unit._cron_plan_callbacks`` batch after batch, each batch its own transaction, until no
unit is left. Prints the wall time and the callbacks planned per second, and checks that no
callback was planned twice. Measured once with one worker and once with two; everything it
created is deleted afterwards. ``./bench/run.sh`` runs it after import_units.py; on a database
of your own with the addon installed::

    python3 bench/plan_throughput.py --config odoo.conf --database DB [--units 3000]
"""

import argparse
import collections
import functools
import multiprocessing
import os
import sys
import time
from datetime import date

# the command line, hashable for odoo_env's cache
Args = collections.namedtuple("Args", "config database units")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="Odoo configuration file (database connection)")
    parser.add_argument("--database", required=True, help="database with the addon installed")
    parser.add_argument("--units", type=int, default=3_000, help="units imported for each measurement")
    return Args(**vars(parser.parse_args()))


@functools.cache
def odoo_env(args):
    """Odoo and the database's registry, set up once per process."""
    if os.environ.get("ODOO_PATH"):
        sys.path.insert(0, os.environ["ODOO_PATH"])
    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    return odoo, odoo.modules.registry.Registry(args.database)


def worker(args, counts):
    """One cron worker: batches until none is left; the units it planned go into ``counts``."""
    odoo, registry = odoo_env(args)
    planned = 0
    while True:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            units = env["csw.unit"]._cron_plan_callbacks()
            cr.commit()
        if not units:
            break
        planned += len(units)
    counts.put(planned)


def remove_estates(cr, project_ids):
    """The measurement's data: callbacks, units, then the estates and their notes."""
    cr.execute(
        "DELETE FROM csw_callback WHERE unit_id IN (SELECT id FROM csw_unit WHERE project_id = ANY(%s))", [project_ids]
    )
    cr.execute("DELETE FROM csw_unit WHERE project_id = ANY(%s)", [project_ids])
    cr.execute("DELETE FROM mail_message WHERE model = 'csw.project' AND res_id = ANY(%s)", [project_ids])
    cr.execute("DELETE FROM csw_project WHERE id = ANY(%s)", [project_ids])
    cr.commit()


def import_units(args, label):
    """A new estate and its imported units (their planning left to the cron): the estate id."""
    odoo, registry = odoo_env(args)
    with registry.cursor() as cr:
        # what an interrupted run left
        cr.execute("SELECT id FROM csw_project WHERE code LIKE 'BENCH-PLAN-%%'")
        remove_estates(cr, [project_id for (project_id,) in cr.fetchall()])
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin").id)
        project = env["csw.project"].create(
            {
                "name": f"吞吐测试苑{label}",
                "code": f"BENCH-PLAN-{label}",
                "completion_date": date(2025, 6, 1),
                "handover_date": date(2025, 12, 1),
            }
        )
        names = [f"{1 + n // 400}-{1 + n // 100 % 4}-{1 + n % 100:02d}01" for n in range(args.units)]
        # handed over today: all 16 periodic callbacks of each unit are ahead
        today = odoo.fields.Date.to_string(odoo.fields.Date.context_today(env["csw.unit"]))
        result = (
            env["csw.unit"]
            .with_context(default_project_id=project.id)
            .load(["name", "handover_date"], [[name, today] for name in names])
        )
        if result["messages"]:
            sys.exit(f"the import failed: {result['messages'][:3]}")
        cr.commit()
        return project.id


def measure(args, workers):
    project_id = import_units(args, workers)
    _odoo, registry = odoo_env(args)
    counts = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=worker, args=(args, counts)) for _ in range(workers)]
    start = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - start
    shares = sorted(counts.get() for _ in processes)
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(*), count(DISTINCT (c.unit_id, c.plan_index)) FROM csw_callback c
                 JOIN csw_unit u ON u.id = c.unit_id
                WHERE u.project_id = %s AND c.callback_type = 'periodic'""",
            [project_id],
        )
        callbacks, distinct = cr.fetchone()
        cr.execute(
            "SELECT count(*) FROM csw_unit WHERE project_id = %s AND callback_plan_pending IS NOT NULL", [project_id]
        )
        pending = cr.fetchone()[0]
        remove_estates(cr, [project_id])
    verdict = (
        "none twice" if callbacks == distinct and not pending else f"FAIL: {callbacks - distinct} twice, {pending} left"
    )
    print(
        f"background planning with {workers} worker{'s' if workers > 1 else ''}: {args.units:,} units, "
        f"{callbacks:,} periodic callbacks in {seconds:.1f} s = {callbacks / seconds:,.0f} callbacks/s "
        f"(units per worker: {shares}; {verdict})"
    )
    return callbacks / seconds


def main():
    args = parse_args()
    multiprocessing.set_start_method("spawn")
    one = measure(args, 1)
    two = measure(args, 2)
    print(f"two workers plan {two / one:.2f}x as fast as one on this machine ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
