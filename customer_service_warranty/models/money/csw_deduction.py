from psycopg2.errors import LockNotAvailable

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, mute_logger
from odoo.tools.translate import LazyTranslate

from ..base.csw_workflow_mixin import Transition
from ..repair.csw_repair_order import FINISHED_REPAIR_STATES, NOTIFY_METHODS

# the approver's to-do when a deduction is submitted
APPROVAL_ACTIVITY = "mail.mail_activity_data_todo"

_lt = LazyTranslate(__name__)

BILLING_GROUP = "account.group_account_invoice"
MANAGER_GROUP = "customer_service_warranty.group_csw_manager"
PENDING_DEDUCTION_STATES = ("draft", "submitted", "approved")
"""A deduction not yet posted nor cancelled: what it charges is still to come."""
SUBMITTED_DEDUCTION_STATES = ("submitted", "approved")
"""A request on its way to the credit note: the contract's terms no longer change under it."""
CANCELLABLE_DEDUCTION_STATES = (*PENDING_DEDUCTION_STATES, "posted")
"""A deduction that may be cancelled (a posted one with its credit note reversed)."""
EVIDENCE_FIELDS = ("evidence_photo_ids", "evidence_notice_ids", "evidence_contact_form_ids", "evidence_plan_ids")

DEDUCTION_REASONS = [
    # work not completed
    ("quit_low_price", "Team stopped over a low unit price"),
    ("absconded", "Team vanished after full payment"),
    ("slow_progress", "Slow progress, too few workers"),
    ("overdue", "Not finished within the contract period"),
    # repair needed
    ("incapable", "Team cannot do the repair"),
    ("refused_repair", "Damaged after completion, team refuses to repair"),
    ("cross_damage", "Damage between teams in cross work"),
    ("poor_quality", "Poor workmanship"),
    ("compensation", "Compensation to the owner"),
    ("other", "Other"),
]


