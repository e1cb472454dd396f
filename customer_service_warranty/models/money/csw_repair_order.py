"""What the money domain adds to csw.repair.order: the substitute repair (代维修) from its request
to the substitute team's bill, and the deduction that charges it to the responsible team.

It lives here because the request is a deduction (csw.deduction) and the bill a vendor bill
(account.move), both money; the repair order keeps the amounts and the substitute team the
portal reads."""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

from ..repair.csw_repair_order import AGENT, FINISHED_REPAIR_STATES, MANAGER, UNDER_WAY_REPAIR_STATES
from .csw_deduction import SUBMITTED_DEDUCTION_STATES

_lt = LazyTranslate(__name__)

# what the request (代维修请示) states: frozen on the order once its deduction is submitted
REQUESTED_FIELDS = ("estimated_cost", "compensation_amount", "substitute_partner_id", "subcontract_id", "unit_id")
# the actual cost still comes in after the approval: frozen once its deduction is posted or its bill made
CHARGED_FIELDS = ("substitute_cost",)


class CswRepairOrder(models.Model):
    _inherit = "csw.repair.order"

    deduction_id = fields.Many2one(
        "csw.deduction",
        string="Substitute Request",
        readonly=True,
        copy=False,
        index=True,
        check_company=True,
        groups=AGENT,
        help="The request (代维修请示) that asks for the substitute repair and charges it to the team.",
    )
    # the form's readonly rules read it: a view expression cannot follow the relation
    deduction_state = fields.Selection(related="deduction_id.state", string="Request State", groups=AGENT)
    substitute_bill_id = fields.Many2one(
        "account.move",
        readonly=True,
        copy=False,
        check_company=True,
        groups=AGENT,
        help="The vendor bill of the substitute team for this repair: the company's debt to it.",
    )

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "deduction_id": _lt("the Request Substitute Repair button"),
            "substitute_bill_id": _lt("the Create Substitute Bill button"),
        }

    def _csw_check_write(self, vals):
        """What a request stated is kept once submitted, the actual cost once charged or billed (H2).
        Checked before the order's own rules."""
        sudo = self.sudo()
        submitted = sudo.filtered(lambda o: o.deduction_id.state in (*SUBMITTED_DEDUCTION_STATES, "posted"))
        charged = sudo.filtered(lambda o: o.deduction_id.state == "posted" or o.substitute_bill_id)
        for fields_, locked in ((REQUESTED_FIELDS, submitted), (CHARGED_FIELDS, charged)):
            for fname in fields_:
                if fname in vals and locked and not locked._csw_unchanged(fname, vals[fname]):
                    order = locked[:1]
                    states = dict(order.deduction_id._fields["state"]._description_selection(self.env))
                    raise UserError(
                        self.env._(
                            "Repair order %(order)s is charged to the subcontractor by deduction %(deduction)s "
                            "(%(state)s): a change of its %(field)s is refused, the deduction keeps what it "
                            "charged. Cancel the deduction and reset it to draft first.",
                            order=order.name,
                            deduction=order.deduction_id.name or "-",
                            state=states.get(order.deduction_id.state, ""),
                            field=self._fields[fname]._description_string(self.env),
                        )
                    )
        return super()._csw_check_write(vals)

    # ------------------------------------------------------------------
    # Substitute repair: request (代维修请示) → approval → engagement → bill
    # ------------------------------------------------------------------
    def _check_substitute_allowed(self, action):
        """An order a third party may take over: notified or under way, within the team's
        liability, with a proposed substitute team, not taken over yet."""
        self._check_state_in(UNDER_WAY_REPAIR_STATES, action)
        for order in self:
            if order.is_substitute:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s is already given to a substitute team (deduction "
                        "%(deduction)s): it cannot be given again.",
                        order=order.name,
                        deduction=order.sudo().deduction_id.name or "-",
                    )
                )
            if not order.subcontractor_liable:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: the defect is outside the liability of %(team)s "
                        "(ended %(end)s); its repair cannot be charged to it.",
                        order=order.name,
                        team=order.subcontractor_id.display_name,
                        end=order.subcontractor_liability_end,
                    )
                )
            if not order.substitute_partner_id:
                raise UserError(
                    self.env._("Repair order %(order)s: propose the substitute team first.", order=order.name)
                )
            if order.substitute_partner_id.commercial_partner_id == order.subcontractor_id.commercial_partner_id:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: the substitute team must be another party than the responsible team.",
                        order=order.name,
                    )
                )

    def _check_agent(self):
        if not self.env.su and (self.env.user.share or not self.env.user.has_group(AGENT)):
            raise UserError(self.env._("Only the customer-service team can arrange a substitute repair."))

    def action_request_substitute(self):
        """Draft the request (代维修请示) of a substitute repair: the order joins the draft deduction
        of its subcontract, which states the estimated cost, the proposed team, the reason and the
        evidence, and goes to a manager for approval. Nothing is engaged yet."""
        self._check_agent()
        self._check_substitute_allowed(self.env._("proposed for a substitute repair"))
        for order in self:
            if order.sudo().deduction_id:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s is already in request %(deduction)s.",
                        order=order.name,
                        deduction=order.sudo().deduction_id.name,
                    )
                )
            if order.currency_id.compare_amounts(order.estimated_cost, 0) <= 0:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: enter the estimated cost of the substitute repair "
                        "(预计发生的代维费用) for the request.",
                        order=order.name,
                    )
                )
        self._attach_to_draft_deduction()
        return True

    def _attach_to_draft_deduction(self):
        Deduction = self.env["csw.deduction"]
        for subcontract, orders in self.grouped("subcontract_id").items():
            deduction = Deduction.search([("subcontract_id", "=", subcontract.id), ("state", "=", "draft")], limit=1)
            if not deduction:
                deduction = Deduction.create(
                    {"subcontract_id": subcontract.id, "reason": self._deduction_reason(orders)}
                )
            orders._csw_workflow_write({"deduction_id": deduction.id})

    def action_substitute(self):
        """Engage the substitute team of an approved request: it gets the standard notice and the job
        on its portal; the responsible team keeps a read-only view."""
        self._check_agent()
        self._check_substitute_allowed(self.env._("given to a substitute team"))
        for order in self:
            if order.sudo().deduction_id.state != "approved":
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: the substitute repair is engaged only once its request is "
                        "approved by a manager (request: %(deduction)s). In an emergency a manager engages "
                        "first and records why.",
                        order=order.name,
                        deduction=order.sudo().deduction_id.name or self.env._("none yet"),
                    )
                )
        self._engage_substitute()
        return True

    def action_engage_emergency(self):
        """A manager engages the substitute team before the request is approved (an emergency), with
        the reason recorded on the order; the request is drafted if there is none and is approved after."""
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only a customer-service manager engages a substitute team before approval."))
        self._check_substitute_allowed(self.env._("given to a substitute team"))
        without_reason = self.filtered(lambda o: not (o.emergency_engage_reason or "").strip())
        if without_reason:
            raise UserError(
                self.env._(
                    "Repair order %(order)s: record why the substitute team is engaged before the approval.",
                    order=without_reason[0].name,
                )
            )
        self.filtered(lambda o: not o.sudo().deduction_id)._attach_to_draft_deduction()
        self._engage_substitute()
        return True

    def _engage_substitute(self):
        """The substitute team gets the notice and its own deadlines; the order keeps the overdue
        flags of the responsible team (its record in the scorecards)."""
        now = fields.Datetime.now()
        self._csw_workflow_write(
            {
                "is_substitute": True,
                "state": "notified",
                "notify_date": now,
                "entry_date": False,
            }
        )
        for (subcontract, team), orders in self.grouped(lambda o: (o.subcontract_id, o.substitute_partner_id)).items():
            orders._send_notice(subcontract, team)
        bodies = {
            order.id: Markup("<p>%s</p>")
            % (
                self.env._(
                    "Substitute team %(team)s engaged before approval by %(user)s: %(reason)s",
                    team=order.substitute_partner_id.display_name,
                    user=self.env.user.name,
                    reason=order.emergency_engage_reason,
                )
                if order.emergency_engage_reason
                else self.env._(
                    "Substitute team %(team)s engaged on request %(deduction)s.",
                    team=order.substitute_partner_id.display_name,
                    deduction=order.sudo().deduction_id.name,
                )
            )
            for order in self
        }
        self._message_log_batch(bodies=bodies)

    def action_create_substitute_bill(self):
        """The company's debt to the substitute team: a draft vendor bill of the actual cost, once per
        order, for the accountants to check, post and pay."""
        self._check_agent()
        for order in self:
            if not order.is_substitute or order.state not in FINISHED_REPAIR_STATES:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: the substitute team is billed once it has done the repair.",
                        order=order.name,
                    )
                )
            if order.substitute_bill_id:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s already has its substitute bill %(bill)s.",
                        order=order.name,
                        bill=order.substitute_bill_id.display_name,
                    )
                )
            if order.currency_id.compare_amounts(order.substitute_cost, 0) <= 0:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: enter the actual cost of the substitute repair first.",
                        order=order.name,
                    )
                )
        # the agents prepare the bill, the accountants post and pay it
        Move = self.env["account.move"].sudo()
        for order in self:
            accounting = order.company_id.sudo()._csw_deduction_accounting()
            deduction = order.deduction_id
            bill = Move.with_company(order.company_id).create(
                {
                    "move_type": "in_invoice",
                    "partner_id": order.substitute_partner_id.id,
                    "invoice_date": fields.Date.context_today(self),
                    "ref": order.name,
                    "invoice_origin": f"{order.name} {deduction.name}",
                    "csw_deduction_id": deduction.id,
                    "csw_repair_order_id": order.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Substitute repair %(order)s (%(unit)s, %(location)s)",
                                    order=order.name,
                                    unit=order.unit_id.display_name,
                                    location=order.location,
                                ),
                                "account_id": accounting["substitute"].id,
                                "quantity": 1,
                                "price_unit": order.substitute_cost,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            order._csw_workflow_write({"substitute_bill_id": bill.id})
        return True

    def action_view_substitute_bill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.substitute_bill_id.id,
            "view_mode": "form",
        }

    @api.model
    def _deduction_reason(self, orders):
        """The seed's reason of a new deduction: a team that did not come refused the repair, one that
        did not finish in time was too slow, otherwise it could not do it."""
        kinds = set(orders.filtered("is_overdue").mapped("overdue_kind"))
        if kinds - {"done"}:
            return "refused_repair"
        return "slow_progress" if kinds else "incapable"

    def action_view_deduction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.deduction",
            "res_id": self.deduction_id.id,
            "view_mode": "form",
        }
