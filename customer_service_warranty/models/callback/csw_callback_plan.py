from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

MILESTONES = [
    ("material_entry", "Material Entry"),
    ("mid_inspection", "Mid-term Inspection"),
    ("completion", "Completion"),
]

# unit field holding the date of each milestone
MILESTONE_FIELDS = {
    "material_entry": "material_entry_date",
    "mid_inspection": "mid_inspection_date",
    "completion": "decoration_completion_date",
}


class CswCallbackPlan(models.Model):
    """A callback plan of decoration estates: calls at construction milestones and on holidays."""

    _name = "csw.callback.plan"
    _description = "Callback Plan"
    _inherit = ["csw.workflow.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    line_ids = fields.One2many("csw.callback.plan.line", "plan_id", string="Steps", copy=True)
    project_ids = fields.One2many("csw.project", "callback_plan_id", string="Estates")

    def action_schedule_care(self):
        """Plan the holiday care callbacks of the coming holidays for every owner of the plan's estates.

        The callbacks are planned by the system (in sudo) for the estates the user sees, so
        only those who configure the plan (the managers) may run it.
        """
        self.check_access("write")
        Callback = self.env["csw.callback"]
        for plan in self:
            lines = plan.line_ids.filtered(lambda line: line.callback_type == "care")
            units = self.env["csw.unit"].search([("project_id", "in", plan.project_ids.ids), ("owner_id", "!=", False)])
            schedule = {
                (unit, line): (*line._dates(line.care_date), {"plan_line_id": line.id})
                for line in lines.filtered("care_date")
                for unit in units
            }
            Callback._sync_schedule(units, "care", "plan_line_id", schedule, keys=lines.ids)
        return True


class CswCallbackPlanLine(models.Model):
    """One step of a callback plan: a milestone call some days after the milestone, or a holiday call."""

    _name = "csw.callback.plan.line"
    _description = "Callback Plan Step"
    _inherit = ["csw.workflow.mixin"]
    _order = "plan_id, sequence, id"

    plan_id = fields.Many2one("csw.callback.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, help="e.g. Material entry callback, Mid-Autumn Festival greeting")
    callback_type = fields.Selection(
        [("milestone", "Milestone"), ("care", "Holiday Care")], string="Type", required=True, default="milestone"
    )
    milestone = fields.Selection(MILESTONES)
    delay_days = fields.Integer(string="Days After Milestone", default=1)
    care_date = fields.Date(string="Holiday", help="The day of the holiday greeting.")
    window_days = fields.Integer(string="Days to Call", default=3, help="Days the agent has to make the call.")

    @api.constrains("callback_type", "milestone", "care_date", "delay_days", "window_days")
    def _check_step(self):
        for line in self:
            if line.callback_type == "milestone" and not line.milestone:
                raise ValidationError(self.env._("Step %(step)s: choose its milestone.", step=line.name))
            if line.callback_type == "care" and not line.care_date:
                raise ValidationError(self.env._("Step %(step)s: enter the date of the holiday.", step=line.name))
            if line.delay_days < 0 or line.window_days < 0:
                raise ValidationError(
                    self.env._("Step %(step)s: days cannot be negative.", step=line.name),
                )

    def _dates(self, day):
        """``(scheduled_date, deadline)`` of this step's call starting on ``day``."""
        self.ensure_one()
        start = datetime.combine(day, time.min)
        return start, start + timedelta(days=self.window_days)
