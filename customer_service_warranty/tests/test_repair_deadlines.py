from ast import literal_eval
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_repair import CswRepairCase

NOTIFIED = datetime(2026, 11, 20, 9, 0)


@tagged("post_install", "-at_install", "csw_dates")
class TestCompletionDeadline(CswRepairCase):
    """The repair time limit (维修期限): a completion deadline on the notice, checked by the cron."""

    def notified(self, **values):
        with freeze_time(NOTIFIED):
            # reported while the team is liable: a substitute repair may be charged to it
            order = self.order(report_date=date(2024, 3, 1), **values)
            order.action_notify()
        return order

    def flag(self, when):
        with freeze_time(when):
            self.env["csw.repair.order"]._cron_flag_overdue()

    def test_notice_gives_the_completion_deadline_from_the_contract_repair_limit(self):
        self.assertEqual(self.subcontract.repair_days, 3, "the company's default repair time limit")
        order = self.notified()
        # entry within 24 h of the notice, then 3 calendar days to finish
        self.assertEqual(order.entry_deadline, NOTIFIED + timedelta(hours=24))
        self.assertEqual(order.done_deadline, NOTIFIED + timedelta(hours=24) + timedelta(days=3))
        self.assertIn("repair done by", order.message_ids[0].body)
        # a later change of the contract does not move the deadline given; an agreed entry deadline does
        self.subcontract.repair_days = 10
        self.assertEqual(order.done_deadline, NOTIFIED + timedelta(days=4))
        self.subcontract.repair_days = 3
        order.with_user(self.project_agent)._csw_move_deadline(
            "entry_deadline", NOTIFIED + timedelta(hours=48), "业主周末才在家, 与班组约定延后一天进场"
        )
        self.assertEqual(order.done_deadline, NOTIFIED + timedelta(days=5))
        self.tile_subcontract.repair_days = 5
        tiles = self.notified(category_id=self.category("decoration_wall_tile").id)
        self.assertEqual(tiles.done_deadline, NOTIFIED + timedelta(hours=48) + timedelta(days=5))

    def test_new_contracts_take_the_company_repair_limits(self):
        self.env.company.write({"csw_repair_days": 7, "csw_emergency_entry_hours": 4})
        contract = self.env["csw.subcontract"].create(
            {"name": "YS-FB-009", "partner_id": self.repairer.id, "project_id": self.project.id}
        )
        self.assertEqual((contract.repair_days, contract.emergency_entry_hours), (7, 4))
        with self.assertRaises(ValidationError):
            self.env.company.csw_repair_days = 0

    def test_completion_deadline_and_overdue_flags_are_not_written_by_hand(self):
        order = self.notified()
        mine = order.with_user(self.project_agent)
        for values in (
            {"done_deadline": "2027-01-01 00:00:00"},
            {"overdue_kind": "done"},
            {"done_late": True},
            {"emergency_documented": True},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                mine.write(values)
        self.assertEqual(order.done_deadline, NOTIFIED + timedelta(days=4))

    def test_overdue_started_order_flagged_past_completion_deadline_with_substitution_proposed(self):
        order = self.notified()
        with freeze_time(NOTIFIED + timedelta(hours=3)):
            order.action_start()
        self.flag(NOTIFIED + timedelta(days=3, hours=23))  # before the completion deadline
        self.assertFalse(order.is_overdue)
        self.flag(NOTIFIED + timedelta(days=4, hours=1))
        self.assertTrue(order.is_overdue)
        self.assertEqual(order.overdue_kind, "done")
        self.assertTrue(order.done_late)
        self.assertFalse(order.entry_late, "it came on site in time")
        # the managers' dashboard counts it among the teams overdue and its list shows it
        with freeze_time(NOTIFIED + timedelta(days=4, hours=1)):
            self.project.invalidate_recordset(["overdue_repair_count"])
            self.assertEqual(self.project.overdue_repair_count, 1)
        overdue_list = self.env.ref("customer_service_warranty.csw_repair_order_action_overdue_by_team")
        self.assertIn(order, self.env["csw.repair.order"].search(literal_eval(overdue_list.domain)))
        note = order.message_ids[0].body
        self.assertIn("completion deadline", note)
        self.assertIn("substitute repair", note)
        activity = self.env["mail.activity"].search([("res_model", "=", "csw.repair.order"), ("res_id", "=", order.id)])
        self.assertEqual(activity.summary, "Repair overdue: arrange a substitute repair?")
        self.assertEqual(activity.user_id, self.project.cs_user_id)
        messages = len(order.message_ids)
        self.flag(NOTIFIED + timedelta(days=5))
        self.assertEqual(len(order.message_ids), messages, "flagged once")
        self.assertEqual(
            self.env["csw.repair.order"].search([("overdue_kind", "=", "done"), ("id", "=", order.id)]), order
        )
        # the proposal: a third party takes over; the deduction says the team was too slow
        order.write({"substitute_partner_id": self.repairer.id, "estimated_cost": 2000})
        order.with_user(self.project_agent).action_request_substitute()
        self.assertEqual(order.deduction_id.reason, "slow_progress")

    def test_order_late_on_entry_is_flagged_again_when_late_on_completion(self):
        order = self.notified()
        self.flag(NOTIFIED + timedelta(hours=25))
        self.assertEqual((order.is_overdue, order.overdue_kind, order.entry_late), (True, "entry", True))
        self.assertIn("entry deadline", order.message_ids[0].body)
        with freeze_time(NOTIFIED + timedelta(hours=30)):
            order.action_start()
        self.flag(NOTIFIED + timedelta(days=4, hours=1))
        self.assertEqual(order.overdue_kind, "done")
        self.assertTrue(order.entry_late and order.done_late, "both deadlines missed")
        self.assertIn("completion deadline", order.message_ids[0].body)

    def test_done_before_the_deadline_is_on_time_after_it_late(self):
        on_time, late = self.notified(), self.notified(location="次卫")
        (on_time | late).write({"completion_note": "重做防水层"})
        with freeze_time(NOTIFIED + timedelta(days=2)):
            on_time.action_done()
        with freeze_time(NOTIFIED + timedelta(days=6)):
            late.action_done()
        self.assertFalse(on_time.done_late)
        self.assertTrue(late.done_late)

    def test_scorecard_counts_on_time_completion(self):
        on_time, late, open_late, waiting = (self.notified(location=f"部位{n}") for n in range(4))
        with freeze_time(NOTIFIED + timedelta(hours=1)):
            (on_time | late | open_late).action_start()
        (on_time | late).write({"completion_note": "已修复"})
        with freeze_time(NOTIFIED + timedelta(days=1)):
            on_time.action_done()
        with freeze_time(NOTIFIED + timedelta(days=5)):
            late.action_done()
        self.flag(NOTIFIED + timedelta(days=5))  # open_late overdue; waiting overdue on entry only
        self.subcontract.invalidate_recordset()
        # finished or overdue on completion: 1 on time of 3; waiting is not decided yet
        self.assertEqual(round(self.subcontract.done_on_time_rate, 1), 33.3)
        self.assertEqual(self.tile_subcontract.done_on_time_rate, 100.0, "nothing to judge yet")
        self.assertTrue(waiting.entry_late)


@tagged("post_install", "-at_install", "csw_dates")
class TestMonthlyFigures(CswRepairCase):
    def test_monthly_report_counts_on_time_completion_and_loss_estimates(self):
        with freeze_time(NOTIFIED):
            on_time = self.order(report_date=date(2026, 11, 20), loss_estimate=1500, completion_note="ok")
            late = self.order(report_date=date(2026, 11, 20), loss_estimate=500, completion_note="ok", location="厨房")
            (on_time | late).action_notify()
        with freeze_time(NOTIFIED + timedelta(days=1)):
            on_time.action_done()
        with freeze_time(NOTIFIED + timedelta(days=8)):
            late.action_done()
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 11, 1)})
        report.action_refresh()
        self.assertEqual((report.done_due_count, report.done_on_time_count), (2, 1))
        self.assertEqual(report.done_on_time_rate, 50.0)
        self.assertEqual(report.loss_estimate_total, 2000)


