from odoo import fields, models
from odoo.exceptions import UserError

from ..models.repair.csw_repair_order import INSPECTION_SOURCES, NOTIFY_METHODS


class CswInspectionWizard(models.TransientModel):
    """Enter many defects of an inspection at once and dispatch them, one notice per team."""

    _name = "csw.inspection.wizard"
    _description = "Inspection Batch"
    _check_company_auto = True

    project_id = fields.Many2one("csw.project", string="Estate", required=True, check_company=True)
    company_id = fields.Many2one(related="project_id.company_id")
    source = fields.Selection(INSPECTION_SOURCES, required=True, default="pre_delivery")
    report_date = fields.Date(string="Inspected On", required=True, default=fields.Date.context_today)
    default_unit_id = fields.Many2one(
        "csw.unit",
        string="Unit",
        domain="[('project_id', '=', project_id)]",
        help="Lines without a unit of their own use this one.",
    )
    notify = fields.Boolean(string="Dispatch Now", default=True, help="Send the notices to the teams right away.")
    notify_method = fields.Selection(
        NOTIFY_METHODS,
        help="Leave empty to notify each team its own way: by e-mail when it has an address, else "
        "with a written contact form.",
    )
    line_ids = fields.One2many("csw.inspection.wizard.line", "wizard_id", string="Defects")

    def action_create_orders(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Enter at least one defect."))
        without_unit = self.line_ids.filtered(lambda line: not (line.unit_id or self.default_unit_id))
        if without_unit:
            raise UserError(self.env._("Every defect needs a unit: choose one on the line or for the whole batch."))
        orders = self.env["csw.repair.order"].create(
            [
                {
                    "unit_id": (line.unit_id or self.default_unit_id).id,
                    "location": line.location,
                    "category_id": line.category_id.id,
                    "description": line.description,
                    "source": self.source,
                    "report_date": self.report_date,
                    **({"notify_method": self.notify_method} if self.notify_method else {}),
                }
                for line in self.line_ids
            ]
        )
        if self.notify:
            orders.action_notify()
        # the batch is entered once: calling the action again creates nothing twice
        self.line_ids.unlink()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_repair_order_action")
        action.update({"domain": [("id", "in", orders.ids)], "context": {}})
        return action


class CswInspectionWizardLine(models.TransientModel):
    _name = "csw.inspection.wizard.line"
    _description = "Inspection Defect"

    wizard_id = fields.Many2one("csw.inspection.wizard", required=True, ondelete="cascade")
    unit_id = fields.Many2one("csw.unit", domain="[('project_id', '=', parent.project_id)]")
    location = fields.Char(required=True)
    category_id = fields.Many2one("csw.defect.category", string="Defect Category", required=True)
    description = fields.Char()
