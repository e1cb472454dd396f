"""The dashboard as a work queue, KPIs a manager can trust, callbacks that tell the agent what
they set off, and retention releases that say what blocks them."""

import base64
from datetime import date, datetime

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import MANAGER
from .common_callback import CswCallbackCase
from .common_ticket import CswTicketCase

BILLING = "account.group_account_invoice"
NOW = datetime(2026, 11, 20, 2, 0)  # Friday 10:00 in Shanghai
shanghai = CswTicketCase.shanghai


class CswWorkQueueCase(CswCallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="accountant",
            groups=f"base.group_user,{MANAGER},{BILLING}",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.company.csw_cs_manager_id = cls.manager
        png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
        cls.evidence = cls.env["ir.attachment"].create(
            [{"name": name, "datas": png, "mimetype": "image/png"} for name in ("现场照片.png", "通知截图.png")]
        )

    def deduction(self, cost=1600):
        return self.env["csw.deduction"].create(
            {
                "subcontract_id": self.subcontract.id,
                "reason": "poor_quality",
                "substitute_cost": cost,
                "evidence_photo_ids": [Command.link(self.evidence[0].id)],
                "evidence_notice_ids": [Command.link(self.evidence[1].id)],
            }
        )


@tagged("post_install", "-at_install", "csw_dates")
class TestDashboardWorkQueue(CswWorkQueueCase):
    def setUp(self):
        super().setUp()
        self.Ticket = self.env["csw.ticket"]
        with freeze_time(datetime(2026, 11, 2, 2, 0)):
            self.old_ticket = self.Ticket.create({"name": "外墙渗水", "unit_id": self.unit.id, "priority": "2"})
        with freeze_time(NOW):
            self.new_ticket = self.Ticket.create({"name": "门铃不响", "unit_id": self.unit.id})
        # a team that did not come, callbacks overdue and due, deductions at each step
        self.overdue_order = self.done_order(datetime(2026, 11, 16, 2, 0))
        with freeze_time(datetime(2026, 11, 17, 2, 0)):
            self.late_team = self.order(notify_method="written", location="厨房")
            self.late_team.action_notify()
        self.due_order = self.done_order(datetime(2026, 11, 20, 1, 0), location="阳台")
        submitted, approved = self.deduction(), self.deduction(900)
        (submitted | approved).action_submit()
        approved.with_user(self.manager).action_approve()
        self.submitted, self.approved = submitted, approved
        self.env["csw.weekly.report"].create({"project_id": self.project.id, "week_start": date(2026, 11, 6)})
        with freeze_time(NOW):
            self.Ticket._refresh_sla_state(every_ticket=True)
            self.env["csw.repair.order"]._cron_flag_overdue()

    def test_each_figure_opens_exactly_the_records_it_counts(self):
        with freeze_time(NOW):
            project = self.project.with_user(self.accountant)
            figures = project._dashboard_figures()
            self.assertGreaterEqual(len(figures), 10)
            for name in figures:
                with self.subTest(figure=name):
                    action = project.with_context(csw_figure=name).action_open_figure()
                    opened = self.env[action["res_model"]].with_user(self.accountant).search(action["domain"])
                    self.assertEqual(project[name], len(opened), "the figure counts what its list shows")
            self.assertEqual(
                {name: project[name] for name in figures if project[name]},
                {
                    "breached_ticket_count": 1,
                    "overdue_repair_count": 1,
                    "callback_due_count": 2,
                    "callback_overdue_count": 1,
                    "deduction_to_approve_count": 1,
                    "weekly_report_to_submit_count": 1,
                    "deduction_to_post_count": 1,
                    # both contracts in force, their liability long over
                    "retention_release_due_count": 2,
                },
            )

    def test_breached_tickets_open_the_breached_ones_only(self):
        with freeze_time(NOW):
            action = self.project.with_context(csw_figure="breached_ticket_count").action_open_figure()
            self.assertEqual(self.Ticket.search(action["domain"]), self.old_ticket)
            self.assertNotIn("search_default_my_tickets", str(action["context"]))
            overdue = self.project.with_context(csw_figure="overdue_repair_count").action_open_figure()
            self.assertEqual(self.env["csw.repair.order"].search(overdue["domain"]), self.late_team)
            callbacks = self.project.with_context(csw_figure="callback_overdue_count").action_open_figure()
            self.assertEqual(self.Callback.search(callbacks["domain"]), self.overdue_order.callback_ids)

    def test_approvals_are_shown_to_their_deciders_only(self):
        with freeze_time(NOW):
            agent = self.project.with_user(self.project_agent)
            self.assertEqual(agent.breached_ticket_count, 1)
            manager = self.project.with_user(self.manager)
            self.assertEqual(manager.deduction_to_approve_count, 1)
            arch = (
                self.env["csw.project"]
                .with_user(self.project_agent)
                .get_view(self.env.ref("customer_service_warranty.csw_project_view_kanban_dashboard").id, "kanban")[
                    "arch"
                ]
            )
            self.assertNotIn("deduction_to_approve_count", arch)

    def test_an_unknown_figure_is_refused(self):
        with self.assertRaises(UserError):
            self.project.with_context(csw_figure="name").action_open_figure()

    def test_the_list_totals_every_estate(self):
        view = self.env.ref("customer_service_warranty.csw_project_view_list_dashboard")
        arch = etree.fromstring(self.env["csw.project"].with_user(self.accountant).get_view(view.id, "list")["arch"])
        totals = {node.get("name") for node in arch.iter("field") if node.get("sum")}
        self.assertLessEqual({"breached_ticket_count", "deduction_to_approve_count", "deduction_to_post_count"}, totals)

    def test_dashboard_queries_do_not_depend_on_the_number_of_estates(self):
        projects = self.env["csw.project"].create(
            [{"name": f"小区{n}", "code": f"Q{n}", "company_id": self.company.id} for n in range(6)]
        )
        counts = []
        # the first run warms the caches
        for estates in (projects[:1], projects[:2], projects):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            with freeze_time(NOW):
                estates.with_user(self.accountant).mapped("deduction_to_post_count")
                estates.with_user(self.accountant).mapped("breached_ticket_count")
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2], f"queries for 2 and 6 estates: {counts[1:]}")


