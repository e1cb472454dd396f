"""What the callback domain adds to res.partner: how many callbacks an owner had and the average
satisfaction they gave, on the contact form, with the list of callbacks. Callbacks sit above
the estates' partners."""

from odoo import fields, models

from ..estate.res_partner import GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    csw_callback_count = fields.Integer(string="Callbacks", compute="_compute_csw_callback_counts", groups=GROUP)
    csw_satisfaction_avg = fields.Float(
        string="Satisfaction",
        compute="_compute_csw_callback_counts",
        digits=(3, 1),
        groups=GROUP,
        help="Average satisfaction (1-5) the owner gave in callbacks.",
    )

    def _compute_csw_callback_counts(self):
        callbacks = dict(
            self.env["csw.callback"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        satisfaction = dict(
            self.env["csw.callback"]._read_group(
                [("partner_id", "in", self.ids), ("state", "=", "done"), ("satisfaction", "!=", False)],
                ["partner_id"],
                ["satisfaction_score:avg"],
            )
        )
        for partner in self:
            partner.csw_callback_count = callbacks.get(partner, 0)
            partner.csw_satisfaction_avg = satisfaction.get(partner, 0.0)

    def action_csw_view_callbacks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_callback_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
