from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common_tours import CswTourCase


class CswCallerTourCase(CswTourCase):
    """A known caller: an owner with an open ticket, its repair and a callback, in an estate whose
    waterproofing team has no e-mail."""

    agent_login = "csw_caller_agent"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.env["res.partner"].create({"name": "Zhou Xiaoming", "mobile": "13800138000", "lang": "en_US"})
        cls.unit = cls.env["csw.unit"].create(
            {"name": "3-2-1102", "project_id": cls.project.id, "owner_id": cls.owner.id}
        )
        cls.env["csw.unit"].create({"name": "3-2-1101", "project_id": cls.project.id})
        # a team without e-mail: the notice is a written contact form
        cls.team = cls.env["res.partner"].create({"name": "Shun'an Waterproofing Co.", "is_company": True})
        cls.subcontract = cls.env["csw.subcontract"].create(
            {
                "name": "JLG-WP-001",
                "partner_id": cls.team.id,
                "project_id": cls.project.id,
                "category_ids": [(6, 0, cls.env.ref("customer_service_warranty.category_waterproofing").ids)],
                "entry_hours": 24,
            }
        )
        cls.subcontract.action_activate()
        # the owner's earlier call, still open, and its repair
        cls.earlier = cls.env["csw.ticket"].create({"name": "Balcony drain blocked", "unit_id": cls.unit.id})
        cls.env["csw.repair.order"].create(
            {
                "unit_id": cls.unit.id,
                "ticket_id": cls.earlier.id,
                "location": "Balcony drain",
                "category_id": cls.env.ref("customer_service_warranty.category_plumbing_drain").id,
            }
        )
        cls.env["csw.callback"].create(
            {
                "unit_id": cls.unit.id,
                "callback_type": "periodic",
                "scheduled_date": fields.Date.today() + relativedelta(months=3),
                "deadline": fields.Date.today() + relativedelta(months=3, days=1),
            }
        )


@tagged("post_install", "-at_install")
class TestCallerSearchTour(CswCallerTourCase):
    """Enter in the ticket, callback and unit lists finds the caller (desktop)."""

    def test_list_searches_find_the_caller_on_enter(self):
        self.start_tour("/odoo", "csw_caller_search", login=self.agent.login, timeout=240)


@tagged("post_install", "-at_install")
class TestCallerSearchTourPhone(TestCallerSearchTour):
    """The same searches on a phone (390 px wide, touch)."""

    browser_size = "390x844"
    touch_enabled = True


@tagged("post_install", "-at_install")
class TestAgentQuickDispatchTour(CswCallerTourCase):
    """From the landing page to the printed notice for a known caller."""

    def test_known_caller_to_printed_notice_in_eight_clicks(self):
        self.assertEqual(self.agent.action_id.id, self.env.ref("customer_service_warranty.csw_ticket_action").id)
        self.start_tour("/odoo", "csw_agent_quick_dispatch", login=self.agent.login, timeout=240)

        self.env.invalidate_all()
        ticket = self.env["csw.ticket"].search([("unit_id", "=", self.unit.id), ("id", "!=", self.earlier.id)])
        self.assertRecordValues(
            ticket,
            [
                {
                    "channel": "phone",
                    "partner_id": self.owner.id,
                    "intake_user_id": self.agent.id,
                    "priority": "2",
                    "location": "Master bathroom ceiling",
                }
            ],
        )
        order = ticket.repair_order_ids
        self.assertRecordValues(
            order,
            [
                {
                    "subcontract_id": self.subcontract.id,
                    "state": "notified",
                    "notify_method": "written",
                    "is_emergency": True,
                }
            ],
        )
        self.assertTrue(order.notice_attachment_id)
