"""What the repair domain adds to res.partner: the count of an owner's repair orders on the
contact form, with the list it opens. Repair orders sit above the estates' partners."""

from odoo import fields, models

from ..estate.res_partner import GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    csw_repair_order_count = fields.Integer(
        string="Repair Orders", compute="_compute_csw_repair_order_count", groups=GROUP
    )

    def _compute_csw_repair_order_count(self):
        repairs = dict(
            self.env["csw.repair.order"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        for partner in self:
            partner.csw_repair_order_count = repairs.get(partner, 0)

    def action_csw_view_repair_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_repair_order_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action
