from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_tours import CswPortalTourCase


@tagged("post_install", "-at_install")
class TestAppointmentTours(CswPortalTourCase):
    """The visit driven by a browser at a phone's width: the owner picks a time the team
    proposed; the foreman checks in and closes the job with the owner's acceptance code."""

    browser_size = "390x844"
    touch_enabled = True

    # the tours of the parent class run once, in their own class

    def test_owner_picks_a_proposed_window(self):
        order = self.notified_order()
        now = fields.Datetime.now().replace(microsecond=0)
        windows = [
            (now + timedelta(hours=3), now + timedelta(hours=5)),
            (now + timedelta(hours=20), now + timedelta(hours=22)),
        ]
        order._portal_propose_windows(windows)

        self.start_tour("/my/repairs", "csw_owner_pick_window", login=self.owner_user.login, timeout=120)

        self.env.invalidate_all()
        self.assertEqual((order.appointment_start, order.appointment_end), windows[1])
        self.assertFalse(order.appointment_window_ids)

    def test_team_checks_in_and_closes_with_the_owners_code(self):
        order = self.notified_order()
        order.sudo().acceptance_code = "246810"

        self.start_tour("/my/jobs", "csw_team_check_in_code", login=self.team_user.login, timeout=120)

        self.env.invalidate_all()
        self.assertRecordValues(order, [{"state": "done", "owner_sign_off": "code"}])
        self.assertIn(order.check_in_location_status, ("refused", "unavailable", "recorded"))
        self.assertEqual(order.before_photo_ids.name, "before.png")
        self.assertEqual(order.completion_photo_ids.name, "after.png")
        self.assertLessEqual(order.entry_date, order.done_date)
        self.assertFalse(order.sudo().acceptance_code, "the code is used")