class CswDeduction(models.Model):
    """A deduction request (代维修请示 / 扣款单) charging substitute repairs back to a subcontractor.

    Substitute repairs create or extend the draft deduction of their subcontract; the
    approval and accounting workflow builds on these fields.

    Rules kept by the model, whatever the client (DOMAIN §6a):

    * the state, the approval trail, the credit note and its reversal change only through
      the buttons (``_csw_protected_fields``); the number comes from the company's sequence;
    * once submitted, the amounts, the payee (``partner_id``, copied from the contract while
      draft), the contract and the repair orders are frozen: they no longer follow the repair
      orders or the contract, so a posted deduction always equals its credit note. Cancelling
      and resetting to draft unfreezes them;
    * separation of duties: a manager approves; posting needs Manager + Billing and another
      person than the one who approved (the superuser, loading data, is exempt); cancelling an
      approved deduction needs a manager, a posted one Manager + Billing.
    """

    _name = "csw.deduction"
    _description = "Deduction Request"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _csw_number_field = "name"

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    subcontract_id = fields.Many2one(
        "csw.subcontract", required=True, index=True, check_company=True, tracking=True, ondelete="restrict"
    )
    # the payee: the contract's subcontractor while draft, then frozen
    partner_id = fields.Many2one(
        "res.partner", string="Subcontractor", compute="_compute_partner_id", store=True, precompute=True, index=True
    )
    project_id = fields.Many2one(related="subcontract_id.project_id", store=True, string="Estate")
    region = fields.Char(related="project_id.region", store=True, index=True)
    company_id = fields.Many2one(related="subcontract_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(default=fields.Date.context_today, required=True)
    reason = fields.Selection(DEDUCTION_REASONS, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("posted", "Posted"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    repair_order_ids = fields.One2many("csw.repair.order", "deduction_id", string="Repair Orders")
    substitute_cost = fields.Monetary(
        string="Actual Cost",
        compute="_compute_substitute_cost",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Actual cost of the substitute repairs, charged at posting: the sum of the repair orders' "
        "actual costs (typed only on a draft without orders); it follows the orders until posting.",
    )
    cost_difference = fields.Monetary(
        string="Actual − Estimate",
        compute="_compute_cost_difference",
        help="The actual cost less the estimate of the request.",
    )
    estimated_cost = fields.Monetary(
        compute="_compute_amounts",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Cost of the substitute repairs estimated in the request (预计发生的代维费用), before the "
        "work: the sum of the repair orders' estimates unless typed.",
    )
    agency_fee_amount = fields.Monetary(
        string="Agency Fee",
        compute="_compute_agency_fee_amount",
        store=True,
        readonly=False,
        precompute=True,
        help="Substitute cost × the subcontract's agency fee %.",
    )
    compensation_amount = fields.Monetary(
        string="Owner Compensation",
        help="Proposed from the repair orders: each one's compensation, or its loss estimate while none "
        "is entered; may be typed.",
        compute="_compute_amounts",
        store=True,
        readonly=False,
        precompute=True,
    )
    amount_total = fields.Monetary(string="Total", compute="_compute_amount_total", store=True, tracking=True)
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True, copy=False, check_company=True)
    reversal_move_id = fields.Many2one("account.move", string="Reversal", readonly=True, copy=False)
    description = fields.Html(string="Problem Description")
    substitute_bill_ids = fields.Many2many(
        "account.move",
        string="Substitute Bills",
        compute="_compute_substitute_bills",
        help="The vendor bills of the substitute teams of its repair orders.",
    )
    substitute_bill_count = fields.Integer(compute="_compute_substitute_bills")
    compensation_move_ids = fields.One2many(
        "account.move",
        "csw_compensation_deduction_id",
        string="Owner Compensation Bills",
        readonly=True,
        help="The payables to the owners (赔付) booked when the deduction was posted.",
    )

    # The seed's request: where, how Party A notified the team
    address = fields.Char(compute="_compute_from_orders", store=True, readonly=False, precompute=True)
    location = fields.Char(compute="_compute_from_orders", store=True, readonly=False, precompute=True)
    notify_method = fields.Selection(
        NOTIFY_METHODS,
        string="Team Notified By",
        compute="_compute_from_orders",
        store=True,
        readonly=False,
        precompute=True,
    )

    # Evidence checklist (the company decides which pieces are mandatory)
    evidence_photo_ids = fields.Many2many(
        "ir.attachment", "csw_deduction_photo_rel", "deduction_id", "attachment_id", string="Site Photos"
    )
    evidence_notice_ids = fields.Many2many(
        "ir.attachment",
        "csw_deduction_notice_rel",
        "deduction_id",
        "attachment_id",
        string="Notice Screenshot",
        help="Shows the team, estate, address, location and the entry time it was given.",
    )
    evidence_contact_form_ids = fields.Many2many(
        "ir.attachment", "csw_deduction_contact_rel", "deduction_id", "attachment_id", string="Party A Contact Form"
    )
    evidence_plan_ids = fields.Many2many(
        "ir.attachment", "csw_deduction_plan_rel", "deduction_id", "attachment_id", string="Repair Plan"
    )

    # Approval trail
    submitted_uid = fields.Many2one("res.users", string="Submitted By", readonly=True, copy=False)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    approved_uid = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approved_date = fields.Datetime(readonly=True, copy=False)
    posted_uid = fields.Many2one("res.users", string="Posted By", readonly=True, copy=False)
    posted_date = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK(coalesce(substitute_cost, 0) >= 0 AND coalesce(agency_fee_amount, 0) >= 0 "
            "AND coalesce(compensation_amount, 0) >= 0 AND coalesce(estimated_cost, 0) >= 0)",
            "Deduction amounts cannot be negative.",
        ),
    ]

    # once submitted, a deduction keeps its stored values: it no longer follows its orders or contract
    @api.depends("subcontract_id.partner_id")
    def _compute_partner_id(self):
        for deduction in self:
            if deduction.state == "draft" or not deduction.id:
                deduction.partner_id = deduction.subcontract_id.partner_id

    @api.depends("repair_order_ids.unit_id", "repair_order_ids.location", "repair_order_ids.notify_method")
    def _compute_from_orders(self):
        for deduction in self:
            orders = deduction.repair_order_ids
            if not orders or deduction.state != "draft":
                continue
            deduction.address = "; ".join(
                dict.fromkeys(order.unit_id.address or order.unit_id.display_name for order in orders)
            )
            deduction.location = "; ".join(dict.fromkeys(order.location for order in orders if order.location))
            deduction.notify_method = orders[0].notify_method

    @api.depends("repair_order_ids.substitute_cost")
    def _compute_substitute_cost(self):
        # the actual cost comes after the approval: it follows the orders until the deduction is posted
        for deduction in self.filtered(lambda d: d.state in PENDING_DEDUCTION_STATES):
            if deduction.repair_order_ids or deduction.state == "draft":
                deduction.substitute_cost = sum(deduction.repair_order_ids.mapped("substitute_cost"))

    @api.depends("substitute_cost", "estimated_cost")
    def _compute_cost_difference(self):
        for deduction in self:
            actual = deduction.substitute_cost
            deduction.cost_difference = actual - deduction.estimated_cost if actual else 0.0

    def _compute_substitute_bills(self):
        for deduction in self:
            bills = deduction.sudo().repair_order_ids.substitute_bill_id
            deduction.substitute_bill_ids = bills
            deduction.substitute_bill_count = len(bills)

    @api.depends(
        "repair_order_ids.estimated_cost",
        "repair_order_ids.compensation_amount",
        "repair_order_ids.loss_estimate",
    )
    def _compute_amounts(self):
        for deduction in self.filtered(lambda d: d.state == "draft"):
            orders = deduction.repair_order_ids
            deduction.estimated_cost = sum(orders.mapped("estimated_cost"))
            # an order's compensation once entered, its loss estimate (损失预估) until then
            deduction.compensation_amount = sum(order.compensation_amount or order.loss_estimate for order in orders)

    @api.depends("substitute_cost", "subcontract_id.agency_fee_percent")
    def _compute_agency_fee_amount(self):
        # follows the actual cost until posting (the contract's % cannot change meanwhile)
        for deduction in self.filtered(lambda d: d.state in PENDING_DEDUCTION_STATES):
            if deduction.state != "draft" and not deduction.repair_order_ids:
                continue
            deduction.agency_fee_amount = deduction.currency_id.round(
                deduction.substitute_cost * deduction.subcontract_id.agency_fee_percent / 100
            )

    @api.depends("substitute_cost", "agency_fee_amount", "compensation_amount")
    def _compute_amount_total(self):
        for deduction in self:
            deduction.amount_total = (
                deduction.substitute_cost + deduction.agency_fee_amount + deduction.compensation_amount
            )

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "name": _lt("the company's numbering, at creation"),
            "state": _lt("the Submit, Approve, Post Credit Note, Cancel and Reset to Draft buttons"),
            "submitted_uid": _lt("the Submit button"),
            "submitted_date": _lt("the Submit button"),
            "region": _lt("the contract's estate (its region)"),
            "approved_uid": _lt("the Approve button"),
            "approved_date": _lt("the Approve button"),
            "posted_uid": _lt("the Post Credit Note button"),
            "posted_date": _lt("the Post Credit Note button"),
            "move_id": _lt("the Post Credit Note button"),
            "reversal_move_id": _lt("the Cancel and Reverse button"),
            "partner_id": _lt("the subcontract (its subcontractor, while the deduction is draft)"),
            "amount_total": _lt("the cost, agency fee and compensation it adds up"),
            "repair_order_ids": _lt("the Request Substitute Repair button of the repair orders"),
            "compensation_move_ids": _lt("the Post Credit Note button"),
            # a stored copy of the contract's estate: a write here would move the contract
            "project_id": _lt("the subcontract (its estate)"),
        }

    def _csw_frozen_fields(self):
        return super()._csw_frozen_fields() | frozenset(
            {
                "subcontract_id",
                # typed while draft; afterwards it follows its orders' actual costs until posting
                "substitute_cost",
                "estimated_cost",
                "agency_fee_amount",
                "compensation_amount",
                "date",
                "reason",
                "address",
                "location",
                "notify_method",
            }
        )

    def _csw_number_company(self, vals):
        return self.env["csw.subcontract"].browse(vals.get("subcontract_id")).company_id or self.env.company

    def _csw_check_write(self, vals):
        """The evidence is what the manager approved: completed while the request is draft or
        submitted, kept as it was once approved, posted or cancelled."""
        changed = [fname for fname in EVIDENCE_FIELDS if fname in vals]
        decided = self.filtered(lambda deduction: deduction.state not in ("draft", "submitted"))
        for fname in changed:
            if decided and not decided._csw_unchanged(fname, vals[fname]):
                deduction = decided[:1]
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "Deduction %(deduction)s is %(state)s: its %(field)s are kept as approved.",
                        deduction=deduction.name,
                        state=states[deduction.state],
                        field=self._fields[fname]._description_string(self.env),
                    )
                )
        return super()._csw_check_write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(deduction.state != "draft" for deduction in self):
            raise UserError(self.env._("Only draft deductions can be deleted; cancel the others."))

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _check_group(self, *xmlids):
        for xmlid in xmlids:
            if not self.env.user.has_group(xmlid):
                group = self.env.ref(xmlid)
                raise AccessError(
                    self.env._(
                        "Only members of %(group)s can do this with deduction %(deduction)s.",
                        group=group.full_name,
                        deduction=self[:1].name,
                    )
                )

    def _missing_evidence(self):
        """Labels of the evidence the company requires and the request lacks."""
        self.ensure_one()
        company = self.company_id
        checks = (
            (company.csw_evidence_photos_required, self.evidence_photo_ids, self.env._("site photos")),
            # a screenshot shows a notice sent by message or e-mail; a written contact form has none
            (
                company.csw_evidence_notice_required and self.notify_method in ("message", "email"),
                self.evidence_notice_ids,
                self.env._("notice screenshot"),
            ),
            (
                company.csw_evidence_contact_form_required,
                self.evidence_contact_form_ids,
                self.env._("Party A contact form"),
            ),
            (company.csw_evidence_plan_required, self.evidence_plan_ids, self.env._("repair plan")),
        )
        return [label for required, attachments, label in checks if required and not attachments]

    def _csw_transitions(self):
        return {
            **super()._csw_transitions(),
            "submit": Transition(("draft",), "submitted", _lt("submitted")),
            "approve": Transition(("submitted",), "approved", _lt("approved")),
            "cancel": Transition(CANCELLABLE_DEDUCTION_STATES, "cancelled", _lt("cancelled")),
            "draft": Transition(("cancelled",), "draft", _lt("reset to draft")),
        }

    def action_submit(self):
        transition = self._csw_check_transition("submit")
        for deduction in self:
            # a request states the estimate before any work; a deduction without orders its amounts
            charged = max(deduction.amount_total, deduction.estimated_cost)
            if deduction.currency_id.compare_amounts(charged, 0) <= 0:
                raise UserError(
                    self.env._("Deduction %(deduction)s has no amount to charge.", deduction=deduction.name)
                )
            if not deduction.reason:
                raise UserError(self.env._("Give the reason of deduction %(deduction)s.", deduction=deduction.name))
            missing = deduction._missing_evidence()
            if missing:
                raise UserError(
                    self.env._(
                        "Deduction %(deduction)s lacks evidence: %(missing)s.",
                        deduction=deduction.name,
                        missing=", ".join(missing),
                    )
                )
        self._csw_workflow_write(
            {"state": transition.target, "submitted_uid": self.env.uid, "submitted_date": fields.Datetime.now()}
        )
        self._ask_approval()
        return True

    def _ask_approval(self):
        """A to-do for the company's CS manager, who approves: the deduction waits in their list."""
        for deduction in self:
            approver = deduction.company_id.csw_cs_manager_id
            if approver:
                # written in the approver's language
                approver_env = self.with_context(lang=approver.lang or self.env.lang).env
                deduction.sudo().activity_schedule(
                    APPROVAL_ACTIVITY,
                    user_id=approver.id,
                    summary=approver_env._("Deduction to approve"),
                    note=approver_env._(
                        "%(deduction)s: %(amount)s charged to %(team)s, submitted by %(user)s.",
                        deduction=deduction.name,
                        amount=format_amount(
                            self.env, max(deduction.amount_total, deduction.estimated_cost), deduction.currency_id
                        ),
                        team=deduction.partner_id.display_name,
                        user=self.env.user.name,
                    ),
                )

    def _approval_answered(self):
        """The approver's to-do is done once the deduction is approved or cancelled."""
        self.sudo().activity_feedback([APPROVAL_ACTIVITY])

    def action_approve(self):
        self._check_group(MANAGER_GROUP)
        self._csw_transition("approve", {"approved_uid": self.env.uid, "approved_date": fields.Datetime.now()})
        self._approval_answered()
        return True

    def action_post(self):
        """Charge the deduction to the subcontractor: a vendor credit note, once.

        The rows are locked first, so two users posting at the same time cannot
        create two credit notes: the second one gets a clear error.
        """
        self._check_group(MANAGER_GROUP, BILLING_GROUP)
        # refused before the lock too: no SQL with an empty list of ids (L14)
        self._check_state_in(("approved",), self.env._("posted"))
        self._lock_for_posting()
        self._check_state_in(("approved",), self.env._("posted"))
        self._check_not_own_approval()
        self._check_repairs_done()
        for deduction in self:
            accounting = deduction.company_id._csw_deduction_accounting()
            lines = [
                (accounting["substitute"], self.env._("Substitute repair cost"), deduction.substitute_cost),
                (accounting["agency_fee"], self.env._("Agency fee"), deduction.agency_fee_amount),
                (accounting["compensation"], self.env._("Owner compensation"), deduction.compensation_amount),
            ]
            move = (
                self.env["account.move"]
                .with_company(deduction.company_id)
                .create(
                    {
                        "move_type": "in_refund",
                        "partner_id": deduction.partner_id.id,
                        "journal_id": accounting["journal"].id,
                        "invoice_date": deduction.date,
                        "date": deduction.date,
                        "ref": f"{deduction.name} {deduction.subcontract_id.name}",
                        "invoice_origin": deduction.name,
                        "csw_deduction_id": deduction.id,
                        "csw_subcontract_id": deduction.subcontract_id.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": f"{label} ({deduction.name})",
                                    "account_id": account.id,
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                            for account, label, amount in lines
                            if not deduction.currency_id.is_zero(amount)
                        ],
                    }
                )
            )
            move.action_post()
            deduction._csw_workflow_write(
                {
                    "state": "posted",
                    "move_id": move.id,
                    "posted_uid": self.env.uid,
                    "posted_date": fields.Datetime.now(),
                }
            )
            deduction._book_owner_compensation(accounting)
        return True

    def _check_repairs_done(self):
        """The charge is the actual cost: every substitute repair of the request is engaged, done
        and costed before the deduction is posted."""
        for deduction in self:
            for order in deduction.sudo().repair_order_ids:
                if not order.is_substitute or order.state not in FINISHED_REPAIR_STATES:
                    raise UserError(
                        self.env._(
                            "Deduction %(deduction)s charges the actual cost: repair order %(order)s is not "
                            "done by its substitute team yet.",
                            deduction=deduction.name,
                            order=order.name,
                        )
                    )
                if deduction.currency_id.compare_amounts(order.substitute_cost, 0) <= 0:
                    raise UserError(
                        self.env._(
                            "Deduction %(deduction)s charges the actual cost: enter the actual cost of repair "
                            "order %(order)s first.",
                            deduction=deduction.name,
                            order=order.name,
                        )
                    )

    def _owner_compensations(self):
        """{owner: amount} of the compensation (赔付): the owner of the repaired homes; split by the
        orders' own compensations when the request covers several owners."""
        self.ensure_one()
        orders = self.sudo().repair_order_ids
        owners = orders.partner_id
        if self.currency_id.is_zero(self.compensation_amount):
            return {}
        if not owners:
            raise UserError(
                self.env._(
                    "Deduction %(deduction)s compensates an owner: record the owner of the repaired home first.",
                    deduction=self.name,
                )
            )
        if len(owners) == 1:
            return {owners: self.compensation_amount}
        shares = {}
        for order in orders:
            shares[order.partner_id] = shares.get(order.partner_id, 0.0) + (
                order.compensation_amount or order.loss_estimate
            )
        if self.currency_id.compare_amounts(sum(shares.values()), self.compensation_amount):
            raise UserError(
                self.env._(
                    "Deduction %(deduction)s: the owner compensation cannot be paid to one owner. Enter each "
                    "repair order's compensation so that they add up to the deduction's.",
                    deduction=self.name,
                )
            )
        return {owner: amount for owner, amount in shares.items() if not self.currency_id.is_zero(amount)}

    def _book_owner_compensation(self, accounting):
        """Book the compensation owed to the owner (赔付) as a posted vendor bill on the compensation
        account: the credit note charges that account to the team, the bill pays it to the owner."""
        self.ensure_one()
        compensations = self._owner_compensations()
        if not compensations:
            return
        Move = self.env["account.move"].with_company(self.company_id)
        bills = Move.create(
            [
                {
                    "move_type": "in_invoice",
                    "partner_id": owner.id,
                    "journal_id": accounting["journal"].id,
                    "invoice_date": self.date,
                    "date": self.date,
                    "ref": self.env._("Compensation %(deduction)s", deduction=self.name),
                    "invoice_origin": self.name,
                    "csw_compensation_deduction_id": self.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._("Owner compensation (%(deduction)s)", deduction=self.name),
                                "account_id": accounting["compensation"].id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for owner, amount in compensations.items()
            ]
        )
        bills.action_post()

    def _check_not_own_approval(self):
        """Separation of duties: who approved a deduction does not post it too."""
        if self.env.su:
            return
        own = self.filtered(lambda deduction: deduction.approved_uid == self.env.user)[:1]
        if own:
            raise AccessError(
                self.env._(
                    "You approved deduction %(deduction)s: another person with Billing rights posts it.",
                    deduction=own.name,
                )
            )

    def _lock_for_posting(self):
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM csw_deduction WHERE id IN %s FOR UPDATE NOWAIT", tuple(self.ids))
                )
        except LockNotAvailable:
            raise UserError(
                self.env._("Another user is posting or changing this deduction right now. Try again in a moment.")
            ) from None
        # another transaction may have posted it just before we got the lock
        self.invalidate_recordset(["state", "move_id"])

    def action_cancel(self):
        transition = self._csw_check_transition("cancel")
        if any(deduction.state == "approved" for deduction in self):
            self._check_group(MANAGER_GROUP)
        posted = self.filtered(lambda d: d.state == "posted")
        if posted:
            posted._check_group(MANAGER_GROUP, BILLING_GROUP)
            posted._lock_for_posting()
            for deduction in posted:
                payable = deduction.move_id.line_ids.filtered(lambda line: line.account_type == "liability_payable")
                if payable.matched_debit_ids or payable.matched_credit_ids:
                    raise UserError(
                        self.env._(
                            "The credit note of deduction %(deduction)s is already reconciled with a bill: "
                            "unreconcile it in Accounting first.",
                            deduction=deduction.name,
                        )
                    )
                deduction._reverse_owner_compensation()
                reversal = deduction.move_id._reverse_moves(
                    default_values_list=[
                        {
                            "ref": self.env._("Reversal of %(deduction)s", deduction=deduction.name),
                            "date": fields.Date.context_today(self),
                            "invoice_date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
                deduction._csw_workflow_write({"reversal_move_id": reversal.id})
        submitted = self.filtered(lambda d: d.state == "submitted")
        self._csw_workflow_write({"state": transition.target})
        submitted._approval_answered()
        return True

    def _reverse_owner_compensation(self):
        self.ensure_one()
        bills = self.compensation_move_ids.filtered(lambda move: move.state == "posted")
        if any(bill.payment_state not in ("not_paid", "reversed") for bill in bills):
            raise UserError(
                self.env._(
                    "The owner compensation of deduction %(deduction)s is already paid: the deduction stays posted.",
                    deduction=self.name,
                )
            )
        bills._reverse_moves(
            default_values_list=[
                {
                    "ref": self.env._("Reversal of %(deduction)s", deduction=self.name),
                    "date": fields.Date.context_today(self),
                    "invoice_date": fields.Date.context_today(self),
                }
                for _bill in bills
            ],
            cancel=True,
        )
        self.compensation_move_ids.filtered(lambda move: move.state == "draft").button_cancel()

    def action_draft(self):
        transition = self._csw_check_transition("draft")
        if any(self.mapped("move_id")):
            raise UserError(self.env._("A deduction that was posted stays cancelled; create a new one."))
        self._csw_workflow_write(
            {
                "state": transition.target,
                "submitted_uid": False,
                "submitted_date": False,
                "approved_uid": False,
                "approved_date": False,
            }
        )
        return True

    def action_view_substitute_bills(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Substitute Bills"),
            "res_model": "account.move",
            "domain": [("id", "in", self.substitute_bill_ids.ids)],
            "view_mode": "list,form",
        }

    def action_view_compensation(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Owner Compensation"),
            "res_model": "account.move",
            "domain": [("id", "in", self.compensation_move_ids.ids)],
            "view_mode": "list,form",
        }

    def action_view_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
