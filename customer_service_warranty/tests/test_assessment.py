from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common_callback import CswCallbackCase
from .common_ticket import CswTicketCase


@tagged("post_install", "-at_install")
class TestAssessmentSource(CswCallbackCase):
    def test_service_failure_names_its_person_source_and_cause(self):
        order = self.done_order(datetime(2026, 11, 20, 2, 0), user_id=self.project_agent.id)
        callback = order.callback_ids
        self.record(callback, "2026-11-20 08:00:00", satisfaction="2", comment="颜色也不一致")
        failure = self.env["csw.assessment"].search([("callback_id", "=", callback.id)])
        self.assertEqual(failure.reason, "service_failure")
        self.assertEqual(failure.display_name, f"Service failure · {self.project_agent.name} · {order.name}")
        self.assertEqual(failure.source_ref, callback)
        self.assertEqual(failure.repair_order_id, order)
        self.assertIn("(2/5)", failure.note)
        self.assertIn("颜色也不一致", failure.note)


@tagged("post_install", "-at_install")
class TestResponsePenalty(CswTicketCase):
    def test_no_response_penalty_on_praise_and_suggestion(self):
        received = self.shanghai(2026, 11, 16, 9, 0)
        tickets = {
            ticket_type: self.ticket(
                ticket_type=ticket_type, received_date=received, user_id=self.project_agent.id, name=ticket_type
            )
            for ticket_type in ("praise", "suggestion", "consultation")
        }
        late = max(ticket.response_deadline for ticket in tickets.values()) + timedelta(minutes=5)
        with freeze_time(late):
            self.env["csw.ticket"]._cron_escalate()
        self.assertTrue(all(ticket.response_breached for ticket in tickets.values()), "all three answered late")
        self.assertFalse(tickets["praise"].assessment_ids)
        self.assertFalse(tickets["suggestion"].assessment_ids)
        penalty = tickets["consultation"].assessment_ids
        self.assertEqual((penalty.reason, penalty.user_id), ("overdue_response", self.project_agent))
        self.assertIn(tickets["consultation"].number, penalty.note)
        self.assertIn(tickets["consultation"].number, penalty.display_name)
