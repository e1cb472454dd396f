from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CswAppointmentWindow(models.Model):
    """A visit window the team proposes on its portal (预约上门时间); the owner picks one."""

    _name = "csw.appointment.window"
    _description = "Proposed Visit Window"
    _inherit = ["csw.workflow.mixin"]
    _order = "start, id"
    _check_company_auto = True

    order_id = fields.Many2one(
        "csw.repair.order", string="Repair Order", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True, precompute=True)
    start = fields.Datetime(required=True)
    end = fields.Datetime(required=True)

    @api.constrains("start", "end")
    def _check_span(self):
        for window in self:
            if window.end <= window.start:
                raise ValidationError(self.env._("A visit window must end after it starts."))

    @api.depends("start", "end")
    def _compute_display_name(self):
        for window in self:
            start = fields.Datetime.context_timestamp(window, window.start) if window.start else None
            end = fields.Datetime.context_timestamp(window, window.end) if window.end else None
            window.display_name = (
                f"{start:%Y-%m-%d %H:%M} – {end:%H:%M}" if start and end else window.order_id.display_name
            )