@tagged("post_install", "-at_install", "csw_dates")
class TestLossEstimate(CswRepairCase):
    def test_loss_estimate_proposes_the_compensation_of_the_deduction(self):
        estimated = self.order(report_date=date(2024, 3, 1), loss_estimate=1200)
        paid = self.order(report_date=date(2024, 3, 1), loss_estimate=2000, compensation_amount=800, location="次卫")
        (estimated | paid).action_notify()
        (estimated | paid).write({"substitute_partner_id": self.repairer.id, "estimated_cost": 1000})
        estimated.action_request_substitute()
        deduction = estimated.deduction_id
        self.assertEqual(deduction.compensation_amount, 1200, "the loss estimate while no compensation is entered")
        paid.action_request_substitute()
        self.assertEqual(deduction.compensation_amount, 1200 + 800, "the compensation once entered")
        estimated.compensation_amount = 900
        self.assertEqual(deduction.compensation_amount, 900 + 800)

    def test_repair_database_export_has_the_loss_estimate_and_deadlines(self):
        export = self.env.ref("customer_service_warranty.csw_repair_order_export_repair_database")
        names = export.export_fields.mapped("name")
        for fname in ("loss_estimate", "done_deadline", "done_late", "is_emergency"):
            self.assertIn(fname, names)
        self.assertEqual(len(names), len(set(names)), "each column once")


