"""What the ticket domain adds to csw.project: the count of the estate's open tickets and
the list they open. Tickets sit above the estates, so the estate names none of this."""

from odoo import fields, models

from .csw_ticket_constants import OPEN_TICKET_STATES


class CswProject(models.Model):
    _inherit = "csw.project"

    open_ticket_count = fields.Integer(string="Open Tickets", compute="_compute_open_ticket_count")

    def _compute_open_ticket_count(self):
        open_tickets = dict(
            self.env["csw.ticket"]._read_group(
                [("project_id", "in", self.ids), ("state", "in", OPEN_TICKET_STATES)],
                ["project_id"],
                ["__count"],
            )
        )
        for project in self:
            project.open_ticket_count = open_tickets.get(project, 0)

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_ticket_action")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id, "search_default_open": 1}
        return action
