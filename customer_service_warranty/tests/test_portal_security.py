"""The security review of 2026-11 (issue 17): each attack, refused, and nothing changed."""

from datetime import date, timedelta
from urllib.parse import urlparse

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import CswCase
from .common_portal import PNG, CswPortalCase


class CswPortalAttackCase(CswPortalCase):
    def post(self, url, data=None, files=None):
        return self.url_open(url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, files=files)

    def call(self, model, method, ids, **kwargs):
        """A JSON-RPC call as the authenticated user, as the web client or a script makes it."""
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": kwargs},
        )

    def chatter_post(self, record, **post_data):
        """A post through the portal's chatter, as its composer sends it."""
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": record._name,
                "thread_id": record.id,
                "post_data": {"message_type": "comment", "subtype_xmlid": "mail.mt_comment", **post_data},
            },
        )

    def portal_user(self, login, partner):
        return new_test_user(
            self.env,
            login=login,
            groups="base.group_portal",
            partner_id=partner.id,
            company_id=self.company.id,
            company_ids=[self.company.id],
        )


@tagged("post_install", "-at_install", "csw_dates")
class TestFirstResponse(CswPortalAttackCase):
    """M1: only a person's reply or call is the agent's first response."""

    def test_portal_repair_request_acknowledgement_is_not_the_first_response(self):
        self.authenticate("owner_zhou", "owner_zhou")
        self.post(
            "/my/repair-request",
            {"unit_id": self.unit.id, "location": "书房", "description": "书房墙面渗水"},
        )
        ticket = self.env["csw.ticket"].search([("location", "=", "书房")])
        self.assertTrue(ticket.message_ids.filtered(lambda m: ticket.number in (m.subject or "")), "acknowledged")
        self.assertFalse(ticket.first_response_date, "the acknowledgement is sent by the system")
        self.assertNotEqual(ticket.sla_state, "breached")
        ticket.with_user(self.center_agent).message_post(
            body="您好,明天上午安排师傅上门查看", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertTrue(ticket.first_response_date, "the agent's own reply is")

    def test_automatic_message_in_the_agents_name_is_not_the_first_response(self):
        ticket = self.env["csw.ticket"].create({"name": "外墙渗水", "unit_id": self.unit.id})
        # a system post (a cron's, a template's) authored as the agent
        ticket.message_post(
            body="系统自动回复",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.center_agent.partner_id.id,
        )
        self.assertFalse(ticket.first_response_date)


@tagged("post_install", "-at_install", "csw_dates")
class TestPortalMessagePost(CswPortalAttackCase):
    """M2: owners and teams post as themselves, in public, to the followers only."""

    def assert_post_refused(self, record, **kwargs):
        before = record.message_ids
        with self.assertRaises(JsonRpcException) as err:
            self.call(record._name, "message_post", [record.id], body="我是客服,请回电", **kwargs)
        self.assertIn("AccessError", str(err.exception))
        record.invalidate_recordset()
        self.assertEqual(record.message_ids, before, "nothing posted")

    def test_owner_cannot_post_as_staff_to_others_or_as_a_note_over_rpc(self):
        self.authenticate("owner_zhou", "owner_zhou")
        comment = {"message_type": "comment", "subtype_xmlid": "mail.mt_comment"}
        for name, kwargs in (
            ("as the agent", {**comment, "author_id": self.center_agent.partner_id.id}),
            ("as another owner", {**comment, "author_id": self.other_owner.id}),
            ("to a partner not following", {**comment, "partner_ids": [self.other_owner.id]}),
            ("an internal note", {"message_type": "comment", "subtype_xmlid": "mail.mt_note"}),
            ("an internal flag", {**comment, "is_internal": True}),
            ("the default subtype (a note)", {"message_type": "comment"}),
            ("a spoofed sender", {**comment, "email_from": self.center_agent.email_formatted}),
        ):
            with self.subTest(name):
                self.assert_post_refused(self.ticket, **kwargs)
        self.assertFalse(self.ticket.first_response_date)

    def test_owner_cannot_create_a_staff_message_directly_over_rpc(self):
        self.authenticate("owner_zhou", "owner_zhou")
        before = self.ticket.message_ids
        comment = self.env.ref("mail.mt_comment").id
        values = {"model": "csw.ticket", "res_id": self.ticket.id, "body": "客服:已处理", "message_type": "comment"}
        for name, extra in (
            ("as the agent", {"subtype_id": comment, "author_id": self.center_agent.partner_id.id}),
            ("an internal note", {"subtype_id": self.env.ref("mail.mt_note").id}),
            ("to a partner not following", {"subtype_id": comment, "partner_ids": [(4, self.other_owner.id)]}),
        ):
            with self.subTest(name), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw/mail.message/create",
                    {"model": "mail.message", "method": "create", "args": [{**values, **extra}], "kwargs": {}},
                )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.message_ids, before, "nothing posted")

    def test_team_cannot_post_as_staff_on_its_job_over_rpc(self):
        self.authenticate("team_shunan", "team_shunan")
        self.assert_post_refused(
            self.job,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.center_agent.partner_id.id,
        )
        self.assert_post_refused(self.job, message_type="comment", subtype_xmlid="mail.mt_note")

    def test_owner_and_team_still_comment_through_the_portal_chatter(self):
        self.authenticate("owner_zhou", "owner_zhou")
        self.chatter_post(self.ticket, body="请尽快安排", partner_ids=[self.other_owner.id])
        message = self.ticket.message_ids.filtered(lambda m: "请尽快安排" in str(m.body))
        self.assertEqual(message.author_id, self.owner)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertNotIn(self.other_owner, message.partner_ids, "the controller keeps the followers only")
        self.assertFalse(self.ticket.first_response_date, "the owner's own comment is not a response")
        self.authenticate("team_shunan", "team_shunan")
        self.chatter_post(self.job, body="明天上午进场")
        self.assertEqual(self.job.message_ids.filtered(lambda m: "明天上午进场" in str(m.body)).author_id, self.foreman)


