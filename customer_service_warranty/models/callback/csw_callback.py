from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..base.batch_create import create_batched
from ..base.csw_binding_deadline import MANAGER_GROUP
from ..base.csw_locale import company_locale
from ..base.csw_workflow_mixin import Transition
from ..repair.csw_repair_order import FINISHED_REPAIR_STATES
from ..ticket.csw_ticket_constants import FINISHED_TICKET_STATES, OPEN_TICKET_STATES
from .csw_callback_plan import MILESTONE_FIELDS

_lt = LazyTranslate(__name__)
CALL_BUTTONS = _lt("the Record Call, No Answer and Cancel buttons")

CALLBACK_TYPES = [
    ("repair", "Repair"),
    ("complaint", "Complaint"),
    ("periodic", "Periodic"),
    ("milestone", "Milestone"),
    ("care", "Holiday Care"),
    ("construction", "Construction (Weekly)"),
]

CALLBACK_RESULTS = [
    ("reached", "Reached"),
    ("unreachable", "Unreachable"),
    ("refused", "Refused"),
]

SATISFACTION = [
    ("5", "Very Satisfied"),
    ("4", "Satisfied"),
    ("3", "Neutral"),
    ("2", "Dissatisfied"),
    ("1", "Very Dissatisfied"),
]

DISSATISFIED = ("1", "2")

CALLBACK_STATES = [("planned", "Planned"), ("done", "Called Back"), ("failed", "Failed"), ("cancelled", "Cancelled")]
PLANNED_CALLBACK_STATES = ("planned",)
"""A callback still to make: the only state a call is recorded in, or a callback cancelled."""

# After handover: monthly in the first year, quarterly in the second (16 callbacks).
PERIODIC_MONTHS = (*range(1, 13), 15, 18, 21, 24)

# Decoration works: a call every week from the start notice (开工通知单) until the completion
# notice (完工通知单); while the completion is not known, at most this many weeks are planned.
CONSTRUCTION_MAX_WEEKS = 26

# a follow-up ticket (回访联系单) is finished in these states


