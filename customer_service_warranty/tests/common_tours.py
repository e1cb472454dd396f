import unittest

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user

CENTER_AGENT = "customer_service_warranty.group_csw_center_agent"


class CswTourCase(HttpCase):
    """The web client and the portal driven by a browser, on data built here (no demo data): a
    company whose users read English, its CS agent and an estate handed over half a year ago.

    The browser's clock cannot be frozen, so the estate's dates follow today's: its warranties
    are running whatever the day the suite runs.
    """

    agent_login = "csw_tour_agent"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the users of the tours read English, which a database installed in Chinese lacks
        cls.env["res.lang"]._activate_lang("en_US")
        cls.company = cls.env["res.company"].create({"name": "Jade Lake Property Co."})
        cls.env.user.write({"company_ids": [(4, cls.company.id)]})
        cls.company_values = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)], "lang": "en_US"}
        cls.agent = new_test_user(
            cls.env, login=cls.agent_login, groups=f"base.group_user,{CENTER_AGENT}", **cls.company_values
        )
        today = fields.Date.today()
        cls.project = cls.env["csw.project"].create(
            {
                "name": "Jade Lake Garden",
                "code": "JLG",
                "company_id": cls.company.id,
                "completion_date": today - relativedelta(years=1),
                "handover_date": today - relativedelta(months=6),
                "cs_user_id": cls.agent.id,
            }
        )

    def browser_js(self, *args, **kwargs):
        # Odoo skips browser tests without Chrome or websocket-client: here they must fail.
        try:
            return super().browser_js(*args, **kwargs)
        except unittest.SkipTest as skip:
            self.fail(f"the tour could not run in a browser (install Chromium and websocket-client): {skip}")


class CswPortalTourCase(CswTourCase):
    """An owner and the foreman of the estate's waterproofing team, both on the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.env["res.partner"].create(
            {"name": "Zhou Xiaoming", "email": "zhou.xiaoming@example.com", "mobile": "13800138000", "lang": "en_US"}
        )
        cls.unit = cls.env["csw.unit"].create(
            {"name": "T8-0808", "project_id": cls.project.id, "owner_id": cls.owner.id}
        )
        cls.bathroom = cls.env.ref("customer_service_warranty.category_waterproofing_bathroom")
        cls.team = cls.env["res.partner"].create(
            {"name": "Shun'an Waterproofing Co.", "is_company": True, "email": "shunan@example.com"}
        )
        cls.foreman = cls.env["res.partner"].create(
            {"name": "Li Qiang", "parent_id": cls.team.id, "email": "li.qiang@example.com", "lang": "en_US"}
        )
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

        def portal_user(login, partner):
            return new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                partner_id=partner.id,
                name=partner.name,
                email=partner.email,
                **cls.company_values,
            )

        cls.owner_user = portal_user("csw_tour_owner", cls.owner)
        cls.team_user = portal_user("csw_tour_team", cls.foreman)

    def notified_order(self):
        """A leak in the owner's bathroom, notified in writing to the team of its subcontract."""
        order = self.env["csw.repair.order"].create(
            {
                "unit_id": self.unit.id,
                "location": "Master bathroom ceiling",
                "category_id": self.bathroom.id,
                "description": "<p>Water drips from the ceiling.</p>",
                "notify_method": "written",
            }
        )
        order.action_notify()
        return order