@tagged("post_install", "-at_install", "csw_dates")
class TestDeductionApproval(CswWorkQueueCase):
    def test_a_submitted_deduction_is_a_todo_of_the_cs_manager_until_approved(self):
        deduction = self.deduction()
        deduction.with_user(self.project_agent).action_submit()
        todo = deduction.activity_ids
        self.assertEqual(todo.user_id, self.manager)
        self.assertIn(deduction.name, todo.note)
        to_approve = self.env.ref("customer_service_warranty.csw_deduction_view_search")
        self.assertIn('name="to_approve"', to_approve.arch)
        deduction.with_user(self.manager).action_approve()
        self.assertFalse(deduction.activity_ids, "done once approved")


@tagged("post_install", "-at_install", "csw_dates")
class TestOneCallbackKpi(CswWorkQueueCase):
    def test_dashboard_analysis_and_monthly_report_agree_on_a_reopened_dissatisfied_repair(self):
        satisfied = self.done_order(datetime(2026, 11, 3, 2, 0))
        reopened = self.done_order(datetime(2026, 11, 5, 2, 0), location="厨房")
        self.done_order(datetime(2026, 11, 6, 2, 0), location="阳台")  # not called back yet
        self.record(satisfied.callback_ids, "2026-11-03 08:00:00", satisfaction="5")
        self.record(reopened.callback_ids, "2026-11-05 08:00:00", satisfaction="2", comment="还在渗水")
        self.assertEqual(reopened.state, "notified", "reopened, back to the team")
        with freeze_time(NOW):
            dashboard = self.project
            dashboard.invalidate_recordset()
            figures = (dashboard.month_callback_rate, dashboard.month_satisfaction, dashboard.month_satisfied_rate)
            report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 11, 1)})
            report.action_refresh()
        [analysis] = self.env["csw.callback.report"]._read_group(
            [
                ("project_id", "=", self.project.id),
                ("done_date", ">=", datetime(2026, 11, 1)),
                ("done_date", "<", datetime(2026, 12, 1)),
            ],
            [],
            ["callback_rate:avg", "satisfaction_score:avg", "satisfied_rate:avg"],
        )
        expected = (66.67, 3.5, 50.0)
        self.assertEqual(tuple(round(value, 2) for value in figures), expected, "dashboard")
        self.assertEqual(
            tuple(round(value, 2) for value in (report.callback_rate, report.satisfaction_avg, report.satisfied_rate)),
            expected,
            "monthly report",
        )
        self.assertEqual(tuple(round(value, 2) for value in analysis), expected, "callback rate analysis")
        self.assertEqual((report.rated_count, report.satisfied_count, report.dissatisfied_count), (2, 1, 1))

    def test_a_reworked_repair_counts_both_completions(self):
        order = self.done_order(datetime(2026, 11, 5, 2, 0))
        self.record(order.callback_ids, "2026-11-05 08:00:00", satisfaction="1")
        with freeze_time("2026-11-08 02:00:00"):
            order.action_done()
        self.record(
            order.callback_ids.filtered(lambda c: c.state == "planned"), "2026-11-08 08:00:00", satisfaction="4"
        )
        kpi = self.env["csw.callback.report"]._kpis(
            datetime(2026, 11, 1), datetime(2026, 12, 1), "project_id", [("project_id", "=", self.project.id)]
        )[self.project]
        self.assertEqual((kpi["completed"], kpi["called_back"], kpi["satisfaction"]), (2, 2, 2.5))


