"""Heavy work leaves the request: the callbacks of many units and the reports of every estate
are made by batches of the cron, each committed, resumed after a crash without duplicates."""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CswCase

# the queries of an import whose planning is left to the cron, whatever its number of units
DEFERRED_IMPORT_QUERIES = 40


class CrashError(Exception):
    """The server killed in the middle of a batch."""


@tagged("post_install", "-at_install")
class TestBackgroundPlanning(CswCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Unit = cls.env["csw.unit"]
        cls.Callback = cls.env["csw.callback"]
        cls.cron = cls.env.ref("customer_service_warranty.ir_cron_plan_callbacks")
        cls.company.csw_plan_inline_limit = 3
        cls.project.handover_date = date(2026, 11, 1)
        # the progress counted is this test's: units the database left to plan are not
        cls.env.cr.execute("UPDATE csw_unit SET callback_plan_pending = NULL")

    def import_units(self, count, prefix="5", **context):
        """Units imported from the estate's units as the import dialog does (``load``), handed
        over on 2026-11-20."""
        result = self.Unit.with_context(default_project_id=self.project.id, **context).load(
            ["name", "handover_date"], [[f"{prefix}-1-{n:02d}01", "2026-11-20"] for n in range(1, count + 1)]
        )
        self.assertFalse(result["messages"])
        return self.Unit.browse(result["ids"])

    def run_batch(self, model, method, **kwargs):
        """One call of the cron's code, as the cron makes it: returns what it reported."""
        _cron, progress = self.cron._add_progress()
        getattr(self.env[model].with_context(ir_cron_progress_id=progress.id), method)(**kwargs)
        return progress.done, progress.remaining

    def periodic(self, units):
        return units.callback_ids.filtered(lambda c: c.callback_type == "periodic")

    @freeze_time("2026-11-22 09:00:00")
    def test_a_large_import_returns_at_once_and_the_estate_shows_the_planning(self):
        few = self.import_units(3, prefix="4")
        self.assertEqual(len(self.periodic(few)), 48, "up to the company's limit: planned in the request")
        self.assertFalse(any(few.mapped("callback_plan_pending")))

        # both jobs of the planning (one per server that may plan at once)
        lanes = self.cron | self.env.ref("customer_service_warranty.ir_cron_plan_callbacks_lane_2")

        def triggers():
            return [self.env["ir.cron.trigger"].search_count([("cron_id", "=", lane.id)]) for lane in lanes]

        before = triggers()
        units = self.import_units(5)
        self.assertFalse(units.callback_ids, "more units: nothing planned in the request")
        self.assertEqual(set(units.mapped("callback_plan_pending")), {"construction milestones periodic"})
        self.assertEqual(triggers(), [count + 1 for count in before], "both planning jobs woken up")
        # the estate's banner: 5 of its 9 units still to plan
        self.assertEqual(self.project.callback_plan_pending_count, 5)
        self.assertAlmostEqual(self.project.callback_plan_progress, 100 * 4 / 9)
        self.assertEqual(self.foreign_project.callback_plan_pending_count, 0)

        self.assertEqual(self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2), (2, 3))
        self.assertEqual(len(self.periodic(units[:2])), 32)
        self.assertFalse(units[2:].callback_ids, "the units after the batch wait for the next one")
        self.env.invalidate_all()
        self.assertEqual(self.project.callback_plan_pending_count, 3)

        self.assertEqual(self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2), (2, 1))
        self.assertEqual(self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2), (1, 0))
        self.assertEqual(len(self.periodic(units)), 80)
        self.assertFalse(any(units.mapped("callback_plan_pending")))
        self.env.invalidate_all()
        self.assertEqual((self.project.callback_plan_pending_count, self.project.callback_plan_progress), (0, 100))

    @freeze_time("2026-11-22 09:00:00")
    def test_a_batch_a_crash_ended_is_planned_again_and_nothing_twice(self):
        units = self.import_units(4)
        self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2)
        plan_periodic = type(self.Callback)._plan_periodic

        def plan_then_crash(model, batch):
            plan_periodic(model, batch)
            raise CrashError

        with (
            patch.object(type(self.Callback), "_plan_periodic", plan_then_crash),
            self.assertRaises(CrashError),
            self.env.cr.savepoint(),
        ):
            self.Unit._cron_plan_callbacks(batch_size=2)
        self.env.invalidate_all()
        self.assertFalse(units[2:].callback_ids, "the crashed batch left nothing")
        self.assertEqual(units[2:].mapped("callback_plan_pending"), ["construction milestones periodic"] * 2)

        self.assertEqual(self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2), (2, 0))
        planned = self.periodic(units)
        self.assertEqual(len(planned), 64)
        for unit in units:
            self.assertEqual(sorted(self.periodic(unit).mapped("plan_index")), list(range(1, 17)), unit.name)
        # nothing left: a run plans nothing; the same units marked again get nothing more
        self.assertEqual(self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2), (0, 0))
        units._defer_planning({"periodic"})
        while self.run_batch("csw.unit", "_cron_plan_callbacks", batch_size=2)[1]:
            pass
        self.assertEqual(self.periodic(units), planned)

    @freeze_time("2026-11-22 09:00:00")
    def test_a_large_estate_replans_in_the_background_what_changed_only(self):
        units = self.import_units(4)
        while self.run_batch("csw.unit", "_cron_plan_callbacks")[1]:
            pass
        decoration = self.env["csw.callback.plan"].create(
            {
                "name": "家装回访计划",
                "company_id": self.company.id,
                "line_ids": [(0, 0, {"name": "材料进场回访", "milestone": "material_entry", "delay_days": 1})],
            }
        )
        self.project.callback_plan_id = decoration
        self.assertEqual(set(units.mapped("callback_plan_pending")), {"periodic"})
        self.assertEqual(len(self.periodic(units)), 64, "kept until the cron re-plans them")
        units.write({"material_entry_date": date(2026, 11, 25)})
        self.assertEqual(set(units.mapped("callback_plan_pending")), {"milestones periodic"}, "both plans to make")
        self.run_batch("csw.unit", "_cron_plan_callbacks")
        # a decoration estate counts the periodic plan from the completion notice, not entered yet
        self.assertFalse(self.periodic(units))
        milestones = units.callback_ids.filtered(lambda c: c.callback_type == "milestone")
        self.assertEqual(len(milestones), 4)
        self.assertEqual({c.scheduled_date.date() for c in milestones}, {date(2026, 11, 26)})

    def test_the_planning_mark_is_not_written_over_the_api(self):
        unit = self.unit.with_user(self.manager)
        with self.assertRaises(AccessError):
            unit.write({"callback_plan_pending": False})
        with self.assertRaises(AccessError):
            self.Unit.with_user(self.manager).create(
                {"name": "6-1-101", "project_id": self.project.id, "callback_plan_pending": "periodic"}
            )
        self.assertFalse(self.unit.callback_plan_pending)

    @freeze_time("2026-11-22 09:00:00")
    def test_an_import_left_to_the_cron_costs_the_same_queries_for_10_and_100_units(self):
        counts = []
        self.company.csw_plan_inline_limit = 5
        # a first import warms the caches; with mail.thread on, as in production
        for size, prefix in ((6, "7"), (10, "8"), (100, "9")):
            self.env.flush_all()
            self.env.invalidate_all()
            with self.assertQueryCount(DEFERRED_IMPORT_QUERIES):
                before = self.env.cr.sql_log_count
                units = self.import_units(size, prefix=prefix, tracking_disable=False)
                self.env.flush_all()
                counts.append(self.env.cr.sql_log_count - before)
            self.assertFalse(units.callback_ids)
        self.assertEqual(counts[1], counts[2], f"queries for 10 and 100 units: {counts[1:]}")
        # one note on the estate, none per unit
        self.assertFalse(units.message_ids)
        self.assertIn("100", self.project.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestReportsInBatches(CswCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["csw.project"].create(
            [
                {
                    "name": f"翠湖{n}期",
                    "code": f"CH{n}",
                    "company_id": cls.company.id,
                    "completion_date": date(2021, 3, 1),
                }
                for n in range(1, 4)
            ]
        )
        cls.estates = cls.env["csw.project"].sudo().search([("active", "=", True)])
        cls.cron = cls.env.ref("customer_service_warranty.ir_cron_monthly_report")
        # the periods reported here start without reports
        cls.env["csw.monthly.report"].search([("month", "=", date(2026, 11, 1))]).unlink()
        cls.env["csw.weekly.report"].search([("week_start", "=", date(2026, 11, 20))]).unlink()

    def run_batch(self, model, method, **kwargs):
        _cron, progress = self.cron._add_progress()
        getattr(self.env[model].with_context(ir_cron_progress_id=progress.id), method)(**kwargs)
        return progress.done, progress.remaining

    @freeze_time("2026-12-01 01:00:00")
    def test_monthly_reports_in_batches_resume_after_a_crash_without_duplicates(self):
        Report = self.env["csw.monthly.report"]
        total = len(self.estates)
        self.assertEqual(self.run_batch("csw.monthly.report", "_cron_monthly", batch_size=2), (2, total - 2))
        refresh = type(Report).action_refresh

        def count_then_crash(reports):
            refresh(reports)
            raise CrashError

        with (
            patch.object(type(Report), "action_refresh", count_then_crash),
            self.assertRaises(CrashError),
            self.env.cr.savepoint(),
        ):
            Report._cron_monthly(batch_size=2)
        self.env.invalidate_all()
        self.assertEqual(Report.search_count([("month", "=", date(2026, 11, 1))]), 2, "the crashed batch left nothing")
        while self.run_batch("csw.monthly.report", "_cron_monthly", batch_size=2)[1]:
            pass
        reports = Report.search([("month", "=", date(2026, 11, 1))])
        self.assertEqual(reports.project_id, self.estates, "one report per estate")
        self.assertEqual(len(reports), total)
        self.assertTrue(all(reports.mapped("refreshed_date")))
        self.assertEqual(self.run_batch("csw.monthly.report", "_cron_monthly", batch_size=2), (0, 0))

    @freeze_time("2026-11-27 00:30:00")
    def test_weekly_reports_in_batches_once_per_estate(self):
        Report = self.env["csw.weekly.report"]
        total = len(self.estates)
        self.assertEqual(self.run_batch("csw.weekly.report", "_cron_weekly", batch_size=2), (2, total - 2))
        while self.run_batch("csw.weekly.report", "_cron_weekly", batch_size=2)[1]:
            pass
        reports = Report.search([("week_start", "=", date(2026, 11, 20))])
        self.assertEqual(reports.project_id, self.estates)
        self.assertEqual(len(reports), total)
        self.assertEqual(self.run_batch("csw.weekly.report", "_cron_weekly", batch_size=2), (0, 0))
