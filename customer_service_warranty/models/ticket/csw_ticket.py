from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime, is_html_empty, plaintext2html
from odoo.tools.translate import LazyTranslate

from ..base.csw_locale import company_locale
from ..base.csw_portal_chatter import check_portal_post
from ..base.csw_portal_upload import attachment_values
from ..base.csw_workflow_mixin import Transition
from .csw_incident import ACTIVE_INCIDENT_STATES
from .csw_ticket_constants import (
    CANCELLABLE_TICKET_STATES,
    CHANNELS,
    FINISHED_TICKET_STATES,
    NEW_TICKET_STATES,
    OPEN_TICKET_STATES,
    PRIORITIES,
    SLA_RUNNING_STATES,
    SLA_STATES,
    STATES,
    TICKET_TYPES,
)

_lt = LazyTranslate(__name__)

STATE_BUTTONS = _lt("the Start, Wait on Owner, Resume, Resolve, Close, Reopen and Cancel buttons")
SLA_CHECK = _lt("the SLA policy and the hourly SLA check")
ESCALATION = _lt("the hourly escalation of breached tickets")
REPEAT_CHECK = _lt("the repeat check (unit, defect category and received date) or the Repeat Of link")
# the tickets a repeated problem (同一问题反复投诉) is looked for among
REPEAT_TYPES = ("complaint", "repair")

# how far ahead of the server a client may date a call (its clock running ahead)
RECEIVED_DATE_CLOCK_SKEW = timedelta(minutes=5)


