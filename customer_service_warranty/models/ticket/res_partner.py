"""What the ticket domain adds to res.partner: an owner's service tickets and complaints, counted
on the contact form with the lists they open. Tickets sit above the estates' partners."""

from odoo import fields, models

from ..estate.res_partner import GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    csw_ticket_ids = fields.One2many("csw.ticket", "partner_id", string="Service Tickets", groups=GROUP)
    csw_ticket_count = fields.Integer(string="Tickets", compute="_compute_csw_ticket_counts", groups=GROUP)
    csw_complaint_count = fields.Integer(string="Complaints", compute="_compute_csw_ticket_counts", groups=GROUP)

    def _compute_csw_ticket_counts(self):
        tickets = self.env["csw.ticket"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id", "ticket_type"], ["__count"]
        )
        ticket_counts, complaint_counts = {}, {}
        for partner, ticket_type, count in tickets:
            ticket_counts[partner] = ticket_counts.get(partner, 0) + count
            if ticket_type == "complaint":
                complaint_counts[partner] = count
        for partner in self:
            partner.csw_ticket_count = ticket_counts.get(partner, 0)
            partner.csw_complaint_count = complaint_counts.get(partner, 0)

    def action_csw_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_ticket_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_csw_view_complaints(self):
        action = self.action_csw_view_tickets()
        action["domain"].append(("ticket_type", "=", "complaint"))
        return action