@tagged("post_install", "-at_install", "csw_dates")
class TestMonthlySnapshot(CswWorkQueueCase):
    def test_the_printed_report_agrees_with_itself_after_new_activity(self):
        Ticket = self.env["csw.ticket"]
        with freeze_time(datetime(2026, 11, 10, 2, 0)):
            Ticket.create({"name": "外墙渗水", "unit_id": self.unit.id, "ticket_type": "complaint"})
        with freeze_time(datetime(2026, 10, 10, 2, 0)):
            Ticket.create({"name": "门铃不响", "unit_id": self.unit.id})
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 11, 1)})
        with freeze_time(NOW):
            report.action_refresh()
        # new activity after the count, in both months
        with freeze_time(datetime(2026, 11, 21, 2, 0)):
            Ticket.create({"name": "卫生间渗水", "unit_id": self.unit.id, "ticket_type": "complaint"})
            Ticket.create({"name": "厨房渗水", "unit_id": self.unit.id, "received_date": datetime(2026, 10, 12)})
            parts, previous = report._breakdowns(), report._previous_figures()
        self.assertEqual(report.ticket_count, 1)
        self.assertEqual(sum(count for _label, count in parts["by_type"]), report.ticket_count, "page 2 = page 1")
        self.assertEqual(previous["ticket_count"], 1, "last month as counted with this month")
        with freeze_time(datetime(2026, 11, 22, 2, 0)):
            report.action_refresh()
            parts, previous = report._breakdowns(), report._previous_figures()
        self.assertEqual(
            (report.ticket_count, sum(count for _label, count in parts["by_type"]), previous["ticket_count"]), (2, 2, 2)
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_monthly", report.ids)[0]
            .decode()
        )
        self.assertIn(report.project_id.name, html)

    def test_a_report_never_counted_is_counted_when_printed(self):
        with freeze_time(datetime(2026, 11, 10, 2, 0)):
            self.env["csw.ticket"].create({"name": "外墙渗水", "unit_id": self.unit.id})
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 11, 1)})
        with freeze_time(NOW):
            parts = report._breakdowns()
        self.assertEqual((report.ticket_count, sum(count for _label, count in parts["by_type"])), (1, 1))
        self.assertTrue(report.refreshed_date)


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackFeedback(CswWorkQueueCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id = cls.env["resource.calendar"].create(
            {
                "name": "客服中心工作时间",
                "tz": "Asia/Shanghai",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {"name": f"{day} {start}", "dayofweek": str(day), "hour_from": start, "hour_to": end}
                    )
                    for day in range(5)
                    for start, end in ((9, 12), (13, 18))
                ],
            }
        )
        cls.project_agent.tz = "Asia/Shanghai"

    def test_a_dissatisfied_answer_tells_the_agent_what_it_set_off(self):
        order = self.done_order(datetime(2026, 11, 19, 2, 0))
        callback = order.callback_ids.with_user(self.project_agent)
        with freeze_time(NOW):
            callback.write({"result": "reached", "satisfaction": "2", "comment": "还在渗水"})
            action = callback.action_done()
        message = action["params"]["message"]
        self.assertEqual((action["tag"], action["params"]["type"]), ("display_notification", "warning"))
        self.assertIn(self.team.display_name, message)
        self.assertIn(callback.followup_ticket_id.number, message)
        assessment = self.env["csw.assessment"].search([("callback_id", "=", callback.id)])
        self.assertIn(assessment.user_id.name, message)

    def test_no_answer_in_the_evening_is_tried_again_in_working_hours(self):
        self.company.csw_callback_retry_hours = 4
        order = self.done_order(datetime(2026, 11, 19, 2, 0))
        callback = order.callback_ids.with_user(self.project_agent)
        with freeze_time(shanghai(2026, 11, 20, 17, 30)):  # Friday 17:30: now + 4 h is at night
            action = callback.action_record_unreachable()
        self.assertEqual(callback.scheduled_date, shanghai(2026, 11, 23, 9, 0), "Monday at opening time")
        self.assertIn("2026-11-23 09:00", action["params"]["message"], "told in local time")
        with freeze_time(shanghai(2026, 11, 23, 10, 0)):
            callback.action_record_unreachable()
        self.assertEqual(callback.scheduled_date, shanghai(2026, 11, 23, 14, 0), "within the day: 4 h later")

    def test_a_satisfied_answer_after_the_rework_closes_the_followup(self):
        order = self.done_order(datetime(2026, 11, 16, 2, 0))
        first = order.callback_ids
        self.record(first, "2026-11-17 02:00:00", satisfaction="2", comment="还在渗水")
        followup = first.followup_ticket_id
        self.assertIn(followup.state, ("new", "in_progress"))
        with freeze_time("2026-11-18 02:00:00"):
            order.action_done()
        second = order.callback_ids - first
        with freeze_time("2026-11-18 06:00:00"):
            second.write({"result": "reached", "satisfaction": "5"})
            action = second.action_done()
        self.assertEqual(followup.state, "closed")
        self.assertIn(followup.number, action["params"]["message"])

    def test_the_call_list_opens_the_form_and_shows_what_was_repaired(self):
        view = self.env.ref("customer_service_warranty.csw_callback_view_list")
        arch = etree.fromstring(view.arch)
        self.assertEqual(arch.get("open_form_view"), "True")
        self.assertLessEqual(
            {"repair_location", "repair_category_id", "subcontractor_id", "repair_completion_note"},
            {node.get("name") for node in arch.iter("field")},
        )
        order = self.done_order(datetime(2026, 11, 19, 2, 0))
        callback = order.callback_ids.with_user(self.project_agent)
        self.assertEqual(
            (callback.repair_location, callback.repair_completion_note), ("主卫天花", "已修复,闭水试验无渗漏")
        )


