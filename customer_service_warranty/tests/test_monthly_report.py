import io
import json
import subprocess
import tempfile
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common_repair import CswRepairCase
from .common_report import CswMonthCase

BILLING = "account.group_account_invoice"


@tagged("post_install", "-at_install", "csw_dates")
class TestMonthlyReport(CswMonthCase):
    def report(self, project, month):
        report = self.env["csw.monthly.report"].create({"project_id": project.id, "month": month})
        report.action_refresh()
        return report

    def figures(self, report, names):
        return {name: report[name] for name in names}

    def test_the_fixture_is_what_the_month_was(self):
        self.assertEqual((self.r1.reopen_count, self.r1.state, self.r1.entry_late), (1, "done", False))
        self.assertTrue(self.r2.entry_late)
        self.assertTrue(self.r3.is_substitute and self.r3.entry_late)
        self.assertEqual((self.deduction.state, self.deduction.amount_total), ("posted", 1700))
        self.assertEqual(self.r7.callback_ids.state, "failed")

    def test_the_figures_are_counted_never_typed_in(self):
        november = self.report(self.project, date(2026, 11, 1))
        counted = self.figures(november, ["ticket_count", "deduction_total"])
        manager_report = november.with_user(self.manager)
        for vals in ({"ticket_count": 0}, {"deduction_total": 1.0}, {"snapshot": {}}, {"refreshed_date": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                manager_report.write(vals)
        with self.assertRaises(AccessError):
            self.env["csw.monthly.report"].with_user(self.manager).create(
                {"project_id": self.foreign_project.id, "month": date(2026, 11, 1), "ticket_count": 99}
            )
        # the manager counts them again with the button, as the cron does
        manager_report.action_refresh()
        self.assertEqual(self.figures(november, ["ticket_count", "deduction_total"]), counted)

    def test_tickets_of_the_month(self):
        november = self.report(self.project, date(2026, 11, 1))
        self.assertEqual(
            self.figures(
                november,
                [
                    "ticket_count",
                    "complaint_count",
                    "response_decided_count",
                    "response_on_time_count",
                    "resolved_count",
                    "resolved_on_time_count",
                ],
            ),
            {
                "ticket_count": 5,
                "complaint_count": 2,
                # with R1's follow-up, closed by the owner's satisfied answer after the rework
                "response_decided_count": 4,
                "response_on_time_count": 1,
                "resolved_count": 3,
                "resolved_on_time_count": 2,
            },
        )
        self.assertAlmostEqual(november.response_on_time_rate, 25.0)
        self.assertAlmostEqual(november.resolve_on_time_rate, 200 / 3)

    def test_repairs_deductions_and_callbacks_of_the_month(self):
        self.maxDiff = None
        november = self.report(self.project, date(2026, 11, 1))
        self.assertEqual(
            self.figures(
                november,
                [
                    "repair_count",
                    "repair_done_count",
                    "overdue_entry_count",
                    "substitute_count",
                    "deduction_count",
                    "deduction_total",
                    "compensation_total",
                    "callback_completed_count",
                    "callback_done_count",
                    "callback_rate",
                    "rated_count",
                    "dissatisfied_count",
                    "assessment_count",
                    "assessment_points",
                    "assessment_amount",
                ],
            ),
            {
                "repair_count": 4,
                # R3 done by its substitute team before its deduction was posted
                "repair_done_count": 3,
                "overdue_entry_count": 2,
                "substitute_count": 1,
                "deduction_count": 1,
                "deduction_total": 1700,
                "compensation_total": 200,
                # R1 twice: completed, reopened by its dissatisfied owner, completed again
                "callback_completed_count": 4,
                "callback_done_count": 4,
                "callback_rate": 100.0,
                "rated_count": 4,
                "dissatisfied_count": 1,
                "assessment_count": 2,
                "assessment_points": 0,
                "assessment_amount": 50,
            },
        )
        self.assertEqual(november.satisfaction_avg, 3.75, "15 / 4, to two decimals")
        self.assertTrue(november.callback_target_met)

    def test_the_other_estate_and_the_previous_month(self):
        estate_b = self.report(self.estate_b, date(2026, 11, 1))
        self.assertEqual(
            self.figures(
                estate_b,
                [
                    "ticket_count",
                    "repair_count",
                    "repair_done_count",
                    "callback_completed_count",
                    "callback_done_count",
                ],
            ),
            {
                "ticket_count": 1,
                "repair_count": 1,
                "repair_done_count": 1,
                "callback_completed_count": 1,
                "callback_done_count": 0,
            },
        )
        self.assertEqual((estate_b.callback_rate, estate_b.callback_target_met), (0.0, False))
        october = self.report(self.project, date(2026, 10, 1))
        self.assertEqual(
            self.figures(
                october, ["ticket_count", "repair_count", "callback_rate", "satisfaction_avg", "deduction_total"]
            ),
            {
                "ticket_count": 1,
                "repair_count": 1,
                "callback_rate": 100.0,
                "satisfaction_avg": 4.0,
                "deduction_total": 0,
            },
        )
        november = self.report(self.project, date(2026, 11, 1))
        previous = november._previous_figures()
        self.assertEqual((previous["ticket_count"], previous["satisfaction_avg"]), (1, 4.0))

    def test_breakdowns_by_type_channel_category_team_and_satisfaction(self):
        parts = self.report(self.project, date(2026, 11, 1))._breakdowns()
        self.assertEqual(sorted(count for _label, count in parts["by_type"]), [1, 2, 2])
        self.assertEqual(sorted(count for _label, count in parts["by_channel"]), [1, 1, 1, 2])
        self.assertEqual(sorted(count for _label, count in parts["by_category"]), [1, 3])
        self.assertEqual(
            sorted(parts["by_team"]),
            sorted([(self.team.display_name, 3, 1, 0), (self.tile_team.display_name, 1, 1, 0)]),
        )
        self.assertEqual([count for _label, count in parts["satisfaction"]], [1, 2, 0, 1, 0])
        self.assertEqual(
            {user: (count, points, amount) for user, count, points, amount in parts["by_agent"]},
            {self.center_agent: (1, -5, 50), self.project_agent: (1, 5, 0)},
        )

    def test_counting_queries_do_not_depend_on_volume(self):
        reports = self.env["csw.monthly.report"].create(
            [{"project_id": project.id, "month": date(2026, 11, 1)} for project in (self.project, self.estate_b)]
        )
        projects = reports.project_id
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.env["csw.monthly.report"]._count(projects, date(2026, 11, 1))
        two_estates = self.env.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.env["csw.monthly.report"]._count(self.project, date(2026, 11, 1))
        self.assertEqual(self.env.cr.sql_log_count - before, two_estates, "one set of grouped queries")

    def test_cron_creates_last_months_reports_once(self):
        with freeze_time("2026-12-01 02:00:00"):
            self.env["csw.monthly.report"]._cron_monthly()
            self.env["csw.monthly.report"]._cron_monthly()
        reports = self.env["csw.monthly.report"].search([("month", "=", date(2026, 11, 1))])
        self.assertIn(self.project, reports.project_id)
        self.assertEqual(len(reports.filtered(lambda r: r.project_id == self.project)), 1)
        self.assertEqual(reports.filtered(lambda r: r.project_id == self.project).repair_count, 4)

    def test_the_printed_report_shows_the_month_against_the_previous_one(self):
        november = self.report(self.project, date(2026, 11, 1))
        content, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_service_warranty.action_report_monthly", res_ids=november.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(content)
            handle.flush()
            text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True).stdout
        text = " ".join(text.decode().split())
        self.assertIn("2026-11", text)
        self.assertIn("Tickets 5 1 +4", text)
        self.assertIn("On-time Response (%) 25.0 100.0 -75.0", text)
        # money with its currency and thousands separators
        self.assertRegex(text, r"Deducted \D*1,700\.00 \D*0\.00 \D*1,700\.00")
        self.assertIn("Satisfaction (1-5) 3.75 4.00 -0.25", text)


@tagged("post_install", "-at_install", "csw_dates")
class TestScorecard(CswMonthCase):
    def test_scorecard_of_each_team(self):
        waterproofing, tiles, b = self.subcontract, self.tile_subcontract, self.foreign_subcontract
        (waterproofing | tiles | b).invalidate_recordset()
        self.assertEqual(
            {
                s: (
                    s.defect_count,
                    round(s.entry_on_time_rate, 1),
                    round(s.reopen_rate, 1),
                    s.substitute_count,
                    s.deducted_amount,
                )
                for s in (waterproofing, tiles, b)
            },
            {
                # one reopened of three done (R3 by the substitute team)
                waterproofing: (4, 66.7, 33.3, 1, 1700),
                tiles: (1, 0.0, 0.0, 0, 0),
                b: (1, 100.0, 0.0, 0, 0),
            },
        )

    def test_teams_are_ranked_within_their_estate(self):
        self.assertEqual((self.subcontract.scorecard_rank, self.tile_subcontract.scorecard_rank), (1, 2))
        self.assertEqual(self.foreign_subcontract.scorecard_rank, 1)
        # computed the same, whatever subset is displayed
        self.tile_subcontract.invalidate_recordset()
        self.assertEqual(self.tile_subcontract.scorecard_rank, 2)

    def test_defect_map_by_building_and_category(self):
        action = self.subcontract.action_view_defect_map()
        self.assertEqual(len(self.env["csw.repair.order"].search(action["domain"])), 4)
        self.assertEqual(action["context"]["pivot_row_groupby"], ["building"])


@tagged("post_install", "-at_install", "csw_dates")
class TestAutomaticAssessments(CswMonthCase):
    def test_a_dissatisfied_owner_is_a_service_failure_of_the_agent(self):
        failure = self.env["csw.assessment"].search(
            [("reason", "=", "service_failure"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(
            (failure.user_id, failure.points, failure.amount, failure.callback_id.repair_order_id, failure.project_id),
            (self.center_agent, -5, 50, self.r1, self.project),
        )

    def test_an_overdue_callback_is_assessed_once(self):
        self.company.csw_team_leader_id = self.manager
        with freeze_time("2026-11-23 09:00:00"):
            late = self.repair("2026-11-20", "2026-11-20 09:00:00", "2026-11-20 12:00:00", "2026-11-21 08:00:00")
            self.env["csw.callback"]._cron_escalate_overdue()
            self.env["csw.callback"]._cron_escalate_overdue()
        assessment = self.env["csw.assessment"].search([("callback_id", "=", late.callback_ids.id)])
        self.assertEqual(
            (assessment.reason, assessment.amount, assessment.user_id), ("overdue_callback", 50, self.center_agent)
        )

    def test_manual_assessments_take_the_defaults_of_their_reason(self):
        self.company.csw_assessment_leadership_amount = 300
        assessment = (
            self.env["csw.assessment"]
            .with_user(self.manager)
            .create({"user_id": self.project_agent.id, "reason": "complaint_leadership", "ticket_id": self.t1.id})
        )
        self.assertEqual((assessment.points, assessment.amount, assessment.project_id), (-5, 300, self.project))
        self.assertEqual(assessment.company_id, self.company)


@tagged("post_install", "-at_install", "csw_dates")
class TestRepairDatabaseExport(CswRepairCase, HttpCase):
    def test_repair_database_exports_to_xlsx_with_its_template(self):
        template = self.env.ref("customer_service_warranty.csw_repair_order_export_repair_database")
        paths = template.export_fields.mapped("name")
        Order = self.env["csw.repair.order"]
        order = Order.create(
            {"unit_id": self.unit.id, "location": "主卫天花", "category_id": self.category("waterproofing_bathroom").id}
        )
        self.authenticate("manager", "manager")
        response = self.url_open(
            "/web/export/xlsx",
            data={
                "data": json.dumps(
                    {
                        "model": "csw.repair.order",
                        "fields": [
                            {"name": path, "label": path, "type": Order._fields[path.split("/")[0]].type}
                            for path in paths
                        ],
                        "ids": order.ids,
                        "domain": [],
                        "import_compat": False,
                    }
                ),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), paths)
        self.assertEqual(rows[1][paths.index("location")], "主卫天花")
        self.assertEqual(rows[1][paths.index("name")], order.name)
