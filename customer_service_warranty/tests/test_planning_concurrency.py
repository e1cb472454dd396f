from contextlib import closing

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import TransactionCase, tagged

# the estate of this test only; the clean-up removes it with its units and callbacks
CODE = "CSW-TEST-PLAN-CONCURRENCY"


@tagged("post_install", "-at_install")
class TestPlanningConcurrency(TransactionCase):
    """Two servers' planning batches at once, on committed units.

    Each batch locks its units with ``SKIP LOCKED``; under Odoo's repeatable read, a batch
    whose transaction began before another batch committed would see that batch's units as
    still to plan and be refused the lock (a serialization failure), failing the cron job and
    leaving the units for its next interval. It must take the units left instead. Locks only
    show between real transactions: the two cursors are real ones, and this test's own
    transaction writes nothing. What they commit is removed at the end.
    """

    def setUp(self):
        super().setUp()
        self.addCleanup(self._remove_committed_estate)
        db_name = self.env.cr.dbname
        with closing(sql_db.db_connect(db_name).cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # the real transactions read the real clock (no frozen time reaches PostgreSQL):
            # an estate handed over a month ago has its periodic callbacks ahead on any day
            today = fields.Date.today()
            project = env["csw.project"].create(
                {
                    "name": "并发排期测试苑",
                    "code": CODE,
                    "completion_date": today - relativedelta(years=1),
                    "handover_date": today - relativedelta(months=1),
                }
            )
            units = env["csw.unit"].create([{"name": f"1-1-{n}01", "project_id": project.id} for n in range(1, 5)])
            units._defer_planning({"periodic"})
            cr.commit()  # pylint: disable=invalid-commit
            self.unit_ids = units.ids
            # the batches take the units marked first: these, after any the database had left
            cr.execute("SELECT id FROM csw_unit WHERE callback_plan_pending IS NOT NULL ORDER BY id LIMIT 4")
            self.first_four = [unit_id for (unit_id,) in cr.fetchall()]
        self.cr_a = sql_db.db_connect(db_name).cursor()
        self.addCleanup(self.cr_a.close)
        self.cr_b = sql_db.db_connect(db_name).cursor()
        self.addCleanup(self.cr_b.close)

    def _remove_committed_estate(self):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute("SELECT id FROM csw_project WHERE code = %s", [CODE])
            for (project_id,) in cr.fetchall():
                cr.execute(
                    "DELETE FROM csw_callback WHERE unit_id IN (SELECT id FROM csw_unit WHERE project_id = %s)",
                    [project_id],
                )
                cr.execute("DELETE FROM csw_unit WHERE project_id = %s", [project_id])
                cr.execute("DELETE FROM csw_project WHERE id = %s", [project_id])
            cr.commit()  # pylint: disable=invalid-commit

    def _plan_batch(self, cr):
        units = api.Environment(cr, SUPERUSER_ID, {})["csw.unit"]._cron_plan_callbacks(batch_size=2)
        return units.ids

    def test_a_batch_begun_before_another_committed_takes_the_units_left(self):
        # server B's job has begun its transaction (its snapshot taken) ...
        self.cr_b.execute("SELECT 1")
        # ... when server A plans and commits a batch of the same units
        planned_by_a = self._plan_batch(self.cr_a)
        self.cr_a.commit()  # pylint: disable=invalid-commit
        self.assertEqual(planned_by_a, self.first_four[:2])

        planned_by_b = self._plan_batch(self.cr_b)
        self.cr_b.commit()  # pylint: disable=invalid-commit
        self.assertEqual(planned_by_b, self.first_four[2:], "the units A left, not a serialization failure")

        planned = self.first_four
        self.cr_a.execute(
            """SELECT count(*), count(DISTINCT (unit_id, callback_type, plan_index)) FROM csw_callback
                WHERE unit_id = ANY(%s)""",
            [planned],
        )
        callbacks, distinct = self.cr_a.fetchone()
        self.assertEqual(callbacks, distinct, "no callback planned twice")
        mine = [unit_id for unit_id in planned if unit_id in self.unit_ids]
        self.cr_a.execute(
            """SELECT count(DISTINCT unit_id) FROM csw_callback
                WHERE unit_id = ANY(%s) AND callback_type = 'periodic'""",
            [mine],
        )
        self.assertEqual(self.cr_a.fetchone()[0], len(mine), "each unit of a batch has its periodic callbacks")
        self.cr_a.execute(
            "SELECT count(*) FROM csw_unit WHERE id = ANY(%s) AND callback_plan_pending IS NOT NULL", [planned]
        )
        self.assertEqual(self.cr_a.fetchone()[0], 0)
