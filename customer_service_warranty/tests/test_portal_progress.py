"""The owner follows a request on the portal in plain words (issue 24): the status, who is
coming, the steps, the hotline; and the team's portal actions are its own."""

import re
from urllib.parse import urlparse

from odoo import http
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_portal import CswPortalCase


@tagged("post_install", "-at_install")
class TestOwnerProgress(CswPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.phone = "0757-22888888"
        cls.team.mobile = "13902288776"

    def post(self, url, data=None, files=None):
        return self.url_open(url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, files=files)

    def status(self, html):
        """The owner's status words of the page's main record (the first badge)."""
        return re.search(r'o_csw_status" data-status="(\w+)"', html).group(1)

    def steps(self, html):
        return len(re.findall(r"o_csw_timeline_step", html))

    def test_owner_follows_a_repair_in_plain_words(self):
        self.authenticate("owner_zhou", "owner_zhou")
        url = f"/my/repairs/{self.job.id}"
        page = self.url_open(url).text
        self.assertEqual(self.status(page), "assigned", "已派工")
        self.assertIn("o_csw_who_is_coming", page)
        self.assertIn(self.team.name, page)
        self.assertIn("tel:13902288776", page, "the team's phone")
        self.assertIn("o_csw_visit_to_book", page, "no visit booked yet: the team will call")
        self.assertNotIn("Team expected by", page, "not the contractual entry deadline")
        self.assertEqual(self.steps(page), 2, "received, then assigned")
        self.job.action_start()
        page = self.url_open(url).text
        self.assertEqual(self.status(page), "on_site", "师傅已上门")
        self.assertEqual(self.steps(page), 3)
        self.job.write({"completion_note": "重做防水层"})
        self.job.action_done()
        page = self.url_open(url).text
        self.assertEqual(self.status(page), "to_rate", "待评价: the callback is the owner's to answer")
        self.assertNotIn("o_csw_who_is_coming", page)
        self.assertEqual(self.steps(page), 4)
        self.assertIn("o_csw_status", self.url_open("/my/repairs").text)

    def test_a_reworked_repair_is_marked_rework(self):
        self.authenticate("owner_zhou", "owner_zhou")
        self.assertNotIn("o_csw_rework", self.url_open(f"/my/repairs/{self.done_job.id}").text)
        self.callback.unlink()
        self.done_job.action_reopen()
        page = self.url_open(f"/my/repairs/{self.done_job.id}").text
        self.assertEqual(self.status(page), "assigned")
        self.assertIn("o_csw_rework", page, "返修")
        self.assertIn("o_csw_rework", self.url_open("/my/repairs").text)

    def test_the_ticket_reads_the_stage_of_its_repair(self):
        self.authenticate("owner_zhou", "owner_zhou")
        ticket = self.env["csw.ticket"].create({"name": "书房渗水", "unit_id": self.unit.id})
        self.assertEqual(self.status(self.url_open(f"/my/tickets/{ticket.id}").text), "received", "已受理")
        order = self.order_for(self.unit, "书房墙面", ticket)
        order.action_notify()
        page = self.url_open(f"/my/tickets/{ticket.id}").text
        self.assertEqual(self.status(page), "assigned")
        self.assertIn("书房墙面", page, "the step names the repair")

    def test_internal_notes_and_wording_stay_hidden(self):
        self.job.message_post(body="内部备注:班组电话打不通", message_type="comment", subtype_xmlid="mail.mt_note")
        self.callback.write({"comment": "窗台还是渗水"})
        followup = self.env["csw.ticket"].create(
            {
                "name": "回访联系单: 客厅窗台",
                "unit_id": self.unit.id,
                "channel": "callback",
                "location": "客厅窗台",
                "origin_callback_id": self.callback.id,
                "description": "<p>维修单 WX0001:业主不满意(2/5)</p>",
            }
        )
        self.authenticate("owner_zhou", "owner_zhou")
        page = self.url_open(f"/my/repairs/{self.job.id}").text
        self.assertNotIn("班组电话打不通", page)
        for url in ("/my/tickets", f"/my/tickets/{followup.id}"):
            with self.subTest(url=url):
                page = self.url_open(url).text
                self.assertNotIn("回访联系单", page)
                self.assertNotIn("业主不满意", page)
                self.assertIn("客厅窗台", page)
        self.assertIn("窗台还是渗水", self.url_open(f"/my/tickets/{followup.id}").text, "the owner's own words")

    def test_landing_has_the_report_button_and_the_hotline_and_no_odoo_branding(self):
        self.authenticate("owner_zhou", "owner_zhou")
        for url in ("/my", "/my/repairs", f"/my/repairs/{self.job.id}", "/my/tickets", "/my/repair-request"):
            with self.subTest(url=url):
                page = self.url_open(url).text
                self.assertIn("o_csw_hotline", page)
                self.assertIn("tel:0757-22888888", page)
                self.assertNotIn("o_brand_promotion", page, "no Powered by Odoo")
                self.assertNotIn("/logo.png?company=", page, "no Your logo placeholder")
                self.assertIn(self.company.name, page)
        self.assertIn("o_csw_new_request", self.url_open("/my").text, "我要报修 on the landing")
        self.authenticate("team_shunan", "team_shunan")
        home = self.url_open("/my").text
        self.assertNotIn("o_csw_new_request", home, "a team reports no problem of its own")
        self.assertIn("tel:0757-22888888", home)

    def test_the_portal_chatter_is_translated_with_mail_words(self):
        self.authenticate("owner_zhou", "owner_zhou")
        translations = self.url_open("/website/translations/test?lang=zh_CN").json()
        self.assertIn("mail", translations["modules"], "the portal chatter's own words are mail's")
        if translations["lang"] == "zh_CN":
            words = {m["id"]: m["string"] for m in translations["modules"]["mail"]["messages"]}
            self.assertEqual(words.get("The conversation is empty."), "对话内容为空")

    def test_repair_request_keeps_a_shared_statutory_category_and_the_companys_own(self):
        own = self.env["csw.defect.category"].create(
            {"name": "入户门变形", "company_id": self.company.id, "parent_id": self.category("decoration").id}
        )
        foreign = self.env["csw.defect.category"].create({"name": "泳池渗漏", "company_id": self.other_company.id})
        shared = self.category("waterproofing_bathroom")
        self.assertFalse(shared.company_id)
        self.authenticate("owner_zhou", "owner_zhou")
        form = self.url_open("/my/repair-request").text
        shared_read = shared.with_context(lang=self.owner_user.lang)
        self.assertIn(f'<optgroup label="{shared_read.parent_id.name}"', form, "the family heads its categories")
        self.assertRegex(form, rf'<option value="{shared.id}"[^>]*>{re.escape(shared_read.name)}</option>')
        self.assertNotIn("泳池渗漏", form)
        for location, category in (("主卫吊顶", shared), ("入户门", own), ("泳池", foreign)):
            with self.subTest(category=category.name):
                response = self.post(
                    "/my/repair-request",
                    {
                        "unit_id": self.unit.id,
                        "location": location,
                        "category_id": category.id,
                        "description": "需要维修",
                    },
                )
                ticket = self.env["csw.ticket"].search([("location", "=", location)])
                self.assertEqual(urlparse(response.url).path, f"/my/tickets/{ticket.id}")
                expected = category.browse() if category == foreign else category
                self.assertEqual(ticket.category_id, expected, "another company's category is never taken")
                if expected:
                    name = category.with_context(lang=self.owner_user.lang).name
                    self.assertEqual(ticket.name, f"{name}: {location}")


@tagged("post_install", "-at_install")
class TestTeamPortalActions(CswPortalCase):
    def post(self, url, data=None, files=None):
        return self.url_open(url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, files=files)

    def test_team_actions_are_logged_under_the_foremans_name(self):
        before = self.job.message_ids
        self.authenticate("team_shunan", "team_shunan")
        self.post(f"/my/jobs/{self.job.id}/start")
        self.post(f"/my/jobs/{self.job.id}/done", {"completion_note": "重做防水层"})
        self.job.invalidate_recordset()
        self.assertEqual(self.job.state, "done")
        new = self.job.message_ids - before
        self.assertTrue(new)
        self.assertEqual(new.author_id, self.foreman, "not OdooBot nor the administrator")

    def test_the_replaced_team_cannot_act_through_the_model(self):
        self.job.write({"report_date": "2024-03-01"})
        self.engage_in_emergency(self.job, self.repairer, 800)
        as_old_team = self.job.with_user(self.team_user).sudo()
        for action in (as_old_team._portal_confirm_entry, lambda: as_old_team._portal_mark_done("已修好", [])):
            with self.subTest(action=action), self.assertRaises(UserError):
                action()
        self.job.invalidate_recordset()
        self.assertEqual((self.job.state, self.job.completion_note, self.job.entry_date), ("notified", False, False))
        self.authenticate("team_shunan", "team_shunan")
        self.post(f"/my/jobs/{self.job.id}/check-in", {"location": "refused"})
        self.post(f"/my/jobs/{self.job.id}/start")
        self.job.invalidate_recordset()
        self.assertEqual((self.job.state, self.job.entry_date), ("notified", False), "refused over HTTP too")


@tagged("post_install", "-at_install")
class TestOwnerProgressTime(CswPortalCase):
    def test_the_steps_are_in_the_owner_time_zone(self):
        """A step at 03:00 UTC reads 11:00 to an owner in Beijing, to the minute."""
        self.env["res.users"].search([("login", "=", "owner_zhou")]).tz = "Asia/Shanghai"
        self.env.cr.execute(
            "UPDATE csw_repair_order SET create_date = '2026-12-01 03:00:00', notify_date = '2026-12-01 03:05:00'"
            " WHERE id = %s",
            [self.job.id],
        )
        self.job.invalidate_recordset()
        self.authenticate("owner_zhou", "owner_zhou")
        page = self.url_open(f"/my/repairs/{self.job.id}").text
        steps = re.findall(r'o_csw_timeline_step">\s*<div[^>]*>([^<]+)</div>', page)
        self.assertIn("2026-12-01 11:05", steps, "the notice in Beijing time")
        self.assertNotIn("2026-12-01 03:05", steps)

    def test_steps_recorded_within_one_second_keep_their_order(self):
        """A request received at 03:00:00.9 (the database clock keeps microseconds), assigned and
        reached at 03:00:00 (the actions' times are whole seconds): the owner still reads
        received, assigned, technician arrived, on the repair and on the request."""
        self.job.action_start()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE csw_ticket SET received_date = '2026-12-01 03:00:00.900000', first_response_date = NULL"
            " WHERE id = %s",
            [self.ticket.id],
        )
        self.env.cr.execute(
            "UPDATE csw_repair_order SET notify_date = '2026-12-01 03:00:00', entry_date = '2026-12-01 03:00:00'"
            " WHERE id = %s",
            [self.job.id],
        )
        self.env.invalidate_all()
        self.authenticate("owner_zhou", "owner_zhou")
        step_texts = r'o_csw_timeline_step">\s*<div[^>]*>[^<]+</div>\s*<div>([^<]+)</div>'
        repair_page = self.url_open(f"/my/repairs/{self.job.id}").text
        self.assertEqual(
            re.findall(step_texts, repair_page),
            ["您的报事已受理", f"已派工给 {self.team.name}", "师傅已上门"],
            "received, assigned, technician arrived",
        )
        ticket_steps = re.findall(step_texts, self.url_open(f"/my/tickets/{self.ticket.id}").text)
        self.assertEqual(ticket_steps[0], "您的报事已受理", "the request comes before its repairs")
        assigned = ticket_steps.index(f"主卫天花: 已派工给 {self.team.name}")
        self.assertLess(assigned, ticket_steps.index("主卫天花: 师傅已上门"))
