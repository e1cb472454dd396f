import re
from urllib.parse import urlparse

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_portal import PNG, CswPortalCase


@tagged("post_install", "-at_install")
class TestPortalRecordRules(CswPortalCase):
    """What owners and teams can reach through the ORM, whatever page they call."""

    def test_owners_see_only_their_own_records(self):
        periodic = self.unit.callback_ids.filtered(lambda c: c.callback_type == "periodic")
        self.assertTrue(periodic, "the handover planned periodic callbacks")
        for model, mine in (
            ("csw.unit", self.unit),
            ("csw.ticket", self.ticket),
            ("csw.repair.order", self.job | self.tile_job | self.draft_job | self.done_job),
            ("csw.callback", self.callback | periodic),
        ):
            with self.subTest(model=model):
                self.assertEqual(self.env[model].with_user(self.owner_user).search([]), mine)
        with self.assertRaises(AccessError):
            self.other_ticket.with_user(self.owner_user).read(["name"])
        with self.assertRaises(AccessError):
            self.other_unit.with_user(self.owner_user).read(["name"])

    def test_teams_see_only_the_orders_they_were_notified_of(self):
        jobs = self.env["csw.repair.order"].with_user(self.team_user).search([])
        self.assertEqual(jobs, self.job | self.other_job | self.done_job | self.other_callback.repair_order_id)
        self.assertNotIn(self.draft_job, jobs, "a draft is not sent to the team yet")
        self.assertNotIn(self.tile_job, jobs, "another team's job")
        self.assertFalse(self.env["csw.ticket"].with_user(self.team_user).search([]), "teams see no tickets")
        self.assertFalse(self.env["csw.callback"].with_user(self.team_user).search([]))

    def test_portal_users_change_nothing_directly(self):
        for user in (self.owner_user, self.team_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.job.with_user(user).write({"state": "done"})
                with self.assertRaises(AccessError):
                    self.env["csw.ticket"].with_user(user).create({"name": "x", "unit_id": self.unit.id})
                with self.assertRaises(AccessError):
                    self.callback.with_user(user).write({"satisfaction": "5"})

    def test_teams_and_owners_never_see_money_nor_deductions(self):
        for user in (self.owner_user, self.team_user):
            with self.subTest(user=user.login):
                for field in ("substitute_cost", "compensation_amount", "loss_estimate", "deduction_id"):
                    with self.assertRaises(AccessError):
                        self.job.with_user(user).read([field])
                for model in ("csw.deduction", "csw.subcontract", "csw.project", "csw.assessment"):
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(user).search([])


@tagged("post_install", "-at_install")
class TestPortalPages(CswPortalCase):
    def post(self, url, data=None, files=None):
        return self.url_open(url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, files=files)

    def assert_refused(self, response, *hidden):
        self.assertIn(urlparse(response.url).path, ("/my", "/my/home"), "sent back to the portal home")
        for text in hidden:
            self.assertNotIn(text, response.text)

    def assert_error(self, response, *words):
        """The page shows the refusal (in the user's language), naming ``words``."""
        error = re.search(r'class="alert alert-danger o_csw_error"[^>]*>([^<]*)<', response.text)
        self.assertTrue(error, "the refusal is shown")
        for word in words:
            self.assertIn(word, error.group(1))

    def test_owner_lists_show_only_their_records(self):
        self.authenticate("owner_zhou", "owner_zhou")
        tickets = self.url_open("/my/tickets")
        self.assertIn(self.ticket.name, tickets.text)
        self.assertNotIn(self.other_ticket.name, tickets.text)
        repairs = self.url_open("/my/repairs")
        self.assertIn(self.job.name, repairs.text)
        self.assertNotIn(self.other_job.name, repairs.text)
        home = self.url_open(f"/my/homes/{self.unit.id}")
        self.assertIn("2030", home.text, "waterproofing covered 5 years from the 2025 handover")

    def test_another_owners_ids_in_the_url_never_show_their_records(self):
        self.authenticate("owner_zhou", "owner_zhou")
        for url in (
            f"/my/tickets/{self.other_ticket.id}",
            f"/my/repairs/{self.other_job.id}",
            f"/my/homes/{self.other_unit.id}",
            f"/my/jobs/{self.job.id}",  # an owner is not the team
            f"/my/tickets/{self.other_ticket.id}?access_token=forged",
            "/my/tickets/999999999",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                self.assert_refused(response, self.other_ticket.name, self.other_owner.name, self.other_job.name)

    def test_a_team_cannot_act_on_another_teams_job(self):
        self.authenticate("team_chenji", "team_chenji")
        self.assert_refused(self.url_open(f"/my/jobs/{self.job.id}"), self.job.location)
        self.assert_refused(self.post(f"/my/jobs/{self.job.id}/start"))
        self.assert_refused(self.post(f"/my/jobs/{self.job.id}/done", {"completion_note": "修好了"}))
        self.job.invalidate_recordset()
        self.assertEqual(self.job.state, "notified")

    def test_an_owner_cannot_answer_another_owners_callback(self):
        self.authenticate("owner_zhou", "owner_zhou")
        self.assert_refused(self.post(f"/my/callbacks/{self.other_callback.id}/answer", {"satisfaction": "1"}))
        self.other_callback.invalidate_recordset()
        self.assertEqual((self.other_callback.state, self.other_callback.satisfaction), ("planned", False))

    def test_repair_request_creates_a_portal_ticket_with_photos_and_an_acknowledgement(self):
        self.authenticate("owner_zhou", "owner_zhou")
        response = self.post(
            "/my/repair-request",
            {
                "unit_id": self.unit.id,
                "location": "厨房吊顶",
                "category_id": self.category("waterproofing_kitchen").id,
                "description": "楼上厨房用水时,吊顶滴水",
            },
            files=[("photos", ("吊顶.png", PNG, "image/png")), ("photos", ("说明.png", PNG, "image/png"))],
        )
        ticket = self.env["csw.ticket"].search([("location", "=", "厨房吊顶")])
        self.assertEqual(urlparse(response.url).path, f"/my/tickets/{ticket.id}")
        self.assertIn("o_csw_request_received", response.text)
        self.assertEqual(
            (ticket.channel, ticket.ticket_type, ticket.unit_id, ticket.partner_id),
            ("portal", "repair", self.unit, self.owner),
        )
        photos = self.env["ir.attachment"].search([("res_model", "=", "csw.ticket"), ("res_id", "=", ticket.id)])
        self.assertEqual(photos.mapped("mimetype"), ["image/png", "image/png"])
        ack = ticket.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(ack), 1)
        self.assertIn(ticket.number, ack.subject)
        self.assertEqual(
            ack.notification_ids.filtered(lambda n: n.res_partner_id == self.owner).notification_type,
            "email",
            "e-mailed to the owner",
        )

    def test_repair_request_refuses_files_that_are_not_photos_or_too_big(self):
        self.company.csw_portal_upload_limit_mb = 1
        self.authenticate("owner_zhou", "owner_zhou")
        form = {"unit_id": self.unit.id, "location": "阳台", "description": "阳台地面积水"}
        for name, content in (
            ("photo.png", b"#!/bin/sh\nrm -rf /\n"),
            ("big.png", PNG + b"\0" * (1024 * 1024)),
        ):
            with self.subTest(name=name):
                response = self.post("/my/repair-request", form, files=[("photos", (name, content, "image/png"))])
                self.assert_error(response, name)
                self.assertIn("阳台地面积水", response.text, "what the owner typed is kept")
        self.assertFalse(self.env["csw.ticket"].search([("location", "=", "阳台")]), "nothing half-written")
        response = self.post("/my/repair-request", {**form, "unit_id": self.other_unit.id})
        self.assert_error(response)
        self.assertFalse(self.env["csw.ticket"].search([("location", "=", "阳台")]))

    def test_repair_request_with_a_nul_character_is_refused_on_the_page(self):
        self.authenticate("owner_zhou", "owner_zhou")
        form = {"unit_id": self.unit.id, "location": "北阳台\x00", "description": "阳台地面积水"}
        response = self.post("/my/repair-request", form)
        self.assertEqual(response.status_code, 200, "the form again with the error, not an internal error")
        self.assert_error(response)
        self.assertFalse(self.env["csw.ticket"].search([("location", "like", "北阳台")]), "nothing half-written")

    def test_owner_answers_a_callback_like_an_agent_would(self):
        self.authenticate("owner_zhou", "owner_zhou")
        page = self.url_open("/my/callbacks")
        self.assertIn(self.done_job.location, page.text)
        response = self.post(
            f"/my/callbacks/{self.callback.id}/answer", {"satisfaction": "2", "comment": "窗台还在渗水"}
        )
        self.assertIn("o_csw_answered", response.text)
        self.env.invalidate_all()
        self.assertEqual((self.callback.state, self.callback.satisfaction), ("done", "2"))
        self.assertEqual(self.done_job.state, "notified", "reopened to the same team")
        self.assertEqual(self.callback.followup_ticket_id.origin_callback_id, self.callback)
        # answering twice is refused without changing anything
        self.post(f"/my/callbacks/{self.callback.id}/answer", {"satisfaction": "5"})
        self.env.invalidate_all()
        self.assertEqual(self.callback.satisfaction, "2")

    def test_team_confirms_entry_then_reports_the_job_done(self):
        self.authenticate("team_shunan", "team_shunan")
        jobs = self.url_open("/my/jobs")
        self.assertIn(self.job.location, jobs.text)
        self.assertNotIn(self.tile_job.location, jobs.text)
        page = self.url_open(f"/my/jobs/{self.job.id}")
        self.assertIn(self.owner.mobile, page.text, "the team may call the owner to get in")
        self.post(f"/my/jobs/{self.job.id}/start")
        self.job.invalidate_recordset()
        self.assertEqual(self.job.state, "in_progress")
        refused = self.post(f"/my/jobs/{self.job.id}/done", {"completion_note": " "})
        self.assert_error(refused)
        self.job.invalidate_recordset()
        self.assertEqual(self.job.state, "in_progress")
        done = self.post(
            f"/my/jobs/{self.job.id}/done",
            {"completion_note": "重做防水层,闭水 48 小时无渗漏"},
            files=[("photos", ("完工.png", PNG, "image/png"))],
        )
        self.assertIn("o_csw_job_done", done.text)
        self.env.invalidate_all()
        self.assertEqual(self.job.state, "done")
        self.assertEqual(self.job.completion_photo_ids.mimetype, "image/png")
        self.assertEqual(self.job.callback_ids.state, "planned", "the owner's callback is planned")
        self.assertNotIn(self.owner.mobile, self.url_open(f"/my/jobs/{self.job.id}").text, "done: no more phone")

    def test_home_counters(self):
        self.authenticate("owner_zhou", "owner_zhou")
        counters = ["csw_unit_count", "csw_ticket_count", "csw_repair_count", "csw_callback_count", "csw_job_count"]
        owner = self.make_jsonrpc_request("/my/counters", {"counters": counters})
        self.assertEqual(
            {name: owner[name] for name in counters},
            {
                "csw_unit_count": 1,
                "csw_ticket_count": 1,
                "csw_repair_count": 4,
                "csw_callback_count": 1,
                "csw_job_count": 0,
            },
        )
        self.authenticate("team_shunan", "team_shunan")
        team = self.make_jsonrpc_request("/my/counters", {"counters": counters})
        self.assertEqual((team["csw_job_count"], team["csw_ticket_count"], team["csw_unit_count"]), (4, 0, 0))

    def test_team_sees_its_completion_deadline_once_on_site(self):
        self.job.action_start()
        self.assertTrue(self.job.done_deadline)
        # as the portal prints it: in the team's language and time zone
        team = self.team_user
        as_team = self.env["ir.qweb.field.datetime"].with_user(team).with_context(lang=team.lang, tz=team.tz)
        finish_by = as_team.value_to_html(self.job.done_deadline, {})
        self.assertNotEqual(finish_by, as_team.value_to_html(self.job.entry_deadline, {}))
        # the list, on a phone, to the minute
        in_list = {"tz_name": team.tz or self.company.resource_calendar_id.tz or "UTC", "format": "MM-dd HH:mm"}
        self.authenticate("team_shunan", "team_shunan")
        self.assertIn(
            as_team.value_to_html(self.job.done_deadline, in_list),
            self.url_open("/my/jobs").text,
            "the list gives the started job's completion deadline",
        )
        self.assertIn(finish_by, self.url_open(f"/my/jobs/{self.job.id}").text)
