from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_ticket import CswTicketCase


@tagged("post_install", "-at_install", "csw_dates")
class TestTicketSla(CswTicketCase):
    """Deadlines in working hours of the company calendar, paused while waiting on the owner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # counted here on working hours, as a company may choose (complaints resolved within a
        # working week); the shipped clock hours are tested in test_sla_time_basis
        cls.env.ref("customer_service_warranty.sla_policy_complaint").write(
            {"time_basis": "working", "resolve_hours": 40}
        )
        cls.env.ref("customer_service_warranty.sla_policy_repair_urgent").time_basis = "working"

    def test_shipped_targets_follow_the_manuals(self):
        complaint = self.ticket(ticket_type="complaint")
        self.assertEqual(complaint.sla_policy_id.response_hours, 24)
        urgent = self.ticket(ticket_type="repair", priority="2")
        self.assertEqual((urgent.sla_policy_id.response_hours, urgent.sla_policy_id.resolve_hours), (2, 24))
        normal = self.ticket(ticket_type="repair", priority="0")
        self.assertEqual(normal.sla_policy_id, self.env.ref("customer_service_warranty.sla_policy_repair_normal"))

    def test_company_policy_wins_over_the_shared_one(self):
        own = self.env["csw.sla.policy"].create(
            {
                "name": "本公司投诉",
                "ticket_type": "complaint",
                "response_hours": 4,
                "resolve_hours": 16,
                "company_id": self.company.id,
            }
        )
        self.assertEqual(self.ticket(ticket_type="complaint").sla_policy_id, own)
        foreign = (
            self.env["csw.ticket"]
            .with_company(self.other_company)
            .create({"name": "投诉", "ticket_type": "complaint", "company_id": self.other_company.id})
        )
        self.assertEqual(foreign.sla_policy_id, self.env.ref("customer_service_warranty.sla_policy_complaint"))

    def test_deadline_over_a_weekend(self):
        # Friday 2026-11-20 17:00: one hour left that day, then Monday
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 20, 17, 0))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 23, 10, 0))
        # 24 working hours: Fri 1 h, Mon 8 h, Tue 8 h, Wed 7 h (9-12, 13-17)
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 11, 25, 17, 0))

    def test_deadline_skips_a_public_holiday(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "公共假日",
                "calendar_id": self.calendar.id,
                "date_from": self.shanghai(2026, 11, 23, 0, 0),
                "date_to": self.shanghai(2026, 11, 23, 23, 59),
            }
        )
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 20, 17, 0))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 24, 10, 0))
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 11, 26, 17, 0))

    def test_deadlines_of_a_batch_equal_those_planned_one_by_one(self):
        # a holiday week, starts at night, in the lunch break and on a Sunday, durations up
        # to 400 working hours (beyond the batch's margin: planned one by one)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "国庆节",
                "calendar_id": self.calendar.id,
                "date_from": self.shanghai(2026, 10, 1, 0, 0),
                "date_to": self.shanghai(2026, 10, 7, 23, 59),
            }
        )
        policy = self.env.ref("customer_service_warranty.sla_policy_repair_normal")
        starts = [
            self.shanghai(2026, 9, 30, 17, 30),
            self.shanghai(2026, 10, 4, 3, 0),
            self.shanghai(2026, 10, 8, 12, 15),
            self.shanghai(2026, 10, 11, 22, 0),
        ]
        durations = [0.5, 2, 7.2, 24, 38.4, 72, 400]
        requests = {(start, hours): (policy, start, hours, self.company) for start in starts for hours in durations}
        planned = self.env["csw.sla.policy"]._plan_batch(requests)
        for (start, hours), deadline in planned.items():
            with self.subTest(start=start, hours=hours):
                self.assertEqual(deadline, policy._plan(start, hours, self.company))
        self.assertEqual(len(planned), len(requests))

    def test_complaint_answered_within_24_working_hours(self):
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(2026, 11, 16, 9, 0))
        self.assertEqual(ticket.response_deadline, self.shanghai(2026, 11, 18, 18, 0))

    def test_waiting_on_the_owner_pauses_the_clock(self):
        received = self.shanghai(2026, 11, 16, 9, 0)  # Monday
        ticket = self.ticket(ticket_type="complaint", received_date=received)
        response, resolution = ticket.response_deadline, ticket.resolve_deadline
        with freeze_time(self.shanghai(2026, 11, 16, 10, 0)):
            ticket.action_start()
            ticket.action_wait()
        self.assertEqual(ticket.waiting_since, self.shanghai(2026, 11, 16, 10, 0))
        with freeze_time(self.shanghai(2026, 11, 17, 10, 0)):
            ticket.action_resume()
        # a whole working day (8 h) waiting: both deadlines move one working day
        self.assertEqual(ticket.sla_paused_hours, 8)
        self.assertFalse(ticket.waiting_since)
        self.assertEqual(ticket.resolve_deadline, self.shanghai(2026, 11, 23, 18, 0))
        self.assertGreater(ticket.resolve_deadline, resolution)
        self.assertEqual(ticket.response_deadline, response)  # answered before waiting

    def test_first_response_by_reply_to_the_owner(self):
        ticket = self.ticket(ticket_type="consultation", received_date=self.shanghai(2026, 11, 16, 9, 0))
        ticket.message_post(body="内部备注", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertFalse(ticket.first_response_date)
        with freeze_time(self.shanghai(2026, 11, 16, 11, 0)):
            ticket.with_user(self.center_agent).message_post(
                body="您好,已安排维修师傅明天上门。", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.first_response_date, self.shanghai(2026, 11, 16, 11, 0))
        self.assertFalse(ticket.response_breached)
        self.assertEqual(ticket.state, "new")

    def test_first_response_by_leaving_new(self):
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(2026, 11, 16, 9, 0))
        with freeze_time(self.shanghai(2026, 11, 19, 9, 0)):  # after the 24 working hours
            ticket.action_start()
        self.assertEqual(ticket.first_response_date, self.shanghai(2026, 11, 19, 9, 0))
        self.assertTrue(ticket.response_breached)
        self.assertEqual(ticket.sla_state, "breached")

    def test_tickets_are_created_with_the_sla_state_the_cron_would_give(self):
        # an import on Monday 2026-11-16 11:05 of tickets received earlier, some already handled
        received = [self.shanghai(2026, 11, 16, hour, minute) for hour, minute in ((11, 0), (9, 30), (8, 0))]
        values = [
            {"name": "渗水", "unit_id": self.unit.id, "priority": "2", "received_date": when} for when in received
        ]
        values += [
            {**values[2], "state": "in_progress", "first_response_date": self.shanghai(2026, 11, 16, 8, 30)},
            {**values[2], "state": "waiting", "waiting_since": self.shanghai(2026, 11, 16, 9, 30)},
            {
                **values[2],
                "state": "resolved",
                "resolution": "<p>已修复</p>",
                "resolved_date": self.shanghai(2026, 11, 16, 10, 0),
            },
            {**values[2], "state": "cancelled"},
        ]
        with freeze_time(self.shanghai(2026, 11, 16, 11, 5)):
            tickets = self.env["csw.ticket"].create(values)
            created = [(ticket.response_breached, ticket.sla_state) for ticket in tickets]
            self.env.flush_all()
            tickets.invalidate_recordset()
            tickets._refresh_sla_state()
        self.assertEqual(created, [(ticket.response_breached, ticket.sla_state) for ticket in tickets])
        # response targets 2 h (at risk after 1 h 30): 11:00 on track, 9:30 at risk, 8:00 breached
        self.assertEqual(
            [state for _breached, state in created],
            ["on_track", "at_risk", "breached", "on_track", "on_track", "on_track", "on_track"],
        )
        self.assertEqual([breached for breached, _state in created], [False, False, True, False, False, False, False])

    def test_on_track_at_risk_breached(self):
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        # response target 2 h, at risk with less than 25 % left: after 10:30
        with freeze_time(self.shanghai(2026, 11, 16, 10, 0)):
            ticket._refresh_sla_state()
            self.assertEqual(ticket.sla_state, "on_track")
        with freeze_time(self.shanghai(2026, 11, 16, 10, 45)):
            ticket._refresh_sla_state()
            self.assertEqual(ticket.sla_state, "at_risk")
        with freeze_time(self.shanghai(2026, 11, 16, 11, 5)):
            self.env["csw.ticket"]._refresh_sla_state(every_ticket=True)
            self.assertEqual(ticket.sla_state, "breached")
            self.assertTrue(ticket.response_breached)
            # answering late does not clear the breach
            ticket.action_start()
            self.assertEqual(ticket.sla_state, "breached")

    def test_an_empty_write_over_the_api_refreshes_no_ticket(self):
        with freeze_time(self.shanghai(2026, 11, 16, 9, 30)):
            ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        self.assertEqual(ticket.sla_state, "on_track")
        with freeze_time(self.shanghai(2026, 11, 16, 11, 5)):
            # an integrator's write([], ...) and action on no record: Odoo returns before the
            # access check, so they must not refresh every running ticket as superuser
            nobody = self.env["csw.ticket"].with_user(self.project_agent).browse()
            nobody.write({"state": "in_progress"})
            with self.assertRaises(UserError):
                nobody.action_start()
            # nor does any code path that ends in a refresh of no ticket
            nobody._refresh_sla_state()
            self.assertEqual(ticket.sla_state, "on_track", "untouched: the 11:00 breach is the cron's to set")
            self.env["csw.ticket"]._cron_escalate()
            self.assertEqual(ticket.sla_state, "breached")

    def test_resolved_in_time_is_on_track(self):
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        with freeze_time(self.shanghai(2026, 11, 16, 9, 30)):
            ticket.action_start()
            ticket.resolution = "<p>已更换角阀</p>"
            ticket.action_resolve()
        self.assertEqual(ticket.sla_state, "on_track")
        self.assertEqual(ticket.resolved_date, self.shanghai(2026, 11, 16, 9, 30))
        with freeze_time(datetime(2027, 1, 1)):
            self.env["csw.ticket"]._refresh_sla_state(every_ticket=True)
        self.assertEqual(ticket.sla_state, "on_track")

    def test_waiting_ticket_is_not_breached_while_paused(self):
        ticket = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        with freeze_time(self.shanghai(2026, 11, 16, 9, 10)):
            ticket.action_start()
            ticket.action_wait()
        with freeze_time(self.shanghai(2026, 11, 20, 9, 0)):
            self.env["csw.ticket"]._cron_escalate()
        self.assertEqual(ticket.sla_state, "on_track")
        self.assertEqual(ticket.escalation_level, 0)

    def test_tickets_resumed_together_each_add_their_own_wait(self):
        received = self.shanghai(2026, 11, 16, 9, 0)  # Monday
        tickets = self.ticket(received_date=received) | self.ticket(received_date=received)
        with freeze_time(self.shanghai(2026, 11, 16, 10, 0)):
            tickets.action_start()
            tickets[0].action_wait()
        with freeze_time(self.shanghai(2026, 11, 16, 14, 0)):
            tickets[1].action_wait()
        with freeze_time(self.shanghai(2026, 11, 17, 10, 0)):
            tickets.action_resume()
        # a working day (8 h) for the first; Monday 14-18 and Tuesday 9-10 (5 h) for the second
        self.assertEqual(tickets.mapped("sla_paused_hours"), [8, 5])
        self.assertEqual(tickets.mapped("waiting_since"), [False, False])
        self.assertEqual(tickets.mapped("state"), ["in_progress", "in_progress"])

    def test_resolving_late_breaches_and_in_time_clears_the_risk(self):
        # response target 2 h, at risk after 10:30; resolution target 24 working hours
        on_time = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        late = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        with freeze_time(self.shanghai(2026, 11, 16, 10, 45)):
            on_time._refresh_sla_state()
            self.assertEqual(on_time.sla_state, "at_risk")
            (on_time | late).action_start()
            on_time.resolution = "<p>已更换角阀</p>"
            on_time.action_resolve()
        self.assertEqual(on_time.sla_state, "on_track")
        # answered in time, and no cron runs until it is resolved: the late resolution
        # itself counts as breached
        self.assertEqual(late.sla_state, "on_track")
        with freeze_time(self.shanghai(2026, 11, 30, 9, 0)):
            late.resolution = "<p>已修复</p>"
            late.action_resolve()
        self.assertFalse(late.response_breached)
        self.assertFalse(late.resolve_on_time)
        self.assertEqual(late.sla_state, "breached")