@tagged("post_install", "-at_install", "csw_dates")
class TestEmergencyRepair(CswRepairCase):
    """An emergency (紧急维修): the short entry time, or repaired first and documented after."""

    NOW = datetime(2026, 11, 21, 9, 0)  # the next morning

    def emergency(self, **values):
        with freeze_time(self.NOW):
            return self.order(
                report_date=date(2026, 11, 20), is_emergency=True, completion_note="关闭总阀, 更换爆裂水管", **values
            )

    def record(self, order, entry, done, user=None):
        with freeze_time(self.NOW):
            return order.with_user(user or self.project_agent).action_record_emergency(entry, done)

    def test_urgent_ticket_makes_an_emergency_with_the_short_entry_time(self):
        ticket = self.env["csw.ticket"].create(
            {"name": "水管爆裂", "unit_id": self.unit.id, "ticket_type": "repair", "priority": "2"}
        )
        normal = self.env["csw.ticket"].create({"name": "墙面裂缝", "unit_id": self.unit.id, "ticket_type": "repair"})
        urgent, routine = self.order(ticket_id=ticket.id), self.order(ticket_id=normal.id)
        self.assertTrue(urgent.is_emergency)
        self.assertFalse(routine.is_emergency)
        routine.is_emergency = True  # the agent judges it an emergency
        with freeze_time(NOTIFIED):
            (urgent | routine).action_notify()
        self.assertEqual(urgent.entry_deadline, NOTIFIED + timedelta(hours=2), "the contract's emergency entry time")
        self.assertEqual(urgent.done_deadline, NOTIFIED + timedelta(hours=2) + timedelta(days=3))
        with self.assertRaises(UserError) as err:
            urgent.with_user(self.project_agent).write({"is_emergency": False})
        self.assertIn("only while draft", str(err.exception))
        self.assertTrue(urgent.is_emergency)

    def test_emergency_repaired_at_night_is_documented_the_next_morning(self):
        order = self.emergency(notify_method="verbal")
        entry, done = datetime(2026, 11, 20, 23, 10), datetime(2026, 11, 21, 1, 30)
        self.record(order, entry, done)
        self.assertEqual(order.state, "done")
        self.assertEqual((order.entry_date, order.done_date), (entry, done))
        self.assertTrue(order.emergency_documented)
        self.assertEqual(order.notify_date, self.NOW, "the notice is issued afterwards")
        self.assertTrue(order.notice_attachment_id)
        self.assertFalse(order.entry_late or order.done_late)
        self.assertIn("补办派工", order.message_ids[0].body)
        callback = order.callback_ids
        self.assertEqual(callback.scheduled_date, done, "the callback counts from the recorded completion")
        self.assertEqual(callback.deadline, done + timedelta(hours=24))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_repair_notice", order.ids)[0]
            .decode()
        )
        self.assertIn("Issued after the emergency repair", html)
        # twice: refused, nothing changes
        with self.assertRaises(UserError):
            self.record(order, entry - timedelta(hours=1), done)
        self.assertEqual(order.entry_date, entry)
        self.assertEqual(len(order.callback_ids), 1)

    def test_impossible_times_are_refused(self):
        self.project_agent.tz = "Asia/Shanghai"
        order = self.emergency()
        cases = {
            "entry in the future": (datetime(2026, 11, 21, 10, 0), datetime(2026, 11, 21, 11, 0), "future"),
            "done in the future": (datetime(2026, 11, 21, 8, 0), datetime(2026, 11, 21, 9, 30), "future"),
            "done before entry": (datetime(2026, 11, 21, 2, 0), datetime(2026, 11, 21, 1, 0), "before the team came"),
            # the 20th starts at 16:00 UTC on the 19th in Shanghai
            "entry before the report": (datetime(2026, 11, 19, 15, 0), datetime(2026, 11, 20, 1, 0), "reported on"),
            "no time": (False, datetime(2026, 11, 21, 1, 0), "Enter when"),
        }
        for case, (entry, done, message) in cases.items():
            with self.subTest(case), self.assertRaises(UserError) as err:
                self.record(order, entry, done)
            self.assertIn(message, str(err.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.entry_date or order.done_date or order.notice_attachment_id)
        # 01:00 in Shanghai on the day reported: accepted
        self.record(order, datetime(2026, 11, 19, 17, 0), datetime(2026, 11, 19, 19, 0))
        self.assertEqual(order.state, "done")

    def test_only_a_draft_emergency_may_be_documented_after(self):
        entry, done = datetime(2026, 11, 20, 23, 0), datetime(2026, 11, 21, 1, 0)
        routine = self.emergency(location="客厅")
        routine.is_emergency = False
        with self.assertRaises(UserError) as err:
            self.record(routine, entry, done)
        self.assertIn("not an emergency", str(err.exception))
        notified = self.emergency(location="厨房")
        with freeze_time(self.NOW):
            notified.action_notify()
        with self.assertRaises(UserError) as err:
            self.record(notified, entry, done)
        self.assertIn("Notified", str(err.exception))
        no_note = self.emergency(location="阳台")
        no_note.completion_note = False
        with self.assertRaises(UserError) as err:
            self.record(no_note, entry, done)
        self.assertIn("completion note", str(err.exception))

    def test_times_are_not_written_around_the_action(self):
        order = self.emergency()
        mine = order.with_user(self.project_agent)
        for values in (
            {"entry_date": "2026-11-20 23:00:00"},
            {"done_date": "2026-11-21 01:00:00"},
            {"state": "done"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                mine.write(values)
        team_user = new_test_user(self.env, login="team_portal", groups="base.group_portal")
        with self.assertRaises(UserError):
            self.record(order, datetime(2026, 11, 20, 23, 0), datetime(2026, 11, 21, 1, 0), user=team_user)
        self.assertEqual(order.state, "draft")

    def test_agent_records_through_the_wizard(self):
        order = self.emergency()
        with freeze_time(self.NOW):
            action = order.with_user(self.project_agent).action_open_emergency_wizard()
            wizard = Form(self.env[action["res_model"]].with_user(self.project_agent).with_context(**action["context"]))
            wizard.entry_date = datetime(2026, 11, 20, 22, 0)
            wizard.done_date = datetime(2026, 11, 20, 23, 45)
            wizard.completion_note = "更换爆裂水管"
            wizard.save().action_record()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.done_date, datetime(2026, 11, 20, 23, 45))
        self.assertEqual(order.notify_method, "verbal")
