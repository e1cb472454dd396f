from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_ticket import CswTicketCase

# Monday 2026-11-16, 21:14 in Shanghai (13:14 UTC): an owner phones about water dripping
# through a ceiling, after the service centre has closed (Mon-Fri 9:00-12:00, 13:00-18:00)
MONDAY_NIGHT = (2026, 11, 16, 21, 14)

EMAIL = """Return-Path: <{email_from}>
From: 业主 <{email_from}>
To: kefu@example.com
Subject: {subject}
Message-ID: <{subject}@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

楼上漏水,天花板一直在滴水,物业至今没有处理,我要投诉。
"""


@tagged("post_install", "-at_install", "csw_dates")
class TestSlaTimeBasis(CswTicketCase):
    """Each policy counts its targets and the waits on the owner in clock hours (day and
    night) or working hours; the CS manager hears of a complaint as it arrives."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint_policy = cls.env.ref("customer_service_warranty.sla_policy_complaint")
        cls.urgent_policy = cls.env.ref("customer_service_warranty.sla_policy_repair_urgent")
        cls.consultation_policy = cls.env.ref("customer_service_warranty.sla_policy_consultation")
        cls.manager.tz = "Asia/Shanghai"

    def on_working_hours(self, policy):
        policy.with_user(self.manager).time_basis = "working"

    def manager_todos(self, tickets):
        return self.env["mail.activity"].search(
            [("res_model", "=", "csw.ticket"), ("res_id", "in", tickets.ids), ("user_id", "=", self.manager.id)]
        )

    def manager_notifications(self):
        return self.env["mail.message"].search(
            [("message_type", "=", "user_notification"), ("partner_ids", "in", self.manager.partner_id.ids)]
        )

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------
    def test_shipped_policies_promise_the_manuals_hours_in_clock_time(self):
        bases = {
            xmlid: self.env.ref(f"customer_service_warranty.sla_policy_{xmlid}").time_basis
            for xmlid in ("complaint", "complaint_major", "repair_urgent", "repair_major", "repair_normal")
        }
        self.assertEqual(
            bases,
            {
                "complaint": "clock",
                "complaint_major": "clock",
                "repair_urgent": "clock",
                "repair_major": "clock",
                "repair_normal": "working",
            },
        )
        self.assertEqual(self.env["csw.sla.policy"].new({}).time_basis, "clock")

    def test_monday_night_complaint_is_answered_by_tuesday_night_not_thursday(self):
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(*MONDAY_NIGHT))
        self.assertEqual(ticket.received_date.strftime("%H:%M"), "13:14", "stored in UTC")
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 17, 21, 14))
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 11, 23, 21, 14), "168 clock hours")

    def test_monday_night_complaint_on_working_hours_is_answered_by_thursday_evening(self):
        self.on_working_hours(self.complaint_policy)
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(*MONDAY_NIGHT))
        # the office opens on Tuesday at 9:00: Tuesday, Wednesday and Thursday, 8 h each
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 19, 18, 0))

    def test_urgent_repair_in_clock_hours_2_h_and_24_h_day_and_night(self):
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(*MONDAY_NIGHT))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 16, 23, 14))
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 11, 17, 21, 14))
        # at risk with less than 25 % left: 1 h 30 and 18 h after the call
        self.assertEqual(ticket.response_risk_date, self.shanghai(2026, 11, 16, 22, 44))
        self.assertEqual(ticket.resolve_risk_date, self.shanghai(2026, 11, 17, 15, 14))
        with freeze_time(self.shanghai(2026, 11, 16, 23, 20)):
            self.env["csw.ticket"]._refresh_sla_state(every_ticket=True)
        self.assertEqual(ticket.sla_state, "breached", "no one answered during the night")

    def test_urgent_repair_in_working_hours_waits_for_the_office_to_open(self):
        self.on_working_hours(self.urgent_policy)
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(*MONDAY_NIGHT))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 17, 11, 0))
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 11, 19, 18, 0))

    def test_clock_hours_ignore_the_weekend_and_public_holidays(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "公共假日",
                "calendar_id": self.calendar.id,
                "date_from": self.shanghai(2026, 11, 23, 0, 0),
                "date_to": self.shanghai(2026, 11, 23, 23, 59),
            }
        )
        friday = self.shanghai(2026, 11, 20, 17, 0)
        clock = self.ticket(ticket_type="repair", priority="2", received_date=friday)
        self.assertEqual(clock.resolve_deadline, self.shanghai(2026, 11, 21, 17, 0))
        self.on_working_hours(self.urgent_policy)
        working = self.ticket(ticket_type="repair", priority="2", received_date=friday)
        self.assertEqual(working.resolve_deadline, self.shanghai(2026, 11, 26, 17, 0))

    def test_working_hours_of_the_policy_calendar_rather_than_the_company_one(self):
        duty = self.env["resource.calendar"].create(
            {
                "name": "24小时值班",
                "tz": "Asia/Shanghai",
                "company_id": False,
                "attendance_ids": [
                    (0, 0, {"name": f"{day}", "dayofweek": str(day), "hour_from": 0, "hour_to": 24}) for day in range(7)
                ],
            }
        )
        self.urgent_policy.with_user(self.manager).write({"time_basis": "working", "calendar_id": duty.id})
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(*MONDAY_NIGHT))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 16, 23, 14))
        # the calendar is ignored in clock hours
        self.urgent_policy.with_user(self.manager).time_basis = "clock"
        self.assertEqual(self.urgent_policy._calendar(self.company), self.env["resource.calendar"])

    # ------------------------------------------------------------------
    # Waiting on the owner
    # ------------------------------------------------------------------
    def _wait_a_day(self, waited):
        """A complaint waits on the owner from Monday 10:00 to Tuesday 10:00: ``waited`` hours."""
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(2026, 11, 16, 9, 0))
        resolution = ticket.resolve_deadline
        with freeze_time(self.shanghai(2026, 11, 16, 10, 0)):
            ticket.action_start()
            ticket.action_wait()
        with freeze_time(self.shanghai(2026, 11, 17, 10, 0)):
            self.assertEqual(ticket._waiting_hours(self.shanghai(2026, 11, 17, 10, 0)), waited)
            ticket.action_resume()
        return ticket, resolution

    def test_waiting_in_clock_hours_pauses_day_and_night(self):
        ticket, resolution = self._wait_a_day(24)
        self.assertEqual(ticket.sla_paused_hours, 24)
        self.assertEqual(ticket.resolve_deadline, resolution + timedelta(hours=24))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 17, 9, 0), "answered before waiting")

    def test_waiting_in_working_hours_pauses_the_working_hours_only(self):
        self.on_working_hours(self.complaint_policy)
        ticket, _resolution = self._wait_a_day(8)
        self.assertEqual(ticket.sla_paused_hours, 8)
        # 168 working hours from Monday 9:00 (21 working days), one more for the wait
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 12, 15, 18, 0))

    # ------------------------------------------------------------------
    # Changing a policy
    # ------------------------------------------------------------------
    def test_changing_a_policy_moves_the_open_tickets_and_leaves_history_alone(self):
        received = self.shanghai(*MONDAY_NIGHT)
        values = {"ticket_type": "consultation", "received_date": received}
        new, waiting, resolved, closed = (self.ticket(**values) for _n in range(4))
        with freeze_time(self.shanghai(2026, 11, 17, 9, 30)):
            (waiting | resolved | closed).action_start()
            waiting.action_wait()
            (resolved | closed).write({"resolution": "<p>已电话答复业主</p>"})
            (resolved | closed).action_resolve()
            closed.action_close()
        # 8 working hours: the end of Tuesday
        self.assertEqual(set((new | closed).mapped("response_deadline")), {self.shanghai(2026, 11, 17, 18, 0)})
        history = [(t.response_deadline, t.resolve_deadline, t.sla_state) for t in resolved | closed]
        with freeze_time(self.shanghai(2026, 11, 17, 9, 45)):
            self.consultation_policy.with_user(self.manager).write({"time_basis": "clock", "response_hours": 4})
        self.assertEqual(new.response_deadline, self.shanghai(2026, 11, 17, 1, 14))
        self.assertEqual(new.resolve_deadline, self.shanghai(2026, 11, 17, 21, 14))
        self.assertEqual(waiting.response_deadline, self.shanghai(2026, 11, 17, 1, 14))
        # the new target is already missed by the ticket nobody has answered
        self.assertEqual(new.sla_state, "breached")
        self.assertTrue(new.response_breached)
        self.assertEqual(waiting.resolve_deadline, self.shanghai(2026, 11, 17, 21, 14))
        self.assertEqual(history, [(t.response_deadline, t.resolve_deadline, t.sla_state) for t in resolved | closed])

    def test_a_new_calendar_moves_the_open_tickets_on_working_hours(self):
        ticket = self.ticket(ticket_type="consultation", received_date=self.shanghai(*MONDAY_NIGHT))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 17, 18, 0))
        early = self.calendar.copy({"name": "客服中心早班", "company_id": False})
        early.attendance_ids.filtered(lambda a: a.hour_from == 9).hour_from = 8
        early.attendance_ids.filtered(lambda a: a.hour_to == 18).hour_to = 17
        self.consultation_policy.with_user(self.manager).calendar_id = early
        # 8:00-12:00 and 13:00-17:00
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 17, 17, 0))

    def test_a_policy_change_recomputes_any_number_of_tickets_in_the_same_queries(self):
        # one policy throughout, so whatever other open tickets it has (demo data) count alike
        policy = self.consultation_policy

        def change(size, hours, deadline_hour):
            with freeze_time(self.shanghai(*MONDAY_NIGHT)):
                tickets = self.env["csw.ticket"].create(
                    [{"name": f"咨询{n}", "ticket_type": "consultation", "unit_id": self.unit.id} for n in range(size)]
                )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(self.shanghai(2026, 11, 17, 9, 0)):
                policy.with_user(self.manager).write({"response_hours": hours})
                self.env.flush_all()
            # 9:00-12:00 and 13:00-18:00 on the Tuesday
            self.assertEqual(set(tickets.mapped("response_deadline")), {self.shanghai(2026, 11, 17, deadline_hour, 0)})
            return self.env.cr.sql_log_count - before

        change(1, 2, 11)  # warms the caches
        self.assertEqual(change(3, 4, 14), change(30, 5, 15))

    # ------------------------------------------------------------------
    # The manager hears of complaints at once
    # ------------------------------------------------------------------
    def test_manager_gets_a_todo_and_a_notification_as_a_complaint_arrives(self):
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(*MONDAY_NIGHT))
        todo = self.manager_todos(ticket)
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(todo.date_deadline, date(2026, 11, 17), "the day of the response deadline")
        notification = self.manager_notifications()
        self.assertEqual(len(notification), 1)
        self.assertEqual((notification.model, notification.res_id), ("csw.ticket", ticket.id))
        self.assertIn(ticket.number, notification.body)
        self.assertIn(self.manager.name, ticket.message_ids[0].body)

    def test_complaint_taken_by_an_agent_is_reported_in_their_name(self):
        with freeze_time(self.shanghai(*MONDAY_NIGHT)):
            ticket = (
                self.env["csw.ticket"]
                .with_user(self.center_agent)
                .create({"name": "天花板滴水", "ticket_type": "complaint", "unit_id": self.unit.id})
            )
        self.assertEqual(self.manager_todos(ticket).date_deadline, date(2026, 11, 17))
        self.assertEqual(self.manager_notifications().author_id, self.center_agent.partner_id)

    def test_complaint_by_email_reaches_the_manager_too(self):
        self.owner.email = "zhou.xiaoming@example.com"
        self.env.ref("customer_service_warranty.mail_alias_ticket").alias_defaults = "{'ticket_type': 'complaint'}"
        with freeze_time(self.shanghai(*MONDAY_NIGHT)), mute_logger("odoo.addons.mail.models.mail_thread"):
            ticket_id = self.env["mail.thread"].message_process(
                False, EMAIL.format(email_from="zhou.xiaoming@example.com", subject="天花板滴水").encode()
            )
        ticket = self.env["csw.ticket"].browse(ticket_id)
        self.assertEqual((ticket.ticket_type, ticket.channel), ("complaint", "email"))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 17, 21, 14))
        self.assertEqual(self.manager_todos(ticket).date_deadline, date(2026, 11, 17))
        self.assertEqual(self.manager_notifications().res_id, ticket.id)

    def test_a_batch_of_complaints_gives_one_notification_and_a_todo_each(self):
        with freeze_time(self.shanghai(*MONDAY_NIGHT)):
            tickets = self.env["csw.ticket"].create(
                [{"name": f"投诉{n}", "ticket_type": "complaint", "unit_id": self.unit.id} for n in range(3)]
                + [{"name": "报修", "ticket_type": "repair", "unit_id": self.unit.id}]
            )
        complaints = tickets.filtered(lambda t: t.ticket_type == "complaint")
        self.assertEqual(set(self.manager_todos(tickets).mapped("res_id")), set(complaints.ids))
        notification = self.manager_notifications()
        self.assertEqual(len(notification), 1)
        for ticket in complaints:
            self.assertIn(ticket.number, notification.body)

    def test_no_report_when_the_setting_is_off_or_no_manager_is_set(self):
        self.company.csw_complaint_notify_manager = False
        off = self.ticket(ticket_type="complaint", received_date=self.shanghai(*MONDAY_NIGHT))
        self.company.write({"csw_complaint_notify_manager": True, "csw_cs_manager_id": False})
        nobody = self.ticket(ticket_type="complaint", received_date=self.shanghai(*MONDAY_NIGHT))
        self.assertFalse(
            self.env["mail.activity"].search([("res_model", "=", "csw.ticket"), ("res_id", "in", (off | nobody).ids)])
        )
        self.assertFalse(self.manager_notifications())
        self.assertTrue(nobody.response_deadline)

    def test_reported_complaint_still_climbs_the_escalation_ladder(self):
        complaint = self.ticket(
            ticket_type="complaint", received_date=self.shanghai(*MONDAY_NIGHT), user_id=self.project_agent.id
        )
        intake = self.manager_todos(complaint)
        breach = complaint.response_deadline + timedelta(minutes=5)
        for hours, level, whom in ((0, 1, self.team_leader), (24, 2, self.manager), (48, 3, self.general_manager)):
            with freeze_time(breach + timedelta(hours=hours, minutes=level)):
                self.env["csw.ticket"]._cron_escalate()
            self.assertEqual(complaint.escalation_level, level)
            self.assertIn(whom, complaint.activity_ids.user_id)
        self.assertEqual(len(self.manager_todos(complaint) - intake), 1, "level 2 adds its own to-do")
        # the late response is assessed once; the general manager's ¥200 belongs to complaints made to them
        self.assertEqual(complaint.assessment_ids.mapped("reason"), ["overdue_response"])
