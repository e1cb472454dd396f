from odoo import api, fields, models

from ..models.ticket.csw_ticket_constants import TICKET_TYPES


class CswCallbackFollowupWizard(models.TransientModel):
    """Raise a follow-up (回访联系单) from a callback: the problem, who fixes it, and by when."""

    _name = "csw.callback.followup.wizard"
    _description = "Raise a Callback Follow-up"
    _check_company_auto = True

    callback_id = fields.Many2one("csw.callback", required=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(related="callback_id.company_id")
    problem = fields.Text(required=True, help="What the owner raised during the call.")
    location = fields.Char(help="Where in the unit: bathroom, kitchen, exterior wall...")
    ticket_type = fields.Selection(
        TICKET_TYPES,
        string="Type",
        required=True,
        compute="_compute_ticket_type",
        store=True,
        readonly=False,
        precompute=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible Person",
        required=True,
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    date_deadline = fields.Datetime(
        string="Deadline",
        required=True,
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        precompute=True,
        help="By default the company's follow-up deadline (48 hours) from now.",
    )

    @api.depends("callback_id")
    def _compute_ticket_type(self):
        for wizard in self:
            wizard.ticket_type = "complaint" if wizard.callback_id.callback_type == "complaint" else "repair"

    @api.depends("callback_id")
    def _compute_user_id(self):
        for wizard in self:
            callback = wizard.callback_id
            wizard.user_id = callback.repair_order_id.user_id or callback.project_id.cs_user_id or callback.user_id

    @api.depends("callback_id")
    def _compute_date_deadline(self):
        for wizard in self:
            company = wizard.callback_id.company_id or self.env.company
            wizard.date_deadline = self.env["csw.callback"]._default_followup_deadline(company)

    def action_raise(self):
        self.ensure_one()
        ticket = self.callback_id._raise_followup(
            self.problem, self.user_id, self.date_deadline, location=self.location, ticket_type=self.ticket_type
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.ticket",
            "res_id": ticket.id,
            "view_mode": "form",
            "target": "current",
        }
