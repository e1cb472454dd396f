import math
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_callback import CswCallbackCase


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackPlanning(CswCallbackCase):
    def test_completed_repair_plans_a_callback_within_24_hours(self):
        order = self.done_order(datetime(2026, 11, 20, 15, 30))
        callback = order.callback_ids
        self.assertEqual(len(callback), 1)
        self.assertEqual(callback.callback_type, "repair")
        self.assertEqual(callback.state, "planned")
        self.assertEqual(callback.scheduled_date, datetime(2026, 11, 20, 15, 30))
        self.assertEqual(callback.deadline, datetime(2026, 11, 21, 15, 30))
        self.assertEqual(callback.user_id, self.callback_agent, "the estate's callback agent")
        self.assertEqual((callback.unit_id, callback.partner_id), (self.unit, self.owner))

    def test_callback_delay_and_agent_follow_the_settings_and_the_ticket(self):
        self.company.csw_callback_repair_hours = 48
        self.project.callback_user_id = False
        ticket = self.env["csw.ticket"].create(
            {"name": "主卫渗水", "unit_id": self.unit.id, "user_id": self.center_agent.id}
        )
        order = self.done_order(datetime(2026, 11, 20, 8, 0), ticket_id=ticket.id)
        self.assertEqual(order.callback_ids.deadline, datetime(2026, 11, 22, 8, 0))
        self.assertEqual(order.callback_ids.user_id, self.center_agent, "the ticket's agent")
        self.assertEqual(order.callback_ids.ticket_id, ticket)

    def test_resolved_complaint_plans_a_complaint_callback(self):
        ticket = self.env["csw.ticket"].create(
            {"name": "物业态度差", "ticket_type": "complaint", "unit_id": self.unit.id}
        )
        ticket.resolution = "<p>已致歉并更换管家</p>"
        with freeze_time("2026-11-20 10:00:00"):
            ticket.action_start()
            ticket.action_resolve()
        callback = ticket.callback_ids
        self.assertEqual(callback.callback_type, "complaint")
        self.assertEqual(callback.deadline, datetime(2026, 11, 21, 10, 0))
        # resolving again after a reopen does not plan a second one while the first waits
        ticket.action_reopen()
        ticket.action_resolve()
        self.assertEqual(len(ticket.callback_ids), 1)

    @freeze_time("2026-11-22 09:00:00")
    def test_handover_plans_sixteen_periodic_callbacks(self):
        self.unit.handover_date = date(2026, 11, 20)
        periodic = self.unit.callback_ids.filtered(lambda c: c.callback_type == "periodic").sorted("plan_index")
        self.assertEqual(len(periodic), 16)
        expected = [date(2026, 11, 20) + relativedelta(months=m) for m in (*range(1, 13), 15, 18, 21, 24)]
        self.assertEqual([c.scheduled_date.date() for c in periodic], expected)
        self.assertEqual(periodic[0].scheduled_date.date(), date(2026, 12, 20), "monthly in the first year")
        self.assertEqual(periodic[-1].scheduled_date.date(), date(2028, 11, 20), "quarterly in the second")
        self.assertTrue(all(c.deadline == c.scheduled_date + timedelta(days=7) for c in periodic))
        self.assertEqual(set(periodic.mapped("user_id")), {self.callback_agent})

    def test_changing_the_handover_date_replans_what_is_not_done(self):
        with freeze_time("2026-11-22 09:00:00"):
            self.unit.handover_date = date(2026, 11, 20)
        periodic = self.unit.callback_ids.sorted("plan_index")
        first = self.record(periodic[0], "2026-12-21 10:00:00", satisfaction="5")
        with freeze_time("2026-12-22 09:00:00"):
            self.unit.handover_date = date(2026, 12, 1)
        periodic = self.unit.callback_ids.filtered(lambda c: c.callback_type == "periodic").sorted("plan_index")
        self.assertEqual(len(periodic), 16, "no duplicate, none lost")
        self.assertEqual(periodic[0], first)
        self.assertEqual(first.scheduled_date.date(), date(2026, 12, 20), "a done callback keeps its date")
        self.assertEqual(
            [c.scheduled_date.date() for c in periodic[1:]],
            [date(2026, 12, 1) + relativedelta(months=m) for m in (*range(2, 13), 15, 18, 21, 24)],
        )
        # no handover any more: the planned ones go, the done one stays
        self.unit.handover_date = False
        self.assertEqual(self.unit.callback_ids, first)

    @freeze_time("2026-11-22 09:00:00")
    def test_units_created_handed_over_get_their_plan_in_one_batch(self):
        self.project.handover_date = date(2026, 11, 1)
        units = self.env["csw.unit"].create(
            [{"name": f"8-1-{n}01", "project_id": self.project.id} for n in range(1, 4)]
        )
        self.assertEqual(len(units.callback_ids), 48)
        # an estate handed over years ago: nothing planned in the past
        old = self.env["csw.unit"].create({"name": "9-1-101", "project_id": self.foreign_project.id})
        old.handover_date = date(2022, 1, 1)
        self.assertFalse(old.callback_ids)

    def test_periodic_planning_queries_do_not_depend_on_the_number_of_units(self):
        def plan(count, prefix):
            units = self.env["csw.unit"].create(
                [{"name": f"{prefix}-1-{n}", "project_id": self.project.id} for n in range(count)]
            )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time("2026-11-22 09:00:00"):
                units.write({"handover_date": date(2026, 11, 20)})
            self.assertEqual(len(units.callback_ids), 16 * count)
            return self.env.cr.sql_log_count - before

        plan(2, "A")  # warms the caches
        # one INSERT per batch of 100 callbacks (the ORM's batch size), nothing per record
        self.assertLessEqual(plan(40, "C"), plan(5, "B") + math.ceil(16 * 35 / 100))

    @freeze_time("2026-11-22 09:00:00")
    def test_decoration_milestones_and_holidays_follow_the_plan(self):
        plan = self.env["csw.callback.plan"].create(
            {
                "name": "家装回访计划",
                "line_ids": [
                    (0, 0, {"name": "材料进场回访", "milestone": "material_entry", "delay_days": 1}),
                    (0, 0, {"name": "中期验收回访", "milestone": "mid_inspection", "delay_days": 2}),
                    (0, 0, {"name": "竣工回访", "milestone": "completion", "delay_days": 3}),
                    (0, 0, {"name": "春节问候", "callback_type": "care", "care_date": date(2027, 2, 6)}),
                ],
            }
        )
        self.project.callback_plan_id = plan
        self.unit.material_entry_date = date(2026, 11, 25)
        milestone = self.unit.callback_ids.filtered(lambda c: c.callback_type == "milestone")
        self.assertEqual(milestone.plan_line_id.name, "材料进场回访")
        self.assertEqual(milestone.scheduled_date.date(), date(2026, 11, 26))
        self.unit.material_entry_date = date(2026, 11, 28)
        self.assertEqual(milestone.scheduled_date.date(), date(2026, 11, 29), "moved, not duplicated")
        self.unit.mid_inspection_date = date(2026, 12, 20)
        self.assertEqual(len(self.unit.callback_ids.filtered(lambda c: c.callback_type == "milestone")), 2)
        plan.action_schedule_care()
        plan.action_schedule_care()
        care = self.unit.callback_ids.filtered(lambda c: c.callback_type == "care")
        self.assertEqual(len(care), 1, "planned once for each owner")
        self.assertEqual(care.scheduled_date.date(), date(2027, 2, 6))
        self.assertFalse(self.foreign_unit.callback_ids, "only the plan's estates")
        with self.assertRaises(ValidationError):
            plan.line_ids[0].milestone = False


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackRecording(CswCallbackCase):
    def test_reached_needs_a_satisfaction_and_a_result(self):
        callback = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        with self.assertRaises(UserError) as err:
            callback.action_done()
        self.assertIn("result", str(err.exception))
        callback.result = "reached"
        with self.assertRaises(UserError) as err:
            callback.action_done()
        self.assertIn("satisfied", str(err.exception))
        self.assertEqual(callback.state, "planned")
        self.record(callback, "2026-11-20 16:00:00", satisfaction="4", comment="师傅很细心")
        self.assertEqual((callback.state, callback.attempt_count), ("done", 1))
        self.assertEqual(callback.done_date, datetime(2026, 11, 20, 16, 0))
        with self.assertRaises(UserError):
            callback.action_done()

    def test_unreachable_owner_is_called_again_until_the_callback_fails(self):
        # without working hours: retried exactly 4 hours later (working hours: test_work_queue)
        self.company.write(
            {"csw_callback_max_attempts": 3, "csw_callback_retry_hours": 4, "resource_calendar_id": False}
        )
        callback = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        with freeze_time("2026-11-20 11:00:00"):
            callback.action_record_unreachable()
        self.assertEqual((callback.state, callback.attempt_count), ("planned", 1))
        self.assertEqual(callback.scheduled_date, datetime(2026, 11, 20, 15, 0), "retry 4 hours later")
        with freeze_time("2026-11-20 15:05:00"):
            callback.action_record_unreachable()
        self.assertEqual((callback.state, callback.attempt_count), ("planned", 2))
        self.assertEqual(callback.scheduled_date, datetime(2026, 11, 20, 19, 5))
        with freeze_time("2026-11-21 09:00:00"):
            callback.action_record_unreachable()
        self.assertEqual((callback.state, callback.attempt_count), ("failed", 3))
        self.assertIn("failed", callback.message_ids[0].body)

    def test_refused_ends_the_callback_without_satisfaction(self):
        callback = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        self.record(callback, "2026-11-20 12:00:00", result="refused")
        self.assertEqual(callback.state, "done")
        self.assertFalse(callback.followup_ticket_id)

    def test_cancel_needs_a_reason(self):
        callback = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        with self.assertRaises(UserError):
            callback.action_cancel()
        callback.cancel_reason = "业主要求不再回访"
        callback.action_cancel()
        self.assertEqual(callback.state, "cancelled")

    def test_dissatisfied_owner_reopens_the_repair_with_a_followup_ticket(self):
        self.company.csw_callback_followup_hours = 48
        order = self.done_order(datetime(2026, 11, 20, 10, 0))
        callback = order.callback_ids
        self.record(callback, "2026-11-21 09:00:00", satisfaction="2", comment="还在渗水")
        self.assertEqual(order.state, "notified", "back to the team, with a new notice")
        self.assertEqual(order.subcontract_id, self.subcontract, "the same responsible unit")
        self.assertEqual(order.reopen_count, 1)
        followup = callback.followup_ticket_id
        self.assertTrue(followup)
        self.assertEqual((followup.channel, followup.unit_id, followup.partner_id), ("callback", self.unit, self.owner))
        self.assertEqual(followup.date_deadline, datetime(2026, 11, 23, 9, 0))
        self.assertEqual(followup.origin_callback_id, callback)
        self.assertIn("还在渗水", followup.description)
        # done again: a new callback for the new repair
        with freeze_time("2026-11-22 14:00:00"):
            order.action_done()
        new = order.callback_ids - callback
        self.assertEqual(len(new), 1)
        self.assertEqual((new.state, new.deadline), ("planned", datetime(2026, 11, 23, 14, 0)))
        self.record(new, "2026-11-22 18:00:00", satisfaction="5")
        self.assertEqual(order.state, "done")

    def test_dissatisfied_owner_reopens_a_complaint(self):
        ticket = self.env["csw.ticket"].create(
            {"name": "维修拖延", "ticket_type": "complaint", "unit_id": self.unit.id}
        )
        ticket.write({"resolution": "<p>已催促班组</p>"})
        ticket.action_resolve()
        self.record(ticket.callback_ids, "2026-11-21 09:00:00", satisfaction="1", comment="没人来")
        self.assertEqual(ticket.state, "in_progress")
        self.assertIn("没人来", ticket.message_ids[0].body)

    def test_a_failing_reopen_leaves_the_callback_unrecorded(self):
        order = self.done_order(datetime(2026, 11, 20, 10, 0), notify_method="email")
        self.team.email = False
        callback = order.callback_ids
        # as a web request: the transaction of the failed call is rolled back
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.record(callback, "2026-11-21 09:00:00", satisfaction="1")
        self.env.invalidate_all()
        self.assertEqual(callback.state, "planned")
        self.assertEqual(order.state, "done")
        self.assertFalse(self.env["csw.ticket"].search([("origin_callback_id", "=", callback.id)]))


