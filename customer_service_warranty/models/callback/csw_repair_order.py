"""What the callback domain adds to csw.repair.order: its callbacks, the owner's callback planned
once the repair is done, and the sign-off question asked on that call.

It lives here because callbacks build on repair orders: the repair domain only announces that
its orders are done (``_csw_repairs_done``)."""

from markupsafe import Markup

from odoo import fields, models


class CswRepairOrder(models.Model):
    _inherit = "csw.repair.order"

    callback_ids = fields.One2many("csw.callback", "repair_order_id", string="Callbacks")
    callback_count = fields.Integer(compute="_compute_callback_count")

    def _compute_callback_count(self):
        counts = dict(
            self.env["csw.callback"]._read_group(
                [("repair_order_id", "in", self.ids)], ["repair_order_id"], ["__count"]
            )
        )
        for order in self:
            order.callback_count = counts.get(order, 0)

    def _csw_repairs_done(self):
        result = super()._csw_repairs_done()
        self.env["csw.callback"]._plan_after_repairs(self)
        return result

    def action_done(self):
        """A job done without the owner's sign-off: its planned callback asks the owner."""
        unsigned = self.filtered(lambda o: not o.owner_sign_off)
        result = super().action_done()
        callbacks = unsigned.callback_ids.filtered(lambda c: c.state == "planned")
        if callbacks:
            question = Markup("<p>%s</p>") % self.env._(
                "The team marked the repair done without the owner's sign-off: ask the owner whether the work "
                "was done and checked with them."
            )
            callbacks._message_log_batch(bodies=dict.fromkeys(callbacks.ids, question))
        return result

    def action_view_callbacks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_callback_action")
        action["domain"] = [("repair_order_id", "=", self.id)]
        action["context"] = {"default_repair_order_id": self.id, "default_callback_type": "repair"}
        return action
