from odoo import fields, models

from ..models.repair.csw_repair_order import NOTIFY_METHODS


class CswEmergencyRepairWizard(models.TransientModel):
    """Document an emergency repaired first (先维修, 再补办派工手续): when the team came and
    finished, what it did; the order's notice is issued afterwards, marked as such."""

    _name = "csw.emergency.repair.wizard"
    _description = "Record Emergency Repair"

    repair_order_id = fields.Many2one("csw.repair.order", required=True, readonly=True, ondelete="cascade")
    entry_date = fields.Datetime(string="Team On Site At", required=True, help="When the team actually came.")
    done_date = fields.Datetime(string="Repair Done At", required=True, help="When the team actually finished.")
    completion_note = fields.Text(required=True, help="What was repaired and how.")
    notify_method = fields.Selection(
        NOTIFY_METHODS,
        string="Team Told By",
        required=True,
        default="verbal",
        help="How the team was called out (usually by phone); the notice issued now follows it.",
    )

    def action_record(self):
        self.ensure_one()
        order = self.repair_order_id
        order.write({"completion_note": self.completion_note, "notify_method": self.notify_method})
        order.action_record_emergency(self.entry_date, self.done_date)
        return {"type": "ir.actions.act_window_close"}
