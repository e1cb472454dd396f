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
