from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from .csw_callback import FOLLOWUP_DONE_STATES
from .csw_repair_order import UNFINISHED_REPAIR_STATES
from .csw_ticket import CswTicket as CswTicketBase

_lt = LazyTranslate(__name__)


class CswTicket(models.Model):
    """The follow-up ticket (回访联系单) a callback raises: its deadline and what keeps it open.

    Kept beside the ticket model: the follow-up's deadline check, its overdue escalation and
    the rule tying it to the repair it reopened.
    """

    _inherit = "csw.ticket"
    _csw_protected_fields = {
        **CswTicketBase._csw_protected_fields,
        "origin_callback_id": _lt("a callback's Raise Follow-up button or a dissatisfied answer"),
        "followup_escalated": _lt("the hourly check of overdue follow-ups"),
    }

    origin_callback_id = fields.Many2one(
        help="The callback this follow-up ticket (回访联系单) comes from: a problem the owner raised, "
        "or a dissatisfied answer."
    )
    followup_escalated = fields.Boolean(
        string="Follow-up Escalated",
        readonly=True,
        copy=False,
        help="The team leader was told this follow-up is past its deadline.",
    )
    is_followup_overdue = fields.Boolean(
        string="Follow-up Overdue",
        compute="_compute_is_followup_overdue",
        search="_search_is_followup_overdue",
    )

    @api.depends("origin_callback_id", "state", "date_deadline")
    def _compute_is_followup_overdue(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.is_followup_overdue = bool(
                ticket.origin_callback_id
                and ticket.state not in FOLLOWUP_DONE_STATES
                and ticket.date_deadline
                and ticket.date_deadline < now
            )

    def _search_is_followup_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue follow-ups."))
        domain = [
            ("origin_callback_id", "!=", False),
            ("state", "not in", FOLLOWUP_DONE_STATES),
            ("date_deadline", "<", fields.Datetime.now()),
        ]
        return domain if (operator == "=") == value else ["!", "&", "&", *domain]

    def write(self, vals):
        if vals.get("state") in ("resolved", "closed"):
            self._check_reopened_repair_finished()
        return super().write(vals)

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

    @api.model
    def _cron_escalate_overdue_followups(self):
        """Tell the team leader about follow-ups (回访联系单) past their deadline, once each.

        Set-based: one search, one write, one batch of notes and one of activities.
        """
        overdue = self.sudo().search([("is_followup_overdue", "=", True), ("followup_escalated", "=", False)])
        if not overdue:
            return
        overdue.with_context(mail_notrack=True).write({"followup_escalated": True})
        bodies = {
            ticket.id: Markup("<p>%s</p>")
            % self.env._(
                "Follow-up overdue since %(deadline)s (responsible: %(user)s): escalated to the team leader.",
                deadline=fields.Datetime.to_string(ticket.date_deadline),
                user=ticket.user_id.name or "-",
            )
            for ticket in overdue
        }
        overdue._csw_note_and_todo(
            bodies,
            self.env._("Callback follow-up overdue"),
            lambda ticket: ticket.company_id.csw_team_leader_id or ticket.project_id.cs_user_id,
        )
