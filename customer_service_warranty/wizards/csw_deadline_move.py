from odoo import api, fields, models
from odoo.exceptions import UserError


class CswDeadlineMove(models.TransientModel):
    """Move a deadline that binds someone (a team's entry, a callback, a follow-up, the retention),
    with the reason kept in the record's chatter (see csw_binding_deadline.py for who may)."""

    _name = "csw.deadline.move"
    _description = "Move Deadline"

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Integer(string="Document ID", required=True, readonly=True)
    field_name = fields.Char(string="Deadline Field", required=True, readonly=True)
    deadline_label = fields.Char(string="Deadline", compute="_compute_current")
    is_date = fields.Boolean(string="Is a Date", compute="_compute_current")
    current_deadline = fields.Datetime(compute="_compute_current")
    current_date = fields.Date(compute="_compute_current")
    new_deadline = fields.Datetime()
    new_date = fields.Date()
    reason = fields.Text(required=True, help="Why the deadline moves: agreed with whom, on what grounds.")

    def _record(self):
        self.ensure_one()
        if self.res_model not in self.env or not hasattr(self.env[self.res_model], "_csw_binding_deadlines"):
            raise UserError(self.env._("This is not a deadline moved with a reason."))
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record or self.field_name not in record._csw_binding_deadlines():
            raise UserError(self.env._("This is not a deadline moved with a reason."))
        return record

    @api.depends("res_model", "res_id", "field_name")
    def _compute_current(self):
        for wizard in self:
            record = wizard._record()
            field = record._fields[wizard.field_name]
            wizard.deadline_label = field._description_string(self.env)
            wizard.is_date = field.type == "date"
            wizard.current_deadline = not wizard.is_date and record[wizard.field_name]
            wizard.current_date = wizard.is_date and record[wizard.field_name]

    def action_move(self):
        self.ensure_one()
        value = self.new_date if self.is_date else self.new_deadline
        self._record()._csw_move_deadline(self.field_name, value, self.reason)
        return {"type": "ir.actions.act_window_close"}
