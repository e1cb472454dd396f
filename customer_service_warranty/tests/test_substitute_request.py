from datetime import date

from odoo import Command, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_money import CswAccountingCase
from .common_portal import PNG, CswPortalCase


@tagged("post_install", "-at_install")
class TestSubstituteRequest(CswAccountingCase):
    """The request first (代维修请示), then the engagement, the actual cost and the bills."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.repairer.email = "kuaixiu@example.com"
        cls.owner = cls.unit.owner_id

    def _order(self, estimate=3000, compensation=800):
        order = self.env["csw.repair.order"].create(
            {
                "unit_id": self.unit.id,
                "location": "主卫",
                "category_id": self.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                "report_date": date(2025, 3, 1),
                "notify_method": "email",
                "compensation_amount": compensation,
            }
        )
        self.team.email = "shunan@example.com"
        order.action_notify()
        order.with_user(self.agent).write({"substitute_partner_id": self.repairer.id, "estimated_cost": estimate})
        return order

    def _requested(self, **kwargs):
        order = self._order(**kwargs)
        order.with_user(self.agent).action_request_substitute()
        order.deduction_id.write(
            {
                "evidence_photo_ids": [Command.link(self.photo.id)],
                "evidence_notice_ids": [Command.link(self.screenshot.id)],
            }
        )
        return order

    def _engaged(self, **kwargs):
        order = self._requested(**kwargs)
        order.deduction_id.with_user(self.agent).action_submit()
        order.deduction_id.with_user(self.manager).action_approve()
        order.with_user(self.agent).action_substitute()
        return order

    def _done(self, cost, **kwargs):
        order = self._engaged(**kwargs)
        order.with_user(self.agent).write({"completion_note": "代维班组已重做防水", "substitute_cost": cost})
        order.with_user(self.agent).action_done()
        return order

    def test_no_engagement_without_an_approved_request(self):
        order = self._requested()
        deduction = order.deduction_id
        self.assertEqual((deduction.state, deduction.estimated_cost, deduction.substitute_cost), ("draft", 3000, 0))
        self.assertFalse(order.is_substitute, "the request engages no one")
        self.assertEqual(order.repair_team_id, self.team)
        for state_change in (None, "action_submit"):
            if state_change:
                getattr(deduction.with_user(self.agent), state_change)()
            with self.assertRaises(UserError) as err:
                order.with_user(self.agent).action_substitute()
            self.assertIn("approved", str(err.exception))
            self.assertFalse(order.is_substitute)
        with self.assertRaises(UserError):
            order.with_user(self.agent).action_request_substitute()
        deduction.with_user(self.manager).action_approve()
        mails_before = self.env["mail.mail"].search_count([("recipient_ids", "in", self.repairer.ids)])
        order.with_user(self.agent).action_substitute()
        self.assertTrue(order.is_substitute)
        self.assertEqual(order.state, "notified", "the substitute team has its own notice and deadlines")
        self.assertEqual(order.repair_team_id, self.repairer)
        self.assertTrue(order.notice_attachment_id)
        mail = self.env["mail.mail"].search([("recipient_ids", "in", self.repairer.ids)])
        self.assertEqual(len(mail) - mails_before, 1, "the standard notice e-mailed to the substitute team")
        self.assertIn(order.notice_attachment_id, mail.attachment_ids)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_repair_notice", order.ids)[0]
            .decode()
        )
        self.assertIn(self.repairer.name, html)
        self.assertIn("o_csw_substitute_notice", html)
        with self.assertRaises(UserError) as err:
            order.with_user(self.agent).action_substitute()
        self.assertIn("cannot be given again", str(err.exception))
        self._refused_write(order.with_user(self.agent), {"substitute_partner_id": self.team.id}, "refused")

    def test_emergency_engagement_is_a_managers_with_a_reason(self):
        order = self._order()
        with self.assertRaises(AccessError):
            order.with_user(self.agent).action_engage_emergency()
        with self.assertRaises(UserError) as err:
            order.with_user(self.manager).action_engage_emergency()
        self.assertIn("record why", str(err.exception))
        self.assertFalse(order.is_substitute or order.deduction_id)
        order.with_user(self.manager).write({"emergency_engage_reason": "楼下业主天花持续滴水, 原班组两天联系不上"})
        order.with_user(self.manager).action_engage_emergency()
        self.assertTrue(order.is_substitute)
        self.assertEqual(order.deduction_id.state, "draft", "the request is drafted, approved afterwards")
        self.assertEqual(order.deduction_id.estimated_cost, 3000)
        self.assertIn("原班组两天联系不上", order.message_ids[0].body)
        self._refused_write(order.with_user(self.manager), {"emergency_engage_reason": "改写"}, "engaged")
        with self.assertRaises(UserError):
            order.with_user(self.manager).action_engage_emergency()

    def test_charge_uses_the_actual_cost_and_shows_the_difference(self):
        order = self._engaged(estimate=3000, compensation=0)
        deduction = order.deduction_id
        # the estimate is what the manager approved
        self._refused_write(order.with_user(self.agent), {"estimated_cost": 1}, deduction.name)
        with self.assertRaises(UserError) as err:
            deduction.with_user(self.accountant).action_post()
        self.assertIn("not done", str(err.exception))
        order.with_user(self.agent).write({"completion_note": "已修复"})
        order.with_user(self.agent).action_done()
        with self.assertRaises(UserError) as err:
            deduction.with_user(self.accountant).action_post()
        self.assertIn("actual cost", str(err.exception))
        self.assertEqual(deduction.state, "approved")
        order.with_user(self.agent).write({"substitute_cost": 3500})
        self.assertEqual((order.cost_difference, deduction.cost_difference), (500, 500))
        self.assertEqual((deduction.substitute_cost, deduction.agency_fee_amount), (3500, 1750))
        deduction.with_user(self.accountant).action_post()
        lines = {line.account_id: line.price_subtotal for line in deduction.move_id.invoice_line_ids}
        accounting = self.company._csw_deduction_accounting()
        self.assertEqual(lines, {accounting["substitute"]: 3500, accounting["agency_fee"]: 1750})
        self.assertEqual(deduction.move_id.amount_total, 5250)
        self._refused_write(order, {"substitute_cost": 1}, deduction.name)

    def test_substitute_bill_once_for_the_accountants(self):
        order = self._engaged()
        with self.assertRaises(UserError):
            order.with_user(self.agent).action_create_substitute_bill()
        order.with_user(self.agent).write({"completion_note": "已修复"})
        order.with_user(self.agent).action_done()
        with self.assertRaises(UserError):
            order.with_user(self.agent).action_create_substitute_bill()
        order.with_user(self.agent).write({"substitute_cost": 2800})
        order.with_user(self.agent).action_create_substitute_bill()
        bill = order.substitute_bill_id
        self.assertEqual(
            (bill.move_type, bill.state, bill.partner_id, bill.amount_total),
            ("in_invoice", "draft", self.repairer, 2800),
        )
        self.assertEqual(bill.invoice_line_ids.account_id, self.company._csw_deduction_accounting()["substitute"])
        self.assertEqual((bill.csw_repair_order_id, bill.csw_deduction_id), (order, order.deduction_id))
        self.assertFalse(bill.csw_subcontract_id, "not a bill of the responsible team's contract")
        self.assertEqual(order.deduction_id.substitute_bill_ids, bill)
        with self.assertRaises(UserError) as err:
            order.with_user(self.agent).action_create_substitute_bill()
        self.assertIn("already has its substitute bill", str(err.exception))
        self.assertEqual(self.env["account.move"].search_count([("csw_repair_order_id", "=", order.id)]), 1)
        # the billed cost is kept
        self._refused_write(order.with_user(self.agent), {"substitute_cost": 3000}, "refused")
        with self.assertRaises(AccessError):
            bill.with_user(self.agent).action_post()
        bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "posted")
        self.assertTrue(bill.currency_id.is_zero(sum(bill.line_ids.mapped("balance"))))

    def test_owner_compensation_is_booked_at_posting_and_reversed_at_cancel(self):
        order = self._done(cost=3000, compensation=800)
        deduction = order.deduction_id
        deduction.with_user(self.accountant).action_post()
        compensation = deduction.compensation_move_ids
        self.assertEqual(len(compensation), 1)
        self.assertEqual(
            (compensation.move_type, compensation.state, compensation.partner_id, compensation.amount_total),
            ("in_invoice", "posted", self.owner, 800),
        )
        account = self.company._csw_deduction_accounting()["compensation"]
        self.assertEqual(compensation.invoice_line_ids.account_id, account)
        # the team's credit note credits the account, the owner's bill debits it: the two balance out
        charged = deduction.move_id.invoice_line_ids.filtered(lambda line: "Owner compensation" in line.name)
        self.assertEqual((charged.account_id, charged.balance), (account, -800))
        self.assertEqual(compensation.invoice_line_ids.balance, 800)
        for move in deduction.move_id | compensation:
            self.assertTrue(move.currency_id.is_zero(sum(move.line_ids.mapped("balance"))))
        deduction.with_user(self.accountant).action_cancel()
        self.assertEqual(compensation.payment_state, "reversed")

    def test_paid_compensation_keeps_the_deduction_posted(self):
        order = self._done(cost=3000, compensation=800)
        deduction = order.deduction_id
        deduction.with_user(self.accountant).action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=deduction.compensation_move_ids.ids
        ).create({}).action_create_payments()
        with self.assertRaises(UserError) as err:
            deduction.with_user(self.accountant).action_cancel()
        self.assertIn("already paid", str(err.exception))
        self.assertEqual(deduction.state, "posted")
        self.assertFalse(deduction.reversal_move_id)

    def test_per_role_refusals(self):
        order = self._order()
        portal = new_test_user(self.env, login="sub_portal", groups="base.group_portal", company_id=self.company.id)
        with self.assertRaises(UserError):
            order.with_user(portal).action_request_substitute()
        self.assertFalse(order.deduction_id)
        order.with_user(self.agent).action_request_substitute()
        with self.assertRaises(AccessError):
            order.deduction_id.with_user(self.agent).action_approve()
        # the request's own protected link, the team doing the repair, a manager's emergency reason
        for vals in (
            {"is_substitute": True},
            {"repair_team_id": self.repairer.id},
            {"emergency_engage_reason": "篡改"},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                order.with_user(self.agent).write(vals)
        self.assertRecordValues(order, [{"is_substitute": False, "emergency_engage_reason": False}])
        self.assertNotEqual(order.repair_team_id, self.repairer)

    def _refused_write(self, records, vals, *expected):
        before = records.sudo().read(list(vals))
        with self.assertRaises(UserError) as err:
            records.write(vals)
        for text in expected:
            self.assertIn(text, str(err.exception))
        self.assertEqual(records.sudo().read(list(vals)), before)


@tagged("post_install", "-at_install")
class TestSubstitutePortal(CswPortalCase):
    """The substitute team does the job on its portal; the responsible team keeps a read-only view."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.job.write({"report_date": date(2024, 3, 1)})
        cls.repair_foreman = cls.env["res.partner"].create({"name": "何师傅", "parent_id": cls.repairer.id})
        cls.repair_user = new_test_user(
            cls.env,
            login="team_kuaixiu",
            groups="base.group_portal",
            partner_id=cls.repair_foreman.id,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.engage_in_emergency(cls.job, cls.repairer, 1357)

    def post(self, url, data=None, files=None):
        return self.url_open(url, data={**(data or {}), "csrf_token": http.Request.csrf_token(self)}, files=files)

    def test_substitute_team_confirms_entry_and_reports_done_with_photos(self):
        self.authenticate("team_kuaixiu", "team_kuaixiu")
        jobs = self.url_open("/my/jobs").text
        self.assertIn(f"/my/jobs/{self.job.id}", jobs)
        self.assertNotIn("o_csw_taken_over", jobs)
        self.assertNotIn(f"/my/jobs/{self.tile_job.id}", jobs, "not the other teams' jobs")
        page = self.url_open(f"/my/jobs/{self.job.id}").text
        self.assertIn("o_csw_confirm_entry", page)
        self.assertIn(self.owner.mobile, page, "the team doing the job calls the owner")
        self.assertNotIn("1357", page, "no price on the portal")
        self.post(f"/my/jobs/{self.job.id}/start")
        self.assertEqual(self.job.state, "in_progress")
        self.post(
            f"/my/jobs/{self.job.id}/done",
            {"completion_note": "重做卫生间防水, 闭水试验48小时无渗漏"},
            files=[("photos", ("完工.png", PNG, "image/png"))],
        )
        self.job.invalidate_recordset()
        self.assertEqual(self.job.state, "done")
        self.assertEqual(self.job.completion_photo_ids.mapped("name"), ["完工.png"])

    def test_responsible_team_sees_the_job_taken_over_read_only(self):
        self.authenticate("team_shunan", "team_shunan")
        self.assertIn("o_csw_taken_over", self.url_open("/my/jobs").text)
        page = self.url_open(f"/my/jobs/{self.job.id}").text
        self.assertIn("o_csw_job_taken_over", page)
        self.assertNotIn("o_csw_confirm_entry", page)
        self.assertNotIn("o_csw_mark_done", page)
        self.assertNotIn(self.owner.mobile, page)
        self.post(f"/my/jobs/{self.job.id}/start")
        self.post(f"/my/jobs/{self.job.id}/done", {"completion_note": "已修好"})
        self.job.invalidate_recordset()
        self.assertEqual((self.job.state, self.job.completion_note), ("notified", False))

    def test_substitute_team_reads_no_money(self):
        job = self.job.with_user(self.repair_user)
        self.assertEqual(job.read(["name"])[0]["name"], self.job.name)
        for fname in ("substitute_cost", "estimated_cost", "deduction_id", "substitute_bill_id"):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                job.read([fname])
        with self.assertRaises(AccessError):
            self.job.deduction_id.with_user(self.repair_user).read(["amount_total"])
        # the responsible team cannot act on the job any more, even calling the model
        with self.assertRaises(UserError):
            self.job.with_user(self.team_user).sudo()._portal_mark_done("已修好", [])