class CswTicket(models.Model):
    """A service ticket (客服工单): a consultation, complaint, repair request, suggestion or praise."""

    _name = "csw.ticket"
    _description = "Service Ticket"
    _inherit = [
        "csw.workflow.mixin",
        "portal.mixin",
        "mail.thread.cc",
        "mail.activity.mixin",
        "csw.followup.mixin",
        "csw.located.mixin",
    ]
    _order = "priority desc, received_date desc, id desc"
    _rec_names_search = ["number", "name", "partner_id.name", "partner_phone"]
    _primary_email = "partner_email"
    _check_company_auto = True
    _csw_number_field = "number"
    _csw_prefilled_fields = ("sla_paused_hours", "first_response_date", "resolved_date")
    # owners write on their tickets from the portal
    _mail_post_access = "read"

    number = fields.Char(readonly=True, copy=False, index="trigram", default="/")
    name = fields.Char(string="Subject", required=True, tracking=True)
    ticket_type = fields.Selection(TICKET_TYPES, string="Type", required=True, default="repair", tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    priority = fields.Selection(
        PRIORITIES,
        required=True,
        compute="_compute_priority",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Proposed from the defect (a leak, no water or no power is urgent) and the key-account "
        "flag of the unit; the agent may change it.",
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="new",
        tracking=True,
        copy=False,
        index=True,
        group_expand="_group_expand_states",
    )
    intake_user_id = fields.Many2one(
        "res.users",
        string="Call Taker",
        default=lambda self: self._default_intake_user_id(),
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The agent who took the call and created the ticket (受理人); empty for the portal and e-mail.",
    )
    received_date = fields.Datetime(
        string="Received On",
        required=True,
        index=True,
        default=fields.Datetime.now,
        help="When the owner called, came in or wrote: the SLA clock starts here.",
    )

    # Who and where
    partner_id = fields.Many2one(
        "res.partner",
        string="Owner / Caller",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
    )
    partner_phone = fields.Char(
        string="Phone",
        compute="_compute_partner_contact",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
    )
    partner_email = fields.Char(
        string="E-mail",
        compute="_compute_partner_contact",
        store=True,
        readonly=False,
        precompute=True,
    )
    unit_id = fields.Many2one("csw.unit", index=True, check_company=True, tracking=True)
    # the estate of the unit, the company of the estate (csw.located.mixin)
    project_id = fields.Many2one(tracking=True)
    region = fields.Char(related="project_id.region", store=True, index=True, precompute=True)
    location = fields.Char(help="Where in the unit: bathroom, kitchen, exterior wall...")
    category_id = fields.Many2one(
        "csw.defect.category",
        string="Defect Category",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="What the repair request or complaint is about: the same category on the same unit "
        "within the company's window flags a repeated problem.",
    )

    building = fields.Char(
        related="unit_id.building",
        store=True,
        precompute=True,
        index="btree_not_null",
        help="Building of the unit: batch defects are counted per building.",
    )

    # Incidents (突发事件, 批量质量问题)
    incident_id = fields.Many2one(
        "csw.incident",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        copy=False,
        help="The event this ticket is about, with the other owners' tickets: resolved with it.",
    )
    covering_incident_id = fields.Many2one(
        "csw.incident",
        string="Open Incident Covering the Unit",
        compute="_compute_covering_incident_id",
        help="An active incident of the unit's estate and building this ticket is not linked to.",
    )

    # Repeated problems (同一问题反复投诉)
    repeat_of_id = fields.Many2one(
        "csw.ticket",
        compute="_compute_repeat_of_id",
        store=True,
        readonly=False,
        precompute=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="The earlier ticket of the same unit this one repeats: found from the unit, the defect "
        "category and the company's repeat window, or linked by the agent while the ticket is open.",
    )
    repeat_linked_by_hand = fields.Boolean(
        readonly=True,
        copy=False,
        help="The agent linked the ticket it repeats: the link stays while it is an earlier ticket of the unit.",
    )
    is_repeat = fields.Boolean(
        string="Repeated Problem",
        compute="_compute_repeat_count",
        store=True,
        precompute=True,
        readonly=True,
        copy=False,
        index=True,
    )
    # shown in the banner of a repeat, whoever may read the earlier ticket
    repeat_of_date = fields.Datetime(string="Earlier Ticket Received", related="repeat_of_id.received_date")
    repeat_of_number = fields.Char(string="Earlier Ticket", related="repeat_of_id.number")
    repeat_count = fields.Integer(
        string="Earlier Reports",
        compute="_compute_repeat_count",
        store=True,
        precompute=True,
        readonly=True,
        copy=False,
        help="How many earlier complaints or repair requests of the same unit and defect category "
        "were received within the repeat window (at least 1 for a ticket linked by hand).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    description = fields.Html()
    resolution = fields.Html(help="What was done for the owner. Required to resolve or close the ticket.")

    # SLA
    sla_policy_id = fields.Many2one(
        "csw.sla.policy",
        string="SLA Policy",
        compute="_compute_sla_policy_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    # precomputed: a ticket is inserted with its deadlines and SLA state, not updated after
    response_deadline = fields.Datetime(compute="_compute_deadlines", store=True, precompute=True, index=True)
    resolve_deadline = fields.Datetime(
        string="Resolution Deadline", compute="_compute_deadlines", store=True, precompute=True, index=True
    )
    response_risk_date = fields.Datetime(compute="_compute_deadlines", store=True, precompute=True)
    resolve_risk_date = fields.Datetime(compute="_compute_deadlines", store=True, precompute=True)
    first_response_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    closed_date = fields.Datetime(readonly=True, copy=False)
    waiting_since = fields.Datetime(readonly=True, copy=False)
    sla_paused_hours = fields.Float(
        string="Paused (Hours)",
        readonly=True,
        copy=False,
        help="Hours spent waiting on the owner, counted on the SLA policy's time basis, added back to the deadlines.",
    )
    # set at creation (no dependencies), then kept up to date by _refresh_sla_state
    response_breached = fields.Boolean(
        compute="_compute_initial_sla_state", store=True, precompute=True, readonly=True, copy=False, index=True
    )
    resolve_on_time = fields.Boolean(
        string="Resolved in Time",
        compute="_compute_resolve_on_time",
        store=True,
        precompute=True,
        help="Resolved before its resolution deadline.",
    )
    sla_state = fields.Selection(
        SLA_STATES,
        string="SLA",
        compute="_compute_initial_sla_state",
        store=True,
        precompute=True,
        readonly=True,
        copy=False,
        index=True,
    )
    escalation_level = fields.Integer(
        readonly=True,
        copy=False,
        tracking=True,
        help="0: none; 1: team leader; 2: CS manager; 3: general manager.",
    )
    escalation_date = fields.Datetime(readonly=True, copy=False)
    date_deadline = fields.Datetime(
        string="Deadline",
        tracking=True,
        copy=False,
        help="Deadline agreed for this ticket, e.g. of a follow-up ticket raised by a callback (回访联系单).",
    )
    # answered to the owner (标准回复模板): the standard reply of the ticket's type
    reply_html = fields.Html(
        string="Standard Reply",
        compute="_compute_reply_html",
        groups="customer_service_warranty.group_csw_project_agent",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends("ticket_type", "company_id")
    def _compute_reply_html(self):
        pairs = {(ticket.company_id.id, ticket.ticket_type) for ticket in self}
        bodies = self.env["csw.script"]._bodies_by_type("reply", pairs)
        for ticket in self:
            ticket.reply_html = bodies.get((ticket.company_id.id, ticket.ticket_type), False)

    @api.model
    def _default_intake_user_id(self):
        user = self.env.user
        return user.id if user._is_internal() and not user._is_superuser() else False

    @api.depends("category_id", "unit_id")
    def _compute_priority(self):
        """Proposes a priority, never lowers the one chosen: urgent for a defect of an urgent
        category, important for a key-account unit."""
        for ticket in self:
            proposed = "2" if ticket.category_id.urgent else "1" if ticket.unit_id.key_account else "0"
            ticket.priority = max(ticket.priority or "0", proposed)

    @api.model
    def _group_expand_states(self, states, domain):
        return [key for key, _label in STATES if key != "cancelled"]

    @api.depends("unit_id")
    def _compute_partner_id(self):
        for ticket in self:
            if ticket.unit_id.owner_id and not ticket.partner_id:
                ticket.partner_id = ticket.unit_id.owner_id

    @api.depends("partner_id")
    def _compute_partner_contact(self):
        for ticket in self:
            if ticket.partner_id:
                ticket.partner_phone = ticket.partner_id.mobile or ticket.partner_id.phone or ticket.partner_phone
                ticket.partner_email = ticket.partner_id.email or ticket.partner_email

    @api.depends("project_id", "unit_id")
    def _compute_user_id(self):
        """The dedicated person of a key-account unit, else the estate's rule: its CS lead,
        or the member with the fewest open tickets when the estate balances the load."""
        balanced_projects = self.project_id.filtered(lambda p: p.ticket_assignment == "balanced")
        load = {}
        if balanced_projects:
            open_tickets = (
                self.env["csw.ticket"]
                .sudo()
                ._read_group(
                    [
                        ("state", "in", OPEN_TICKET_STATES),
                        ("user_id", "in", balanced_projects.member_ids.ids),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            )
            load = dict(open_tickets)
        for ticket in self:
            unit, project = ticket.unit_id, ticket.project_id
            if unit.key_account and unit.key_account_user_id:
                ticket.user_id = unit.key_account_user_id
            elif project.ticket_assignment == "balanced" and project.member_ids:
                user = min(project.member_ids, key=lambda member: (load.get(member, 0), member.id))
                load[user] = load.get(user, 0) + 1
                ticket.user_id = user
            elif project.cs_user_id:
                ticket.user_id = project.cs_user_id
            elif not ticket.user_id:
                ticket.user_id = self.env.user if not self.env.user.share else False

    def _compute_initial_sla_state(self):
        """The SLA state of new tickets, as ``_refresh_sla_state`` would set it right after:
        the same rule (``_sla_domains``), evaluated in memory."""
        rule = self._sla_domains(fields.Datetime.now())
        for ticket in self:
            # set before the rule reads them: a new ticket has no flag yet
            ticket.response_breached, ticket.sla_state = False, "on_track"
        running = self.filtered(lambda t: t.state in SLA_RUNNING_STATES)
        running.filtered_domain(rule["late_response"]).response_breached = True
        for sla_state, tickets in self._sla_states_by_rule(rule).items():
            tickets.sla_state = sla_state

    def _sla_states_by_rule(self, rule):
        """``{sla_state: tickets}`` of the tickets of ``self`` whose SLA state ``rule`` (the
        domains of ``_sla_domains``) decides, in memory; the others (waiting, cancelled) keep
        theirs."""
        running = self.filtered(lambda t: t.state in SLA_RUNNING_STATES)
        breached = running.filtered_domain(rule["breached"])
        at_risk = (running - breached).filtered_domain(rule["at_risk"])
        finished = self.filtered(lambda t: t.state in FINISHED_TICKET_STATES and t.resolved_date)
        late = finished.filtered_domain(rule["late_resolution"])
        return {
            "breached": breached | late,
            "at_risk": at_risk,
            "on_track": (running - breached - at_risk) | (finished - late).filtered(lambda t: t.sla_state == "at_risk"),
        }

    @api.depends("unit_id", "incident_id", "state")
    def _compute_covering_incident_id(self):
        """One search for the batch: the active incidents of the tickets' estates."""
        open_tickets = self.filtered(lambda t: t.unit_id and not t.incident_id and t.state in OPEN_TICKET_STATES)
        incidents = self.env["csw.incident"]
        if open_tickets and self.env["csw.incident"].has_access("read"):
            incidents = incidents.search(
                [("project_id", "in", open_tickets.unit_id.project_id.ids), ("state", "in", ("draft", "open"))],
                order="id desc",
            )
        for ticket in self:
            ticket.covering_incident_id = ticket in open_tickets and next(
                (incident for incident in incidents if incident._covers(ticket.unit_id)), False
            )

    def action_link_covering_incident(self):
        self.ensure_one()
        if not self.covering_incident_id:
            raise UserError(self.env._("No open incident covers the unit of ticket %(ticket)s.", ticket=self.number))
        self.covering_incident_id._link_tickets(self)
        return True

    @api.depends("resolved_date", "resolve_deadline")
    def _compute_resolve_on_time(self):
        for ticket in self:
            ticket.resolve_on_time = bool(
                ticket.resolved_date and ticket.resolve_deadline and ticket.resolved_date <= ticket.resolve_deadline
            )

    def _repeat_matches(self):
        """``{ticket: earlier tickets}``: the complaints and repair requests of the same unit
        and defect category received within the company's window before each ticket, oldest
        first, found by one search for the whole batch."""
        candidates = self.filtered(
            lambda t: t.ticket_type in REPEAT_TYPES and t.unit_id and t.category_id and t.received_date
        )
        if not candidates:
            return {}
        windows = {t: timedelta(days=t.company_id.csw_repeat_window_days or 90) for t in candidates}
        # every user sees the same repeats, whatever tickets their rules let them read
        others = (
            self.sudo()
            .search_fetch(
                [
                    ("unit_id", "in", candidates.unit_id._origin.ids),
                    ("category_id", "in", candidates.category_id._origin.ids),
                    ("ticket_type", "in", REPEAT_TYPES),
                    ("state", "!=", "cancelled"),
                    ("received_date", ">=", min(t.received_date - windows[t] for t in candidates)),
                    ("received_date", "<=", max(candidates.mapped("received_date"))),
                ],
                ["unit_id", "category_id", "received_date"],
                order="received_date, id",
            )
            .with_env(self.env)
        )
        by_key = defaultdict(list)
        for other in others:
            by_key[other.unit_id.id, other.category_id.id].append(other)
        matches = {}
        for ticket in candidates:
            own_id = ticket._origin.id
            start = ticket.received_date - windows[ticket]
            matches[ticket] = [
                other
                for other in by_key[ticket.unit_id._origin.id, ticket.category_id._origin.id]
                if other.id != own_id
                and start <= other.received_date
                # received before, or at the same time and created before
                and (other.received_date < ticket.received_date or (own_id and other.id < own_id))
            ]
        return matches

    @api.depends("ticket_type", "unit_id", "category_id", "received_date")
    def _compute_repeat_of_id(self):
        """The latest earlier ticket of the same unit and category within the window. A link
        the agent made by hand stays while it is still an earlier ticket of the unit."""
        matches = self._repeat_matches()
        for ticket in self:
            linked = ticket.repeat_linked_by_hand and ticket.repeat_of_id
            if linked and not ticket._repeat_link_error(linked.sudo()):
                continue
            earlier = matches.get(ticket)
            ticket.repeat_of_id = earlier[-1] if earlier else False

    @api.depends("repeat_of_id", "ticket_type", "unit_id", "category_id", "received_date")
    def _compute_repeat_count(self):
        matches = self.filtered("repeat_of_id")._repeat_matches()
        for ticket in self:
            ticket.is_repeat = bool(ticket.repeat_of_id)
            ticket.repeat_count = max(len(matches.get(ticket, ())), 1) if ticket.repeat_of_id else 0

    def _repeat_link_error(self, earlier):
        """Why ``earlier`` cannot be the ticket this one repeats (``None`` if it can)."""
        self.ensure_one()
        if earlier._origin == self._origin:
            return self.env._("Ticket %(ticket)s cannot repeat itself.", ticket=self.number)
        if earlier.unit_id._origin != self.unit_id._origin:
            return self.env._(
                "Ticket %(ticket)s can only repeat an earlier ticket of the same unit: %(earlier)s is about %(unit)s.",
                ticket=self.number,
                earlier=earlier.number,
                unit=earlier.unit_id.display_name or self.env._("no unit"),
            )
        if self.received_date and earlier.received_date and earlier.received_date > self.received_date:
            return self.env._(
                "Ticket %(ticket)s can only repeat a ticket received before it: %(earlier)s was received later.",
                ticket=self.number,
                earlier=earlier.number,
            )
        return None

    def action_view_repeat_of(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "csw.ticket",
            "res_id": self.repeat_of_id.id,
            "views": [(False, "form")],
        }

    def _compute_access_url(self):
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    @api.depends("ticket_type", "priority", "company_id")
    def _compute_sla_policy_id(self):
        for ticket, policy in self.env["csw.sla.policy"]._find_for_tickets(self).items():
            ticket.sla_policy_id = policy

    @api.depends("sla_policy_id", "received_date", "sla_paused_hours", "company_id.csw_sla_risk_percent")
    def _compute_deadlines(self):
        requests, tickets = {}, list(self)
        for position, ticket in enumerate(tickets):
            policy = ticket.sla_policy_id
            if not policy or not ticket.received_date:
                ticket.update(
                    {
                        "response_deadline": False,
                        "resolve_deadline": False,
                        "response_risk_date": False,
                        "resolve_risk_date": False,
                    }
                )
                continue
            start, paused, company = ticket.received_date, ticket.sla_paused_hours, ticket.company_id
            safe_share = 1 - company.csw_sla_risk_percent / 100
            # keyed by position: hashing thousands of records costs more than planning
            # a ticket leaves "new" before it can wait, so the response clock never pauses
            requests[position, "response_deadline"] = (policy, start, policy.response_hours, company)
            requests[position, "resolve_deadline"] = (policy, start, policy.resolve_hours + paused, company)
            requests[position, "response_risk_date"] = (policy, start, policy.response_hours * safe_share, company)
            requests[position, "resolve_risk_date"] = (
                policy,
                start,
                policy.resolve_hours * safe_share + paused,
                company,
            )
        # the working hours of each calendar are read once for the batch
        for (position, fname), deadline in self.env["csw.sla.policy"]._plan_batch(requests).items():
            tickets[position][fname] = deadline

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("state", "ticket_type", "unit_id")
    def _check_repair_has_unit(self):
        for ticket in self:
            if ticket.ticket_type == "repair" and not ticket.unit_id and ticket.state not in ("new", "cancelled"):
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s is a repair request: enter the owner's unit before working on it.",
                        ticket=ticket.number,
                    )
                )

    @api.constrains("received_date")
    def _check_received_date_not_in_future(self):
        """The SLA clock starts when the owner called: a call typed in after is dated as it
        happened, never later (a few minutes of a client's clock running ahead aside)."""
        latest = fields.Datetime.now() + RECEIVED_DATE_CLOCK_SKEW
        for ticket in self:
            if ticket.received_date > latest:
                raise ValidationError(
                    self.env._(
                        "A ticket is received when the owner called, came or wrote: %(date)s is in the future.",
                        date=self.env["csw.locale"]._format_datetime(ticket.received_date, ticket.company_id),
                    )
                )

    @api.constrains("repeat_of_id", "unit_id", "received_date")
    def _check_repeat_of_id(self):
        for ticket in self.filtered("repeat_of_id"):
            error = ticket._repeat_link_error(ticket.repeat_of_id.sudo())
            if error:
                raise ValidationError(error)

    @api.constrains("incident_id")
    def _check_incident_scope(self):
        for ticket in self.filtered("incident_id"):
            incident = ticket.incident_id.sudo()
            if incident.state not in ACTIVE_INCIDENT_STATES:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s cannot be linked to incident %(incident)s: it is no longer open.",
                        ticket=ticket.number,
                        incident=incident.name,
                    )
                )
            if ticket.project_id != incident.project_id or (ticket.unit_id and not incident._covers(ticket.unit_id)):
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s is outside incident %(incident)s: it covers %(scope)s.",
                        ticket=ticket.number,
                        incident=incident.name,
                        scope=" ".join(filter(None, (incident.project_id.name, incident.building_scope))),
                    )
                )

    @api.constrains("state", "resolution")
    def _check_resolution(self):
        for ticket in self:
            if ticket.state in FINISHED_TICKET_STATES and is_html_empty(ticket.resolution):
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s cannot be resolved or closed without a resolution note: "
                        "write what was done for the owner.",
                        ticket=ticket.number,
                    )
                )

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "number": _lt("the company's numbering, at creation"),
            "state": STATE_BUTTONS,
            "received_date": _lt("the ticket's creation (when the owner called, came or wrote)"),
            "first_response_date": _lt("a reply to the owner or the Start button"),
            "resolved_date": STATE_BUTTONS,
            "closed_date": STATE_BUTTONS,
            "waiting_since": STATE_BUTTONS,
            "sla_paused_hours": STATE_BUTTONS,
            "sla_policy_id": _lt("a CS manager (the policy follows the type and priority)"),
            "response_deadline": SLA_CHECK,
            "resolve_deadline": SLA_CHECK,
            "response_risk_date": SLA_CHECK,
            "resolve_risk_date": SLA_CHECK,
            "response_breached": SLA_CHECK,
            "resolve_on_time": SLA_CHECK,
            "sla_state": SLA_CHECK,
            "escalation_level": ESCALATION,
            "escalation_date": ESCALATION,
            "is_repeat": REPEAT_CHECK,
            "repeat_count": REPEAT_CHECK,
            "repeat_linked_by_hand": REPEAT_CHECK,
            # stored copies of the estate's region and the unit's building: a write would move them
            "intake_user_id": _lt("the ticket's creation (the agent who takes the call)"),
            "region": _lt("the estate (its region)"),
            "building": _lt("the unit (its building)"),
        }

    def _csw_creatable_fields(self):
        return super()._csw_creatable_fields() | frozenset({"received_date"})

    def _csw_manager_fields(self):
        return super()._csw_manager_fields() | frozenset({"sla_policy_id"})

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _csw_prepare_create(self, vals_list):
        # the units' companies number the tickets: read in one query for the batch
        self.env["csw.unit"].browse([vals["unit_id"] for vals in vals_list if vals.get("unit_id")]).fetch(
            ["company_id"]
        )
        return super()._csw_prepare_create(vals_list)

    def _csw_number_date(self, vals):
        # numbered in the month the ticket was received
        return fields.Date.context_today(
            self, fields.Datetime.to_datetime(vals.get("received_date")) or fields.Datetime.now()
        )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets.browse(
            ticket_id for ticket_id, vals in zip(tickets.ids, vals_list, strict=True) if vals.get("repeat_of_id")
        )._mark_repeat_links_by_hand()
        tickets._recheck_repeats_within_batch()
        tickets.filtered(lambda t: t.partner_id and t.channel in ("email", "portal"))._subscribe_owners()
        tickets._report_complaints_to_manager()
        self.env["csw.incident"]._propose_batch_defects(tickets)
        return tickets

    def _subscribe_owners(self):
        """Each ticket's owner follows it, as ``message_subscribe`` does ticket by ticket, in one
        batch: a query for the existing followers, one INSERT for the new ones."""
        if not self:
            return
        Followers = self.env["mail.followers"].sudo().with_context(default_partner_id=False)
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        existing = {
            (follower.res_id, follower.partner_id)
            for follower in Followers.search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        }
        Followers.create(
            [
                {
                    "res_model": self._name,
                    "res_id": ticket.id,
                    "partner_id": ticket.partner_id.id,
                    # customers get the external subtypes only, as Odoo's default subscription
                    "subtype_ids": [Command.set((external if ticket.partner_id.partner_share else default).ids)],
                }
                for ticket in self
                if (ticket.id, ticket.partner_id) not in existing
            ]
        )

    def _csw_number_company(self, vals):
        """The company a ticket will belong to, before it is created (for its number)."""
        if vals.get("company_id"):
            return self.env["res.company"].browse(vals["company_id"])
        if vals.get("unit_id"):
            return self.env["csw.unit"].browse(vals["unit_id"]).company_id
        if vals.get("project_id"):
            return self.env["csw.project"].browse(vals["project_id"]).company_id
        return self.env.company

    def write(self, vals):
        relinked = "repeat_of_id" in vals and not self._csw_unchanged("repeat_of_id", vals["repeat_of_id"])
        if relinked:
            done = self.filtered(lambda t: t.state not in OPEN_TICKET_STATES)[:1]
            if done:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is no longer open: link it to the ticket it repeats only while it is open.",
                        ticket=done.number,
                    )
                )
        if "state" not in vals:
            result = super().write(vals)
        else:
            new_state = vals["state"]
            before, now = self._prepare_transition(new_state)
            # the state first, through every check of the models' write
            result = super().write(vals)
            self._apply_transition_effects(new_state, before, now)
        if relinked:
            self._mark_repeat_links_by_hand()
        if "category_id" in vals or "unit_id" in vals or "ticket_type" in vals:
            self.env["csw.incident"]._propose_batch_defects(self)
        return result

    def _prepare_transition(self, new_state):
        """The checks before a change of state, and ``(before, now)`` for its effects."""
        self._csw_check_state_change(new_state)
        now = fields.Datetime.now()
        # read before the write: the hours of a wait that ends count up to now
        before = {
            ticket: (ticket.state, ticket._waiting_hours(now) if ticket.state == "waiting" else 0.0) for ticket in self
        }
        return before, now

    def _csw_check_state_change(self, new_state):
        """Refuse the change of the tickets to ``new_state`` while what it needs is not done:
        the domains above check their records (repairs, callbacks), the ticket itself has none."""

    def _recheck_repeats_within_batch(self):
        """The repeats are computed before the batch is inserted, against the tickets already
        saved: tickets of the same unit and category created together are checked again, now that
        they are saved too."""
        keys = defaultdict(lambda: self.browse())
        for ticket in self:
            if ticket.ticket_type in REPEAT_TYPES and ticket.unit_id and ticket.category_id:
                keys[ticket.unit_id, ticket.category_id] |= ticket
        together = self.browse().union(*(tickets for tickets in keys.values() if len(tickets) > 1))
        if together:
            together.modified(["category_id"])

    def _mark_repeat_links_by_hand(self):
        """A link to the ticket repeated, given by the client, is the agent's own unless it is the
        one the repeat check finds (a form sends back what it computed): one search for the batch."""
        matches = self._repeat_matches()
        for by_hand, tickets in self.grouped(
            lambda t: bool(t.repeat_of_id) and t.repeat_of_id != (matches.get(t) or [t.browse()])[-1]
        ).items():
            tickets = tickets.filtered(lambda t, by_hand=by_hand: t.repeat_linked_by_hand != by_hand)
            # the flag only this check sets
            tickets.sudo().write({"repeat_linked_by_hand": by_hand})

    def _apply_transition_effects(self, new_state, before, now):
        """What a change of state does besides the state, in one place.

        :param new_state: the state just written
        :param before: ``{ticket: (previous state, hours waited until now on the policy's time basis)}``

        Each ticket's values are gathered, then written once per group of tickets with the
        same values (the paused hours differ from ticket to ticket); then the SLA state is
        refreshed.
        """
        groups = defaultdict(lambda: self.browse())
        for ticket in self:
            previous, waited = before[ticket]
            values = {}
            if previous == "waiting" and new_state != "waiting":
                # the wait on the owner ends: its hours are added back to the deadlines
                values.update(sla_paused_hours=ticket.sla_paused_hours + waited, waiting_since=False)
            if new_state == "waiting" and not ticket.waiting_since:
                values["waiting_since"] = now
            if previous == "new" and new_state not in ("new", "cancelled") and not ticket.first_response_date:
                # starting to work on a ticket is its first response
                values.update(ticket._first_response_values(now))
            if new_state == "resolved":
                values["resolved_date"] = now
            elif new_state == "closed":
                values["closed_date"] = now
                if not ticket.resolved_date:
                    values["resolved_date"] = now
            elif new_state in OPEN_TICKET_STATES:
                values.update(resolved_date=False, closed_date=False)
            if values:
                groups[tuple(sorted(values.items()))] |= ticket
        for values, tickets in groups.items():
            tickets._csw_workflow_write(dict(values))
        self._refresh_sla_state()

    def _report_complaints_to_manager(self):
        """The department manager hears of a complaint as it arrives (seed 002: "及时上报部门经理"),
        not only when its SLA is breached: the CS manager of the company gets a to-do due on the
        complaint's response deadline and a notification, whatever the channel.

        Batched: a note on each complaint and the to-dos in one statement each, one
        notification per manager for the whole batch (on the complaint itself when alone).
        """
        complaints = self.filtered(
            lambda t: (
                t.ticket_type == "complaint"
                and t.state in OPEN_TICKET_STATES
                and t.company_id.csw_complaint_notify_manager
                and t.company_id.csw_cs_manager_id
            )
        ).sudo()
        if not complaints:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        # in the name of the agent who took the call; the system's for the portal and the mail gateway
        user = self.env.user
        author = user.partner_id if not user.share and user.email else self.env.ref("base.partner_root").sudo()
        activities, bodies = [], {}
        for manager, tickets in complaints.grouped(lambda t: t.company_id.csw_cs_manager_id).items():
            # the manager reads the dates in their time zone and the messages in their language
            tz = manager.tz or tickets[0].company_id.resource_calendar_id.tz or "UTC"
            env = self.with_context(lang=manager.lang or self.env.lang, tz=tz).env
            due = {ticket: ticket.response_deadline or ticket.received_date for ticket in tickets}
            for ticket in tickets:
                deadline = format_datetime(env, due[ticket], tz=tz, dt_format="short")
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "activity_type_id": todo.id,
                        "summary": env._("Complaint: see the owner answered by %(deadline)s", deadline=deadline),
                        "user_id": manager.id,
                        "date_deadline": fields.Date.context_today(ticket.with_env(env), due[ticket]),
                    }
                )
                bodies[ticket.id] = Markup("<p>%s</p>") % env._(
                    "Complaint reported to the CS manager %(manager)s at its arrival; response due by %(deadline)s.",
                    manager=manager.name,
                    deadline=deadline,
                )
            if len(tickets) == 1:
                target = tickets
                body = Markup("<p>%s</p>") % env._(
                    "A complaint has arrived: %(ticket)s. The owner must get a response by %(deadline)s.",
                    ticket=f"{tickets.number} {tickets.name}",
                    deadline=format_datetime(env, due[tickets], tz=tz, dt_format="short"),
                )
            else:
                target = self.env["mail.thread"].sudo()
                body = Markup("<p>%s</p><ul>%s</ul>") % (
                    env._("%(count)s complaints have arrived:", count=len(tickets)),
                    Markup().join(
                        Markup('<li><a href="/odoo/csw.ticket/%s">%s %s</a></li>')
                        % (ticket.id, ticket.number, ticket.name)
                        for ticket in tickets
                    ),
                )
            if author.email:
                target.message_notify(
                    partner_ids=manager.partner_id.ids,
                    author_id=author.id,
                    subject=env._("Complaint received"),
                    body=body,
                )
        complaints._message_log_batch(bodies=bodies, author_id=author.id)
        # quick update: the notification above tells the manager, not one e-mail per to-do
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A ticket from an e-mail to the service alias: the sender is matched to an owner."""
        values = dict(custom_values or {})
        values.setdefault("name", msg_dict.get("subject") or self.env._("(no subject)"))
        values["channel"] = "email"
        values.setdefault("description", msg_dict.get("body"))
        # the gateway has matched the sender's address to a partner, if any
        author = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        if author:
            values.setdefault("partner_id", author.id)
            units = self.env["csw.unit"].search([("owner_id", "=", author.id)], limit=2)
            if len(units) == 1:
                values.setdefault("unit_id", units.id)
        else:
            values.setdefault("partner_email", msg_dict.get("email_from"))
        return super().message_new(msg_dict, custom_values=values)

    def message_update(self, msg_dict, update_vals=None):
        """The owner's reply ends the wait on them.

        The mail gateway (the superuser) never gives ``update_vals`` here; a user calling this
        public method with values would write them past the actions (security review H6).
        """
        if update_vals and not self.env.su:
            raise AccessError(self.env._("A reply by e-mail changes nothing of the ticket but its wait on the owner."))
        self.filtered(lambda t: t.state == "waiting")._csw_workflow_write({"state": "in_progress"})
        return super().message_update(msg_dict, update_vals=update_vals)

    def message_post(self, **kwargs):
        check_portal_post(self, kwargs)
        return super().message_post(**kwargs)

    def _message_post_after_hook(self, message, msg_vals):
        # the first response is a reply to the owner (not an internal note) that an employee
        # writes in their own name: not an automatic message (the portal acknowledgement, a
        # cron's) sent by the system in the name of the agent, nor the owner's own comment
        poster = self.env.user
        if (
            message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and poster._is_internal()
            and not poster._is_superuser()
            and message.author_id == poster.partner_id
        ):
            self.filtered(lambda t: not t.first_response_date)._record_first_response(message.date)
        return super()._message_post_after_hook(message, msg_vals)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id and self.partner_id.email:
            self._message_add_suggested_recipient(
                recipients, partner=self.partner_id, reason=self.env._("Owner / Caller")
            )
        return recipients

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _csw_reference(self):
        return self.number

    def _csw_transitions(self):
        return {
            **super()._csw_transitions(),
            "start": Transition(NEW_TICKET_STATES, "in_progress", _lt("started")),
            "wait": Transition(SLA_RUNNING_STATES, "waiting", _lt("put on hold")),
            "resume": Transition(("waiting",), "in_progress", _lt("resumed")),
            "resolve": Transition(OPEN_TICKET_STATES, "resolved", _lt("resolved")),
            "close": Transition(("resolved",), "closed", _lt("closed")),
            "reopen": Transition(FINISHED_TICKET_STATES, "in_progress", _lt("reopened")),
            "cancel": Transition(CANCELLABLE_TICKET_STATES, "cancelled", _lt("cancelled")),
        }

    def action_start(self):
        return self._csw_transition("start")

    def action_wait(self):
        return self._csw_transition("wait")

    def action_resume(self):
        return self._csw_transition("resume")

    def action_resolve(self):
        return self._csw_transition("resolve")

    def action_close(self):
        return self._csw_transition("close")

    def action_reopen(self):
        return self._csw_transition("reopen")

    def action_cancel(self):
        return self._csw_transition("cancel")

    @api.model
    def _portal_create_repair_request(self, partner, unit, location, category, description, uploads):
        """The repair request an owner submits through the portal.

        A portal-channel ticket with the photos attached and an acknowledgement e-mailed to
        the owner. The caller has checked that ``unit`` belongs to ``partner``.

        :param uploads: list of ``(file name, content bytes)``
        :raise UserError: a missing location or description, a refused file
        """
        if not (location or "").strip() or not (description or "").strip():
            raise UserError(self.env._("Tell us where the problem is and describe it."))
        photos = attachment_values(self.env, unit.company_id, uploads, self._name)
        Ticket = self.sudo().with_context(mail_create_nolog=True)
        ticket = Ticket.create(
            {
                "name": f"{category.name}: {location.strip()}" if category else location.strip(),
                "ticket_type": "repair",
                "channel": "portal",
                "partner_id": partner.id,
                "unit_id": unit.id,
                "category_id": category.id,
                "location": location.strip(),
                "description": plaintext2html(description.strip()),
            }
        )
        if photos:
            self.env["ir.attachment"].sudo().create([{**values, "res_id": ticket.id} for values in photos])
        # sent by the system for the agent: the owner, who is the current user, gets it too
        ticket.with_user(SUPERUSER_ID).message_post_with_source(
            "customer_service_warranty.csw_ticket_mail_template_ack",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=partner.ids,
            author_id=(ticket.user_id.partner_id or ticket.company_id.partner_id).id,
        )
        return ticket

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _waiting_hours(self, now):
        """Hours waited on the owner until ``now``, on the policy's time basis."""
        self.ensure_one()
        if not self.waiting_since or not self.sla_policy_id:
            return 0.0
        return self.sla_policy_id._working_hours_between(self.waiting_since, now, self.company_id)

    def _first_response_values(self, when):
        """The values recording a first response at ``when``, late or in time."""
        self.ensure_one()
        return {
            "first_response_date": when,
            "response_breached": bool(self.response_deadline and when > self.response_deadline),
        }

    def _record_first_response(self, when):
        for ticket in self:
            ticket._csw_workflow_write(ticket._first_response_values(when))

    def _sla_domains(self, now):
        """The SLA rule at ``now``, written once, as domains: the cron searches with them,
        new and finished tickets are judged with them in memory (``filtered_domain``).

        - ``late_response``: a running ticket not answered by its response deadline;
        - ``breached``: a running ticket answered late, or not resolved by its deadline;
        - ``at_risk``: a running ticket past the risk date of its response or resolution;
        - ``late_resolution``: a finished ticket answered or resolved late (breached), else
          on track.
        """
        unanswered = ("first_response_date", "=", False)
        late_response = [unanswered, ("response_deadline", "<", now)]
        return {
            "late_response": late_response,
            "breached": [
                "|",
                ("response_breached", "=", True),
                "|",
                "&",
                *late_response,
                ("resolve_deadline", "<", now),
            ],
            "at_risk": ["|", "&", unanswered, ("response_risk_date", "<", now), ("resolve_risk_date", "<", now)],
            "late_resolution": [
                "|",
                ("response_breached", "=", True),
                "&",
                ("resolve_deadline", "!=", False),
                ("resolve_on_time", "=", False),
            ],
        }

    def _refresh_sla_state(self, now=None, every_ticket=False):
        """Set the SLA state of running tickets, a few queries for any number of them.

        Called on ``self`` after changes, or by the cron with ``every_ticket`` for every
        running ticket; on an empty ``self`` otherwise (an empty write over the API) it does
        nothing. Waiting tickets keep their state (the clock is paused); resolved ones keep
        it too, with a late resolution counted as breached.
        """
        if not self and not every_ticket:
            return
        now = now or fields.Datetime.now()
        scope = [] if every_ticket else [("id", "in", self.ids)]
        running = [*scope, ("state", "in", SLA_RUNNING_STATES)]
        rule = self._sla_domains(now)
        breached, at_risk = rule["breached"], rule["at_risk"]
        # SLA flags are not tracked: no snapshot of the tracked fields of every ticket written
        Ticket = self.env["csw.ticket"].sudo().with_context(mail_notrack=True)
        Ticket.search([*running, ("response_breached", "=", False), *rule["late_response"]])._csw_workflow_write(
            {"response_breached": True}
        )
        Ticket.search([*running, ("sla_state", "!=", "breached"), *breached])._csw_workflow_write(
            {"sla_state": "breached"}
        )
        Ticket.search([*running, ("sla_state", "!=", "at_risk"), "!", *breached, *at_risk])._csw_workflow_write(
            {"sla_state": "at_risk"}
        )
        Ticket.search([*running, ("sla_state", "!=", "on_track"), "!", *breached, "!", *at_risk])._csw_workflow_write(
            {"sla_state": "on_track"}
        )
        if self:
            # finished tickets: a late resolution counts as breached
            finished = self.filtered(lambda t: t.state in FINISHED_TICKET_STATES)
            for sla_state, tickets in finished._sla_states_by_rule(rule).items():
                tickets.filtered(lambda t, state=sla_state: t.sla_state != state).sudo().write({"sla_state": sla_state})

    @api.model
    @company_locale
    def _cron_escalate(self):
        """Refresh SLA states, then raise breached tickets one escalation level.

        Level 1 at the breach, each further level when the previous one is
        older than the company's escalation interval. Works on whole record sets:
        the number of queries does not depend on the number of tickets.
        """
        now = fields.Datetime.now()
        self._refresh_sla_state(now, every_ticket=True)
        self._csw_after_sla_refresh(now)
        candidates = self.sudo()._read_group(
            [("state", "in", SLA_RUNNING_STATES), ("sla_state", "=", "breached"), ("escalation_level", "<", 3)],
            ["company_id"],
        )
        for (company,) in candidates:
            interval = fields.Datetime.subtract(now, hours=company.csw_escalation_interval_hours)
            for level in (1, 2, 3):
                domain = [
                    ("company_id", "=", company.id),
                    ("state", "in", SLA_RUNNING_STATES),
                    ("sla_state", "=", "breached"),
                    ("escalation_level", "=", level - 1),
                ]
                if level > 1:
                    domain.append(("escalation_date", "<=", interval))
                tickets = self.sudo().search(domain)
                if tickets:
                    # the note and the to-do in the language of the company of the tickets
                    locale = self.env["csw.locale"]
                    locale._with_company_locale(tickets, company)._escalate_to(level, company, now)

    def _csw_after_sla_refresh(self, now):
        """What the hourly escalation does once the SLA states are refreshed at ``now``, before
        it raises the breached tickets (in the company's language, ``company_locale``)."""

    def _escalate_to(self, level, company, now):
        recipient = {
            1: company.csw_team_leader_id,
            2: company.csw_cs_manager_id,
            3: company.csw_general_manager_id,
        }[level]
        role = {
            1: self.env._("team leader"),
            2: self.env._("CS manager"),
            3: self.env._("general manager"),
        }[level]
        # the note below tells the level: no tracking message per ticket besides it
        self.with_context(mail_notrack=True)._csw_workflow_write({"escalation_level": level, "escalation_date": now})
        summary = self.env._("SLA breached: escalated to level %(level)s", level=level)
        bodies = {
            ticket.id: Markup("<p>%s</p>")
            % self.env._(
                "The SLA of this ticket is breached: escalated to level %(level)s (%(role)s)%(whom)s.",
                level=level,
                role=role,
                whom=f", {recipient.name}" if recipient else "",
            )
            for ticket in self
        }
        self._csw_note_and_todo(
            bodies, summary, lambda ticket: recipient or ticket.user_id or ticket.project_id.cs_user_id
        )