@tagged("post_install", "-at_install", "csw_dates")
class TestRetentionReleaseBlockers(CswWorkQueueCase):
    def test_release_names_the_open_defects_before_any_confirmation(self):
        self.subcontract.defect_liability_months = 24
        orders = self.env["csw.repair.order"].create(
            [
                {
                    "unit_id": self.unit.id,
                    "location": f"位置{n}",
                    "category_id": self.category("waterproofing_bathroom").id,
                    "notify_method": "written",
                }
                for n in range(12)
            ]
        )
        contract = self.subcontract.with_user(self.accountant)
        blockers = contract.release_blockers
        self.assertIn(orders[0].name, blockers)
        self.assertIn(orders[9].name, blockers)
        self.assertNotIn(orders[10].name, blockers)
        self.assertIn("2", blockers.splitlines()[-1], "and 2 more")
        with self.assertRaises(UserError) as err:
            contract.action_release_retention()
        self.assertIn(orders[0].name, str(err.exception))
        self.assertFalse(self.subcontract.retention_released)
        # the button asking for confirmation is hidden while the release is blocked
        arch = etree.fromstring(
            self.env["csw.subcontract"].with_user(self.accountant).get_view(view_type="form")["arch"]
        )
        [button] = arch.xpath("//button[@name='action_release_retention']")
        self.assertIn("release_blockers", button.get("invisible"))
        self.assertTrue(button.get("confirm"))

    def test_nothing_open_nothing_blocks(self):
        self.subcontract.defect_liability_months = 24
        self.assertFalse(self.subcontract.release_blockers)


@tagged("post_install", "-at_install", "csw_dates")
class TestScorecardAndEmptyStates(CswWorkQueueCase):
    def test_the_scorecard_lists_the_teams_by_rank(self):
        teams = self.env["res.partner"].create([{"name": f"班组{n}", "is_company": True} for n in range(3)])
        self.env["csw.subcontract"].create(
            [
                {"name": f"YS-FB-1{n}", "partner_id": team.id, "project_id": self.project.id, "state": "active"}
                for n, team in enumerate(teams)
            ]
        )
        late = self.order(notify_method="written")
        late.action_notify()
        late.sudo().write({"is_overdue": True, "overdue_kind": "entry"})
        action = self.env.ref("customer_service_warranty.csw_subcontract_action_scorecard")
        self.assertIn("csw_scorecard_order", action.context)
        Subcontract = self.env["csw.subcontract"].with_context(csw_scorecard_order=True)
        rows = Subcontract.web_search_read(
            [("project_id", "=", self.project.id)], {"scorecard_rank": {}, "name": {}}, limit=80
        )["records"]
        ranks = [row["scorecard_rank"] for row in rows]
        self.assertEqual(ranks, sorted(ranks))
        self.assertEqual(ranks[0], 1)

    def test_empty_lists_explain_themselves_without_sample_data(self):
        for xmlid in (
            "csw_ticket_action_my",
            "csw_repair_order_action_overdue_by_team",
            "csw_ticket_action_by_sla",
            "csw_callback_action_satisfaction",
            "csw_subcontract_action_scorecard",
        ):
            with self.subTest(action=xmlid):
                self.assertTrue(self.env.ref(f"customer_service_warranty.{xmlid}").help)
        for model in ("csw.ticket", "csw.repair.order", "csw.callback"):
            for view_type in ("list", "kanban", "graph", "pivot"):
                if view_type == "kanban" and model == "csw.callback":
                    continue
                with self.subTest(model=model, view=view_type):
                    arch = self.env[model].get_view(view_type=view_type)["arch"]
                    self.assertNotIn('sample="1"', arch)
