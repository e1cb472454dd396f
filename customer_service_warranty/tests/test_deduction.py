import uuid
from contextlib import closing

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common_money import CswAccountingCase, build_estate, substitute_repair


@tagged("post_install", "-at_install", "csw_dates")
class TestDeduction(CswAccountingCase):
    def _deduction(self, cost=3000, compensation=800):
        return substitute_repair(self.env, self.unit, self.repairer, cost, compensation).deduction_id

    def _with_evidence(self, deduction):
        deduction.write(
            {
                "evidence_photo_ids": [Command.link(self.photo.id)],
                "evidence_notice_ids": [Command.link(self.screenshot.id)],
            }
        )
        return deduction

    def _approved(self, cost=3000, compensation=800):
        deduction = self._with_evidence(self._deduction(cost, compensation))
        deduction.with_user(self.agent).action_submit()
        deduction.with_user(self.manager).action_approve()
        return deduction

    def test_amounts_and_rounding(self):
        deduction = self._deduction(cost=333.33, compensation=100)
        self.assertEqual(deduction.substitute_cost, 333.33)
        self.assertEqual(deduction.agency_fee_amount, 166.67, "50 % of 333.33, rounded half up to the cent")
        self.assertEqual(deduction.amount_total, 600.0)
        self.assertEqual(deduction.currency_id, self.company.currency_id)
        self.assertEqual(deduction.address, "云山路8号3栋1201")
        self.assertEqual(deduction.notify_method, "written")

    def test_submit_refusals(self):
        deduction = self._deduction()
        with self.assertRaises(UserError) as err:
            deduction.with_user(self.agent).action_submit()
        self.assertIn("site photos", str(err.exception))
        self.assertNotIn("notice screenshot", str(err.exception), "the team got a written contact form")
        deduction.notify_method = "message"
        with self.assertRaises(UserError) as err:
            deduction.with_user(self.agent).action_submit()
        self.assertIn("notice screenshot", str(err.exception))
        self._with_evidence(deduction)
        deduction.reason = False
        with self.assertRaises(UserError):
            deduction.action_submit()
        deduction.reason = "refused_repair"
        deduction.write({"substitute_cost": 0, "estimated_cost": 0, "compensation_amount": 0})
        with self.assertRaises(UserError):
            deduction.action_submit()
        self.assertEqual(deduction.state, "draft")
        self.company.csw_evidence_plan_required = True
        deduction.write({"substitute_cost": 100})
        with self.assertRaises(UserError) as err:
            deduction.action_submit()
        self.assertIn("repair plan", str(err.exception))

    def test_transitions_per_group(self):
        deduction = self._with_evidence(self._deduction())
        deduction.with_user(self.agent).action_submit()
        self.assertEqual(deduction.submitted_uid, self.agent)
        with self.assertRaises(AccessError):
            deduction.with_user(self.agent).action_approve()
        deduction.with_user(self.manager).action_approve()
        self.assertEqual(deduction.approved_uid, self.manager)
        with self.assertRaises(AccessError):
            deduction.with_user(self.manager).action_post()
        self.assertEqual(deduction.state, "approved")
        deduction.with_user(self.accountant).action_post()
        self.assertEqual(deduction.state, "posted")
        with self.assertRaises(UserError):
            deduction.with_user(self.accountant).action_post()
        self.assertEqual(self.env["account.move"].search_count([("csw_deduction_id", "=", deduction.id)]), 1)
        with self.assertRaises(AccessError):
            deduction.with_user(self.manager).action_cancel()
        with self.assertRaises(UserError):
            deduction.unlink()

    def test_credit_note_charges_the_subcontractor(self):
        deduction = self._approved(cost=3000, compensation=800)
        deduction.with_user(self.accountant).action_post()
        move = deduction.move_id
        self.assertEqual(move.move_type, "in_refund")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.partner_id, self.team)
        self.assertEqual(move.journal_id.type, "purchase")
        self.assertEqual(move.csw_deduction_id, deduction)
        self.assertEqual(move.csw_subcontract_id, self.subcontract)
        self.assertEqual(move.amount_total, 5300)
        accounting = self.company._csw_deduction_accounting()
        by_amount = {line.price_subtotal: line.account_id for line in move.invoice_line_ids}
        self.assertEqual(
            by_amount,
            {3000: accounting["substitute"], 1500: accounting["agency_fee"], 800: accounting["compensation"]},
        )
        self.assertFalse(move.invoice_line_ids.tax_ids)

    def test_configured_accounts_are_used(self):
        journal = self.company_data["default_journal_purchase"].copy({"name": "代维扣款", "code": "KK"})
        account = self.company_data["default_account_revenue"].copy()
        self.company.write({"csw_deduction_journal_id": journal.id, "csw_agency_fee_account_id": account.id})
        deduction = self._approved()
        deduction.with_user(self.accountant).action_post()
        self.assertEqual(deduction.move_id.journal_id, journal)
        self.assertIn(account, deduction.move_id.invoice_line_ids.account_id)

    def test_credit_note_reconciles_with_the_contract_bill(self):
        deduction = self._approved(cost=3000, compensation=800)
        deduction.with_user(self.accountant).action_post()
        bill = self.init_invoice("in_invoice", partner=self.team, amounts=[10000])
        bill.csw_subcontract_id = self.subcontract
        # the substitute repair is still open: a manager lets the bill through (settlement block)
        bill.with_user(self.accountant).csw_settlement_reason = "代维修费用已从本账单抵扣"
        bill.action_post()
        payable = (bill | deduction.move_id).line_ids.filtered(lambda line: line.account_type == "liability_payable")
        payable.reconcile()
        self.assertEqual(bill.amount_residual, 10000 - 5300)
        self.assertEqual(deduction.move_id.payment_state, "paid")

    def test_cancelling_a_posted_deduction_reverses_its_credit_note(self):
        deduction = self._approved()
        deduction.with_user(self.accountant).action_post()
        deduction.with_user(self.accountant).action_cancel()
        self.assertEqual(deduction.state, "cancelled")
        self.assertEqual(deduction.reversal_move_id.state, "posted")
        self.assertEqual(deduction.reversal_move_id.move_type, "in_invoice")
        self.assertEqual(deduction.reversal_move_id.reversed_entry_id, deduction.move_id)
        self.assertTrue(deduction.move_id.currency_id.is_zero(deduction.move_id.amount_residual), "reconciled")
        self.assertTrue(deduction.move_id.currency_id.is_zero(deduction.reversal_move_id.amount_residual))
        with self.assertRaises(UserError):
            deduction.action_draft()

    def test_company_without_accounting_gets_one_clear_error(self):
        bare = self.env["res.company"].create({"name": "无账套公司"})
        self.env.user.company_ids |= bare
        env = self.env(context=dict(self.env.context, allowed_company_ids=[bare.id]))
        _project, unit, _team, _subcontract, repairer = build_estate(env, bare, suffix="B")
        deduction = substitute_repair(env, unit, repairer, 1000).deduction_id
        # arranged as the superuser: the workflow fields are not written by users
        deduction.sudo().write({"state": "approved"})
        with self.assertRaises(UserError) as err:
            deduction.action_post()
        self.assertIn("no accounting set up", str(err.exception))
        self.assertEqual(deduction.state, "approved")
        self.assertFalse(deduction.move_id)

    def test_retention_release_is_refused_while_anything_is_open(self):
        order = substitute_repair(self.env, self.unit, self.repairer, 2000)
        with self.assertRaises(UserError) as err:
            self.subcontract.with_user(self.accountant).action_release_retention()
        self.assertIn("defect", str(err.exception))
        order.action_verify()
        with self.assertRaises(UserError) as err:
            self.subcontract.with_user(self.accountant).action_release_retention()
        self.assertIn(order.deduction_id.name, str(err.exception))
        with self.assertRaises(AccessError):
            self.subcontract.with_user(self.manager).action_release_retention()
        self.assertFalse(self.subcontract.retention_released)
        deduction = self._with_evidence(order.deduction_id)
        deduction.action_submit()
        # separation of duties: who approves does not post
        deduction.with_user(self.manager).action_approve()
        deduction.with_user(self.accountant).action_post()
        self.assertEqual(self.subcontract.deducted_amount, 3000)
        self.assertIn("Quality defects", self.subcontract.review_html)

        self.env["csw.retention.review"].with_user(self.manager).create(
            {
                "subcontract_id": self.subcontract.id,
                "opinion_quality": "缺陷均已销项",
                "opinion_substitute": "代维修一次,已扣款",
                "conclusion": "release_all",
            }
        )
        self.subcontract.with_user(self.accountant).action_release_retention()
        bill = self.subcontract.retention_bill_id
        self.assertTrue(self.subcontract.retention_released)
        self.assertEqual(self.subcontract.state, "closed")
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.partner_id, self.team)
        # the team had no bill to absorb the 3 000 deduction: it was charged to the retention
        self.assertEqual(self.subcontract.retention_deducted, 3000)
        self.assertEqual(bill.amount_total, self.subcontract.retention_amount - 3000)
        self.assertEqual(bill.amount_total, 47_000)
        self.assertEqual(bill.invoice_line_ids.account_id, self.company._csw_deduction_accounting()["retention"])
        with self.assertRaises(UserError):
            self.subcontract.with_user(self.accountant).action_release_retention()

    def test_request_and_team_notice_pdfs(self):
        deduction = self._approved(cost=3000, compensation=800)
        Report = self.env["ir.actions.report"]
        request = Report._render_qweb_html("customer_service_warranty.action_report_deduction", deduction.ids)[0]
        request = request.decode()
        for fact in (
            deduction.name,
            self.team.name,
            self.subcontract.name,
            self.project.name,
            "云山路8号3栋1201",
            "Site photos",
            "Repair plan",
            self.agent.name,
            self.manager.name,
        ):
            self.assertIn(fact, request)
        notice = Report._render_qweb_html(
            "customer_service_warranty.action_report_deduction_team_notice", deduction.ids
        )[0].decode()
        self.assertIn("Damaged after completion, team refuses to repair", notice)
        self.assertIn("Team stopped over a low unit price", notice)
        self.assertIn("☑", notice)
        pdf, report_type = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "customer_service_warranty.action_report_deduction", deduction.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install", "csw_dates")
