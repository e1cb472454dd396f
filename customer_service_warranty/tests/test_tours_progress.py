from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_tours import CswPortalTourCase


@tagged("post_install", "-at_install")
class TestOwnerProgressTours(CswPortalTourCase):
    """The owner follows a repair under way on the portal, on a desktop."""

    # the tours of the parent class run once, in their own class

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.phone = "0757-22888888"
        cls.team.mobile = "13902288776"

    def order_under_way(self):
        order = self.notified_order()
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=2)
        order._set_appointment(start, start + timedelta(hours=2))
        order.action_start()
        return order

    def test_owner_sees_the_progress_of_a_repair(self):
        self.order_under_way()
        self.start_tour("/my", "csw_owner_progress", login=self.owner_user.login, timeout=120)


@tagged("post_install", "-at_install")
class TestOwnerProgressPhoneTours(TestOwnerProgressTours):
    """The same at a phone's width, and the team's job list read on a phone."""

    browser_size = "390x844"
    touch_enabled = True

    def test_team_reads_its_jobs_on_a_phone(self):
        self.notified_order()
        self.start_tour("/my/jobs", "csw_team_job_list", login=self.team_user.login, timeout=120)