@tagged("post_install", "-at_install", "csw_dates")
class TestTicketClosing(CswCallbackCase):
    def test_repair_ticket_closes_only_after_its_repair_and_callback(self):
        ticket = self.env["csw.ticket"].create(
            {"name": "主卫渗水", "unit_id": self.unit.id, "resolution": "<p>已修复</p>"}
        )
        order = self.order(ticket_id=ticket.id, notify_method="written", completion_note="已修复")
        order.action_notify()
        with self.assertRaises(UserError) as err:
            ticket.action_resolve()
        self.assertIn(order.name, str(err.exception))
        with freeze_time("2026-11-20 10:00:00"):
            order.action_done()
        ticket.action_resolve()
        with self.assertRaises(UserError) as err:
            ticket.action_close()
        self.assertIn("callback", str(err.exception))
        self.assertEqual(ticket.state, "resolved")
        self.record(order.callback_ids, "2026-11-20 16:00:00", satisfaction="5")
        ticket.action_close()
        self.assertEqual(ticket.state, "closed")

    def test_an_owner_never_reached_lets_the_ticket_close(self):
        self.company.csw_callback_max_attempts = 2
        ticket = self.env["csw.ticket"].create(
            {"name": "主卫渗水", "unit_id": self.unit.id, "resolution": "<p>已修复</p>"}
        )
        order = self.done_order(datetime(2026, 11, 20, 10, 0), ticket_id=ticket.id)
        ticket.action_resolve()
        for when in ("2026-11-20 11:00:00", "2026-11-27 11:00:00"):
            self.record(order.callback_ids, when, result="unreachable")
        self.assertEqual(order.callback_ids.state, "failed")
        ticket.action_close()
        self.assertEqual(ticket.state, "closed")

    def test_a_cancelled_callback_with_a_reason_lets_the_ticket_close(self):
        ticket = self.env["csw.ticket"].create(
            {"name": "主卫渗水", "unit_id": self.unit.id, "resolution": "<p>已修复</p>"}
        )
        order = self.done_order(datetime(2026, 11, 20, 10, 0), ticket_id=ticket.id)
        ticket.action_resolve()
        order.callback_ids.write({"cancel_reason": "业主出国,委托物业确认"})
        order.callback_ids.action_cancel()
        ticket.action_close()
        self.assertEqual(ticket.state, "closed")


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackAgentScreen(CswCallbackCase):
    def test_due_today_and_overdue_in_one_click(self):
        with freeze_time("2026-11-20 10:00:00"):
            late = self.done_order(datetime(2026, 11, 19, 2, 0)).callback_ids
            today = self.done_order(datetime(2026, 11, 20, 1, 0)).callback_ids
            tomorrow = self.Callback.create(
                {
                    "unit_id": self.unit.id,
                    "callback_type": "periodic",
                    "scheduled_date": datetime(2026, 11, 21, 2, 0),
                    "deadline": datetime(2026, 11, 28, 2, 0),
                }
            )
            Callback = self.Callback.with_user(self.callback_agent).with_context(tz="Asia/Shanghai")
            mine = Callback.search([("id", "in", (late | today | tomorrow).ids)])
            self.assertEqual(mine.filtered("is_overdue"), late)
            self.assertEqual(mine.filtered("is_due_today"), today)
            self.assertEqual(Callback.search([("is_overdue", "=", True), ("id", "in", mine.ids)]), late)
            self.assertEqual(Callback.search([("is_due_today", "=", True), ("id", "in", mine.ids)]), today)
            self.assertEqual(Callback.search([("is_overdue", "=", False), ("id", "in", mine.ids)]), today | tomorrow)

    def test_overdue_callbacks_escalate_to_the_team_leader_once(self):
        self.company.csw_team_leader_id = self.manager
        callback = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        with freeze_time("2026-11-21 09:00:00"):
            self.Callback._cron_escalate_overdue()
        self.assertFalse(callback.escalated, "not overdue yet")
        with freeze_time("2026-11-21 11:00:00"):
            self.Callback._cron_escalate_overdue()
            self.Callback._cron_escalate_overdue()
        self.assertTrue(callback.escalated)
        self.assertEqual(callback.activity_ids.user_id, self.manager)
        self.assertEqual(len(callback.activity_ids), 1)

    def test_escalation_queries_do_not_depend_on_volume(self):
        self.company.csw_team_leader_id = self.manager
        # all the overdue callbacks are one agent's: the fifth-strike alert, which comes once a
        # month with a few queries of its own, is measured in test_responsibility
        self.company.csw_assessment_strike_count = 0

        def escalate(count, day):
            callbacks = self.Callback.create(
                [
                    {
                        "unit_id": self.unit.id,
                        "callback_type": "periodic",
                        "scheduled_date": datetime(2026, 10, day, 1, 0),
                        "deadline": datetime(2026, 10, day, 2, 0),
                        "user_id": self.callback_agent.id,
                    }
                    for _n in range(count)
                ]
            )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Callback._cron_escalate_overdue()
            queries = self.env.cr.sql_log_count - before
            self.assertTrue(all(callbacks.mapped("escalated")))
            return queries

        escalate(2, 1)  # warms the caches
        self.assertEqual(escalate(5, 2), escalate(60, 3))

    def test_project_agents_see_the_callbacks_of_their_estates(self):
        mine = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        foreign = self.Callback.create(
            {
                "unit_id": self.foreign_unit.id,
                "callback_type": "periodic",
                "scheduled_date": datetime(2026, 11, 21, 2, 0),
                "deadline": datetime(2026, 11, 28, 2, 0),
            }
        )
        agent_callbacks = self.Callback.with_user(self.project_agent).search([])
        self.assertIn(mine, agent_callbacks)
        self.assertNotIn(foreign, agent_callbacks)
        with self.assertRaises(AccessError):
            foreign.with_user(self.project_agent).write({"comment": "x"})
        with self.assertRaises(AccessError):
            mine.with_user(self.project_agent).unlink()
        self.assertIn(foreign, self.Callback.with_user(self.center_agent).search([]))
        self.assertFalse(self.Callback.with_user(self.other_manager).search([]), "companies are isolated")

    def test_owner_archive_shows_callbacks_and_satisfaction(self):
        first = self.done_order(datetime(2026, 11, 20, 10, 0)).callback_ids
        second = self.done_order(datetime(2026, 11, 20, 11, 0), location="厨房").callback_ids
        self.record(first, "2026-11-20 15:00:00", satisfaction="5")
        self.record(second, "2026-11-20 15:10:00", satisfaction="4")
        owner = self.owner.with_user(self.center_agent)
        self.assertEqual(owner.csw_callback_count, 2)
        self.assertAlmostEqual(owner.csw_satisfaction_avg, 4.5)
        action = owner.action_csw_view_callbacks()
        self.assertEqual(self.env["csw.callback"].search(action["domain"]), first | second)


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackRate(CswCallbackCase):
    """A hand-counted month: two estates, two teams, two agents.

    November 2026, estate 云山花园 (agent: project agent):
      W1 done, callback 5; W2 done, callback 4; W3 done, not called yet;
      D1 (tile team) done, callback 3.
    October 2026, 云山花园: W4 done, callback 5.
    November 2026, estate 星河湾 (agent: center agent), waterproofing team:
      B1 done, owner unreachable 3 times (failed); B2 done, callback 4.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.foreign_project.callback_user_id = cls.center_agent
        cls.foreign_subcontract.write({"category_ids": [(6, 0, cls.category("waterproofing").ids)], "amount": 500_000})
        cls.foreign_subcontract.action_activate()
        cls.foreign_unit.owner_id = cls.env["res.partner"].create({"name": "林国栋"})

    def setUp(self):
        super().setUp()
        w1 = self.done_order(datetime(2026, 11, 3, 2, 0))
        w2 = self.done_order(datetime(2026, 11, 10, 2, 0), location="厨房")
        self.done_order(datetime(2026, 11, 29, 2, 0), location="阳台")
        d1 = self.done_order(datetime(2026, 11, 12, 2, 0), location="客厅", category_id=self.category("decoration").id)
        w4 = self.done_order(datetime(2026, 10, 15, 2, 0), location="次卫")
        b1 = self.done_order(datetime(2026, 11, 5, 2, 0), unit_id=self.foreign_unit.id)
        b2 = self.done_order(datetime(2026, 11, 6, 2, 0), unit_id=self.foreign_unit.id, location="厨房")
        self.assertEqual(d1.subcontractor_id, self.tile_team)
        self.assertEqual(b1.subcontract_id, self.foreign_subcontract)
        self.record(w1.callback_ids, "2026-11-03 08:00:00", satisfaction="5")
        self.record(w2.callback_ids, "2026-11-10 08:00:00", satisfaction="4")
        self.record(d1.callback_ids, "2026-11-12 08:00:00", satisfaction="3")
        self.record(w4.callback_ids, "2026-10-15 08:00:00", satisfaction="5")
        # a week apart: each attempt after the retry, whatever the working hours
        for day in (5, 12, 19):
            self.record(b1.callback_ids, datetime(2026, 11, day, 3, 0), result="unreachable")
        self.assertEqual(b1.callback_ids.state, "failed")
        self.record(b2.callback_ids, "2026-11-06 08:00:00", satisfaction="4")
        self.Report = self.env["csw.callback.report"]

    def kpis(self, groupby, start=datetime(2026, 11, 1), end=datetime(2026, 12, 1)):
        return {
            group: (row["completed"], row["called_back"], round(row["rate"], 2), round(row["satisfaction"], 2))
            # the fixture's company only: demo data may complete repairs in the same months
            for group, row in self.Report._kpis(start, end, groupby, [("company_id", "=", self.company.id)]).items()
        }

    def test_callback_rate_per_estate(self):
        self.assertEqual(
            self.kpis("project_id"),
            {self.project: (4, 3, 75.0, 4.0), self.foreign_project: (2, 1, 50.0, 4.0)},
        )

    def test_callback_rate_per_team(self):
        self.assertEqual(
            self.kpis("subcontractor_id"),
            {self.team: (5, 3, 60.0, 4.33), self.tile_team: (1, 1, 100.0, 3.0)},
        )

    def test_callback_rate_per_agent(self):
        self.assertEqual(
            self.kpis("user_id"),
            {self.project_agent: (4, 3, 75.0, 4.0), self.center_agent: (2, 1, 50.0, 4.0)},
        )

    def test_callback_rate_per_month(self):
        kpis = self.kpis("done_date:month", start=datetime(2026, 10, 1))
        self.assertEqual(sorted(kpis.values()), [(1, 1, 100.0, 5.0), (6, 4, 66.67, 4.0)])

    def test_pivot_rate_is_the_share_of_repairs_called_back(self):
        rows = self.Report._read_group(
            [
                ("company_id", "=", self.company.id),
                ("done_date", ">=", datetime(2026, 11, 1)),
                ("done_date", "<", datetime(2026, 12, 1)),
            ],
            ["project_id"],
            ["callback_rate:avg", "satisfaction_score:avg"],
        )
        self.assertEqual(
            {project: (round(rate, 2), round(score, 2)) for project, rate, score in rows},
            {self.project: (75.0, 4.0), self.foreign_project: (50.0, 4.0)},
        )

    def test_a_project_agent_sees_the_rate_of_their_estates_only(self):
        rows = self.Report.with_user(self.project_agent)._read_group(
            [("company_id", "=", self.company.id)], ["project_id"], ["__count"]
        )
        self.assertEqual([project for project, _count in rows], [self.project])