class CswCallback(models.Model):
    """A callback (回访) to an owner: after a repair or a complaint, or on a plan after handover."""

    _name = "csw.callback"
    _description = "Callback"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin", "csw.followup.mixin", "csw.located.mixin"]
    _order = "state_order, deadline, id"
    _check_company_auto = True
    _csw_prefilled_fields = ("ticket_id", "repair_order_id", "state", "satisfaction")
    # without a unit, the estate and company of the ticket called back about
    _csw_located_from = ("ticket_id",)

    _csw_editable_states = ("planned",)

    region = fields.Char(related="project_id.region", store=True, index=True, precompute=True)
    callback_type = fields.Selection(CALLBACK_TYPES, string="Type", required=True, default="repair", tracking=True)
    state = fields.Selection(
        CALLBACK_STATES,
        required=True,
        default="planned",
        tracking=True,
        copy=False,
        index=True,
    )
    # planned callbacks first in lists
    state_order = fields.Integer(compute="_compute_state_order", store=True, precompute=True)

    # What the callback is about
    ticket_id = fields.Many2one("csw.ticket", index=True, check_company=True, tracking=True)
    repair_order_id = fields.Many2one("csw.repair.order", index=True, check_company=True, tracking=True)
    unit_id = fields.Many2one(
        "csw.unit",
        compute="_compute_unit_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Owner",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )
    partner_phone = fields.Char(related="partner_id.mobile", string="Mobile")
    partner_landline = fields.Char(related="partner_id.phone", string="Phone")
    subcontractor_id = fields.Many2one(
        related="repair_order_id.subcontractor_id", store=True, precompute=True, string="Responsible Unit"
    )
    # what was repaired, read to the owner on the call (今日回访)
    repair_location = fields.Char(related="repair_order_id.location", string="Repaired Location")
    repair_category_id = fields.Many2one(related="repair_order_id.category_id", string="Repaired Defect")
    repair_completion_note = fields.Text(related="repair_order_id.completion_note", string="Completion Note")
    plan_index = fields.Integer(
        readonly=True,
        help="Position in the periodic plan after handover (1-16), or week of the decoration works.",
    )
    plan_line_id = fields.Many2one("csw.callback.plan.line", string="Plan Step", readonly=True, index="btree_not_null")

    # When and who
    scheduled_date = fields.Datetime(string="Call On", required=True, default=fields.Datetime.now, tracking=True)
    deadline = fields.Datetime(required=True, index=True, tracking=True)
    done_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    user_id = fields.Many2one(
        "res.users",
        string="Callback Agent",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    is_due_today = fields.Boolean(compute="_compute_is_overdue", search="_search_is_due_today")
    escalated = fields.Boolean(readonly=True, copy=False, help="The team leader was told it is overdue.")

    # The call
    attempt_count = fields.Integer(string="Attempts", readonly=True, copy=False)
    result = fields.Selection(CALLBACK_RESULTS, copy=False, tracking=True)
    satisfaction = fields.Selection(SATISFACTION, copy=False, tracking=True)
    satisfaction_score = fields.Integer(
        compute="_compute_satisfaction_score",
        store=True,
        precompute=True,
        aggregator="avg",
        string="Satisfaction (1-5)",
    )
    comment = fields.Text(copy=False, help="What the owner said.")
    is_praise = fields.Boolean(string="Praise", copy=False, help="The owner praises a person on this call.")
    praised_user_id = fields.Many2one(
        "res.users",
        string="Praised Person",
        copy=False,
        domain="[('share', '=', False)]",
        help="The employee the owner praises: rewarded when the call is recorded.",
    )
    # a callback may raise several follow-ups (one per problem the owner raised): this is the latest
    followup_ticket_id = fields.Many2one(
        "csw.ticket", string="Follow-up Ticket", readonly=True, copy=False, check_company=True, index="btree_not_null"
    )
    followup_ticket_ids = fields.One2many("csw.ticket", "origin_callback_id", string="Follow-up Tickets")
    cancel_reason = fields.Char(copy=False)
    # read to the owner during the call (回访话术): the script of the callback's type
    script_html = fields.Html(
        string="Script",
        compute="_compute_script_html",
        groups="customer_service_warranty.group_csw_project_agent",
    )

    _sql_constraints = [
        ("deadline_after_schedule", "CHECK(deadline >= scheduled_date)", "The deadline cannot be before the call."),
        ("attempts_positive", "CHECK(attempt_count >= 0)", "Attempts cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends("callback_type", "company_id")
    def _compute_script_html(self):
        pairs = {(callback.company_id.id, callback.callback_type) for callback in self}
        bodies = self.env["csw.script"]._bodies_by_type("callback", pairs)
        for callback in self:
            callback.script_html = bodies.get((callback.company_id.id, callback.callback_type), False)

    @api.depends("state")
    def _compute_state_order(self):
        order = {"planned": 0, "failed": 1, "done": 2, "cancelled": 3}
        for callback in self:
            callback.state_order = order.get(callback.state, 9)

    @api.depends("repair_order_id", "ticket_id")
    def _compute_unit_id(self):
        for callback in self:
            callback.unit_id = callback.repair_order_id.unit_id or callback.ticket_id.unit_id or callback.unit_id

    @api.depends("ticket_id", "unit_id")
    def _compute_partner_id(self):
        for callback in self:
            callback.partner_id = callback.ticket_id.partner_id or callback.unit_id.owner_id or callback.partner_id

    @api.depends("satisfaction")
    def _compute_satisfaction_score(self):
        for callback in self:
            callback.satisfaction_score = int(callback.satisfaction) if callback.satisfaction else 0

    @api.depends_context("tz")
    @api.depends("state", "deadline", "scheduled_date")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        end_of_today = self._end_of_today()
        for callback in self:
            planned = callback.state == "planned"
            callback.is_overdue = planned and callback.deadline < now
            callback.is_due_today = planned and not callback.is_overdue and callback.scheduled_date < end_of_today

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue callbacks."))
        domain = [("state", "=", "planned"), ("deadline", "<", fields.Datetime.now())]
        return domain if (operator == "=") == value else ["!", "&", *domain]

    def _search_is_due_today(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on callbacks due today."))
        domain = [
            ("state", "=", "planned"),
            ("deadline", ">=", fields.Datetime.now()),
            ("scheduled_date", "<", self._end_of_today()),
        ]
        return domain if (operator == "=") == value else ["!", "&", "&", *domain]

    def _end_of_today(self):
        """Midnight at the end of the user's day, as the naive UTC datetime Odoo stores."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        tomorrow = fields.Date.context_today(self) + timedelta(days=1)
        return tz.localize(datetime.combine(tomorrow, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends("callback_type", "unit_id", "partner_id")
    def _compute_display_name(self):
        types = dict(self._fields["callback_type"]._description_selection(self.env))
        for callback in self:
            parts = [types.get(callback.callback_type, ""), callback.unit_id.name or callback.partner_id.name or ""]
            callback.display_name = " · ".join(part for part in parts if part)

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "state": CALL_BUTTONS,
            "state_order": CALL_BUTTONS,
            "done_date": CALL_BUTTONS,
            "attempt_count": _lt("the Record Call and No Answer buttons"),
            "region": _lt("the estate (its region)"),
            "escalated": _lt("the hourly check of overdue callbacks"),
            "followup_ticket_id": _lt("the Raise Follow-up button or a dissatisfied answer recorded with Record Call"),
            "satisfaction_score": _lt("the satisfaction recorded with the call"),
            # given when the callback is planned (from its repair order's list too), never moved:
            # the order would be left without its callback
            "repair_order_id": _lt("the repair order that planned it"),
            # a stored copy of the contract's subcontractor: a write here would change the contract
            "subcontractor_id": _lt("the repair order's responsible subcontract"),
            "plan_index": _lt("the periodic plan after handover or the weekly plan of the decoration works"),
            "plan_line_id": _lt("the periodic plan after handover"),
        }

    def _csw_creatable_fields(self):
        return super()._csw_creatable_fields() | frozenset({"repair_order_id"})

    # what the owner answered and what the call was about: kept once the callback is over
    # (the KPIs count it), as its form shows them
    def _csw_frozen_fields(self):
        return super()._csw_frozen_fields() | frozenset(
            {
                "result",
                "satisfaction",
                "comment",
                "callback_type",
                "unit_id",
                "ticket_id",
                "project_id",
                "partner_id",
                "scheduled_date",
                "deadline",
                "user_id",
                "cancel_reason",
                "is_praise",
                "praised_user_id",
            }
        )

    def _csw_binding_deadlines(self):
        # the deadline decides the agent's overdue callback: a CS manager extends it, with a reason
        return {**super()._csw_binding_deadlines(), "deadline": MANAGER_GROUP}

    def _csw_deadline_binds(self, fname):
        if fname == "deadline":
            return self.state == "planned"
        return super()._csw_deadline_binds(fname)

    def _csw_reference(self):
        return self.display_name

    @api.constrains("is_praise", "praised_user_id")
    def _check_praised_user(self):
        for callback in self:
            if callback.is_praise and not callback.praised_user_id:
                raise ValidationError(
                    self.env._(
                        "Callback %(callback)s is marked as praise: choose the person the owner praises.",
                        callback=callback.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Recording a call
    # ------------------------------------------------------------------
    def _csw_transitions(self):
        # a recorded call ends done, or failed after the last attempt, or stays planned for a retry
        return {
            **super()._csw_transitions(),
            "record": Transition(PLANNED_CALLBACK_STATES, None, _lt("recorded")),
            "answer": Transition(PLANNED_CALLBACK_STATES, None, _lt("answered")),
            "cancel": Transition(PLANNED_CALLBACK_STATES, "cancelled", _lt("cancelled")),
        }

    def action_done(self):
        """Record the call: reached or refused ends it; unreachable counts an attempt and plans a retry."""
        self._csw_check_transition("record")
        for callback in self:
            if not callback.result:
                raise UserError(
                    self.env._(
                        "Callback %(callback)s: choose the result of the call (reached, unreachable or refused).",
                        callback=callback.display_name,
                    )
                )
            if callback.result == "reached" and not callback.satisfaction:
                raise UserError(
                    self.env._(
                        "Callback %(callback)s: the owner was reached, record how satisfied they are (1-5).",
                        callback=callback.display_name,
                    )
                )
        unreachable = self.filtered(lambda c: c.result == "unreachable")
        answered = self - unreachable
        now = fields.Datetime.now()
        # an unanswered call counts once per retry: a second click before the retry time would
        # spend the owner's attempts in one call
        early = unreachable.filtered(lambda c: c.attempt_count and c.scheduled_date > now)[:1]
        if early:
            raise UserError(
                self.env._(
                    "Callback %(callback)s: attempt %(count)s is already recorded; call again from %(retry)s.",
                    callback=early.display_name,
                    count=early.attempt_count,
                    retry=self.env["csw.locale"]._format_datetime(early.scheduled_date, early.company_id),
                )
            )
        # what the call set off, told to the agent once it is recorded
        consequences = defaultdict(list)
        if answered:
            for callback in answered:
                callback._csw_workflow_write(
                    {"state": "done", "done_date": now, "attempt_count": callback.attempt_count + 1}
                )
            reached = answered.filtered(lambda c: c.result == "reached")
            reached.filtered(lambda c: c.satisfaction in DISSATISFIED)._follow_up(consequences)
            reached.filtered(lambda c: c.satisfaction not in DISSATISFIED)._close_followups(consequences)
            self._csw_after_answered(reached, consequences)
        unreachable._record_unreachable(now, consequences)
        return self._feedback(consequences)

    def _feedback(self, consequences):
        """A notification telling the agent what the recorded calls set off.

        :param dict consequences: ``{callback: [sentence]}``
        """
        lines = [
            self.env._("%(callback)s: %(consequences)s", callback=callback.display_name, consequences="; ".join(texts))
            for callback, texts in consequences.items()
            if texts
        ]
        warning = any(callback.satisfaction in DISSATISFIED or callback.state == "failed" for callback in consequences)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Callback recorded"),
                "message": "\n".join(lines) or self.env._("The call is recorded."),
                "type": "warning" if warning else "success",
                "sticky": warning,
                # the list shows the row's new state
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _csw_after_answered(self, reached, consequences):
        """What the domains above do once the calls are recorded, for the owners ``reached``
        (the reward of a person the owner praised). Nothing here.

        :param dict consequences: ``{callback: [sentence]}``, to append to
        """

    def _close_followups(self, consequences):
        """A satisfied answer on the callback of a repair completed again closes the follow-up
        tickets (回访联系单) its dissatisfied callbacks raised: the rework is accepted."""
        repairs = self.filtered(lambda c: c.callback_type == "repair" and c.repair_order_id)
        if not repairs:
            return
        Ticket = self.env["csw.ticket"].sudo()
        followups = Ticket.search(
            [
                ("origin_callback_id.repair_order_id", "in", repairs.repair_order_id.ids),
                ("origin_callback_id.callback_type", "=", "repair"),
                ("origin_callback_id", "not in", repairs.ids),
                ("state", "in", OPEN_TICKET_STATES),
            ]
        )
        for callback in repairs:
            tickets = followups.filtered(
                lambda t, c=callback: t.origin_callback_id.repair_order_id == c.repair_order_id
            )
            if not tickets:
                continue
            resolution = Markup("<p>%s</p>") % self.env._(
                "The owner is satisfied with the rework (%(satisfaction)s/5) at the callback of %(date)s.",
                satisfaction=callback.satisfaction,
                date=self.env["csw.locale"]._format_datetime(callback.done_date, callback.company_id),
            )
            for ticket in tickets:
                if not ticket.resolution:
                    ticket.resolution = resolution
            tickets.action_resolve()
            tickets.action_close()
            consequences[callback].append(
                self.env._("follow-up %(tickets)s closed", tickets=", ".join(tickets.mapped("number")))
            )

    def _portal_answer(self, satisfaction, comment):
        """The owner answers the callback on the portal: the same effect as a call.

        Only a callback that is due: a periodic one is answered from its date on, as the
        portal lists them, not all the planned ones at once in advance.
        """
        self._csw_check_transition("answer")
        if any(callback.scheduled_date > fields.Datetime.now() for callback in self):
            raise UserError(self.env._("This callback is not due yet: answer it once it is in your list."))
        if satisfaction not in dict(SATISFACTION):
            raise UserError(self.env._("Choose how satisfied you are, from 1 to 5."))
        self.write({"result": "reached", "satisfaction": satisfaction, "comment": (comment or "").strip()})
        self.message_post(body=self.env._("Answered by the owner on the portal."), subtype_xmlid="mail.mt_note")
        return self.action_done()

    def action_record_unreachable(self):
        """One click during the call: nobody answered."""
        self._csw_check_transition("record")
        self._csw_workflow_write({"result": "unreachable"})
        return self.action_done()

    def _record_unreachable(self, now, consequences):
        for callback in self:
            company = callback.company_id
            attempts = callback.attempt_count + 1
            if attempts >= company.csw_callback_max_attempts:
                callback._csw_workflow_write({"attempt_count": attempts, "state": "failed", "done_date": now})
                body = self.env._("Unreachable %(count)s times: the callback failed.", count=attempts)
            else:
                retry = callback._next_call_time(now + timedelta(hours=company.csw_callback_retry_hours))
                callback._csw_workflow_write(
                    {
                        "attempt_count": attempts,
                        "scheduled_date": retry,
                        "deadline": max(callback.deadline, retry),
                    }
                )
                body = self.env._(
                    "Attempt %(count)s of %(max)s: unreachable. Call again from %(retry)s.",
                    count=attempts,
                    max=company.csw_callback_max_attempts,
                    retry=self.env["csw.locale"]._format_datetime(retry, company),
                )
            callback.message_post(body=body, subtype_xmlid="mail.mt_note")
            consequences[callback].append(body)

    def _next_call_time(self, earliest):
        """The first working moment of the company's calendar from ``earliest`` (naive UTC): a
        retry is not planned for the night; ``earliest`` itself without a calendar."""
        calendar = self.company_id.resource_calendar_id
        return (calendar and calendar.plan_hours(0, earliest, compute_leaves=True)) or earliest

    def _follow_up(self, consequences):
        """The owner is dissatisfied: the work is reopened.

        Repair: the order goes back to the same responsible team, and a follow-up ticket
        (回访联系单) with a deadline is raised; completing the order again plans a new
        callback. Complaint: the ticket is reopened.
        """
        now = fields.Datetime.now()
        for callback in self:
            order = callback.repair_order_id.sudo()
            if callback.callback_type == "repair" and order:
                if order.state in FINISHED_REPAIR_STATES:
                    order.action_reopen()
                ticket = callback._create_followup_ticket(now)
                callback._csw_workflow_write({"followup_ticket_id": ticket.id})
                consequences[callback].append(
                    self.env._(
                        "sent back to %(team)s for rework, follow-up ticket %(ticket)s raised",
                        team=order.subcontractor_id.display_name,
                        ticket=ticket.number,
                    )
                )
                order.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "The owner is dissatisfied (%(satisfaction)s/5): reopened and sent back to %(team)s. "
                        "Follow-up ticket %(ticket)s.",
                        satisfaction=callback.satisfaction,
                        team=order.subcontractor_id.display_name,
                        ticket=ticket.number,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            elif callback.callback_type == "complaint" and callback.ticket_id:
                ticket = callback.ticket_id.sudo()
                if ticket.state in FINISHED_TICKET_STATES:
                    ticket.action_reopen()
                consequences[callback].append(self.env._("ticket %(ticket)s reopened", ticket=ticket.number))
                ticket.message_post(
                    body=Markup("<p>%s</p>")
                    % self.env._(
                        "The owner is dissatisfied with the resolution (%(satisfaction)s/5): "
                        "ticket reopened. %(comment)s",
                        satisfaction=callback.satisfaction,
                        comment=callback.comment or "",
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _create_followup_ticket(self, now):
        """The follow-up ticket (回访联系单) of a dissatisfied repair callback."""
        self.ensure_one()
        order = self.repair_order_id
        agent = order.user_id or self.user_id
        # written in the language of the agent who will work on it
        agent_env = self.with_context(lang=agent.lang or self.env.lang).env
        return self._new_followup_ticket(
            name=agent_env._("Callback follow-up: %(location)s", location=order.location or order.name),
            problem=agent_env._(
                "Repair order %(order)s: the owner is dissatisfied (%(satisfaction)s/5).",
                order=order.name,
                satisfaction=self.satisfaction,
            ),
            detail=self.comment or "",
            user=agent,
            deadline=now + timedelta(hours=self.company_id.csw_callback_followup_hours),
            now=now,
            location=order.location,
        )

    def _new_followup_ticket(self, name, problem, detail, user, deadline, now, location=False, ticket_type="repair"):
        """Create the follow-up ticket (回访联系单) of this callback for ``user``, due at ``deadline``."""
        self.ensure_one()
        return (
            self.env["csw.ticket"]
            .sudo()
            .create(
                {
                    "name": name,
                    "ticket_type": ticket_type,
                    "channel": "callback",
                    "priority": "1",
                    "received_date": now,
                    "unit_id": self.unit_id.id,
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "location": location,
                    "user_id": user.id,
                    "date_deadline": deadline,
                    "origin_callback_id": self.id,
                    "description": Markup("<p>%s</p><p>%s</p>") % (problem, detail),
                }
            )
        )

    @api.model
    def _default_followup_deadline(self, company):
        return fields.Datetime.now() + timedelta(hours=company.csw_callback_followup_hours)

    def _raise_followup(self, problem, user, deadline, location=False, ticket_type="repair"):
        """A problem the owner raised on this callback becomes a follow-up ticket (回访联系单).

        Any callback may raise one (any type, satisfied or not, planned or already called),
        except a cancelled one: ``user`` must fix ``problem`` by ``deadline`` (the hourly
        check escalates it to the team leader after that). Several problems make several
        follow-ups; ``followup_ticket_id`` is the latest.

        :return: the follow-up ticket
        :raise UserError: a cancelled callback, no problem, a deadline in the past, a
            responsible person who is not an employee of the callback's company
        """
        self.ensure_one()
        # what the user may change, they may follow up (a project agent: their estates)
        self.check_access("write")
        if self.state == "cancelled":
            raise UserError(
                self.env._(
                    "Callback %(callback)s is cancelled: no follow-up can be raised from it.",
                    callback=self.display_name,
                )
            )
        problem = (problem or "").strip()
        if not problem:
            raise UserError(self.env._("Describe the problem the owner raised before raising a follow-up."))
        now = fields.Datetime.now()
        if not deadline or deadline <= now:
            raise UserError(
                self.env._(
                    "The deadline of the follow-up (%(deadline)s) must be in the future.",
                    deadline=self.env["csw.locale"]._format_datetime(deadline, self.company_id),
                )
            )
        if not user or user.share or self.company_id not in user.company_ids:
            raise UserError(
                self.env._(
                    "%(user)s cannot be responsible for the follow-up: choose an employee of %(company)s.",
                    user=user.name or "-",
                    company=self.company_id.name,
                )
            )
        # written in the language of the person responsible for it
        user_env = self.with_context(lang=user.lang or self.env.lang).env
        types = dict(self._fields["callback_type"]._description_selection(user_env))
        ticket = self._new_followup_ticket(
            name=user_env._("Callback follow-up: %(problem)s", problem=problem.splitlines()[0][:80]),
            problem=user_env._(
                "Raised at the %(type)s callback of %(date)s by %(agent)s.",
                type=types[self.callback_type],
                date=self.env["csw.locale"]._format_datetime(self.done_date or self.scheduled_date, self.company_id),
                agent=self.env.user.name,
            ),
            detail=problem,
            user=user,
            deadline=deadline,
            now=now,
            location=location,
            ticket_type=ticket_type,
        )
        self.sudo().followup_ticket_id = ticket
        self.message_post(
            body=self.env._(
                "Follow-up %(ticket)s raised for %(user)s, due %(deadline)s.",
                ticket=ticket.number,
                user=user.name,
                deadline=self.env["csw.locale"]._format_datetime(deadline, self.company_id),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return ticket

    def action_raise_followup(self):
        """Open the form of a follow-up (回访联系单) for a problem the owner raised."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Raise Follow-up"),
            "res_model": "csw.callback.followup.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_callback_id": self.id},
        }

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_ticket_action")
        action["domain"] = [("origin_callback_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_cancel(self):
        transition = self._csw_check_transition("cancel")
        without_reason = self.filtered(lambda c: not (c.cancel_reason or "").strip())
        if without_reason:
            raise UserError(
                self.env._(
                    "Enter why callback %(callback)s is cancelled before cancelling it.",
                    callback=without_reason[0].display_name,
                )
            )
        self._csw_workflow_write({"state": transition.target, "done_date": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------
    def _planner(self):
        """Callbacks planned by the system: in bulk, without a creation message each."""
        return self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True)

    @api.model
    def _agent_for(self, project, fallback_user):
        """The estate's callback agent, else the user who handled the work, else the estate's CS lead."""
        return project.callback_user_id or fallback_user or project.cs_user_id

    @api.model
    def _plan_after_repairs(self, orders):
        """A repair callback for each completed order, due ``csw_callback_repair_hours`` after it.

        The hours count from the completion, or from the order's creation when the company
        says so (``csw_callback_repair_from``, seed 003: within 24 h of the work order); the
        deadline is never before the completion, when the callback becomes possible.
        """

        def deadline(order):
            company = order.company_id
            start = order.create_date if company.csw_callback_repair_from == "created" else order.done_date
            return max(start + timedelta(hours=company.csw_callback_repair_hours), order.done_date)

        return create_batched(
            self._planner(),
            [
                {
                    "callback_type": "repair",
                    "repair_order_id": order.id,
                    "ticket_id": order.ticket_id.id,
                    "scheduled_date": order.done_date,
                    "deadline": deadline(order),
                    "user_id": self._agent_for(order.project_id, order.ticket_id.user_id or order.user_id).id,
                }
                for order in orders
            ],
        )

    @api.model
    def _plan_after_complaints(self, tickets):
        """A complaint callback for each resolved complaint that has none waiting."""
        waiting = self.sudo().search(
            [("ticket_id", "in", tickets.ids), ("callback_type", "=", "complaint"), ("state", "=", "planned")]
        )
        tickets -= waiting.ticket_id
        return create_batched(
            self._planner(),
            [
                {
                    "callback_type": "complaint",
                    "ticket_id": ticket.id,
                    "scheduled_date": ticket.resolved_date,
                    "deadline": ticket.resolved_date + timedelta(hours=ticket.company_id.csw_callback_complaint_hours),
                    "user_id": self._agent_for(ticket.project_id, ticket.user_id).id,
                }
                for ticket in tickets
            ],
        )

    @api.model
    def _plan_periodic(self, units):
        """The periodic plan: 12 monthly then 4 quarterly callbacks per unit.

        Counted from the handover, or for the units of a decoration estate from the
        completion notice (完工通知单) of their works.
        """
        schedule = {}
        for unit in units:
            origin = unit._periodic_plan_start()
            if not origin:
                continue
            window = unit.company_id.csw_callback_window_days
            for index, months in enumerate(PERIODIC_MONTHS, start=1):
                start = datetime.combine(origin + relativedelta(months=months), time.min)
                schedule[unit, index] = (start, start + timedelta(days=window), {"plan_index": index})
        return self._sync_schedule(units, "periodic", "plan_index", schedule)

    @api.model
    def _plan_construction(self, units):
        """Weekly callbacks during decoration works: from the start notice until the completion notice.

        Week 1 is a week after the start notice; a call on or after the completion notice
        is not planned (the completion starts the periodic plan). While the completion is
        not known, ``CONSTRUCTION_MAX_WEEKS`` weeks are planned; entering it removes the
        calls planned after it.
        """
        schedule = {}
        for unit in units.filtered("start_notice_date"):
            end = unit.decoration_completion_date or unit.start_notice_date + timedelta(
                weeks=CONSTRUCTION_MAX_WEEKS + 1
            )
            window = min(unit.company_id.csw_callback_window_days, 7)
            week, day = 1, unit.start_notice_date + timedelta(weeks=1)
            while day < end:
                start = datetime.combine(day, time.min)
                schedule[unit, week] = (start, start + timedelta(days=window), {"plan_index": week})
                week, day = week + 1, day + timedelta(weeks=1)
        return self._sync_schedule(units, "construction", "plan_index", schedule)

    @api.model
    def _plan_milestones(self, units):
        """Milestone callbacks of decoration estates, some days after each milestone of the unit."""
        schedule = {}
        for unit in units:
            for line in unit.project_id.callback_plan_id.line_ids.filtered(lambda s: s.callback_type == "milestone"):
                day = unit[MILESTONE_FIELDS[line.milestone]]
                if day:
                    start = day + timedelta(days=line.delay_days)
                    schedule[unit, line] = (*line._dates(start), {"plan_line_id": line.id})
        return self._sync_schedule(units, "milestone", "plan_line_id", schedule)

    @api.model
    def _sync_schedule(self, units, callback_type, key_field, schedule, keys=None):
        """Make the planned callbacks of ``units`` follow ``schedule``; returns the created ones.

        :param schedule: ``{(unit, key): (scheduled_date, deadline, extra values)}``, the wanted
            callbacks of ``callback_type``, identified per unit by ``key_field``
        :param keys: ids or indexes: restrict to callbacks with these keys (default: all of that type)

        Callbacks already called (done, failed, cancelled or with attempts) stay as they are.
        Untouched planned ones move to their new dates, or are deleted when no longer wanted
        or already past; wanted callbacks still in the future are created. Moves are written
        in one query per distinct pair of dates.
        """
        Callback = self._planner()
        now = fields.Datetime.now()
        domain = [("unit_id", "in", units.ids), ("callback_type", "=", callback_type)]
        if keys is not None:
            domain.append((key_field, "in", list(keys)))
        existing = Callback.search(domain)
        settled = existing.filtered(lambda c: c.state != "planned" or c.attempt_count)
        known = {(c.unit_id, c[key_field]) for c in existing}
        moves, obsolete = {}, Callback
        for callback in existing - settled:
            wanted = schedule.get((callback.unit_id, callback[key_field]))
            if not wanted or wanted[1] < now:
                obsolete |= callback
            elif (callback.scheduled_date, callback.deadline) != wanted[:2]:
                moves.setdefault(wanted[:2], []).append(callback.id)
        obsolete.unlink()
        for (scheduled, deadline), ids in moves.items():
            Callback.browse(ids)._csw_workflow_write({"scheduled_date": scheduled, "deadline": deadline})
        return create_batched(
            Callback,
            [
                {
                    "callback_type": callback_type,
                    "unit_id": unit.id,
                    "scheduled_date": scheduled,
                    "deadline": deadline,
                    "user_id": self._agent_for(unit.project_id, unit.project_id.cs_user_id).id,
                    **values,
                }
                for (unit, key), (scheduled, deadline, values) in schedule.items()
                if deadline >= now and (unit, key) not in known
            ],
        )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    @company_locale
    def _cron_escalate_overdue(self):
        """Tell the team leader about planned callbacks past their deadline, once each.

        Set-based (``_csw_escalate_once``), the assessments of the agents in one batch.
        """
        overdue = self._csw_escalate_once(
            [("is_overdue", "=", True)],
            "escalated",
            lambda callback: (
                Markup("<p>%s</p>")
                % self.env._(
                    "Callback overdue since %(deadline)s (agent: %(agent)s): escalated to the team leader.",
                    deadline=self.env["csw.locale"]._format_datetime(callback.deadline, callback.company_id),
                    agent=callback.user_id.name or "-",
                )
            ),
            self.env._("Callback overdue"),
            lambda callback: callback.company_id.csw_team_leader_id or callback.project_id.cs_user_id,
        )
        if overdue:
            self._csw_after_overdue_escalated(overdue)

    @api.model
    def _csw_after_overdue_escalated(self, overdue):
        """What the domains above do with the callbacks ``overdue`` just escalated (the assessments
        of their agents). Nothing here; runs in the company's language of the cron."""
