from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_money import BILLING, CswAccountingCase, substitute_repair

REVIEW = {"opinion_quality": "保修期内渗漏三处,两处已销项,一处仍在维修", "opinion_substitute": "代维修一次,已扣款"}


@tagged("post_install", "-at_install")
class TestRetentionLedger(CswAccountingCase):
    """Hand-counted fixture on a 1 000 000 contract, 5 % retention (50 000), agency fee 50 %:

    * a team bill of 2 000 posted and unpaid;
    * deduction D1 posted: 3 000 + 1 500 fee + 800 compensation = 5 300; the bill absorbs
      2 000, the retention 3 300;
    * an open defect estimated at 1 200, in no request;
    * a pending request D2: actual 1 000 + 500 fee = 1 500, estimated 1 800 → reserved 1 800.

    Balance 50 000 − 3 300 = 46 700; reserve 3 000; releasable 43 700.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = cls.company_user("retention_billing", BILLING)
        cls.company.csw_cs_manager_id = cls.manager

    def _post_deduction(self, cost, compensation):
        order = substitute_repair(self.env, self.unit, self.repairer, cost, compensation)
        order.action_verify()
        deduction = order.deduction_id
        deduction.write({"evidence_photo_ids": [Command.link(self.photo.id)]})
        deduction.write({"evidence_notice_ids": [Command.link(self.screenshot.id)]})
        deduction.action_submit()
        deduction.with_user(self.manager).action_approve()
        deduction.with_user(self.accountant).action_post()
        return deduction

    def _fixture(self):
        self.team_bill = self._bill(self.team, 2000, subcontract=self.subcontract)
        self.d1 = self._post_deduction(3000, 800)
        self.open_order = self.env["csw.repair.order"].create(
            {
                "unit_id": self.unit.id,
                "location": "次卧外墙",
                "category_id": self.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                "estimated_cost": 1200,
            }
        )
        pending = substitute_repair(self.env, self.unit, self.repairer, 1000)
        pending.estimated_cost = 1800
        self.d2 = pending.deduction_id
        self.subcontract.invalidate_recordset()

    def _review(self, conclusion, user=None):
        return (
            self.env["csw.retention.review"]
            .with_user(user or self.manager)
            .create({"subcontract_id": self.subcontract.id, "conclusion": conclusion, **REVIEW})
        )

    def test_ledger_figures_on_the_hand_counted_fixture(self):
        self._fixture()
        s = self.subcontract
        self.assertEqual(self.d1.amount_total, 5300)
        self.assertEqual(self.d2.amount_total, 1500)
        self.assertEqual(self.d2.estimated_cost, 1800)
        self.assertEqual(
            (s.retention_held, s.retention_deducted, s.retention_released_amount, s.retention_balance),
            (50000, 3300, 0, 46700),
        )
        self.assertEqual((s.retention_reserved, s.retention_free), (3000, 43700))
        self.assertFalse(s.retention_shortfall)
        charge = s.retention_entry_ids
        self.assertEqual((charge.entry_type, charge.amount, charge.deduction_id), ("deducted", 3300, self.d1))

    def test_charge_to_retention_balances_and_reconciles(self):
        self._fixture()
        accounting = self.company._csw_deduction_accounting()
        transfer = self.subcontract.retention_entry_ids.move_id
        self.assertEqual(transfer.state, "posted")
        self.assertEqual(transfer.journal_id.type, "general")
        self.assertEqual(sum(transfer.line_ids.mapped("balance")), 0)
        retention_line = transfer.line_ids.filtered(lambda line: line.account_id == accounting["retention"])
        self.assertEqual(retention_line.debit, 3300)
        # the credit note is matched by the unpaid bill and the charge to the retention, to the cent
        payables = (self.d1.move_id | self.team_bill | transfer).line_ids.filtered(
            lambda line: line.account_type == "liability_payable"
        )
        payables.reconcile()
        self.assertTrue(payables.full_reconcile_id)
        self.assertEqual(len(payables.full_reconcile_id), 1)
        self.assertFalse(any(payables.mapped("amount_residual")))

    def test_cancelled_deduction_gives_the_retention_back(self):
        deduction = self._post_deduction(3000, 0)
        self.assertEqual(self.subcontract.retention_deducted, 4500)
        deduction.with_user(self.accountant).action_cancel()
        self.subcontract.invalidate_recordset()
        self.assertEqual(self.subcontract.retention_deducted, 0)
        self.assertEqual(self.subcontract.retention_balance, 50000)
        charge, give_back = self.subcontract.retention_entry_ids.sorted("amount")[::-1]
        self.assertEqual(give_back.amount, -4500)
        self.assertEqual(give_back.move_id.reversed_entry_id, charge.move_id)

    def test_release_refused_before_the_liability_end(self):
        self._review("partial")
        with freeze_time("2025-12-31"):
            for action in ("action_release_retention", "action_release_retention_partial"):
                with self.assertRaisesRegex(UserError, "held until the end of the defect liability"):
                    getattr(self.subcontract.with_user(self.accountant), action)()
        self.assertFalse(self.subcontract.retention_entry_ids)

    def test_partial_release_keeps_the_reserve(self):
        self._fixture()
        with self.assertRaisesRegex(UserError, "Record a release review"):
            self.subcontract.with_user(self.accountant).action_release_retention_partial()
        review = self._review("partial")
        self.assertEqual((review.balance_amount, review.reserved_amount, review.open_defect_count), (46700, 3000, 2))
        with self.assertRaises(AccessError):
            self.subcontract.with_user(self.manager).action_release_retention_partial()
        with self.assertRaises(AccessError):
            self.subcontract.with_user(self.billing).action_release_retention_partial()
        # the final release is refused: defects are open
        with self.assertRaisesRegex(UserError, "still open"):
            self.subcontract.with_user(self.accountant).action_release_retention()

        self.subcontract.with_user(self.accountant).action_release_retention_partial()
        s = self.subcontract
        release = s.retention_entry_ids.filtered(lambda entry: entry.entry_type == "released")
        bill = release.move_id
        self.assertEqual(release.amount, 43700)
        self.assertEqual((bill.move_type, bill.state, bill.amount_total), ("in_invoice", "posted", 43700))
        self.assertTrue(bill.csw_retention_release)
        self.assertEqual(bill.partner_id, self.team)
        self.assertEqual(review.entry_id, release)
        self.assertEqual((s.retention_balance, s.retention_reserved, s.retention_free), (3000, 3000, 0))
        self.assertEqual(s.state, "active")
        self.assertFalse(s.retention_released)
        # the review was recorded, printed and attached to the bill
        attachment = self.env["ir.attachment"].search([("res_model", "=", "account.move"), ("res_id", "=", bill.id)])
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_service_warranty.action_report_retention_review", review.ids)[0]
            .decode()
        )
        self.assertIn(REVIEW["opinion_quality"], html)
        self.assertIn("43,700.00", html)
        # repeated: the review is used, and a new one finds nothing releasable
        with self.assertRaisesRegex(UserError, "Record a release review"):
            s.with_user(self.accountant).action_release_retention_partial()
        self._review("partial")
        with self.assertRaisesRegex(UserError, "Nothing of the retention"):
            s.with_user(self.accountant).action_release_retention_partial()
        # the release bill stays posted: the ledger records it
        with self.assertRaisesRegex(UserError, "retention ledger"):
            bill.button_draft()

    def test_final_release_pays_the_balance(self):
        self._post_deduction(3000, 800)
        self.subcontract.invalidate_recordset()
        self._review("release_all")
        self.subcontract.with_user(self.accountant).action_release_retention()
        s = self.subcontract
        self.assertEqual(s.retention_bill_id.amount_total, 44700)
        self.assertEqual((s.retention_balance, s.state, s.retention_released), (0, "closed", True))

    def test_review_is_recorded_by_a_manager_only(self):
        for user in (self.agent, self.billing):
            with self.assertRaises(AccessError):
                self._review("partial", user)
        review = (
            self.env["csw.retention.review"]
            .with_user(self.manager)
            .create(
                {
                    "subcontract_id": self.subcontract.id,
                    "conclusion": "refuse",
                    "reviewer_id": self.accountant.id,
                    "review_date": date(2020, 1, 1),
                    "balance_amount": 1,
                    **REVIEW,
                }
            )
        )
        self.assertEqual((review.reviewer_id, review.balance_amount), (self.manager, 50000))
        self.assertEqual(review.review_date, fields.Date.context_today(review))
        with self.assertRaises(AccessError):
            review.with_user(self.manager).write({"conclusion": "release_all"})
        # a refusal allows no release
        with self.assertRaisesRegex(UserError, "Record a release review"):
            self.subcontract.with_user(self.accountant).action_release_retention_partial()

    def test_shortfall_warning_on_the_contract_and_the_dashboard(self):
        self.subcontract.amount = 10000  # retention 500
        order = self.env["csw.repair.order"].create(
            {
                "unit_id": self.unit.id,
                "location": "主卫",
                "category_id": self.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                "estimated_cost": 800,
            }
        )
        self.assertTrue(self.subcontract.retention_shortfall)
        self.assertEqual(self.project.with_user(self.manager).retention_shortfall_count, 1)
        action = self.project.with_user(self.manager).action_view_retention_shortfall()
        self.assertEqual(self.env["csw.subcontract"].search(action["domain"]), self.subcontract)
        order.estimated_cost = 400
        self.subcontract.invalidate_recordset()
        self.project.invalidate_recordset()
        self.assertFalse(self.subcontract.retention_shortfall)
        self.assertEqual(self.project.retention_shortfall_count, 0)

    def test_liability_end_reminds_the_manager_once(self):
        self.subcontract.amount = 10000
        self.env["csw.repair.order"].create(
            {
                "unit_id": self.unit.id,
                "location": "主卫",
                "category_id": self.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                "estimated_cost": 800,
            }
        )
        Subcontract = self.env["csw.subcontract"]

        def reminders():
            return self.env["mail.activity"].search(
                [("res_model", "=", "csw.subcontract"), ("res_id", "=", self.subcontract.id)]
            )

        with freeze_time("2026-01-09 12:00:00"):
            Subcontract._cron_remind_liability_end()
        self.assertFalse(reminders())
        with freeze_time("2026-01-10 12:00:00"):
            Subcontract._cron_remind_liability_end()
            Subcontract._cron_remind_liability_end()
        self.assertEqual(reminders().user_id, self.manager)
        self.assertIn("exceed", reminders().note)
        self.assertTrue(self.subcontract.liability_end_reminded)
        with self.assertRaises(UserError):
            self.subcontract.with_user(self.manager).write({"liability_end_reminded": False})

    def test_bill_of_a_contract_with_open_defects_needs_a_manager_confirmation(self):
        order = self.env["csw.repair.order"].create(
            {
                "unit_id": self.unit.id,
                "location": "主卫",
                "category_id": self.env.ref("customer_service_warranty.category_waterproofing_bathroom").id,
                "notify_method": "written",
            }
        )
        bill = self._bill(self.team, 9000, post=False).with_user(self.billing)
        self.assertEqual(bill.csw_open_defect_count, 1)
        with self.assertRaisesRegex(UserError, "not settled while defects are left"):
            bill.action_post()
        self.assertEqual(bill.state, "draft")
        # a non-manager can neither confirm nor forge the confirmation
        with self.assertRaises(AccessError):
            bill.write({"csw_settlement_reason": "我来确认"})
        bill.write({"csw_settlement_confirmed_uid": self.billing.id})
        self.assertFalse(bill.csw_settlement_confirmed_uid)
        with self.assertRaises(UserError):
            bill.action_post()
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing).create(
                {"move_type": "in_invoice", "partner_id": self.team.id, "csw_retention_release": True}
            )
        bill.with_user(self.accountant).write({"csw_settlement_reason": "遗留问题已预留代工款,进度款照付"})
        self.assertEqual(bill.csw_settlement_confirmed_uid, self.accountant)
        bill.action_post()
        self.assertEqual(bill.state, "posted")
        self.assertIn("遗留问题已预留代工款", bill.message_ids[0].body)
        # the substitute team's bill settles no contract of its own
        self.assertEqual(self._bill(self.repairer, 800).state, "posted")
        # once the defect is verified the team's bills post again
        order.write({"completion_note": "已修复"})
        order.action_notify()
        order.action_done()
        order.action_verify()
        self.assertEqual(self._bill(self.team, 100).state, "posted")

    def test_ledger_figures_in_the_same_queries_for_any_number_of_contracts(self):
        Subcontract = self.env["csw.subcontract"]
        counts = []
        for size in (1, 4):
            contracts = Subcontract.create(
                [
                    {
                        "name": f"YS-Q-{size}-{n}",
                        "partner_id": self.team.id,
                        "project_id": self.project.id,
                        "amount": 1000,
                        "state": "active",
                    }
                    for n in range(size)
                ]
            )
            self.env["csw.retention.entry"].sudo().create(
                [{"subcontract_id": c.id, "entry_type": "deducted", "amount": 10} for c in contracts]
            )
            contracts.invalidate_recordset()
            self.env.flush_all()
            before = self.cr.sql_log_count
            self.assertEqual(contracts.mapped("retention_balance"), [40.0] * size)
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
