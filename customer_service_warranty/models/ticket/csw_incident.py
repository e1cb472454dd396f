from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty
from odoo.tools.translate import LazyTranslate

from ..base.csw_workflow_mixin import Transition
from .csw_ticket_constants import OPEN_TICKET_STATES

_lt = LazyTranslate(__name__)

INCIDENT_TYPES = [
    ("water_cut", "Water Cut"),
    ("power_cut", "Power Cut"),
    ("storm", "Typhoon / Flood"),
    ("batch_defect", "Batch Defect"),
    ("other", "Other"),
]
INCIDENT_STATES = [
    ("draft", "Draft"),
    ("proposed", "Proposed"),
    ("open", "Open"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
# incidents tickets may still be linked to, and that cover their units
ACTIVE_INCIDENT_STATES = ("draft", "proposed", "open")
# the tickets counted towards a batch defect
BATCH_TICKET_TYPES = ("complaint", "repair")
STATE_BUTTONS = _lt("the Open, Confirm, Notify Owners, Resolve and Cancel buttons")
MANAGER_GROUP = "customer_service_warranty.group_csw_manager"


def split_buildings(scope):
    """The building numbers of a scope written as "1, 3、5" (empty: the whole estate)."""
    for separator in ("，", "、", ";", "；", " "):
        scope = scope.replace(separator, ",")
    return [building.strip() for building in scope.split(",") if building.strip()]


class CswIncident(models.Model):
    """An event many owners call about (突发事件): a water or power cut, a storm, or the same
    defect in many units of a building (批量质量问题).

    Its tickets are linked to it, its owners notified at once (e-mail and a portal banner),
    and one resolution resolves every linked ticket through the ticket's own path.
    """

    _name = "csw.incident"
    _description = "Incident"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _csw_number_field = "name"

    _csw_editable_states = ("draft", "proposed")

    name = fields.Char(string="Number", readonly=True, copy=False, index="trigram", default="/")
    title = fields.Char(required=True, tracking=True, help="What happened, e.g. 3号楼停水.")
    incident_type = fields.Selection(INCIDENT_TYPES, string="Type", required=True, default="other", tracking=True)
    state = fields.Selection(INCIDENT_STATES, required=True, default="draft", tracking=True, copy=False, index=True)
    project_id = fields.Many2one(
        "csw.project", string="Estate", required=True, index=True, check_company=True, tracking=True
    )
    company_id = fields.Many2one(related="project_id.company_id", store=True, index=True, precompute=True)
    building_scope = fields.Char(
        string="Buildings",
        tracking=True,
        help="Building numbers concerned, separated by commas (e.g. 3, 5); empty: the whole estate.",
    )
    category_id = fields.Many2one(
        "csw.defect.category",
        string="Defect Category",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="The defect found in many units (required for a batch defect).",
    )
    subcontract_id = fields.Many2one(
        "csw.subcontract",
        string="Responsible Team",
        check_company=True,
        tracking=True,
        domain="[('project_id', '=', project_id)]",
        help="The subcontract whose team receives the rectification notice (整改通知单) of a batch defect.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    description = fields.Html()
    owner_notice = fields.Html(
        string="Notice to Owners",
        help="The text e-mailed to the owners concerned and shown on their portal until the incident is resolved.",
    )
    resolution = fields.Html(help="What was done: written on each linked ticket and sent to the owners notified.")
    ticket_ids = fields.One2many("csw.ticket", "incident_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_counts")
    unit_count = fields.Integer(string="Units Concerned", compute="_compute_counts")
    owner_count = fields.Integer(string="Owners Concerned", compute="_compute_counts")
    candidate_ticket_ids = fields.Many2many(
        "csw.ticket",
        string="Open Tickets to Link",
        compute="_compute_candidate_ticket_ids",
        help="Open tickets of the estate and buildings concerned (and of the defect category of a "
        "batch defect) not linked to an incident yet.",
    )
    notified_date = fields.Datetime(string="Owners Notified On", readonly=True, copy=False)
    notice_sent_date = fields.Datetime(string="Rectification Notice Sent On", readonly=True, copy=False)
    resolved_date = fields.Datetime(string="Resolved On", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Scope
    # ------------------------------------------------------------------
    def _buildings(self):
        self.ensure_one()
        return split_buildings(self.building_scope or "")

    def _unit_domain(self):
        """The units concerned, as a domain on ``csw.unit``."""
        self.ensure_one()
        domain = [("project_id", "=", self.project_id.id)]
        if self._buildings():
            domain.append(("building", "in", self._buildings()))
        return domain

    def _covers(self, unit):
        self.ensure_one()
        return unit.project_id == self.project_id and (not self._buildings() or unit.building in self._buildings())

    def _candidate_domain(self):
        self.ensure_one()
        domain = [
            ("project_id", "=", self.project_id.id),
            ("state", "in", OPEN_TICKET_STATES),
            ("incident_id", "=", False),
        ]
        if self._buildings():
            domain.append(("unit_id.building", "in", self._buildings()))
        if self.incident_type == "batch_defect" and self.category_id:
            domain.append(("category_id", "child_of", self.category_id.id))
        return domain

    @api.depends("ticket_ids", "project_id", "building_scope")
    def _compute_counts(self):
        tickets = dict(
            self.env["csw.ticket"]._read_group([("incident_id", "in", self.ids)], ["incident_id"], ["__count"])
        )
        Unit = self.env["csw.unit"].sudo()
        for incident in self:
            incident.ticket_count = tickets.get(incident._origin, 0)
            if not incident.project_id:
                incident.unit_count = incident.owner_count = 0
                continue
            [(units, owners)] = Unit._read_group(
                incident._unit_domain(), aggregates=["__count", "owner_id:count_distinct"]
            )
            incident.unit_count, incident.owner_count = units, owners

    @api.depends("project_id", "building_scope", "category_id", "incident_type", "state", "ticket_ids")
    def _compute_candidate_ticket_ids(self):
        for incident in self:
            if incident.project_id and incident.state in ACTIVE_INCIDENT_STATES:
                incident.candidate_ticket_ids = self.env["csw.ticket"].search(incident._candidate_domain(), limit=200)
            else:
                incident.candidate_ticket_ids = False

    # ------------------------------------------------------------------
    # Constraints and CRUD
    # ------------------------------------------------------------------
    @api.constrains("incident_type", "category_id")
    def _check_batch_category(self):
        for incident in self:
            if incident.incident_type == "batch_defect" and not incident.category_id:
                raise ValidationError(
                    self.env._(
                        "Incident %(incident)s is a batch defect: give its defect category.", incident=incident.name
                    )
                )

    @api.constrains("project_id", "building_scope")
    def _check_tickets_in_scope(self):
        self.ticket_ids._check_incident_scope()

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "name": _lt("the company's numbering, at creation"),
            "state": STATE_BUTTONS,
            "notified_date": _lt("the Notify Owners button"),
            "resolved_date": STATE_BUTTONS,
            "notice_sent_date": _lt("the Confirm button of a proposed batch defect"),
        }

    # the scope no longer changes once the incident is open (its tickets and owners follow from it)
    def _csw_frozen_fields(self):
        return super()._csw_frozen_fields() | frozenset({"project_id", "building_scope", "category_id"})

    def _csw_check_write(self, vals):
        """The notice sent stays as the owners read it; a finished incident keeps its resolution."""
        if "owner_notice" in vals:
            sent = self.filtered("notified_date")[:1]
            if sent and not sent._csw_unchanged("owner_notice", vals["owner_notice"]):
                raise UserError(
                    self.env._(
                        "The owners of incident %(incident)s have read its notice: write to them from the chatter.",
                        incident=sent.name,
                    )
                )
        if "resolution" in vals:
            done = self.filtered(lambda i: i.state in ("resolved", "cancelled"))[:1]
            if done and not done._csw_unchanged("resolution", vals["resolution"]):
                raise UserError(
                    self.env._(
                        "Incident %(incident)s is finished: its resolution no longer changes.", incident=done.name
                    )
                )

    def _csw_number_company(self, vals):
        return self.env["csw.project"].browse(vals.get("project_id")).company_id or self.env.company

    def _csw_reference(self):
        return self.name

    def _check_manager(self, action):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a CS manager may %(action)s an incident (突发事件临时决定权).", action=action)
            )

    # ------------------------------------------------------------------
    # Linking tickets
    # ------------------------------------------------------------------
    def action_link_candidates(self):
        """Link the open tickets of the scope not linked yet."""
        self._check_state_in(ACTIVE_INCIDENT_STATES, self.env._("given tickets"))
        self.ensure_one()
        self._link_tickets(self.candidate_ticket_ids)
        return True

    def _link_tickets(self, tickets):
        """Link ``tickets`` to this incident (the ticket's constraint checks the scope)."""
        self.ensure_one()
        tickets = tickets.filtered(lambda t: t.incident_id != self)
        if tickets:
            tickets.write({"incident_id": self.id})
            self.message_post(
                body=Markup("<p>%s</p>")
                % self.env._("Tickets linked: %(tickets)s", tickets=", ".join(tickets.mapped("number")))
            )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _csw_transitions(self):
        return {
            **super()._csw_transitions(),
            "open": Transition(("draft",), "open", _lt("opened")),
            "confirm": Transition(("proposed",), "open", _lt("confirmed")),
            "resolve": Transition(("open",), "resolved", _lt("resolved")),
            "cancel": Transition(ACTIVE_INCIDENT_STATES, "cancelled", _lt("cancelled")),
        }

    def action_open(self):
        """An agent opens an incident they recorded."""
        return self._csw_transition("open")

    def action_confirm(self):
        """The CS manager confirms a proposed batch defect: it opens, and the responsible team
        gets the rectification notice (整改通知单) by e-mail, the PDF attached."""
        self._check_manager(self.env._("confirm"))
        transition = self._csw_check_transition("confirm")
        missing = self.filtered(lambda i: i.incident_type == "batch_defect" and not i.subcontract_id.partner_id)[:1]
        if missing:
            raise UserError(
                self.env._(
                    "Batch defect %(incident)s has no responsible team: choose the subcontract that "
                    "receives the rectification notice before confirming.",
                    incident=missing.name,
                )
            )
        now = fields.Datetime.now()
        self._csw_workflow_write({"state": transition.target})
        batch = self.filtered(lambda i: i.incident_type == "batch_defect")
        template = self.env.ref("customer_service_warranty.csw_incident_mail_template_rectification")
        for incident in batch:
            incident.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=incident.subcontract_id.partner_id.ids,
            )
        batch._csw_workflow_write({"notice_sent_date": now})
        return True

    def action_notify_owners(self):
        """E-mail the notice to the owners of the units concerned and show it on their portal.

        Once: an incident already notified is refused (post a message to write to them again).
        """
        self._check_state_in(("open",), self.env._("notified to the owners"))
        self.ensure_one()
        if self.notified_date:
            raise UserError(
                self.env._(
                    "The owners of incident %(incident)s were notified on %(date)s: write to them from "
                    "the chatter to tell them more.",
                    incident=self.name,
                    date=self.env["csw.locale"]._format_datetime(self.notified_date, self.company_id),
                )
            )
        if is_html_empty(self.owner_notice):
            raise UserError(self.env._("Write the notice to the owners before sending it."))
        # owners without an e-mail address see the notice on the portal (and are called)
        owners = self._owners()
        self.message_post_with_source(
            "customer_service_warranty.csw_incident_mail_template_notice",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=owners.ids,
        )
        self._csw_workflow_write({"notified_date": fields.Datetime.now()})
        return True

    def _owners(self):
        """The owners of the units concerned who have an e-mail address: one search."""
        self.ensure_one()
        units = self.env["csw.unit"].sudo().search([*self._unit_domain(), ("owner_id.email", "!=", False)])
        return units.owner_id.with_env(self.env)

    def action_resolve(self):
        """Resolve every open linked ticket with the incident's resolution, through the ticket's
        own path (its callbacks are planned as for any resolved ticket); tell the owners notified."""
        self._check_manager(self.env._("resolve"))
        transition = self._csw_check_transition("resolve")
        empty = self.filtered(lambda i: is_html_empty(i.resolution))[:1]
        if empty:
            raise UserError(
                self.env._("Incident %(incident)s cannot be resolved without its resolution.", incident=empty.name)
            )
        tickets = self.env["csw.ticket"].search([("incident_id", "in", self.ids), ("state", "in", OPEN_TICKET_STATES)])
        for incident, linked in tickets.grouped("incident_id").items():
            # the agent's own note stays; the incident's resolution fills the others
            linked.filtered(lambda t: is_html_empty(t.resolution)).write({"resolution": incident.resolution})
        if tickets:
            tickets.action_resolve()
        self._csw_workflow_write({"state": transition.target, "resolved_date": fields.Datetime.now()})
        for incident in self.filtered("notified_date"):
            incident.message_post(
                body=incident.resolution,
                subject=self.env._("%(title)s: resolved", title=incident.title),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=incident._owners().ids,
            )
        return True

    def action_cancel(self):
        self._check_manager(self.env._("cancel"))
        transition = self._csw_check_transition("cancel")
        self.env["csw.ticket"].search([("incident_id", "in", self.ids)]).write({"incident_id": False})
        self._csw_workflow_write({"state": transition.target})
        return True

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_ticket_action")
        action["domain"] = [("incident_id", "=", self.id)]
        action["context"] = {"default_incident_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------
    @api.model
    def _portal_notices(self, partner):
        """The notices of the open, notified incidents covering a unit of ``partner``: what the
        owners' portal shows (owners have no access to incidents)."""
        units = self.env["csw.unit"].sudo().search([("owner_id", "=", partner.id)])
        if not units:
            return self.browse()
        incidents = self.sudo().search(
            [("state", "=", "open"), ("notified_date", "!=", False), ("project_id", "in", units.project_id.ids)]
        )
        return incidents.filtered(lambda incident: any(incident._covers(unit) for unit in units))

    # ------------------------------------------------------------------
    # Batch defects
    # ------------------------------------------------------------------
    @api.model
    def _propose_batch_defects(self, tickets):
        """Propose a batch defect for each (estate, building, defect category) of ``tickets`` now
        reported in at least the company's threshold of distinct units within its window.

        Set-based, whatever the number of tickets: per company, one grouped count of the units,
        one search of the batch defects already active, one create of the new ones, one write
        linking the tickets and one batch of to-dos for the CS manager. Once per key while a
        batch defect of it is active: later tickets are linked to it.
        """
        tickets = tickets.sudo().filtered(
            lambda t: (
                t.ticket_type in BATCH_TICKET_TYPES and t.state != "cancelled" and t.unit_id.building and t.category_id
            )
        )
        Ticket = self.env["csw.ticket"].sudo()
        now = fields.Datetime.now()
        proposed = self.sudo().browse()
        for company, company_tickets in tickets.grouped("company_id").items():
            threshold = company.csw_batch_defect_threshold
            if threshold < 1:
                continue
            groups = Ticket._read_group(
                [
                    ("company_id", "=", company.id),
                    ("project_id", "in", company_tickets.project_id.ids),
                    ("category_id", "in", company_tickets.category_id.ids),
                    ("building", "in", list(set(company_tickets.mapped("building")))),
                    ("ticket_type", "in", BATCH_TICKET_TYPES),
                    ("state", "!=", "cancelled"),
                    ("received_date", ">=", now - timedelta(days=company.csw_batch_defect_window_days)),
                ],
                ["project_id", "building", "category_id"],
                ["unit_id:count_distinct", "id:array_agg"],
                having=[("unit_id:count_distinct", ">=", threshold)],
            )
            if not groups:
                continue
            active = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("incident_type", "=", "batch_defect"),
                    ("state", "in", ACTIVE_INCIDENT_STATES),
                    ("project_id", "in", [group[0].id for group in groups]),
                    ("category_id", "in", [group[2].id for group in groups]),
                ]
            )
            existing = {(i.project_id, i.building_scope, i.category_id): i for i in active}
            new_groups = [group for group in groups if group[:3] not in existing]
            subcontracts = self._responsible_subcontracts(new_groups)
            created = (
                self.sudo()
                .with_context(mail_create_nolog=True)
                .create(
                    [
                        {
                            "title": self.env._(
                                "%(category)s in building %(building)s (%(count)s units)",
                                category=category.name,
                                building=building,
                                count=count,
                            ),
                            "incident_type": "batch_defect",
                            "state": "proposed",
                            "project_id": project.id,
                            "building_scope": building,
                            "category_id": category.id,
                            "subcontract_id": subcontracts.get((project, category), self.env["csw.subcontract"]).id,
                            "user_id": company.csw_cs_manager_id.id,
                        }
                        for project, building, category, count, _ids in new_groups
                    ]
                )
            )
            existing.update({(i.project_id, i.building_scope, i.category_id): i for i in created})
            links = defaultdict(list)
            for project, building, category, _count, ticket_ids in groups:
                links[existing[project, building, category].id].extend(ticket_ids)
            for incident_id, ticket_ids in links.items():
                Ticket.browse(ticket_ids).filtered(lambda t: not t.incident_id).write({"incident_id": incident_id})
            proposed |= created
        proposed._notify_proposals()
        return proposed

    @api.model
    def _responsible_subcontracts(self, groups):
        """``{(estate, category): subcontract}``: the contract in force whose trade scope holds
        the category (or its parent), one search for all."""
        if not groups:
            return {}
        subcontracts = (
            self.env["csw.subcontract"]
            .sudo()
            .search(
                [
                    ("project_id", "in", [group[0].id for group in groups]),
                    ("state", "=", "active"),
                    ("category_ids", "!=", False),
                ],
                order="id",
            )
        )
        found = {}
        for project, _building, category, _count, _ids in groups:
            for subcontract in subcontracts:
                if subcontract.project_id == project and (category | category.parent_id) & subcontract.category_ids:
                    found[project, category] = subcontract
                    break
        return found

    def _notify_proposals(self):
        """A to-do for the CS manager of each proposal, in one batch."""
        if not self:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": incident.id,
                    "activity_type_id": todo.id,
                    "summary": self.env._("Batch defect proposed: confirm it and send the rectification notice"),
                    "user_id": incident.company_id.csw_cs_manager_id.id,
                    "date_deadline": today,
                }
                for incident in self
                if incident.company_id.csw_cs_manager_id
            ]
        )
