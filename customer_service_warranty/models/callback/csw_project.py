"""What the callback domain adds to csw.project: the milestone and holiday callback plan of a
decoration estate, the replanning of its units when the plan changes, and the progress of the
units' planning in the background. Callbacks sit above the estates, so they live here."""

from odoo import fields, models


class CswProject(models.Model):
    _inherit = "csw.project"

    callback_plan_id = fields.Many2one(
        "csw.callback.plan",
        check_company=True,
        help="Milestone and holiday callbacks of a decoration estate.",
    )
    # Callbacks still to plan in the background (a large import, the estate's plan changed)
    callback_plan_pending_count = fields.Integer(
        string="Units to Plan",
        compute="_compute_callback_plan_progress",
        help="Units of the estate whose callbacks are being planned in the background.",
    )
    callback_plan_progress = fields.Float(
        string="Callback Planning (%)",
        compute="_compute_callback_plan_progress",
        help="Share of the estate's units whose callbacks are planned.",
    )

    def _compute_callback_plan_progress(self):
        Unit = self.env["csw.unit"].with_context(active_test=False)
        pending = dict(
            Unit._read_group(
                [("project_id", "in", self.ids), ("callback_plan_pending", "!=", False)], ["project_id"], ["__count"]
            )
        )
        # the share planned is only shown while some units wait: no count of all units otherwise
        planning = [project.id for project in pending]
        totals = (
            dict(Unit._read_group([("project_id", "in", planning)], ["project_id"], ["__count"])) if planning else {}
        )
        for project in self:
            project.callback_plan_pending_count = pending.get(project, 0)
            total = totals.get(project, 0)
            project.callback_plan_progress = 100.0 * (total - pending.get(project, 0)) / total if total else 100.0

    def write(self, vals):
        result = super().write(vals)
        if "callback_plan_id" in vals:
            # a decoration estate counts the periodic plan from the completion notice, others from handover
            self.unit_ids._plan_callbacks({"periodic"})
        return result