@tagged("post_install", "-at_install", "csw_dates")
class TestJobPhotos(CswPortalAttackCase):
    """M3 and L3: a team reaches the defect photos of its own job, while the job is theirs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.photo = cls.env["ir.attachment"].create(
            {"name": "天花.png", "raw": PNG, "res_model": "csw.repair.order", "res_id": cls.job.id}
        )
        cls.job.photo_ids = [(4, cls.photo.id)]
        cls.secret = (
            cls.env["ir.attachment"]
            .with_company(cls.other_company)
            .create(
                {
                    "name": "工资表.pdf",
                    "raw": b"%PDF-1.4 salaries",
                    "res_model": "res.partner",
                    "res_id": cls.other_company.partner_id.id,
                    "company_id": cls.other_company.id,
                }
            )
        )

    def test_agent_cannot_link_a_foreign_attachment_as_a_defect_photo(self):
        other_order_photo = self.env["ir.attachment"].create(
            {"name": "阳台.png", "raw": PNG, "res_model": "csw.repair.order", "res_id": self.other_job.id}
        )
        job = self.job.with_user(self.project_agent)
        for attachment in (self.secret, other_order_photo):
            with self.subTest(attachment=attachment.name):
                # refused by the photo check (or, another company's, by the company check first)
                with self.assertRaises(UserError):
                    job.write({"photo_ids": [(4, attachment.id)]})
                self.assertEqual(self.job.photo_ids, self.photo)
        # the photos of the order's ticket, and a photo the agent just uploaded for it, are fine
        ticket_photo = self.env["ir.attachment"].create(
            {"name": "报修.png", "raw": PNG, "res_model": "csw.ticket", "res_id": self.ticket.id}
        )
        upload = (
            self.env["ir.attachment"]
            .with_user(self.project_agent)
            .create({"name": "现场.png", "raw": PNG, "res_model": "csw.repair.order", "res_id": 0})
        )
        job.write({"photo_ids": [(4, ticket_photo.id), (4, upload.id)]})
        self.assertEqual(self.job.photo_ids, self.photo | ticket_photo | upload)
        self.assertEqual(upload.res_id, self.job.id, "the upload now belongs to the order")

    def test_team_page_links_photos_through_a_checked_route_without_tokens(self):
        self.authenticate("team_shunan", "team_shunan")
        page = self.url_open(f"/my/jobs/{self.job.id}").text
        self.assertIn(f"/my/jobs/{self.job.id}/photos/{self.photo.id}", page)
        self.assertNotIn("access_token", page)
        self.assertFalse(self.photo.access_token, "no permanent token minted")
        response = self.url_open(f"/my/jobs/{self.job.id}/photos/{self.photo.id}")
        self.assertEqual((response.status_code, response.content), (200, PNG))
        # another attachment id, or the photo through another job's URL
        self.job.env.cr.execute(
            "INSERT INTO csw_repair_order_photo_rel (order_id, attachment_id) VALUES (%s, %s)",
            [self.job.id, self.secret.id],
        )
        self.job.invalidate_recordset()
        for url in (
            f"/my/jobs/{self.job.id}/photos/{self.secret.id}",
            f"/my/jobs/{self.other_job.id}/photos/{self.photo.id}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        self.assertNotIn(self.secret.name, self.url_open(f"/my/jobs/{self.job.id}").text)
        # another team
        self.authenticate("team_chenji", "team_chenji")
        self.assertEqual(self.url_open(f"/my/jobs/{self.job.id}/photos/{self.photo.id}").status_code, 404)

    def test_team_replaced_by_a_substitute_loses_the_job(self):
        # reported while the team is liable (its liability ended in mid-2025)
        self.job.write({"report_date": date(2024, 3, 1)})
        self.assertTrue(self.job.subcontractor_liable)
        self.engage_in_emergency(self.job, self.repairer, 800)
        self.authenticate("team_shunan", "team_shunan")
        self.assertIn("o_csw_taken_over", self.url_open("/my/jobs").text)
        page = self.url_open(f"/my/jobs/{self.job.id}").text
        self.assertIn("o_csw_job_taken_over", page)
        self.assertNotIn(self.owner.mobile, page, "no more phone")
        self.assertNotIn("o_csw_mark_done", page, "read-only")
        self.assertNotIn(f"/photos/{self.photo.id}", page)
        self.assertEqual(self.url_open(f"/my/jobs/{self.job.id}/photos/{self.photo.id}").status_code, 404)
        self.post(f"/my/jobs/{self.job.id}/done", {"completion_note": "已修好"})
        self.job.invalidate_recordset()
        self.assertEqual((self.job.state, self.job.completion_note), ("notified", False), "the substitute's notice")
        with self.assertRaises(UserError):
            self.job.with_context(csw_portal_team_id=self.job.subcontractor_id.id)._portal_mark_done("已修好", [])

    def test_photos_end_with_the_job(self):
        self.job.write({"completion_note": "已处理"})
        self.job.action_done()
        self.authenticate("team_shunan", "team_shunan")
        self.assertEqual(self.url_open(f"/my/jobs/{self.job.id}/photos/{self.photo.id}").status_code, 404)


@tagged("post_install", "-at_install", "csw_dates")
class TestOwnersOfOneCompany(CswPortalAttackCase):
    """M4: owners recorded as contacts of one company partner are still separate owners."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        employer = Partner.create({"name": "云山置业员工购房", "is_company": True})
        cls.owner_a = Partner.create({"name": "王建国", "parent_id": employer.id, "mobile": "13700137001"})
        cls.owner_b = Partner.create({"name": "李秀英", "parent_id": employer.id, "mobile": "13700137002"})
        Unit = cls.env["csw.unit"]
        cls.unit_a = Unit.create({"name": "7-1-101", "project_id": cls.project.id, "owner_id": cls.owner_a.id})
        cls.unit_b = Unit.create({"name": "7-1-102", "project_id": cls.project.id, "owner_id": cls.owner_b.id})
        cls.ticket_b = cls.env["csw.ticket"].create({"name": "李女士家门锁", "unit_id": cls.unit_b.id})
        cls.job_b = cls.order_for(cls.unit_b, "入户门", cls.ticket_b)
        cls.callback_b = cls.env["csw.callback"].create(
            {
                "unit_id": cls.unit_b.id,
                "callback_type": "repair",
                "repair_order_id": cls.job_b.id,
                "scheduled_date": fields.Datetime.now() - timedelta(hours=1),
                "deadline": fields.Datetime.now() + timedelta(days=2),
            }
        )
        cls.user_a = new_test_user(
            cls.env,
            login="owner_wang",
            groups="base.group_portal",
            partner_id=cls.owner_a.id,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def test_owner_sees_only_their_own_records_not_their_co_contacts(self):
        for model, theirs in (
            ("csw.unit", self.unit_b),
            ("csw.ticket", self.ticket_b),
            ("csw.repair.order", self.job_b),
            ("csw.callback", self.callback_b),
        ):
            with self.subTest(model=model):
                records = self.env[model].with_user(self.user_a).search([])
                self.assertNotIn(theirs, records)
                with self.assertRaises(AccessError):
                    theirs.with_user(self.user_a).read(["display_name"])
        self.assertEqual(self.env["csw.unit"].with_user(self.user_a).search([]), self.unit_a)

    def test_owner_cannot_reach_a_co_contacts_pages_nor_answer_for_them(self):
        self.authenticate("owner_wang", "owner_wang")
        for url in (f"/my/homes/{self.unit_b.id}", f"/my/tickets/{self.ticket_b.id}", f"/my/repairs/{self.job_b.id}"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertIn(urlparse(response.url).path, ("/my", "/my/home"))
                self.assertNotIn(self.owner_b.name, response.text)
        self.assertNotIn(self.unit_b.name, self.url_open("/my/homes").text)
        self.post(f"/my/callbacks/{self.callback_b.id}/answer", {"satisfaction": "1"})
        self.post("/my/repair-request", {"unit_id": self.unit_b.id, "location": "门厅", "description": "门锁坏了"})
        self.env.invalidate_all()
        self.assertEqual((self.callback_b.state, self.callback_b.satisfaction), ("planned", False))
        self.assertFalse(self.env["csw.ticket"].search([("location", "=", "门厅")]))

    def test_foremen_of_one_team_share_its_jobs(self):
        second = self.env["res.partner"].create({"name": "赵师傅", "parent_id": self.team.id})
        second_user = self.portal_user("team_shunan_zhao", second)
        jobs = self.env["csw.repair.order"].with_user(self.team_user).search([])
        self.assertIn(self.job, jobs)
        self.assertEqual(self.env["csw.repair.order"].with_user(second_user).search([]), jobs)
        self.authenticate("team_shunan_zhao", "team_shunan_zhao")
        self.assertIn(self.job.location, self.url_open(f"/my/jobs/{self.job.id}").text)


@tagged("post_install", "-at_install", "csw_dates")
class TestCallbackNotDue(CswPortalAttackCase):
    """L1: an owner answers a callback once it is due, not all the planned ones in advance."""

    def test_owner_cannot_answer_a_callback_before_its_date(self):
        later = self.env["csw.callback"].create(
            {
                "unit_id": self.unit.id,
                "callback_type": "periodic",
                "scheduled_date": fields.Datetime.now() + timedelta(days=30),
                "deadline": fields.Datetime.now() + timedelta(days=33),
            }
        )
        self.authenticate("owner_zhou", "owner_zhou")
        self.assertNotIn(f"/my/callbacks/{later.id}/answer", self.url_open("/my/callbacks").text)
        response = self.post(f"/my/callbacks/{later.id}/answer", {"satisfaction": "5", "comment": "提前答"})
        self.assertIn("o_csw_error", response.text)
        later.invalidate_recordset()
        self.assertEqual((later.state, later.satisfaction, later.comment), ("planned", False, False))
        with self.assertRaises(UserError):
            later._portal_answer("5", "提前答")
        self.assertEqual(later.state, "planned")


@tagged("post_install", "-at_install", "csw_dates")
class TestPortalUserEmail(CswPortalAttackCase):
    """M8: the e-mail of a user's partner is where their password is reset."""

    def test_agent_cannot_change_a_portal_users_email(self):
        # "Contact Creation", as the default user template grants it
        contact_creation = self.env.ref("base.group_partner_manager")
        (self.project_agent | self.manager).groups_id = [(4, contact_creation.id)]
        for partner in (self.owner, self.foreman, self.manager.partner_id):
            with self.subTest(partner=partner.name):
                before = partner.email
                with self.assertRaises(AccessError) as err:
                    partner.with_user(self.project_agent).write({"email": "attacker@example.com"})
                self.assertIn("password", str(err.exception))
                partner.invalidate_recordset()
                self.assertEqual(partner.email, before)
        # a contact without a user, and the agent's own e-mail, stay editable
        caller = self.env["res.partner"].create({"name": "来电业主"})
        caller.with_user(self.project_agent).write({"email": "caller@example.com"})
        self.project_agent.partner_id.with_user(self.project_agent).write({"email": "agent@example.com"})
        # a manager fixes an owner's address
        self.owner.with_user(self.manager).write({"email": "zhou.new@example.com"})
        self.assertEqual(self.owner_user.email, "zhou.new@example.com")


@tagged("post_install", "-at_install", "csw_dates")
class TestAgentLimits(CswCase):
    """M5, L7, L8: what an agent of an estate does not reach."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = new_test_user(
            cls.env,
            login="colleague_agent",
            name="同事甲",
            groups="base.group_user,customer_service_warranty.group_csw_project_agent",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.project.member_ids = [(4, cls.colleague.id)]

    def test_monthly_report_shows_an_agent_only_their_own_assessments(self):
        Assessment = self.env["csw.assessment"]
        mine = Assessment.create(
            {
                "user_id": self.project_agent.id,
                "reason": "other",
                "points": -2,
                "amount": 20,
                "project_id": self.project.id,
                "date": date(2026, 10, 8),
                "company_id": self.company.id,
            }
        )
        Assessment.create(
            {
                "user_id": self.colleague.id,
                "reason": "other",
                "points": -9,
                "amount": 900,
                "project_id": self.project.id,
                "date": date(2026, 10, 9),
                "company_id": self.company.id,
            }
        )
        report = self.env["csw.monthly.report"].create({"project_id": self.project.id, "month": date(2026, 10, 1)})
        report.action_refresh()
        self.assertEqual(
            {row[0] for row in report.with_user(self.manager)._breakdowns()["by_agent"]},
            {self.project_agent, self.colleague},
            "a manager sees every agent's",
        )
        self.assertEqual(
            report.with_user(self.project_agent)._breakdowns()["by_agent"], [(self.project_agent, 1, -2, 20)]
        )
        html = (
            self.env["ir.actions.report"]
            .with_user(self.project_agent)
            ._render_qweb_html("customer_service_warranty.action_report_monthly", report.ids)[0]
            .decode()
        )
        self.assertIn(self.project_agent.name, html)
        self.assertNotIn(self.colleague.name, html)
        self.assertNotIn("900.00", html)
        self.assertTrue(mine)

    def test_agent_cannot_plan_holiday_callbacks(self):
        plan = self.env["csw.callback.plan"].create(
            {
                "name": "节日问候",
                "line_ids": [
                    (
                        0,
                        0,
                        {"name": "中秋问候", "callback_type": "care", "care_date": date.today() + timedelta(days=20)},
                    )
                ],
            }
        )
        self.project.callback_plan_id = plan
        with self.assertRaises(AccessError):
            plan.with_user(self.project_agent).action_schedule_care()
        self.assertFalse(self.unit.callback_ids.filtered(lambda c: c.callback_type == "care"))
        plan.with_user(self.manager).action_schedule_care()
        self.assertTrue(self.unit.callback_ids.filtered(lambda c: c.callback_type == "care"))

    def test_agent_cannot_touch_another_agents_inspection_batch(self):
        wizard = (
            self.env["csw.inspection.wizard"]
            .with_user(self.colleague)
            .create(
                {
                    "project_id": self.project.id,
                    "default_unit_id": self.unit.id,
                    "line_ids": [(0, 0, {"location": "阳台", "category_id": self.category("decoration").id})],
                }
            )
        )
        foreign = wizard.with_user(self.project_agent)
        with self.assertRaises(AccessError):
            foreign.read(["project_id"])
        with self.assertRaises(AccessError):
            foreign.write({"source": "patrol"})
        with self.assertRaises(AccessError):
            foreign.action_create_orders()
        with self.assertRaises(AccessError):
            wizard.line_ids.with_user(self.project_agent).read(["location"])
        self.assertFalse(self.env["csw.repair.order"].search([("location", "=", "阳台")]))
        self.assertEqual(wizard.source, "pre_delivery")
