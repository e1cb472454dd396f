import re
from datetime import timedelta

from odoo import fields, http
from odoo.tests import tagged

from .common_portal import PNG, CswPortalCase


@tagged("post_install", "-at_install")
class TestPortalAppointment(CswPortalCase):
    """The visit on the portal pages: what the owner and the team see and do."""

    def post(self, url, data=None, files=None):
        return self.url_open(url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, files=files)

    def error_of(self, response):
        error = re.search(r'class="alert alert-danger o_csw_error"[^>]*>([^<]*)<', response.text)
        return error and error.group(1)

    def test_only_the_owner_sees_the_acceptance_code_of_their_own_orders(self):
        code, other_code = self.job.sudo().acceptance_code, self.other_job.sudo().acceptance_code
        self.authenticate("owner_zhou", "owner_zhou")
        page = self.url_open(f"/my/repairs/{self.job.id}")
        self.assertIn(code, page.text)
        self.assertNotIn(other_code, self.url_open(f"/my/repairs/{self.other_job.id}").text)
        self.authenticate("team_shunan", "team_shunan")
        self.assertNotIn(code, self.url_open(f"/my/jobs/{self.job.id}").text, "the team must ask the owner")
        self.assertNotIn(code, self.url_open(f"/my/repairs/{self.job.id}").text)

    def test_owner_picks_a_window_the_team_proposed(self):
        self.authenticate("team_shunan", "team_shunan")
        tomorrow = fields.Datetime.context_timestamp(self.job, fields.Datetime.now() + timedelta(hours=20))
        start, end = tomorrow.strftime("%Y-%m-%dT%H:00"), (tomorrow + timedelta(hours=2)).strftime("%Y-%m-%dT%H:00")
        self.post(f"/my/jobs/{self.job.id}/windows", {"window_start": start, "window_end": end})
        self.assertEqual(len(self.job.appointment_window_ids), 1)
        self.authenticate("owner_wu", "owner_wu")
        window = self.job.appointment_window_ids
        self.post(f"/my/repairs/{self.job.id}/windows/{window.id}/pick")
        self.assertFalse(self.job.appointment_start, "another owner cannot pick")
        self.authenticate("owner_zhou", "owner_zhou")
        self.assertIn("o_csw_pick_window", self.url_open(f"/my/repairs/{self.job.id}").text)
        self.post(f"/my/repairs/{self.job.id}/windows/{window.id}/pick")
        self.env.invalidate_all()
        self.assertEqual(self.job.appointment_start, window.start if window.exists() else self.job.appointment_start)
        self.assertTrue(self.job.appointment_start)
        self.authenticate("team_shunan", "team_shunan")
        self.assertIn("o_csw_job_visit", self.url_open("/my/jobs").text, "the team's list shows the visit")

    def test_wrong_codes_are_refused_on_the_team_page_and_counted(self):
        self.authenticate("team_shunan", "team_shunan")
        self.post(f"/my/jobs/{self.job.id}/check-in", {"location": "refused"})
        self.env.invalidate_all()
        self.assertRecordValues(self.job, [{"state": "in_progress", "check_in_location_status": "refused"}])
        code = self.job.sudo().acceptance_code
        wrong = "000000" if code != "000000" else "111111"
        refused = self.post(f"/my/jobs/{self.job.id}/done", {"completion_note": "重做防水层", "acceptance_code": wrong})
        team_lang = self.env["res.users"].search([("login", "=", "team_shunan")]).lang
        expected = self.env(context={"lang": team_lang})._(
            "This is not the owner's acceptance code: ask the owner for the code shown on their page."
        )
        self.assertEqual(self.error_of(refused), expected, "the refusal in the team's language")
        self.env.invalidate_all()
        self.assertEqual(self.job.state, "in_progress")
        self.assertEqual(self.job.sudo().acceptance_code_failures, 1, "the wrong code is counted")
        self.post(
            f"/my/jobs/{self.job.id}/done",
            {"completion_note": "重做防水层", "acceptance_code": code},
            files=[("photos", ("完工.png", PNG, "image/png"))],
        )
        self.env.invalidate_all()
        self.assertRecordValues(self.job, [{"state": "done", "owner_sign_off": "code"}])

    def test_team_reports_the_owner_not_home_with_a_door_photo(self):
        self.authenticate("team_chenji", "team_chenji")
        self.post(f"/my/jobs/{self.job.id}/not-home", files=[("photos", ("门口.png", PNG, "image/png"))])
        self.assertEqual(self.job.no_show_count, 0, "another team cannot report it")
        self.authenticate("team_shunan", "team_shunan")
        self.post(
            f"/my/jobs/{self.job.id}/not-home", {"note": "敲门无人"}, files=[("photos", ("门口.png", PNG, "image/png"))]
        )
        self.env.invalidate_all()
        self.assertEqual(self.job.no_show_count, 1)

    def test_owner_confirms_the_repair_on_the_portal(self):
        self.authenticate("owner_zhou", "owner_zhou")
        self.post(f"/my/repairs/{self.done_job.id}/sign-off")
        self.env.invalidate_all()
        self.assertEqual(self.done_job.owner_sign_off, "portal")
        self.assertIn("o_csw_signed_off", self.url_open(f"/my/repairs/{self.done_job.id}").text)
