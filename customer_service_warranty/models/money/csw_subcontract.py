"""What the money domain adds to csw.subcontract: deductions, the retention ledger and its release.

The retention (质保金) is held on the contract and paid out by vendor bills; the deductions of
substitute repairs are charged to it. The contract is estate master data and knows nothing of
money, so all of it lives here:

* the retention is released by a user with both the CS manager and the Billing rights
  (separation of duties: an accountant alone cannot pay it out), only while the contract
  is in force, after its liability end (``warranty_end_date``), and when no repair order
  of the contract is open and none of its deductions is pending — counted over all
  records, whatever the user may see, on the locked contract row;
* the subcontractor and the agency fee are refused while a deduction of the contract is
  submitted or approved (it was computed with them); a posted deduction or the released
  retention locks the contract's terms (``_csw_terms_locked``, see the estate's contract).
  Posted deductions keep their amounts.
"""

from collections import defaultdict

from psycopg2.errors import LockNotAvailable

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger
from odoo.tools.translate import LazyTranslate

from ..base.csw_locale import company_locale
from ..base.csw_workflow_mixin import open_door
from ..estate.csw_subcontract import IN_FORCE_CONTRACT_STATES, MANAGER_GROUP
from ..repair.csw_repair_order import OPEN_REPAIR_STATES
from .csw_deduction import PENDING_DEDUCTION_STATES, SUBMITTED_DEDUCTION_STATES

_lt = LazyTranslate(__name__)

BILLING_GROUP = "account.group_account_invoice"
# what a submitted or approved deduction was computed with
DEDUCTION_TERMS = ("partner_id", "agency_fee_percent")
RELEASE_BUTTON = _lt("the Release Retention button")
LEDGER_FIELDS = (
    "retention_held",
    "retention_deducted",
    "retention_released_amount",
    "retention_balance",
    "retention_reserved",
    "retention_free",
    "retention_shortfall",
)


