from odoo import api, fields, models

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
    """

    _name = "csw.deduction"
    _description = "Deduction Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    subcontract_id = fields.Many2one(
        "csw.subcontract", required=True, index=True, check_company=True, tracking=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="subcontract_id.partner_id", store=True, string="Subcontractor")
    project_id = fields.Many2one(related="subcontract_id.project_id", store=True, string="Estate")
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
        compute="_compute_amounts",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Cost of the substitute repairs: the sum of the repair orders unless typed.",
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
        compute="_compute_amounts",
        store=True,
        readonly=False,
        precompute=True,
    )
    amount_total = fields.Monetary(string="Total", compute="_compute_amount_total", store=True, tracking=True)
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True, copy=False, check_company=True)
    description = fields.Html(string="Problem Description")

    @api.depends("repair_order_ids.substitute_cost", "repair_order_ids.compensation_amount")
    def _compute_amounts(self):
        for deduction in self:
            deduction.substitute_cost = sum(deduction.repair_order_ids.mapped("substitute_cost"))
            deduction.compensation_amount = sum(deduction.repair_order_ids.mapped("compensation_amount"))

    @api.depends("substitute_cost", "subcontract_id.agency_fee_percent")
    def _compute_agency_fee_amount(self):
        for deduction in self:
            deduction.agency_fee_amount = deduction.currency_id.round(
                deduction.substitute_cost * deduction.subcontract_id.agency_fee_percent / 100
            )

    @api.depends("substitute_cost", "agency_fee_amount", "compensation_amount")
    def _compute_amount_total(self):
        for deduction in self:
            deduction.amount_total = (
                deduction.substitute_cost + deduction.agency_fee_amount + deduction.compensation_amount
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                subcontract = self.env["csw.subcontract"].browse(vals.get("subcontract_id"))
                company = subcontract.company_id or self.env.company
                vals["name"] = self.env["ir.sequence"]._csw_company_sequence("csw.deduction", company)._next()
        return super().create(vals_list)
