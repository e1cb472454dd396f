from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

from ..base.csw_workflow_mixin import Transition, door_admits

_lt = LazyTranslate(__name__)

MANAGER_GROUP = "customer_service_warranty.group_csw_manager"
# the commercial terms: locked once a deduction is posted or the retention released
IN_FORCE_CONTRACT_STATES = ("active", "closed")
"""A contract in force or closed: its team is liable, its retention held, its dates bind."""
ASSIGNABLE_CONTRACT_STATES = ("draft", "active")
"""A contract a new defect may still be given to."""
TERMS = ("partner_id", "amount", "retention_percent", "agency_fee_percent")


class CswSubcontract(models.Model):
    """A subcontract (分包合同) of a team on an estate: its trade scope, warranty and retention.

    Rules kept by the model, whatever the client (DOMAIN §6, §6a):

    * the state changes only through the buttons (``_csw_protected_fields``);
    * once its terms are locked (``_csw_terms_locked``, filled by the money domain: a deduction
      posted or the retention released), the terms (subcontractor, amount, retention %, agency
      fee %) are changed only by a CS manager, and each amendment is logged in the chatter
      (old → new).

    The deductions, the retention ledger and its release are the money domain's
    (money/csw_subcontract.py), the defects and the scorecard the repair domain's.
    """

    _name = "csw.subcontract"
    _description = "Subcontract"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "project_id, name"
    _check_company_auto = True

    name = fields.Char(string="Contract Number", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Subcontractor",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="The responsible team (责任单位 / 班组).",
    )
    project_id = fields.Many2one(
        "csw.project",
        string="Estate",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="project_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    category_ids = fields.Many2many(
        "csw.defect.category",
        "csw_subcontract_category_rel",
        "subcontract_id",
        "category_id",
        string="Trade Scope",
        check_company=True,
        help="Defect categories this team is responsible for on the estate.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "In Force"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    signed_date = fields.Date(string="Signed On")
    amount = fields.Monetary(string="Contract Amount", tracking=True)

    # Warranty and retention (质保金)
    retention_percent = fields.Float(string="Retention %", default=5.0, tracking=True)
    retention_amount = fields.Monetary(compute="_compute_retention_amount", store=True)
    agency_fee_percent = fields.Float(
        string="Agency Fee %",
        default=0.0,
        tracking=True,
        help="Agency fee (代办费) charged on top of the cost of a substitute repair.",
    )
    defect_liability_months = fields.Integer(
        string="Defect Liability (Months)",
        default=24,
        help="Defect liability period (缺陷责任期) during which the retention is held, "
        "counted from the estate's completion acceptance; the law caps it at 24 months.",
    )
    warranty_end_date = fields.Date(
        string="Retention Held Until",
        compute="_compute_warranty_end_date",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="End of the subcontractor's defect liability: the retention can be released after it.",
    )
    entry_hours = fields.Integer(
        string="Entry Time (Hours)",
        default=48,
        help="Hours the team has to come on site after being notified of a defect.",
    )
    emergency_entry_hours = fields.Integer(
        string="Emergency Entry Time (Hours)",
        default=lambda self: self.env.company.csw_emergency_entry_hours,
        help="Hours the team has to come on site for an emergency repair (立即到达现场抢修), "
        "instead of its entry time.",
    )
    repair_days = fields.Integer(
        string="Repair Time Limit (Days)",
        default=lambda self: self.env.company.csw_repair_days,
        help="Calendar days the team has to finish a repair, counted from its entry deadline "
        "(维修期限): the completion deadline is printed on the notice. Past it, the order is "
        "flagged overdue and a substitute repair is proposed.",
    )
    note = fields.Html()

    _sql_constraints = [
        ("name_company_uniq", "UNIQUE(name, company_id)", "This contract number is already used."),
        ("amount_positive", "CHECK(amount >= 0)", "The contract amount cannot be negative."),
        (
            "retention_percent_range",
            "CHECK(retention_percent >= 0 AND retention_percent <= 100)",
            "The retention percentage must be between 0 and 100.",
        ),
        (
            "agency_fee_percent_range",
            "CHECK(agency_fee_percent >= 0 AND agency_fee_percent <= 100)",
            "The agency fee percentage must be between 0 and 100.",
        ),
        ("entry_hours_positive", "CHECK(entry_hours > 0)", "The entry time must be at least one hour."),
        (
            "emergency_entry_hours_positive",
            "CHECK(emergency_entry_hours > 0)",
            "The emergency entry time must be at least one hour.",
        ),
        ("repair_days_positive", "CHECK(repair_days > 0)", "The repair time limit must be at least one day."),
        (
            "defect_liability_positive",
            "CHECK(defect_liability_months >= 0)",
            "The defect liability period cannot be negative.",
        ),
    ]

    @api.depends("amount", "retention_percent")
    def _compute_retention_amount(self):
        for subcontract in self:
            subcontract.retention_amount = subcontract.currency_id.round(
                subcontract.amount * subcontract.retention_percent / 100
            )

    @api.depends("project_id.completion_date", "defect_liability_months")
    def _compute_warranty_end_date(self):
        for subcontract in self:
            completion = subcontract.project_id.completion_date
            subcontract.warranty_end_date = completion and completion + relativedelta(
                months=subcontract.defect_liability_months
            )

    # ------------------------------------------------------------------
    # Contract terms
    # ------------------------------------------------------------------
    def _csw_terms_locked(self):
        """The contracts of ``self`` whose terms are locked; none here: the money domain locks them
        once a deduction is posted or the retention released."""
        return self.browse()

    def _csw_changed_terms(self, vals):
        return [fname for fname in TERMS if fname in vals and not self._csw_unchanged(fname, vals[fname])]

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "state": _lt("the Put in Force, Close, Cancel and Reset to Draft buttons"),
            "retention_amount": _lt("the contract amount and the retention %"),
        }

    # a contract signed earlier may be entered in force
    def _csw_creatable_fields(self):
        return super()._csw_creatable_fields() | frozenset({"state"})

    def _csw_binding_deadlines(self):
        # the retention is paid out after this date: a CS manager moves it, with a reason
        return {**super()._csw_binding_deadlines(), "warranty_end_date": MANAGER_GROUP}

    def _csw_deadline_binds(self, fname):
        if fname == "warranty_end_date":
            return self.state != "draft"
        return super()._csw_deadline_binds(fname)

    def _csw_check_write(self, vals):
        if "defect_liability_months" in vals and not self.env.su:
            # the period decides the date the retention is held until, which binds once in force
            bound = self.filtered(lambda subcontract: subcontract._csw_deadline_binds("warranty_end_date"))
            if bound and not bound._csw_unchanged("defect_liability_months", vals["defect_liability_months"]):
                raise UserError(
                    self.env._(
                        "Contract %(contract)s is in force: its defect liability period decides until when the "
                        "retention is held. Move %(deadline)s with its Move button and a reason instead.",
                        contract=bound[:1].name,
                        deadline=self._fields["warranty_end_date"]._description_string(self.env),
                    )
                )
        if not self._csw_changed_terms(vals):
            return
        locked = self._csw_terms_locked()
        if locked and not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "The terms of contract %(contract)s are locked: a deduction is posted or the retention "
                    "released. Only a CS manager may amend them, and the amendment is recorded.",
                    contract=locked[:1].name,
                )
            )

    def write(self, vals):
        amended = {}
        if not door_admits(self, vals) and any(fname in vals for fname in TERMS):
            for subcontract in self._csw_terms_locked():
                changed = subcontract._csw_changed_terms(vals)
                if changed:
                    amended[subcontract] = {fname: subcontract._csw_term_text(fname) for fname in changed}
        result = super().write(vals)
        for subcontract, before in amended.items():
            changes = Markup("").join(
                Markup("<li>%s: %s → %s</li>")
                % (self._fields[fname]._description_string(self.env), old, subcontract._csw_term_text(fname))
                for fname, old in before.items()
            )
            subcontract.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "Contract terms amended by %(user)s after a posted deduction or the retention "
                        "release; posted deductions keep their amounts:",
                        user=self.env.user.name,
                    ),
                    changes,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return result

    def _csw_term_text(self, fname):
        value = self[fname]
        return value.display_name if fname == "partner_id" else str(value)

    def _most_specific_for(self, category):
        """The contract of ``self`` that covers ``category`` most closely (an active one before a
        draft, then the one on the deepest ancestor, then the oldest); empty when none covers it."""
        lineage = [int(part) for part in category.parent_path.split("/") if part]
        best, best_key = self.browse(), None
        for subcontract in self:
            depths = [lineage.index(cid) for cid in subcontract.category_ids.ids if cid in lineage]
            if not depths:
                continue
            key = (subcontract.state == "active", max(depths), -subcontract.id)
            if best_key is None or key > best_key:
                best, best_key = subcontract, key
        return best

    def _csw_transitions(self):
        return {
            **super()._csw_transitions(),
            "activate": Transition(("draft",), "active", _lt("put in force")),
            "close": Transition(("active",), "closed", _lt("closed")),
            "cancel": Transition(("draft", "active"), "cancelled", _lt("cancelled")),
            "draft": Transition(("cancelled",), "draft", _lt("reset to draft")),
        }

    def action_activate(self):
        return self._csw_transition("activate")

    def action_close(self):
        return self._csw_transition("close")

    def action_cancel(self):
        return self._csw_transition("cancel")

    def action_draft(self):
        return self._csw_transition("draft")
