from odoo import fields, models

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
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    reason = fields.Selection(ASSESSMENT_REASONS, required=True, tracking=True)
    points = fields.Integer(tracking=True, help="Negative for a penalty, positive for a reward.")
    amount = fields.Monetary(tracking=True, help="Penalty (or bonus) in money.")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    ticket_id = fields.Many2one("csw.ticket", string="Source Ticket", index=True, check_company=True)
    note = fields.Text()
