"""Who caused a complaint (责任人) and what it costs them (seed 002: 分清引起各类投诉的责任人).

A complaint records the person who caused it (an employee, or a team, designer or project
manager as a partner), its root cause and where the owner complained: directly to the general
manager (¥200 to the responsible person) or to the company's leadership (¥100-300 by
severity). Once an agent or a manager has verified it (有效投诉, ``action_confirm_justified``),
the penalty goes to the responsible employee, never to the agent who took the call. A praise
ticket naming a person rewards them when it is resolved.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..ticket.csw_ticket_constants import FINISHED_TICKET_STATES, OPEN_TICKET_STATES

_lt = LazyTranslate(__name__)

MANAGER_GROUP = "customer_service_warranty.group_csw_manager"

COMPLAINED_TO = [
    ("none", "Service Desk"),
    ("general_manager", "General Manager"),
    ("leadership", "Company Leadership"),
]
SEVERITIES = [("minor", "Minor"), ("moderate", "Moderate"), ("serious", "Serious")]
# the assessment of a justified complaint, by where it was made
COMPLAINT_REASONS = {"general_manager": "complaint_gm", "leadership": "complaint_leadership"}
# what a justified complaint is judged on: fixed until it is rejected again
RESPONSIBILITY_FIELDS = (
    "ticket_type",
    "responsible_user_id",
    "responsible_partner_id",
    "complained_to",
    "complaint_severity",
)


class CswTicket(models.Model):
    _inherit = "csw.ticket"

    # Responsibility (责任人)
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible Person",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="The employee who caused the complaint (责任人): the penalty of a justified complaint "
        "goes to them, not to the agent who took the call.",
    )
    responsible_partner_id = fields.Many2one(
        "res.partner",
        string="Responsible Team",
        index="btree_not_null",
        tracking=True,
        help="A team, designer or project manager outside the staff who caused the complaint: "
        "recorded for their contract; no staff assessment.",
    )
    root_cause = fields.Text(help="Why the owner complained, as found when verifying it.")
    is_justified = fields.Boolean(
        string="Justified",
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        help="Verified as a justified complaint (有效投诉): its penalty goes to the responsible person.",
    )
    complained_to = fields.Selection(
        COMPLAINED_TO,
        string="Complaint Made To",
        required=True,
        default="none",
        tracking=True,
        help="Where the owner complained: directly to the general manager (直接投诉到总经理) or to "
        "the company's leadership (投诉到公司领导), recorded at intake.",
    )
    complaint_severity = fields.Selection(
        SEVERITIES,
        string="Severity",
        tracking=True,
        help="How serious a complaint to the leadership is (情节轻重): sets its penalty.",
    )
    praised_user_id = fields.Many2one(
        "res.users",
        string="Praised Person",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="The employee the owner praises: rewarded when the praise ticket is resolved.",
    )

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "is_justified": _lt("the Confirm Justified and Reject Complaint buttons"),
        }

    # a complaint verified on the phone is recorded justified at intake
    def _csw_creatable_fields(self):
        return super()._csw_creatable_fields() | {"is_justified"}

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        justified = tickets.filtered("is_justified")
        if justified:
            justified._check_justifiable()
            justified._apply_justification()
        return tickets

    def _csw_check_write(self, vals):
        changed = [fname for fname in RESPONSIBILITY_FIELDS if fname in vals]
        if changed:
            locked = self.filtered("is_justified")
            for fname in changed:
                if locked and not locked._csw_unchanged(fname, vals[fname]):
                    raise UserError(
                        self.env._(
                            "Complaint %(ticket)s is confirmed as justified: its %(field)s no longer "
                            "changes. Reject the complaint first (a CS manager, if it was assessed).",
                            ticket=locked[:1].number,
                            field=self._fields[fname]._description_string(self.env),
                        )
                    )
        if "praised_user_id" in vals:
            rewarded = self.filtered(lambda t: t.sudo().assessment_ids.filtered(lambda a: a.reason == "praise"))
            if rewarded and not rewarded._csw_unchanged("praised_user_id", vals["praised_user_id"]):
                raise UserError(
                    self.env._(
                        "Praise ticket %(ticket)s has rewarded %(person)s: the praised person no longer changes.",
                        ticket=rewarded[:1].number,
                        person=rewarded[:1].praised_user_id.name,
                    )
                )
        return super()._csw_check_write(vals)

    def _apply_transition_effects(self, new_state, before, now):
        result = super()._apply_transition_effects(new_state, before, now)
        if new_state in FINISHED_TICKET_STATES:
            # a resolved praise ticket rewards the person it names, once
            praises = self.filtered(lambda t: t.ticket_type == "praise" and t.praised_user_id)
            self.env["csw.assessment"]._assess_once(
                "praise", praises, lambda t: t.praised_user_id, "ticket_id"
            )._log_on_sources()
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm_justified(self):
        """Verified: the complaint is justified (有效投诉). A complaint made to the general manager
        or the leadership assesses its responsible person, once."""
        self._check_state_in((*OPEN_TICKET_STATES, *FINISHED_TICKET_STATES), self.env._("confirmed as justified"))
        confirmed = self.filtered("is_justified")[:1]
        if confirmed:
            raise UserError(
                self.env._("Complaint %(ticket)s is already confirmed as justified.", ticket=confirmed.number)
            )
        self._check_justifiable()
        self._csw_workflow_write({"is_justified": True})
        self._apply_justification()
        return True

    def action_reject_complaint(self):
        """Not justified after all: a CS manager withdraws the penalty it brought, if any."""
        not_confirmed = self.filtered(lambda t: not t.is_justified)[:1]
        if not_confirmed:
            raise UserError(
                self.env._(
                    "Complaint %(ticket)s is not confirmed as justified: there is nothing to reject.",
                    ticket=not_confirmed.number,
                )
            )
        assessed = self.sudo().assessment_ids.filtered(lambda a: a.reason in COMPLAINT_REASONS.values())
        if assessed and not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(
                self.env._(
                    "Complaint %(ticket)s has brought a penalty on %(person)s: only a CS manager can "
                    "reject it (the penalty is withdrawn with it).",
                    ticket=assessed[:1].ticket_id.number,
                    person=assessed[:1].user_id.name,
                )
            )
        for ticket, withdrawn in assessed.grouped("ticket_id").items():
            ticket.message_post(
                body=self.env._(
                    "Complaint rejected: the penalty of %(person)s (%(amount)s) is withdrawn.",
                    person=", ".join(withdrawn.user_id.mapped("name")),
                    amount=sum(withdrawn.mapped("amount")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        assessed.unlink()
        self._csw_workflow_write({"is_justified": False})
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_justifiable(self):
        """A justified complaint names who caused it, and its severity when made to the leadership."""
        for ticket in self:
            if ticket.ticket_type != "complaint" and not ticket.origin_callback_id:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is not a complaint or a callback follow-up: it cannot be "
                        "confirmed as justified.",
                        ticket=ticket.number,
                    )
                )
            if not (ticket.responsible_user_id or ticket.responsible_partner_id):
                raise UserError(
                    self.env._(
                        "Complaint %(ticket)s: name who caused it (the responsible person, or the team) "
                        "before confirming it as justified; the penalty goes to them, not to the agent.",
                        ticket=ticket.number,
                    )
                )
            if ticket.complained_to == "leadership" and not ticket.complaint_severity:
                raise UserError(
                    self.env._(
                        "Complaint %(ticket)s was made to the leadership: choose its severity, which sets the penalty.",
                        ticket=ticket.number,
                    )
                )

    def _apply_justification(self):
        """The penalty of justified complaints made to the general manager or the leadership, on
        their responsible person, once per complaint; a team is told in a note (its contract)."""
        Assessment = self.env["csw.assessment"]
        for complained_to, reason in COMPLAINT_REASONS.items():
            complaints = self.filtered(lambda t, where=complained_to: t.complained_to == where)
            Assessment._assess_once(
                reason,
                complaints,
                lambda t: t.responsible_user_id,
                "ticket_id",
                lambda t: (
                    {"amount": t.company_id._csw_leadership_amount(t.complaint_severity)}
                    if t.complained_to == "leadership"
                    else {}
                ),
            )._log_on_sources()
        teams = self.filtered(lambda t: t.complained_to in COMPLAINT_REASONS and not t.responsible_user_id)
        if teams:
            teams._message_log_batch(
                bodies={
                    ticket.id: Markup("<p>%s</p>")
                    % self.env._(
                        "Justified complaint caused by %(team)s: no staff assessment; the penalty is for "
                        "the team's contract.",
                        team=ticket.responsible_partner_id.display_name,
                    )
                    for ticket in teams
                }
            )

    def _csw_penalised_user(self):
        """The employee who answers for this ticket's failures: the responsible person of a
        justified complaint, else nobody (the caller falls back on the agent)."""
        return self[:1].responsible_user_id if self[:1].is_justified else self.env["res.users"]