class TestDeductionConcurrency(TransactionCase):
    """Two users post the same deduction at once: one credit note, and a clear error for the other.

    Row locks only show between real transactions, so this test builds its data with
    its own committed cursor (in a company of its own) instead of the test transaction,
    which writes nothing (it would hold locks the other cursors wait for).
    """

    def test_two_users_posting_at_once_create_one_credit_note(self):
        db_name = self.env.cr.dbname

        def new_env(cr):
            return api.Environment(cr, SUPERUSER_ID, {})

        with closing(sql_db.db_connect(db_name).cursor()) as cr:
            env = new_env(cr)
            company = env["res.company"].create(
                {"name": f"并发测试公司 {uuid.uuid4().hex[:8]}", "country_id": env.ref("base.us").id}
            )
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            env = env(context={"allowed_company_ids": [company.id]})
            _project, unit, _team, _subcontract, repairer = build_estate(env, company, suffix=company.name[-8:])
            deduction_id = substitute_repair(env, unit, repairer, 1000).deduction_id.id
            env["csw.deduction"].browse(deduction_id).write({"state": "approved"})
            cr.commit()  # pylint: disable=invalid-commit
        context = {"allowed_company_ids": [company.id]}
        with closing(sql_db.db_connect(db_name).cursor()) as cr_a, closing(sql_db.db_connect(db_name).cursor()) as cr_b:
            first = new_env(cr_a)(context=context)["csw.deduction"].browse(deduction_id)
            second = new_env(cr_b)(context=context)["csw.deduction"].browse(deduction_id)
            first.action_post()  # holds the row lock until it commits
            with self.assertRaises(UserError) as err:
                second.action_post()
            self.assertIn("Another user", str(err.exception))
            cr_a.commit()  # pylint: disable=invalid-commit
            cr_b.rollback()
            with self.assertRaises(UserError) as err:
                second.action_post()
            self.assertIn("cannot be posted", str(err.exception))
            cr_b.rollback()
            moves = new_env(cr_b)["account.move"].search([("csw_deduction_id", "=", deduction_id)])
            self.assertEqual(len(moves), 1)
