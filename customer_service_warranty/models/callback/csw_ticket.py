"""What the callback domain adds to csw.ticket: its callbacks and the follow-ups they raise.

A callback raises a follow-up ticket (回访联系单) with a deadline that binds the responsible
person; a ticket is closed once the owner has been called back, and a resolved complaint gets
its callback. The caller card shows the owner's open repairs and last callbacks. The ticket
domain sits below callbacks, so all of this lives here.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..base import warranty_clock
from ..base.csw_binding_deadline import MANAGER_GROUP
from ..base.csw_locale import company_locale
from ..repair.csw_repair_order import UNFINISHED_REPAIR_STATES
from ..ticket.csw_ticket_constants import FINISHED_TICKET_STATES, OPEN_TICKET_STATES

_lt = LazyTranslate(__name__)


class CswTicket(models.Model):
    _inherit = "csw.ticket"

    callback_ids = fields.One2many("csw.callback", "ticket_id", string="Callbacks")
    origin_callback_id = fields.Many2one(
        "csw.callback",
        string="Raised by Callback",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The callback this follow-up ticket (回访联系单) comes from: a problem the owner raised, "
        "or a dissatisfied answer.",
    )
    followup_escalated = fields.Boolean(
        string="Follow-up Escalated",
        readonly=True,
        copy=False,
        help="The team leader was told this follow-up is past its deadline.",
    )
    # what the agent sees of the caller while on the phone
    caller_card = fields.Html(
        compute="_compute_caller_card",
        sanitize=False,
        groups="customer_service_warranty.group_csw_project_agent",
        help="The owner's open tickets and repairs, last callbacks, key-account flag, repeated problem "
        "and the warranty categories still covered.",
    )
    is_followup_overdue = fields.Boolean(
        string="Follow-up Overdue",
        compute="_compute_is_followup_overdue",
        search="_search_is_followup_overdue",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("origin_callback_id", "state", "date_deadline")
    def _compute_is_followup_overdue(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.is_followup_overdue = bool(
                ticket.origin_callback_id
                and ticket.state in OPEN_TICKET_STATES
                and ticket.date_deadline
                and ticket.date_deadline < now
            )

    def _search_is_followup_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue follow-ups."))
        domain = [
            ("origin_callback_id", "!=", False),
            ("state", "in", OPEN_TICKET_STATES),
            ("date_deadline", "<", fields.Datetime.now()),
        ]
        return domain if (operator == "=") == value else ["!", "&", "&", *domain]

    @api.depends("unit_id", "partner_id", "category_id", "is_repeat", "repeat_count")
    def _compute_caller_card(self):
        """A handful of queries for any number of tickets (``_caller_card_data``)."""
        data = self._caller_card_data()
        for ticket in self:
            ticket.caller_card = ticket._render_caller_card(data) if ticket.unit_id or ticket.partner_id else False

    def _caller_card_data(self):
        """What the caller cards of ``self`` show, read at once for all of them."""
        units, partners = self.unit_id._origin, self.partner_id._origin
        own_ids = [ticket_id for ticket_id in self._origin.ids if ticket_id]
        if not (units or partners):
            return {}
        who = ["|", ("unit_id", "in", units.ids), ("partner_id", "in", partners.ids)]
        tickets = self.env["csw.ticket"].search_fetch(
            [*who, ("state", "in", OPEN_TICKET_STATES), ("id", "not in", own_ids)],
            ["number", "name", "state", "unit_id", "partner_id"],
            order="received_date desc, id desc",
        )
        orders = self.env["csw.repair.order"].search_fetch(
            [*who, ("state", "in", UNFINISHED_REPAIR_STATES)],
            ["name", "location", "state", "unit_id", "partner_id"],
            order="id desc",
        )
        callbacks = self.env["csw.callback"].search_fetch(
            [*who, ("state", "=", "done")],
            ["done_date", "satisfaction", "unit_id", "partner_id"],
            order="done_date desc, id desc",
        )
        roots = self.env["csw.defect.category"].search([("parent_id", "=", False)], order="sequence, id")
        ends = {}
        warranty = {unit: unit._get_warranty_lines(roots, ends=ends) for unit in units if unit.handover_date}
        return {"tickets": tickets, "orders": orders, "callbacks": callbacks, "warranty": warranty}

    def _render_caller_card(self, data):
        self.ensure_one()
        unit, partner = self.unit_id._origin, self.partner_id._origin

        def concerns(record):
            return (unit and record.unit_id == unit) or (partner and record.partner_id == partner)

        def items(records, label):
            return Markup("").join(Markup("<li>%s</li>") % label(record) for record in records[:5])

        ticket_states = dict(self._fields["state"]._description_selection(self.env))
        order_states = dict(self.env["csw.repair.order"]._fields["state"]._description_selection(self.env))
        satisfaction = dict(self.env["csw.callback"]._fields["satisfaction"]._description_selection(self.env))
        tickets = data["tickets"].filtered(lambda t: concerns(t) and t._origin != self._origin)
        orders = data["orders"].filtered(concerns)
        callbacks = data["callbacks"].filtered(concerns)[:3]
        parts = []
        if unit.key_account:
            parts.append(Markup('<span class="badge text-bg-danger me-1">%s</span>') % self.env._("Key Account"))
        if self.is_repeat:
            parts.append(
                Markup('<span class="badge text-bg-warning me-1">%s</span>')
                % self.env._("Repeated repair: %(count)s earlier report(s)", count=self.repeat_count)
            )
        sections = (
            (
                self.env._("Open tickets (%(count)s)", count=len(tickets)),
                items(tickets, lambda t: f"{t.number} {t.name} ({ticket_states.get(t.state, '')})"),
            ),
            (
                self.env._("Open repairs (%(count)s)", count=len(orders)),
                items(orders, lambda o: f"{o.name} {o.location or ''} ({order_states.get(o.state, '')})"),
            ),
            (
                self.env._("Last callbacks"),
                items(
                    callbacks,
                    lambda c: (
                        f"{fields.Date.to_string(c.done_date)} "
                        f"{satisfaction.get(c.satisfaction) or self.env._('not rated')}"
                    ),
                ),
            ),
        )
        for title, rows in sections:
            parts.append(Markup('<div><strong>%s</strong><ul class="mb-1">%s</ul></div>') % (title, rows))
        lines = data["warranty"].get(unit)
        if lines is not None:
            covered = [line["category"].name for line in lines if line["owner_coverage"] == warranty_clock.IN_WARRANTY]
            expired = [line["category"].name for line in lines if line["owner_coverage"] == warranty_clock.EXPIRED]
            parts.append(
                Markup("<div><strong>%s</strong> %s</div>")
                % (self.env._("In warranty:"), "、".join(covered) or self.env._("none"))
            )
            if expired:
                parts.append(
                    Markup('<div class="text-muted"><strong>%s</strong> %s</div>')
                    % (self.env._("Warranty expired:"), "、".join(expired))
                )
        return Markup('<div class="o_csw_caller_card">%s</div>') % Markup("").join(parts)

    # ------------------------------------------------------------------
    # Changes of state
    # ------------------------------------------------------------------
    def _csw_check_state_change(self, new_state):
        if new_state in FINISHED_TICKET_STATES:
            self._check_reopened_repair_finished()
        # the repair orders' check (repair domain) in between, in the order the checks always ran
        result = super()._csw_check_state_change(new_state)
        if new_state == "closed":
            self._check_ready_to_close()
        return result

    def _check_reopened_repair_finished(self):
        """A follow-up stays open while the repair order its callback reopened is open."""
        followups = self.filtered("origin_callback_id")
        if not followups:
            return
        orders = followups.sudo().origin_callback_id.repair_order_id
        open_order = orders.filtered(lambda order: order.state in UNFINISHED_REPAIR_STATES)[:1]
        if open_order:
            ticket = followups.filtered(lambda t: t.sudo().origin_callback_id.repair_order_id == open_order)[:1]
            raise UserError(
                self.env._(
                    "Follow-up %(ticket)s stays open while repair order %(order)s, reopened by its callback, "
                    "is not finished: complete the repair first.",
                    ticket=ticket.number,
                    order=open_order.name,
                )
            )

    def _check_ready_to_close(self):
        """A ticket is closed once the owner has been called back (its repairs are checked with
        the resolution, ``_check_repairs_finished``)."""
        waiting = (
            self.env["csw.callback"]
            .sudo()
            .search(
                [
                    ("ticket_id", "in", self.ids),
                    ("state", "=", "planned"),
                    ("callback_type", "in", ("repair", "complaint")),
                ],
                limit=1,
            )
        )
        if waiting:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s cannot be closed yet: its callback (%(callback)s, due %(deadline)s) "
                    "is not done. Record the call, or cancel the callback with a reason.",
                    ticket=waiting.ticket_id.number,
                    callback=waiting.display_name,
                    deadline=self.env["csw.locale"]._format_datetime(waiting.deadline, waiting.company_id),
                )
            )

    def _apply_transition_effects(self, new_state, before, now):
        result = super()._apply_transition_effects(new_state, before, now)
        if new_state == "resolved":
            # the complaints just resolved get their callback
            self.env["csw.callback"]._plan_after_complaints(self.filtered(lambda t: t.ticket_type == "complaint"))
        return result

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "origin_callback_id": _lt("a callback's Raise Follow-up button or a dissatisfied answer"),
            "followup_escalated": _lt("the hourly check of overdue follow-ups"),
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _csw_binding_deadlines(self):
        # a follow-up's deadline (回访联系单) decides the responsible person's overdue flag and
        # escalation: a CS manager extends it, with a reason
        return {**super()._csw_binding_deadlines(), "date_deadline": MANAGER_GROUP}

    def _csw_deadline_binds(self, fname):
        if fname == "date_deadline":
            return bool(self.origin_callback_id)
        return super()._csw_deadline_binds(fname)

    def action_view_callbacks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_callback_action")
        action["domain"] = ["|", ("ticket_id", "=", self.id), ("id", "=", self.origin_callback_id.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    @api.model
    @company_locale
    def _cron_escalate_overdue_followups(self):
        """Tell the team leader about follow-ups (回访联系单) past their deadline, once each
        (``_csw_escalate_once``)."""
        self._csw_escalate_once(
            [("is_followup_overdue", "=", True)],
            "followup_escalated",
            lambda ticket: (
                Markup("<p>%s</p>")
                % self.env._(
                    "Follow-up overdue since %(deadline)s (responsible: %(user)s): escalated to the team leader.",
                    deadline=self.env["csw.locale"]._format_datetime(ticket.date_deadline, ticket.company_id),
                    user=ticket.user_id.name or "-",
                )
            ),
            self.env._("Callback follow-up overdue"),
            lambda ticket: ticket.company_id.csw_team_leader_id or ticket.project_id.cs_user_id,
        )
