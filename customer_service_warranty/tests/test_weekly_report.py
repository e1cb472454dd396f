import subprocess
import tempfile
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.report.csw_weekly_report import week_ending_before
from .common import CswCase


class CswWeekCase(CswCase):
    """The week reported on Friday 27 November 2026: Friday 20 to Thursday 26, China time.

    云山花园 (estate A): a complaint on Thursday 26 at 23:30 China time (in the week), another on
    Friday 27 at 00:30 (the next week), a repair request on Friday 20 at 00:10 (in the week), one on
    Thursday 19 at 23:50 (the week before) and a complaint on Monday 23 (in the week): 3 tickets,
    2 complaints. Units: 3-2-1201 (handed over with the estate in 2020), 3-2-1202 (2025),
    3-2-1301 handed over on Thursday 26 (counts) and 3-2-1302 on Friday 27 (does not): 3 units,
    2 × 100 / 3 = 66.67 complaints per 100 units.
    星河湾 (estate B): one complaint on Tuesday 24, one unit handed over in 2021: 100 per 100 units.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "Asia/Shanghai"
        cls.company.csw_cs_manager_id = cls.manager
        Unit = cls.env["csw.unit"]
        Unit.create(
            [
                {"name": "3-2-1202", "project_id": cls.project.id, "handover_date": date(2025, 6, 1)},
                {"name": "3-2-1301", "project_id": cls.project.id, "handover_date": date(2026, 11, 26)},
                {"name": "3-2-1302", "project_id": cls.project.id, "handover_date": date(2026, 11, 27)},
            ]
        )
        cls.foreign_project.handover_date = date(2021, 6, 1)
        cls.foreign_unit.handover_date = date(2021, 6, 1)
        cls.ticket(cls.unit, "2026-11-26 15:30:00", "complaint")  # Thu 23:30 in China
        cls.late_complaint = cls.ticket(cls.unit, "2026-11-26 16:30:00", "complaint")  # Fri 00:30
        cls.ticket(cls.unit, "2026-11-19 16:10:00", "repair")  # Fri 20, 00:10
        cls.ticket(cls.unit, "2026-11-19 15:50:00", "repair")  # Thu 19, 23:50
        cls.ticket(cls.unit, "2026-11-23 02:00:00", "complaint")
        cls.ticket(cls.foreign_unit, "2026-11-24 02:00:00", "complaint")

    @classmethod
    def ticket(cls, unit, received, ticket_type):
        return cls.env["csw.ticket"].create(
            {
                "name": f"{ticket_type} {received}",
                "unit_id": unit.id,
                "ticket_type": ticket_type,
                "received_date": received,
            }
        )

    def report(self, project, week_start=date(2026, 11, 20)):
        report = self.env["csw.weekly.report"].create({"project_id": project.id, "week_start": week_start})
        report.action_refresh()
        return report


@tagged("post_install", "-at_install")
class TestWeeklyReport(CswWeekCase):
    def test_week_runs_from_friday_to_thursday(self):
        report = self.env["csw.weekly.report"].create({"project_id": self.project.id, "week_start": "2026-11-25"})
        self.assertEqual(
            (report.week_start, report.week_end, report.due_date),
            (date(2026, 11, 20), date(2026, 11, 26), date(2026, 11, 27)),
        )
        self.assertEqual(week_ending_before(date(2026, 11, 27)), date(2026, 11, 20), "on Friday: the week just ended")
        self.assertEqual(week_ending_before(date(2026, 11, 26)), date(2026, 11, 13), "on Thursday: the week before")
        with self.assertRaises(ValidationError):
            report.week_start = date(2026, 11, 23)

    def test_figures_of_the_week_in_china_time(self):
        a, b = self.report(self.project), self.report(self.foreign_project)
        self.assertEqual((a.ticket_count, a.complaint_count, a.unit_count), (3, 2, 3))
        self.assertEqual(a.complaint_rate, 66.67, "2 × 100 / 3, rounded to the field's 2 digits")
        self.assertEqual((b.ticket_count, b.complaint_count, b.unit_count, b.complaint_rate), (1, 1, 1, 100.0))
        # the Friday 00:30 complaint and the Thursday 19 request belong to the weeks around
        following = self.report(self.project, date(2026, 11, 27))
        before = self.report(self.project, date(2026, 11, 13))
        self.assertEqual((following.ticket_count, following.complaint_count), (1, 1))
        self.assertEqual((before.ticket_count, before.complaint_count), (1, 0))

    def test_same_counting_as_the_monthly_report(self):
        weekly = self.report(self.project)
        start, end = weekly._period_bounds()
        monthly = self.env["csw.monthly.report"]._count_period(
            self.project, start, end, weekly.week_start, weekly.due_date
        )[self.project]
        for name, value in monthly.items():
            self.assertEqual(weekly[name], value, name)

    def test_counting_queries_do_not_depend_on_the_number_of_estates_or_tickets(self):
        reports = self.env["csw.weekly.report"].create(
            [{"project_id": p.id, "week_start": date(2026, 11, 20)} for p in (self.project, self.foreign_project)]
        )
        start, end = reports[0]._period_bounds()
        counts = []
        for projects in (self.project, reports.project_id):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            figures = reports._count_period(projects, start, end, date(2026, 11, 20), date(2026, 11, 27))
            counts.append(self.env.cr.sql_log_count - before)
            self.env["csw.ticket"].create(
                [
                    {"name": f"渗水{n}", "unit_id": self.foreign_unit.id, "received_date": "2026-11-24 03:00:00"}
                    for n in range(10)
                ]
            )
        self.assertEqual(figures[self.foreign_project]["ticket_count"], 11)
        self.assertEqual(counts[0], counts[1], f"queries for 1 estate and few tickets, 2 and more: {counts}")

    def test_cron_on_friday_morning_counts_last_week_and_gives_the_manager_a_todo(self):
        with freeze_time("2026-11-27 00:30:00"):  # Friday 08:30 in China
            self.env["csw.weekly.report"]._cron_weekly()
            self.env["csw.weekly.report"]._cron_weekly()
        reports = self.env["csw.weekly.report"].search([("project_id", "=", self.project.id)])
        self.assertEqual(len(reports), 1)
        self.assertEqual(
            (reports.week_start, reports.ticket_count, reports.complaint_count), (date(2026, 11, 20), 3, 2)
        )
        todo = reports.activity_ids
        self.assertEqual(len(todo), 1, "one to-do, not one per run")
        self.assertEqual((todo.user_id, todo.date_deadline), (self.manager, date(2026, 11, 27)))

    def test_submit_once_by_a_manager(self):
        report = self.env["csw.weekly.report"].create({"project_id": self.project.id, "week_start": date(2026, 11, 20)})
        with self.assertRaises(UserError):
            report.with_user(self.manager).action_submit()  # not counted yet
        report.with_user(self.manager).action_refresh()
        with self.assertRaises(AccessError):
            report.with_user(self.center_agent).action_submit()
        with self.assertRaises(AccessError):
            report.with_user(self.manager).write({"submitted_date": "2026-11-27 02:00:00"})
        with self.assertRaises(AccessError, msg="the figures are counted, never typed in"):
            report.with_user(self.manager).write({"complaint_count": 0})
        with freeze_time("2026-11-27 02:00:00"):
            report.with_user(self.manager).action_submit()
        self.assertEqual(report.submitted_by_id, self.manager)
        self.assertEqual(str(report.submitted_date), "2026-11-27 02:00:00")
        with self.assertRaises(UserError):
            report.with_user(self.manager).action_submit()
        self.assertEqual(report.submitted_by_id, self.manager)
        # submitted figures stay as submitted: no recount, no other week, by the cron neither
        self.ticket(self.unit, "2026-11-24 02:00:00", "complaint")
        with self.assertRaises(UserError):
            report.with_user(self.manager).action_refresh()
        with self.assertRaises(UserError):
            report.with_user(self.manager).write({"week_start": date(2026, 11, 13)})
        with freeze_time("2026-11-27 03:00:00"):
            self.env["csw.weekly.report"]._cron_weekly()
        self.assertEqual((report.week_start, report.complaint_count), (date(2026, 11, 20), 2))

    def test_access_per_role(self):
        a, b = self.report(self.project), self.report(self.foreign_project)
        Weekly = self.env["csw.weekly.report"]
        self.assertEqual(Weekly.with_user(self.project_agent).search([("id", "in", (a | b).ids)]), a)
        self.assertEqual(Weekly.with_user(self.center_agent).search([("id", "in", (a | b).ids)]), a | b)
        with self.assertRaises(AccessError):
            a.with_user(self.center_agent).action_refresh()
        a.with_user(self.manager).action_refresh()
        self.assertFalse(
            Weekly.with_user(self.other_manager).search([("id", "in", (a | b).ids)]), "another company's manager"
        )
        owner = new_test_user(self.env, login="week_owner", groups="base.group_portal")
        team = new_test_user(self.env, login="week_team", groups="base.group_portal")
        for user in (owner, team):
            self.assertFalse(Weekly.with_user(user).has_access("read"))
            self.assertFalse(self.env["csw.region.report"].with_user(user).has_access("read"))

    def test_the_printed_weekly_report(self):
        report = self.report(self.project)
        content, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_weekly", res_ids=report.ids)
        )
        self.assertEqual(report_type, "pdf")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(content)
            handle.flush()
            text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True).stdout
        text = " ".join(text.decode().split())
        self.assertIn("Tickets 3", text)
        self.assertIn("Complaints 2", text)
        self.assertIn("Complaints per 100 Units 66.67", text)