class CswSubcontract(models.Model):
    _inherit = "csw.subcontract"

    # Retention review and release
    deduction_ids = fields.One2many("csw.deduction", "subcontract_id", string="Deductions")
    open_repair_order_count = fields.Integer(string="Open Defects", compute="_compute_review")
    substitute_count = fields.Integer(string="Substitute Repairs", compute="_compute_review")
    deducted_amount = fields.Monetary(string="Deducted", compute="_compute_review", help="Posted deductions.")
    compensation_total = fields.Monetary(string="Compensation Paid", compute="_compute_review")
    review_html = fields.Html(string="Release Review", compute="_compute_review", sanitize=False)
    release_blockers = fields.Text(
        compute="_compute_release_blockers",
        help="What stops the release of the whole retention: the liability period still running, "
        "the open defects and the deductions not yet posted or cancelled.",
    )
    retention_released = fields.Boolean(readonly=True, copy=False, tracking=True)
    retention_release_date = fields.Date(readonly=True, copy=False)
    retention_bill_id = fields.Many2one("account.move", readonly=True, copy=False)
    # Retention ledger (质保金台账), set-based, counted over all records whatever the user sees
    retention_entry_ids = fields.One2many("csw.retention.entry", "subcontract_id", string="Retention Ledger")
    retention_review_ids = fields.One2many("csw.retention.review", "subcontract_id", string="Release Reviews")
    retention_held = fields.Monetary(
        compute="_compute_retention_ledger",
        help="Contract amount × retention %, once the contract is in force.",
    )
    retention_deducted = fields.Monetary(
        string="Charged to Retention",
        compute="_compute_retention_ledger",
        help="Posted deductions the team's open bills of the contract could not absorb.",
    )
    retention_released_amount = fields.Monetary(string="Retention Released", compute="_compute_retention_ledger")
    retention_balance = fields.Monetary(
        compute="_compute_retention_ledger",
        help="Held − charged − released.",
    )
    retention_reserved = fields.Monetary(
        string="Reserved for Open Defects",
        compute="_compute_retention_ledger",
        help="Estimated costs of the open defects not yet in a request, and the amounts of the "
        "pending substitute repair requests (draft, submitted, approved).",
    )
    retention_free = fields.Monetary(
        string="Releasable Now",
        compute="_compute_retention_ledger",
        help="Balance − reserve: what a partial release may pay out (预留足够代工款项后予以结算).",
    )
    retention_shortfall = fields.Boolean(
        compute="_compute_retention_ledger",
        help="The pending charges exceed the retention balance: nothing would be left to deduct "
        "from during the warranty (以免保修期无款可扣).",
    )
    liability_end_reminded = fields.Boolean(
        readonly=True, copy=False, help="The CS manager was reminded that the defect liability period ended."
    )

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "retention_released": RELEASE_BUTTON,
            "retention_release_date": RELEASE_BUTTON,
            "retention_bill_id": RELEASE_BUTTON,
            "liability_end_reminded": _lt("the liability end reminder"),
        }

    def _compute_review(self):
        """The two opinions of the release review: ① quality defects, ② substitute repairs and money."""
        Order = self.env["csw.repair.order"]
        defects = Order._read_group(
            [("subcontract_id", "in", self.ids)], ["subcontract_id", "category_id"], ["__count"]
        )
        open_defects = dict(
            Order._read_group(
                [("subcontract_id", "in", self.ids), ("state", "in", OPEN_REPAIR_STATES)],
                ["subcontract_id"],
                ["__count"],
            )
        )
        substitutes = Order._read_group(
            [("subcontract_id", "in", self.ids), ("is_substitute", "=", True)],
            ["subcontract_id"],
            ["__count", "compensation_amount:sum"],
        )
        substitutes = {subcontract: (count, total) for subcontract, count, total in substitutes}
        deductions = dict(
            self.env["csw.deduction"]._read_group(
                [("subcontract_id", "in", self.ids), ("state", "=", "posted")],
                ["subcontract_id"],
                ["amount_total:sum"],
            )
        )
        compensation = dict(
            Order._read_group([("subcontract_id", "in", self.ids)], ["subcontract_id"], ["compensation_amount:sum"])
        )
        for subcontract in self:
            by_category = [(category, count) for sc, category, count in defects if sc == subcontract]
            subcontract.open_repair_order_count = open_defects.get(subcontract, 0)
            subcontract.substitute_count = substitutes.get(subcontract, (0, 0))[0]
            subcontract.deducted_amount = deductions.get(subcontract, 0)
            subcontract.compensation_total = compensation.get(subcontract, 0)
            subcontract.review_html = subcontract._render_review(by_category)

    def _render_review(self, by_category):
        self.ensure_one()
        return self.env["ir.qweb"]._render(
            "customer_service_warranty.subcontract_release_review",
            {"subcontract": self, "by_category": by_category},
        )

    def _compute_retention_ledger(self):
        """Three grouped queries for any number of contracts, entries, orders and requests."""
        Entry = self.env["csw.retention.entry"].sudo()
        moved = defaultdict(float)
        for subcontract, entry_type, amount in Entry._read_group(
            [("subcontract_id", "in", self.ids)], ["subcontract_id", "entry_type"], ["amount:sum"]
        ):
            moved[subcontract.id, entry_type] = amount
        reserved = defaultdict(float)
        for subcontract, estimated in (
            self.env["csw.repair.order"]
            .sudo()
            ._read_group(
                [
                    ("subcontract_id", "in", self.ids),
                    ("state", "in", OPEN_REPAIR_STATES),
                    "|",
                    ("deduction_id", "=", False),
                    ("deduction_id.state", "=", "cancelled"),
                ],
                ["subcontract_id"],
                ["estimated_cost:sum"],
            )
        ):
            reserved[subcontract.id] += estimated
        for deduction in (
            self.env["csw.deduction"]
            .sudo()
            .search_fetch(
                [("subcontract_id", "in", self.ids), ("state", "in", PENDING_DEDUCTION_STATES)],
                ["subcontract_id", "estimated_cost", "amount_total"],
            )
        ):
            # a request is reserved at its estimate until the actual charge is known
            reserved[deduction.subcontract_id.id] += max(deduction.estimated_cost, deduction.amount_total)
        for subcontract in self:
            key = subcontract._origin.id
            held = subcontract.retention_amount if subcontract.state in IN_FORCE_CONTRACT_STATES else 0.0
            deducted, released = moved[key, "deducted"], moved[key, "released"]
            balance = subcontract.currency_id.round(held - deducted - released)
            reserve = subcontract.currency_id.round(reserved[key])
            subcontract.retention_held = held
            subcontract.retention_deducted = deducted
            subcontract.retention_released_amount = released
            subcontract.retention_balance = balance
            subcontract.retention_reserved = reserve
            subcontract.retention_free = max(0.0, balance - reserve)
            subcontract.retention_shortfall = subcontract.currency_id.compare_amounts(reserve, balance) > 0

    def _compute_release_blockers(self):
        blockers = self._release_blockers()
        for subcontract in self:
            subcontract.release_blockers = "\n".join(blockers.get(subcontract, [])) or False

    def _release_blockers(self):
        """``{contract: [sentence]}``: why each contract's whole retention cannot be released yet,
        the open defects and pending deductions by number (ten, then how many more); one search
        each, over every order and deduction whatever the user may see."""
        today = fields.Date.context_today(self)
        contracts = self.filtered(lambda c: c.state == "active" and not c.retention_released)
        orders = (
            self.env["csw.repair.order"]
            .sudo()
            .search([("subcontract_id", "in", contracts.ids), ("state", "in", OPEN_REPAIR_STATES)], order="id")
            .grouped("subcontract_id")
        )
        deductions = (
            self.env["csw.deduction"]
            .sudo()
            .search([("subcontract_id", "in", contracts.ids), ("state", "not in", ("posted", "cancelled"))], order="id")
            .grouped("subcontract_id")
        )
        blockers = {}
        for contract in contracts:
            reasons = []
            if not contract.warranty_end_date or contract.warranty_end_date > today:
                reasons.append(
                    self.env._("The defect liability runs until %(date)s.", date=contract.warranty_end_date or "-")
                )
            open_orders = orders.get(contract)
            if open_orders:
                reasons.append(
                    self.env._(
                        "%(count)s defect(s) still open: %(orders)s.",
                        count=len(open_orders),
                        orders=self._numbers(open_orders),
                    )
                )
            pending = deductions.get(contract)
            if pending:
                reasons.append(
                    self.env._("Deduction(s) to post or cancel: %(deductions)s.", deductions=self._numbers(pending))
                )
            if reasons:
                blockers[contract] = reasons
        return blockers

    def _numbers(self, records, shown=10):
        """The names of ``records``, the first ``shown`` then how many more."""
        names = "、".join(records[:shown].mapped("name"))
        if len(records) > shown:
            names = self.env._("%(names)s and %(count)s more", names=names, count=len(records) - shown)
        return names

    # ------------------------------------------------------------------
    # Contract terms
    # ------------------------------------------------------------------
    def _csw_terms_locked(self):
        """The contracts of ``self`` whose terms are locked: a deduction posted or the retention released."""
        posted = (
            self.env["csw.deduction"]
            .sudo()
            .search([("subcontract_id", "in", self.ids), ("state", "=", "posted")])
            .subcontract_id
        )
        return super()._csw_terms_locked() | self.filtered(
            lambda subcontract: subcontract.retention_released or subcontract in posted
        )

    def _csw_check_write(self, vals):
        # refused before the lock of the terms is checked
        follow = [fname for fname in self._csw_changed_terms(vals) if fname in DEDUCTION_TERMS]
        if follow:
            in_flight = (
                self.env["csw.deduction"]
                .sudo()
                .search([("subcontract_id", "in", self.ids), ("state", "in", SUBMITTED_DEDUCTION_STATES)], limit=1)
            )
            if in_flight:
                raise UserError(
                    self.env._(
                        "Deduction %(deduction)s of contract %(contract)s is submitted or approved with the "
                        "current %(field)s: the change is refused until it is posted or cancelled.",
                        deduction=in_flight.name,
                        contract=in_flight.subcontract_id.name,
                        field=self._fields[follow[0]]._description_string(self.env),
                    )
                )
        return super()._csw_check_write(vals)

    # ------------------------------------------------------------------
    # Release
    # ------------------------------------------------------------------
    def action_release_retention(self):
        """Pay the whole balance out and close the contract; see the class docstring for the rules."""
        self._csw_check_release_allowed()
        blockers = self._release_blockers()
        for subcontract in self:
            if subcontract in blockers:
                raise UserError(
                    self.env._(
                        "The retention of %(contract)s cannot be released:\n%(blockers)s\n"
                        "A partial release keeping the reserve back is possible.",
                        contract=subcontract.name,
                        blockers="\n".join(blockers[subcontract]),
                    )
                )
            review = subcontract._csw_release_review("release_all")
            bill = subcontract._create_retention_bill(subcontract.retention_balance, review)
            subcontract._csw_workflow_write(
                {
                    "retention_released": True,
                    "retention_release_date": fields.Date.context_today(self),
                    "retention_bill_id": bill.id,
                    "state": "closed",
                }
            )
        return True

    def action_release_retention_partial(self):
        """Pay out the balance less the reserve for the open defects and pending requests
        (预留足够代工款项后予以结算); the contract stays in force with the reserve held."""
        self._csw_check_release_allowed()
        for subcontract in self:
            review = subcontract._csw_release_review("partial")
            amount = subcontract.retention_free
            if subcontract.currency_id.compare_amounts(amount, 0) <= 0:
                raise UserError(
                    self.env._(
                        "Nothing of the retention of %(contract)s can be released: its balance %(balance)s does "
                        "not exceed what is reserved for open defects and pending requests (%(reserve)s).",
                        contract=subcontract.name,
                        balance=subcontract.retention_balance,
                        reserve=subcontract.retention_reserved,
                    )
                )
            subcontract._create_retention_bill(amount, review)
        return True

    def _csw_check_release_allowed(self):
        """Rights, state and liability end, checked again on the locked rows."""
        if not all(self.env.user.has_group(xmlid) for xmlid in (MANAGER_GROUP, BILLING_GROUP)):
            raise AccessError(
                self.env._("Releasing retention money needs both the CS manager and the Billing (accounting) rights.")
            )
        self._check_state_in(("draft", "active", "closed", "cancelled"), self.env._("released"))
        self._lock_for_release()
        today = fields.Date.context_today(self)
        for subcontract in self:
            if subcontract.retention_released:
                raise UserError(
                    self.env._("The retention of %(contract)s is already released.", contract=subcontract.name)
                )
            if subcontract.state != "active":
                raise UserError(
                    self.env._(
                        "The retention of %(contract)s can only be released while the contract is in force.",
                        contract=subcontract.name,
                    )
                )
            if not subcontract.warranty_end_date or subcontract.warranty_end_date > today:
                raise UserError(
                    self.env._(
                        "The retention of %(contract)s is held until the end of the defect liability "
                        "(%(date)s): it cannot be released before.",
                        contract=subcontract.name,
                        date=subcontract.warranty_end_date or "-",
                    )
                )

    def _lock_for_release(self):
        """Lock the contract rows: a second release waits for the first one, then sees it."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM csw_subcontract WHERE id IN %s FOR UPDATE NOWAIT", tuple(self.ids))
                )
        except LockNotAvailable:
            raise UserError(
                self.env._("Another user is releasing or changing this contract right now. Try again in a moment.")
            ) from None
        # what another transaction committed before the lock, and the ledger figures computed from it
        self.invalidate_recordset(["state", "retention_released", *LEDGER_FIELDS])

    def _csw_release_review(self, conclusion):
        """The contract's latest review, recorded for this release and not used by another one."""
        self.ensure_one()
        review = (
            self.env["csw.retention.review"]
            .sudo()
            .search([("subcontract_id", "=", self.id)], order="review_date desc, id desc", limit=1)
        )
        if not review or review.entry_id or review.conclusion != conclusion:
            conclusions = dict(review._fields["conclusion"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Record a release review of %(contract)s concluding “%(conclusion)s” first (seed 4.7: the "
                    "quality defects and the substitute repairs are reviewed before any release).",
                    contract=self.name,
                    conclusion=conclusions[conclusion],
                )
            )
        return review

    def _create_retention_bill(self, amount, review):
        """The vendor bill paying ``amount`` of the retention, its ledger entry and the review's PDF."""
        self.ensure_one()
        accounting = self.company_id._csw_deduction_accounting()
        bill = open_door(
            self.env["account.move"].with_company(self.company_id), {"csw_retention_release"}, creating=True
        ).create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_id.id,
                "journal_id": accounting["journal"].id,
                "invoice_date": fields.Date.context_today(self),
                "ref": self.env._("Retention release %(contract)s", contract=self.name),
                "csw_subcontract_id": self.id,
                "csw_retention_release": True,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": self.env._("Retention money of contract %(contract)s", contract=self.name),
                            "account_id": accounting["retention"].id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        bill.action_post()
        entry = (
            self.env["csw.retention.entry"]
            .sudo()
            .create(
                {
                    "subcontract_id": self.id,
                    "entry_type": "released",
                    "amount": amount,
                    "move_id": bill.id,
                    "review_id": review.id,
                }
            )
        )
        review.sudo().entry_id = entry
        self.env["ir.attachment"].sudo().create(
            {
                "name": self.env._("Retention release review %(contract)s.pdf", contract=self.name),
                "type": "binary",
                "raw": review._csw_render_pdf(),
                "res_model": "account.move",
                "res_id": bill.id,
                "mimetype": "application/pdf",
            }
        )
        self.invalidate_recordset(LEDGER_FIELDS)
        return bill

    def _csw_settlement_bills(self):
        """The team's posted bills of these contracts still to be paid (not the retention releases)."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "in_invoice"),
                    ("state", "=", "posted"),
                    ("csw_subcontract_id", "in", self.ids),
                    ("csw_retention_release", "=", False),
                    ("commercial_partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("amount_residual", ">", 0),
                ]
            )
        )

    def _csw_retention_transfer(self, note, amount):
        """Debit the retention account, credit the team's payable: the posted entry charging
        ``amount`` of credit note ``note`` to the retention; it matches the note's payable."""
        self.ensure_one()
        accounting = self.company_id._csw_deduction_accounting()
        Entry = self.env["csw.retention.entry"]
        transfer = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    # a transfer between two balance-sheet accounts: a miscellaneous entry
                    "journal_id": (
                        self.env["account.journal"]
                        .sudo()
                        .search([("type", "=", "general"), ("company_id", "=", self.company_id.id)], limit=1)
                        or accounting["journal"]
                    ).id,
                    "date": note.date,
                    "ref": self.env._(
                        "Deduction %(deduction)s charged to the retention of %(contract)s",
                        deduction=note.csw_deduction_id.name,
                        contract=self.name,
                    ),
                    "csw_subcontract_id": self.id,
                    "line_ids": Entry._csw_transfer_lines(self, note, amount, accounting["retention"]),
                }
            )
        )
        transfer.action_post()
        return transfer

    @api.model
    @company_locale
    def _cron_remind_liability_end(self):
        """Once per contract: a to-do for the company's CS manager when the defect liability ended."""
        ended = self.search(
            [
                ("state", "=", "active"),
                ("retention_released", "=", False),
                ("liability_end_reminded", "=", False),
                ("warranty_end_date", "<=", fields.Date.context_today(self)),
                ("company_id.csw_cs_manager_id", "!=", False),
            ]
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        for subcontract in ended:
            note = self.env._(
                "The defect liability of %(contract)s (%(team)s) ended on %(date)s: review the quality defects "
                "and substitute repairs and release the retention (balance %(balance)s, reserved %(reserve)s).",
                contract=subcontract.name,
                team=subcontract.partner_id.name,
                date=subcontract.warranty_end_date,
                balance=subcontract.retention_balance,
                reserve=subcontract.retention_reserved,
            )
            if subcontract.retention_shortfall:
                note += " " + self.env._("Warning: the pending charges exceed the retention balance.")
            subcontract.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._("Defect liability ended: release review"),
                note=note,
                user_id=subcontract.company_id.csw_cs_manager_id.id,
            )
        ended._csw_workflow_write({"liability_end_reminded": True})
        return True

    def action_view_retention_bill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.retention_bill_id.id,
            "view_mode": "form",
        }
