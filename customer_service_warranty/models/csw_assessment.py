from odoo import api, fields, models

from .batch_create import create_batched

ASSESSMENT_REASONS = [
    ("complaint_gm", "Complaint reaching the general manager"),
    ("complaint_leadership", "Complaint to the leadership"),
    ("overdue_response", "Overdue response"),
    ("overdue_callback", "Overdue callback"),
    ("service_failure", "Service failure"),
    ("praise", "Praise"),
    ("other", "Other"),
]


class CswAssessment(models.Model):
    """A staff assessment (考核): a penalty or a reward of a customer-service employee."""

    _name = "csw.assessment"
    _description = "Staff Assessment"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    user_id = fields.Many2one("res.users", string="Employee", required=True, index=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True, index=True)
    reason = fields.Selection(ASSESSMENT_REASONS, required=True, tracking=True)
    points = fields.Integer(
        compute="_compute_defaults",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        aggregator="sum",
        help="Negative for a penalty, positive for a reward. Defaults from the settings of the reason.",
    )
    amount = fields.Monetary(
        compute="_compute_defaults",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Penalty (or bonus) in money. Defaults from the settings of the reason.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    ticket_id = fields.Many2one("csw.ticket", string="Source Ticket", index=True, check_company=True)
    callback_id = fields.Many2one("csw.callback", string="Source Callback", index="btree_not_null", check_company=True)
    project_id = fields.Many2one(
        "csw.project",
        string="Estate",
        compute="_compute_project_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    note = fields.Text()

    @api.depends("reason", "company_id")
    def _compute_defaults(self):
        for assessment in self:
            points, amount = assessment.company_id._csw_assessment_defaults(assessment.reason)
            assessment.points, assessment.amount = points, amount

    @api.depends("ticket_id", "callback_id")
    def _compute_project_id(self):
        for assessment in self:
            assessment.project_id = (
                assessment.ticket_id.project_id or assessment.callback_id.project_id or assessment.project_id
            )

    @api.model
    def _assess(self, reason, records, user_of, source_field):
        """One assessment for ``reason`` per record of ``records`` with a user, in one batch.

        :param user_of: function giving the ``res.users`` to assess for a record
        :param source_field: ``ticket_id`` or ``callback_id``
        """
        today = fields.Date.context_today(self)
        return create_batched(
            self.sudo(),
            [
                {
                    "user_id": user_of(record).id,
                    "company_id": record.company_id.id,
                    "date": today,
                    "reason": reason,
                    source_field: record.id,
                }
                for record in records
                if user_of(record)
            ],
        )
