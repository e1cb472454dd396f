from odoo.tests import tagged

from .common_tours import CswPortalTourCase


@tagged("post_install", "-at_install")
class TestTours(CswPortalTourCase):
    """An owner reports a leak on the portal, the responsible team does the repair from its
    portal, and an agent turns a phone call into a ticket and a repair order.
    """

    def test_owner_reports_a_problem_with_a_photo(self):
        self.start_tour("/my", "csw_owner_repair_request", login=self.owner_user.login, timeout=120)

        self.env.invalidate_all()
        ticket = self.env["csw.ticket"].search([("unit_id", "=", self.unit.id)])
        self.assertEqual(len(ticket), 1)
        self.assertRecordValues(
            ticket,
            [
                {
                    "channel": "portal",
                    "ticket_type": "repair",
                    "unit_id": self.unit.id,
                    "partner_id": self.owner.id,
                    "location": "Master bathroom ceiling",
                }
            ],
        )
        photos = self.env["ir.attachment"].search([("res_model", "=", "csw.ticket"), ("res_id", "=", ticket.id)])
        self.assertEqual(photos.mapped("mimetype"), ["image/png"])
        self.assertEqual(photos.name, "ceiling.png")
        template = self.env.ref("customer_service_warranty.csw_ticket_mail_template_ack")
        subject = template._render_field("subject", ticket.ids, compute_lang=True)[ticket.id]
        ack = ticket.message_ids.filtered(lambda m: m.subject == subject)
        self.assertEqual(len(ack), 1, "one acknowledgement rendered from the template")
        self.assertEqual(ack.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(self.owner, ack.partner_ids)
        self.assertIn(ticket.number, ack.body)

    def test_team_confirms_entry_and_reports_done_with_a_photo(self):
        order = self.notified_order()
        self.assertEqual(order.subcontract_id, self.subcontract)

        self.start_tour("/my/jobs", "csw_team_job", login=self.team_user.login, timeout=120)

        self.env.invalidate_all()
        self.assertEqual(order.state, "done")
        self.assertEqual(order.completion_photo_ids.mapped("mimetype"), ["image/png"])
        self.assertEqual(order.completion_photo_ids.name, "repaired.png")
        self.assertTrue(order.entry_date)
        self.assertTrue(order.done_date)
        self.assertLessEqual(order.entry_date, order.done_date)
        self.assertIn("shower tray", order.completion_note)
        callback = self.env["csw.callback"].search([("repair_order_id", "=", order.id)])
        self.assertRecordValues(callback, [{"callback_type": "repair", "state": "planned"}])

    def test_agent_turns_a_phone_call_into_a_repair_order(self):
        self.start_tour(
            "/odoo/action-customer_service_warranty.csw_ticket_action",
            "csw_agent_phone_call",
            login=self.agent.login,
            timeout=180,
        )

        self.env.invalidate_all()
        ticket = self.env["csw.ticket"].search([("unit_id", "=", self.unit.id)])
        self.assertEqual(len(ticket), 1)
        self.assertRecordValues(
            ticket, [{"channel": "phone", "name": "Water through the bathroom ceiling", "partner_id": self.owner.id}]
        )
        order = self.env["csw.repair.order"].search([("ticket_id", "=", ticket.id)])
        self.assertRecordValues(
            order,
            [
                {
                    "unit_id": self.unit.id,
                    "location": "Master bathroom ceiling",
                    "category_id": self.bathroom.id,
                    "subcontract_id": self.subcontract.id,
                    "state": "draft",
                }
            ],
        )
