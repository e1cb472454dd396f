import io
import json
import subprocess
import tempfile
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MANAGER
from .common_repair import CswRepairCase

BILLING = "account.group_account_invoice"


class CswMonthCase(CswRepairCase):
    """Two estates, October and November 2026, counted by hand.

    云山花园 (estate A), November:
      tickets  T1 repair, responded and resolved in time; T2 complaint, responded late and
               resolved late; T3 consultation without SLA; T4 complaint never answered (breached);
               the follow-up ticket (回访联系单) of R1's dissatisfied owner, by the callback channel
      repairs  R1 waterproofing, entry in time, done 4 Nov, owner dissatisfied (2) -> reopened,
               entry in time again, done 6 Nov, called back (4), which closes the follow-up;
               R2 tiles, entry late, done 10 Nov, called back (5); R3 waterproofing, team overdue ->
               substitute repair, deduction of
               1000 + 50 % agency fee + 200 compensation = 1700 posted 20 Nov; R4 draft; R5 cancelled
      staff    a service failure (R1's dissatisfied owner, -5 points, 50) and a praise (+5, 0)
    云山花园, October: T5 repair in time; R6 entry in time, done 12 Oct, called back (4).
    星河湾 (estate B), November: T6 repair in time; R7 done 6 Nov, owner unreachable 3 times.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # accepted in 2024: the teams are still liable in 2026
        cls.unit.handover_date = date(2024, 12, 1)
        cls.project.write({"completion_date": date(2024, 6, 1), "handover_date": date(2024, 12, 1)})
        cls.env["res.company"]._csw_install_chart_of_accounts(cls.company.ids)
        cls.company.write({"csw_evidence_photos_required": False, "csw_evidence_notice_required": False})
        cls.accountant = new_test_user(
            cls.env,
            login="month_accountant",
            groups=f"base.group_user,{MANAGER},{BILLING}",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.estate_b = cls.foreign_project
        cls.estate_b.write({"handover_date": date(2021, 6, 1)})
        cls.foreign_subcontract.write({"category_ids": [(6, 0, cls.category("waterproofing").ids)], "amount": 500_000})
        cls.foreign_subcontract.action_activate()
        cls.foreign_unit.owner_id = cls.env["res.partner"].create({"name": "林国栋"})
        cls.build_tickets()
        cls.build_repairs()

    # ------------------------------------------------------------------
    @classmethod
    def ticket(cls, received, unit, ticket_type="repair", channel="phone", **sla):
        with freeze_time(received):
            ticket = cls.env["csw.ticket"].create(
                {
                    "name": f"{ticket_type} {received}",
                    "unit_id": unit.id,
                    "ticket_type": ticket_type,
                    "channel": channel,
                }
            )
        # the SLA clock itself is tested elsewhere: here the month's outcome is set as it happened
        ticket.sla_policy_id = False
        ticket.flush_recordset()
        ticket.write(sla)
        return ticket

    @classmethod
    def build_tickets(cls):
        a, b = cls.unit, cls.foreign_unit
        cls.t1 = cls.ticket(
            "2026-11-03 08:00:00",
            a,
            response_deadline="2026-11-03 10:00:00",
            first_response_date="2026-11-03 09:30:00",
            resolve_deadline="2026-11-05 08:00:00",
            resolved_date="2026-11-04 16:00:00",
        )
        cls.ticket(
            "2026-11-10 08:00:00",
            a,
            "complaint",
            response_deadline="2026-11-11 09:00:00",
            first_response_date="2026-11-11 12:00:00",
            response_breached=True,
            resolve_deadline="2026-11-15 09:00:00",
            resolved_date="2026-11-20 09:00:00",
        )
        cls.ticket("2026-11-12 08:00:00", a, "consultation", "portal")
        cls.ticket(
            "2026-11-20 08:00:00",
            a,
            "complaint",
            "email",
            response_deadline="2026-11-21 08:00:00",
            response_breached=True,
        )
        cls.ticket(
            "2026-10-08 08:00:00",
            a,
            response_deadline="2026-10-08 10:00:00",
            first_response_date="2026-10-08 09:00:00",
            resolve_deadline="2026-10-10 08:00:00",
            resolved_date="2026-10-09 08:00:00",
        )
        cls.ticket(
            "2026-11-05 08:00:00",
            b,
            channel="walk_in",
            response_deadline="2026-11-05 10:00:00",
            first_response_date="2026-11-05 09:00:00",
            resolve_deadline="2026-11-07 08:00:00",
            resolved_date="2026-11-06 08:00:00",
        )

    @classmethod
    def repair(cls, reported, notified=None, started=None, done=None, **values):
        values = {
            "unit_id": cls.unit.id,
            "location": f"部位 {reported}",
            "category_id": cls.category("waterproofing_bathroom").id,
            "notify_method": "written",
            "completion_note": "已修复",
            "report_date": reported,
            **values,
        }
        order = cls.env["csw.repair.order"].create(values)
        for moment, action in ((notified, "action_notify"), (started, "action_start"), (done, "action_done")):
            if moment:
                with freeze_time(moment):
                    getattr(order, action)()
        return order

    @classmethod
    def call(cls, order, when, satisfaction=None, result="reached"):
        callback = order.callback_ids.filtered(lambda c: c.state == "planned")
        with freeze_time(when):
            callback.write({"result": result, "satisfaction": satisfaction})
            callback.action_done()
        return callback

    @classmethod
    def build_repairs(cls):
        tiles = cls.category("decoration_wall_tile")
        # R1: done, dissatisfied, reopened, done again and called back
        r1 = cls.repair("2026-11-02", "2026-11-02 09:00:00", "2026-11-02 15:00:00", "2026-11-04 10:00:00")
        cls.call(r1, "2026-11-04 15:00:00", "2")
        with freeze_time("2026-11-05 09:00:00"):
            r1.action_start()
        with freeze_time("2026-11-06 10:00:00"):
            r1.action_done()
        cls.call(r1, "2026-11-06 15:00:00", "4")
        # R2: the tile team came a day late (48 h to come)
        r2 = cls.repair(
            "2026-11-06", "2026-11-06 09:00:00", "2026-11-09 10:00:00", "2026-11-10 10:00:00", category_id=tiles.id
        )
        cls.call(r2, "2026-11-10 15:00:00", "5")
        # R3: the team never came: overdue, substitute repair, deduction posted
        r3 = cls.repair("2026-11-15", "2026-11-15 09:00:00", compensation_amount=200)
        with freeze_time("2026-11-17 09:00:00"):
            cls.env["csw.repair.order"]._cron_flag_overdue()
        with freeze_time("2026-11-18 09:00:00"):
            cls.engage_in_emergency(r3, cls.repairer, 1000)
        with freeze_time("2026-11-19 17:00:00"):
            r3.write({"completion_note": "代维班组已修复"})
            r3.action_done()
        cls.call(r3, "2026-11-20 15:00:00", "4")
        deduction = r3.deduction_id
        with freeze_time("2026-11-20 09:00:00"):
            deduction.with_user(cls.project_agent).action_submit()
            deduction.with_user(cls.manager).action_approve()
            deduction.with_user(cls.accountant).action_post()
        cls.repair("2026-11-25")
        cancelled = cls.repair("2026-11-20", cancel_reason="业主自修")
        cancelled.action_cancel()
        # October
        r6 = cls.repair("2026-10-10", "2026-10-10 09:00:00", "2026-10-10 12:00:00", "2026-10-12 10:00:00")
        cls.call(r6, "2026-10-12 15:00:00", "4")
        # estate B
        r7 = cls.repair(
            "2026-11-05",
            "2026-11-05 09:00:00",
            "2026-11-05 12:00:00",
            "2026-11-06 10:00:00",
            unit_id=cls.foreign_unit.id,
        )
        # a week apart: each attempt after the retry, whatever the working hours
        for day in (6, 13, 20):
            cls.call(r7, f"2026-11-{day:02d} 11:00:00", result="unreachable")
        cls.env["csw.assessment"].create(
            {
                "user_id": cls.project_agent.id,
                "date": date(2026, 11, 25),
                "reason": "praise",
                "ticket_id": cls.t1.id,
                "company_id": cls.company.id,
            }
        )
        cls.r1, cls.r2, cls.r3, cls.r6, cls.r7, cls.deduction = r1, r2, r3, r6, r7, deduction


@tagged("post_install", "-at_install")
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


@tagged("post_install", "-at_install")
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


@tagged("post_install", "-at_install")
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


@tagged("post_install", "-at_install")
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
