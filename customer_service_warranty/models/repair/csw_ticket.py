"""What the repair domain adds to csw.ticket: its repair orders.

A ticket is dispatched as repair orders (一键派工), and it is resolved or closed only once
they are finished. The ticket domain sits below repair orders, so this lives here.
"""

from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..ticket.csw_ticket_constants import FINISHED_TICKET_STATES, OPEN_TICKET_STATES
from .csw_repair_order import UNFINISHED_REPAIR_STATES


class CswTicket(models.Model):
    _inherit = "csw.ticket"

    repair_order_ids = fields.One2many("csw.repair.order", "ticket_id", string="Repair Orders")
    repair_order_count = fields.Integer(compute="_compute_repair_order_count")

    def _compute_repair_order_count(self):
        counts = dict(
            self.env["csw.repair.order"]._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.repair_order_count = counts.get(ticket, 0)

    def _csw_check_state_change(self, new_state):
        result = super()._csw_check_state_change(new_state)
        if new_state in FINISHED_TICKET_STATES:
            self._check_repairs_finished(new_state)
        return result

    def _check_repairs_finished(self, new_state):
        """A ticket is resolved or closed once its repairs are finished: dispatching a repair
        does not meet the resolution SLA."""
        open_order = (
            self.env["csw.repair.order"]
            .sudo()
            .search([("ticket_id", "in", self.ids), ("state", "in", UNFINISHED_REPAIR_STATES)], limit=1)
        )
        if open_order:
            ticket, order = open_order.ticket_id.number, open_order.name
            if new_state == "closed":
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be closed yet: repair order %(order)s is not finished.",
                        ticket=ticket,
                        order=order,
                    )
                )
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s cannot be resolved yet: repair order %(order)s is not finished. "
                    "Resolve the ticket once the team has completed the repair.",
                    ticket=ticket,
                    order=order,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_dispatch(self):
        """一键派工: the repair order of the call, created from the ticket (unit, category,
        location, description, photos) and opened, ready to notify. A repair order of the
        ticket still in draft is opened instead of a second one."""
        self.ensure_one()
        if self.ticket_type != "repair" or self.state not in OPEN_TICKET_STATES:
            raise UserError(
                self.env._("Ticket %(ticket)s is not an open repair request: nothing to dispatch.", ticket=self.number)
            )
        if not (self.unit_id and self.category_id and self.location):
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: enter the unit, the defect category and where the defect is "
                    "before dispatching.",
                    ticket=self.number,
                )
            )
        Order = self.env["csw.repair.order"]
        order = Order.search([("ticket_id", "=", self.id), ("state", "=", "draft")], limit=1)
        if not order:
            context = self.action_new_repair_order()["context"]
            order = Order.create(
                {
                    fname.removeprefix("default_"): value
                    for fname, value in context.items()
                    if fname != "default_photo_ids"
                }
                | {"photo_ids": [Command.set(context["default_photo_ids"])]}
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.repair.order",
            "res_id": order.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_new_repair_order(self):
        """A repair order for one location or defect of this ticket's unit."""
        self.ensure_one()
        if not self.unit_id:
            raise UserError(self.env._("Enter the owner's unit before creating a repair order."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.repair.order",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_ticket_id": self.id,
                "default_unit_id": self.unit_id.id,
                "default_category_id": self.category_id.id,
                "default_location": self.location,
                "default_description": self.description,
                "default_source": "owner",
                "default_photo_ids": self.env["ir.attachment"]
                .search([("res_model", "=", self._name), ("res_id", "=", self.id), ("mimetype", "like", "image/")])
                .ids,
            },
        }

    def action_view_repair_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_repair_order_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id, "default_unit_id": self.unit_id.id}
        return action
