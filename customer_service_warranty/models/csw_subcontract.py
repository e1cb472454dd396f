from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class CswSubcontract(models.Model):
    """A subcontract (分包合同) of a team on an estate: its trade scope, warranty and retention."""

    _name = "csw.subcontract"
    _description = "Subcontract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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

    def _set_state(self, new_state, allowed_from):
        refused = self.filtered(lambda subcontract: subcontract.state not in allowed_from)
        if refused:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Contract %(contract)s is %(state)s and cannot become %(new_state)s.",
                    contract=refused[0].name,
                    state=states[refused[0].state],
                    new_state=states[new_state],
                )
            )
        self.write({"state": new_state})

    def action_activate(self):
        self._set_state("active", ("draft",))

    def action_close(self):
        self._set_state("closed", ("active",))

    def action_cancel(self):
        self._set_state("cancelled", ("draft", "active"))

    def action_draft(self):
        self._set_state("draft", ("cancelled",))
