"""What the money domain adds to csw.project: the count of the estate's contracts in force whose
pending charges exceed their retention balance, and the list it opens. The retention ledger is
money's, above the estates."""

from odoo import fields, models


class CswProject(models.Model):
    _inherit = "csw.project"

    retention_shortfall_count = fields.Integer(
        string="Retention Shortfalls",
        compute="_compute_retention_shortfall",
        help="Contracts in force whose pending charges exceed their retention balance.",
    )

    def _retention_shortfall_contracts(self):
        """The contracts in force of these estates whose pending charges exceed the retention balance."""
        contracts = self.env["csw.subcontract"].search([("project_id", "in", self.ids), ("state", "=", "active")])
        return contracts.filtered("retention_shortfall")

    def _compute_retention_shortfall(self):
        short = self._retention_shortfall_contracts()
        for project in self:
            project.retention_shortfall_count = len(short.filtered(lambda c, p=project: c.project_id == p))

    def action_view_retention_shortfall(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_warranty.csw_subcontract_action_retention_shortfall"
        )
        action["domain"] = [("id", "in", self._retention_shortfall_contracts().ids)]
        return action
