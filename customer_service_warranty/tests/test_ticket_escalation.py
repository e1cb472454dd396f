from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common_ticket import CswTicketCase


@tagged("post_install", "-at_install", "csw_dates")
class TestTicketEscalation(CswTicketCase):
    @staticmethod
    def _gm_assessments(ticket):
        return ticket.assessment_ids.filtered(lambda a: a.reason == "complaint_gm")

    def _activities(self, tickets):
        return self.env["mail.activity"].search([("res_model", "=", "csw.ticket"), ("res_id", "in", tickets.ids)])

    def test_breached_complaint_climbs_three_levels_assessing_only_the_late_response(self):
        received = self.shanghai(2026, 11, 16, 9, 0)
        complaint = self.ticket(ticket_type="complaint", received_date=received, user_id=self.project_agent.id)
        # the CS manager's to-do at the complaint's arrival: the escalations come on top of it
        intake = self._activities(complaint)
        breach = complaint.response_deadline + timedelta(minutes=5)
        Ticket = self.env["csw.ticket"]
        with freeze_time(breach):
            Ticket._cron_escalate()
        self.assertEqual(complaint.sla_state, "breached")
        self.assertEqual(complaint.escalation_level, 1)
        self.assertEqual((self._activities(complaint) - intake).user_id, self.team_leader)
        self.assertIn("level 1", complaint.message_ids[0].body)
        late = complaint.assessment_ids
        self.assertEqual((late.reason, late.user_id, late.amount), ("overdue_response", self.project_agent, 50))
        with freeze_time(breach + timedelta(hours=23)):
            Ticket._cron_escalate()
        self.assertEqual(complaint.escalation_level, 1, "the interval (24 h) has not passed yet")
        with freeze_time(breach + timedelta(hours=24, minutes=1)):
            Ticket._cron_escalate()
        self.assertEqual(complaint.escalation_level, 2)
        self.assertIn(self.manager, (self._activities(complaint) - intake).user_id)
        self.assertFalse(self._gm_assessments(complaint))
        with freeze_time(breach + timedelta(hours=48, minutes=2)):
            Ticket._cron_escalate()
        self.assertEqual(complaint.escalation_level, 3)
        self.assertIn(self.general_manager, self._activities(complaint).user_id)
        # the ladder reaching the GM is the agent's late response, already assessed once: the
        # ¥200 of the general manager comes only from a complaint made to them (issue 20)
        self.assertFalse(self._gm_assessments(complaint))
        with freeze_time(breach + timedelta(days=10)):
            Ticket._cron_escalate()
        self.assertEqual(complaint.escalation_level, 3)
        self.assertEqual(complaint.assessment_ids.mapped("reason"), ["overdue_response"], "once")

    def test_complaint_breached_on_resolution_reaching_level_three_is_a_late_response(self):
        received = self.shanghai(2026, 11, 16, 9, 0)
        complaint = self.ticket(ticket_type="complaint", received_date=received, user_id=self.project_agent.id)
        with freeze_time(received + timedelta(hours=1)):
            complaint.action_start()  # answered in time: no overdue response at the breach
        Ticket = self.env["csw.ticket"]
        breach = complaint.resolve_deadline + timedelta(minutes=5)
        for hours in (0, 25, 50, 75):
            with freeze_time(breach + timedelta(hours=hours)):
                Ticket._cron_escalate()
        self.assertEqual(complaint.escalation_level, 3)
        late = complaint.assessment_ids
        self.assertEqual((late.reason, late.user_id, late.amount), ("overdue_response", self.project_agent, 50))

    def test_level_three_on_a_repair_creates_no_assessment(self):
        repair = self.ticket(ticket_type="repair", priority="2", received_date=self.shanghai(2026, 11, 16, 9, 0))
        for days in (1, 3, 5):
            with freeze_time(self.shanghai(2026, 11, 16 + days, 12, 0)):
                self.env["csw.ticket"]._cron_escalate()
        self.assertEqual(repair.escalation_level, 3)
        self.assertFalse(self._gm_assessments(repair))

    def test_resolved_tickets_do_not_escalate(self):
        ticket = self.ticket(ticket_type="complaint", received_date=self.shanghai(2026, 11, 16, 9, 0))
        ticket.write({"resolution": "<p>已致电业主解释</p>"})
        ticket.action_resolve()
        with freeze_time(self.shanghai(2026, 12, 1, 9, 0)):
            self.env["csw.ticket"]._cron_escalate()
        self.assertEqual(ticket.escalation_level, 0)

    def test_cron_queries_do_not_grow_with_the_number_of_tickets(self):
        received = self.shanghai(2026, 11, 16, 9, 0)
        Ticket = self.env["csw.ticket"]
        # only the tickets of this test run (demo tickets would escalate on their own)
        Ticket.search([("state", "in", ("new", "in_progress", "waiting"))]).write({"state": "cancelled"})
        # all the late responses are the lead's: the fifth-strike alert, which comes once a month
        # with a few queries of its own, is measured in test_responsibility
        self.company.csw_assessment_strike_count = 0

        def escalate(count, start_day):
            # taken as the calls come in: the clock never sees a ticket received in its future
            with freeze_time(received + timedelta(days=start_day)):
                tickets = Ticket.create(
                    [
                        {
                            "name": f"投诉{n}",
                            "ticket_type": "complaint",
                            "unit_id": self.unit.id,
                            "received_date": received + timedelta(days=start_day),
                        }
                        for n in range(count)
                    ]
                )
            with freeze_time(tickets[0].response_deadline + timedelta(minutes=1)):
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                Ticket._cron_escalate()
                queries = self.env.cr.sql_log_count - before
            self.assertEqual(set(tickets.mapped("escalation_level")), {1})
            tickets.write({"state": "cancelled"})
            return queries

        escalate(3, 0)  # warms the caches
        few = escalate(10, 7)
        hundred = escalate(100, 14)
        many = escalate(200, 21)
        self.assertEqual(few, hundred)
        # The ORM writes and inserts 100 rows per statement: 200 tickets cost a few more
        # statements than 100, where one query per ticket would cost 190 more.
        self.assertLessEqual(many - few, 10)

    def test_late_answer_assessed_within_the_lookback_and_history_left_alone(self):
        # answered late, before the cron ran: assessed at its next run
        received = self.shanghai(2026, 11, 16, 9, 0)
        answered_late = self.ticket(ticket_type="complaint", received_date=received, user_id=self.project_agent.id)
        with freeze_time(answered_late.response_deadline + timedelta(hours=1)):
            answered_late.action_start()
            self.env["csw.ticket"]._cron_escalate()
        self.assertTrue(answered_late.response_breached)
        self.assertEqual(answered_late.assessment_ids.mapped("reason"), ["overdue_response"])
        # a breach older than the look-back (imported history): not assessed years later
        with freeze_time(self.shanghai(2026, 11, 17, 9, 0)):
            old = self.env["csw.ticket"].create(
                {
                    "name": "卫生间天花渗水",
                    "unit_id": self.unit.id,
                    "ticket_type": "complaint",
                    "received_date": self.shanghai(2024, 3, 4, 9, 0),
                    "user_id": self.project_agent.id,
                }
            )
        self.assertTrue(old.response_breached)
        with freeze_time(self.shanghai(2026, 11, 17, 9, 0)):
            self.env["csw.ticket"]._cron_escalate()
        self.assertFalse(old.assessment_ids.filtered(lambda a: a.reason == "overdue_response"))
