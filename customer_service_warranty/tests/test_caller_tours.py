import unittest
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

CENTER_AGENT = "customer_service_warranty.group_csw_center_agent"


class CswCallerTourCase(HttpCase):
    """A known caller: an owner with an open ticket, its repair and a callback, in an estate whose
    waterproofing team has no e-mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the users of the tours read English, which a database installed in Chinese lacks
        cls.env["res.lang"]._activate_lang("en_US")
        cls.company = cls.env["res.company"].create({"name": "Jade Lake Property Co."})
        cls.env.user.write({"company_ids": [(4, cls.company.id)]})
        company_values = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)], "lang": "en_US"}
        cls.agent = new_test_user(
            cls.env, login="csw_caller_agent", groups=f"base.group_user,{CENTER_AGENT}", **company_values
        )
        cls.project = cls.env["csw.project"].create(
            {
                "name": "Jade Lake Garden",
                "code": "JLG",
                "company_id": cls.company.id,
                "completion_date": date(2023, 6, 1),
                "handover_date": date(2023, 12, 1),
                "cs_user_id": cls.agent.id,
            }
        )
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
                "scheduled_date": "2030-01-01",
                "deadline": "2030-01-02",
            }
        )

    def browser_js(self, *args, **kwargs):
        # Odoo skips browser tests without Chrome or websocket-client: here they must fail.
        try:
            return super().browser_js(*args, **kwargs)
        except unittest.SkipTest as skip:
            self.fail(f"the tour could not run in a browser (install Chromium and websocket-client): {skip}")


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
