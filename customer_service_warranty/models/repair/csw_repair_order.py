import base64
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..base.csw_locale import company_locale
from ..base.csw_portal_chatter import check_portal_post
from ..base.csw_portal_upload import attachment_values
from ..base.csw_workflow_mixin import Transition
from ..base.warranty_clock import IN_WARRANTY
from ..estate.csw_subcontract import ASSIGNABLE_CONTRACT_STATES

REPAIR_STATES = [
    ("draft", "Draft"),
    ("notified", "Notified"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("verified", "Verified"),
    ("cancelled", "Cancelled"),
]

# the two meanings of an open repair order (there is no "waiting" state: an order waits
# for its team while notified)
OPEN_REPAIR_STATES = ("draft", "notified", "in_progress", "done")
"""An open defect: not yet verified (销项) nor cancelled. Holds back the retention; the
"Open" filter of the orders."""
UNFINISHED_REPAIR_STATES = ("draft", "notified", "in_progress")
"""Work not done yet: a ticket cannot be closed, an inspection defect is listed at handover."""
UNDER_WAY_REPAIR_STATES = ("notified", "in_progress")
"""The team is bound by its deadlines: notified, or on site."""
FINISHED_REPAIR_STATES = ("done", "verified")
"""The work is done: a dissatisfied owner reopens it."""

REPAIR_SOURCES = [
    ("owner", "Owner"),
    ("pre_delivery", "Pre-delivery Inspection"),
    ("handover", "Handover Inspection"),
    ("patrol", "Patrol"),
    ("callback", "Callback"),
]
# the sources of defects entered in batches by the inspection wizard
INSPECTION_SOURCES = [source for source in REPAIR_SOURCES if source[0] in ("pre_delivery", "handover", "patrol")]

# how the responsible team was told (the seed's 书面联系单 / 口头 / 信息 / e-mail)
NOTIFY_METHODS = [
    ("written", "Written Contact Form"),
    ("verbal", "Verbal"),
    ("message", "Message"),
    ("email", "E-mail"),
]

# which deadline the team missed (the overdue check flags each once)
OVERDUE_KINDS = [
    ("entry", "Entry"),
    ("done", "Completion"),
]

# ticket priorities whose repairs are emergencies by default: urgent 紧急, major incident 重大
EMERGENCY_PRIORITIES = ("2", "3")

AGENT = "customer_service_warranty.group_csw_project_agent"

_lt = LazyTranslate(__name__)

MANAGER = "customer_service_warranty.group_csw_manager"
STATE_BUTTONS = _lt("the Notify Team, Team On Site, Mark Done, Verify, Substitute Repair, Reopen and Cancel buttons")
CLOCKS = _lt("the warranty clocks (unit, category and report date)")
OVERDUE_CHECK = _lt("the hourly check of overdue teams")


class CswRepairOrder(models.Model):
    """A warranty repair order (维修单 / 派工单): one defect, dispatched to the responsible team."""

    _name = "csw.repair.order"
    _description = "Repair Order"
    _inherit = ["csw.workflow.mixin", "portal.mixin", "mail.thread", "mail.activity.mixin", "csw.followup.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _csw_number_field = "name"
    _csw_prefilled_fields = ("ticket_id", "owner_damage", "notify_date", "is_overdue", "entry_date")
    # owners and teams write on their orders from the portal
    _mail_post_access = "read"

    _csw_editable_states = UNFINISHED_REPAIR_STATES

    name = fields.Char(string="Number", readonly=True, copy=False, default="/", index="trigram")
    ticket_id = fields.Many2one("csw.ticket", index=True, check_company=True, tracking=True)
    source = fields.Selection(REPAIR_SOURCES, required=True, default="owner")
    unit_id = fields.Many2one("csw.unit", required=True, index=True, check_company=True, tracking=True)
    project_id = fields.Many2one(related="unit_id.project_id", store=True, index=True, string="Estate", precompute=True)
    region = fields.Char(related="project_id.region", store=True, index=True, precompute=True)
    company_id = fields.Many2one(related="unit_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(related="unit_id.owner_id", store=True, precompute=True, string="Owner")
    building = fields.Char(related="unit_id.building", store=True, precompute=True)
    key_account = fields.Boolean(related="unit_id.key_account", store=True, precompute=True)
    location = fields.Char(help="Where in the unit: bathroom, kitchen, exterior wall...")
    category_id = fields.Many2one("csw.defect.category", string="Defect Category", check_company=True, tracking=True)
    description = fields.Html()
    photo_ids = fields.Many2many(
        "ir.attachment", "csw_repair_order_photo_rel", "order_id", "attachment_id", string="Defect Photos"
    )
    report_date = fields.Date(string="Reported On", required=True, default=fields.Date.context_today, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="CS Agent",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )

    # Warranty: both clocks, decided on the report date
    owner_damage = fields.Boolean(help="Damage caused by the owner: not covered by the warranty.")
    # precomputed (as the related fields above): an order is inserted whole, not updated after
    coverage = fields.Selection(
        [("in_warranty", "In Warranty"), ("expired", "Expired"), ("not_covered", "Not Covered")],
        compute="_compute_coverage",
        store=True,
        precompute=True,
        tracking=True,
    )
    owner_warranty_end = fields.Date(compute="_compute_coverage", store=True, precompute=True)
    subcontractor_liability_end = fields.Date(compute="_compute_coverage", store=True, precompute=True)
    subcontractor_liable = fields.Boolean(
        compute="_compute_coverage",
        store=True,
        precompute=True,
        help="The defect is within the subcontractor's liability: it repairs at its own cost "
        "and substitute repairs may be charged to it.",
    )

    # Responsible team and its notice
    subcontract_id = fields.Many2one(
        "csw.subcontract",
        string="Responsible Subcontract",
        compute="_compute_subcontract_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('project_id', '=', project_id), ('state', 'in', ('draft', 'active'))]",
    )
    subcontractor_id = fields.Many2one(
        related="subcontract_id.partner_id", store=True, precompute=True, index=True, string="Responsible Unit"
    )
    notify_method = fields.Selection(
        NOTIFY_METHODS,
        compute="_compute_notify_method",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Proposed from the responsible team: by e-mail when it has an e-mail address, else a "
        "written contact form (书面联系单) to hand over or send as a picture.",
    )
    is_emergency = fields.Boolean(
        string="Emergency",
        compute="_compute_is_emergency",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="An emergency repair (紧急维修): the team gets the contract's emergency entry time, and the "
        "repair may be done first and documented after (先维修, 再补办派工手续). Set for the repairs of "
        "an urgent or major-incident ticket; changes only while the order is draft.",
    )
    emergency_documented = fields.Boolean(
        string="Documented After Repair",
        readonly=True,
        copy=False,
        help="An emergency repaired first: its times were recorded and its notice issued afterwards (补办派工).",
    )
    notify_date = fields.Datetime(readonly=True, copy=False, tracking=True, index="btree_not_null")
    entry_deadline = fields.Datetime(
        compute="_compute_entry_deadline",
        store=True,
        precompute=True,
        readonly=False,
        copy=False,
        tracking=True,
        index=True,
        help="When the team must be on site (明确进场维修时间): notice + the contract's entry time.",
    )
    done_deadline = fields.Datetime(
        string="Completion Deadline",
        compute="_compute_done_deadline",
        store=True,
        precompute=True,
        copy=False,
        tracking=True,
        index=True,
        help="When the repair must be finished: the entry deadline + the contract's repair time limit "
        "(维修期限, calendar days), set when the team is notified and printed on the notice; it follows "
        "an entry deadline agreed later.",
    )
    notice_attachment_id = fields.Many2one("ir.attachment", string="Notice", readonly=True, copy=False)
    entry_date = fields.Datetime(readonly=True, copy=False)
    done_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    verified_date = fields.Datetime(readonly=True, copy=False)
    completion_note = fields.Text()
    completion_photo_ids = fields.Many2many(
        "ir.attachment", "csw_repair_order_done_photo_rel", "order_id", "attachment_id", string="Completion Photos"
    )
    cancel_reason = fields.Char(copy=False)
    state = fields.Selection(REPAIR_STATES, default="draft", required=True, tracking=True, copy=False, index=True)
    state_rank = fields.Integer(
        compute="_compute_state_rank", store=True, precompute=True, help="Orders waiting for the team first."
    )
    is_overdue = fields.Boolean(
        string="Team Overdue",
        readonly=True,
        copy=False,
        index=True,
        help="The team did not come on site by its entry deadline, or did not finish by its completion "
        "deadline: a substitute repair is proposed.",
    )
    overdue_kind = fields.Selection(
        OVERDUE_KINDS,
        string="Deadline Missed",
        readonly=True,
        copy=False,
        help="The last deadline the team missed: entry or completion.",
    )
    entry_late = fields.Boolean(
        string="Late Entry",
        compute="_compute_entry_late",
        store=True,
        precompute=True,
        index=True,
        help="The team came on site after its deadline, or has not come and is overdue.",
    )
    done_late = fields.Boolean(
        string="Late Completion",
        compute="_compute_done_late",
        store=True,
        precompute=True,
        index=True,
        help="The team finished after its completion deadline, or has not finished and is overdue.",
    )
    reopen_count = fields.Integer(readonly=True, copy=False)

    # Money
    # money is for the customer-service team only: owners and teams see their orders on the portal
    loss_estimate = fields.Monetary(
        help="Estimated loss of the owner (损失预估): the compensation proposed on the deduction while "
        "no compensation is entered.",
        groups=AGENT,
    )
    compensation_amount = fields.Monetary(string="Compensation", help="Paid to the owner (赔付).", groups=AGENT)
    is_substitute = fields.Boolean(string="Substitute Repair", readonly=True, copy=False, tracking=True)
    substitute_partner_id = fields.Many2one(
        "res.partner",
        string="Substitute Team",
        tracking=True,
        groups=AGENT,
        domain="[('is_company', '=', True), ('company_id', 'in', [False, company_id]), ('csw_unit_ids', '=', False), "
        "'|', ('csw_subcontract_ids.company_id', '=', company_id), ('csw_repair_team', '=', True)]",
        help="A subcontractor of the company or a repair team it works with (partner flag Repair Team).",
    )
    substitute_cost = fields.Monetary(tracking=True, groups=AGENT)
    estimated_cost = fields.Monetary(
        help="Cost of a substitute repair estimated before any work (预计发生的代维费用): stated in the "
        "request and reserved against the team's retention while the defect is open.",
        tracking=True,
        groups=AGENT,
    )
    cost_difference = fields.Monetary(
        string="Actual − Estimate",
        compute="_compute_cost_difference",
        groups=AGENT,
        help="The actual cost of the substitute repair less the estimate of its request.",
    )
    emergency_engage_reason = fields.Text(
        string="Emergency Engagement Reason",
        copy=False,
        groups=AGENT,
        help="Why a manager engaged the substitute team before the request was approved (紧急先行代维); "
        "kept once the team is engaged.",
    )
    # who does the job: the responsible team, or the substitute team once engaged. Not restricted to
    # the agents (as the substitute partner is): the portal and its record rule read it
    repair_team_id = fields.Many2one(
        "res.partner",
        compute="_compute_repair_team_id",
        store=True,
        precompute=True,
        index="btree_not_null",
        compute_sudo=True,
    )

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK(coalesce(loss_estimate, 0) >= 0 AND coalesce(compensation_amount, 0) >= 0 "
            "AND coalesce(substitute_cost, 0) >= 0 AND coalesce(estimated_cost, 0) >= 0)",
            "Amounts cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("is_overdue", "overdue_kind", "entry_date", "entry_deadline")
    def _compute_entry_late(self):
        for order in self:
            # flagged for its entry (orders flagged before the completion deadline existed have no kind)
            flagged = order.is_overdue and order.overdue_kind != "done"
            order.entry_late = flagged or bool(
                order.entry_date and order.entry_deadline and order.entry_date > order.entry_deadline
            )

    @api.depends("overdue_kind", "done_date", "done_deadline")
    def _compute_done_late(self):
        for order in self:
            order.done_late = order.overdue_kind == "done" or bool(
                order.done_date and order.done_deadline and order.done_date > order.done_deadline
            )

    @api.depends("substitute_cost", "estimated_cost", "is_substitute")
    def _compute_cost_difference(self):
        for order in self:
            order.cost_difference = order.substitute_cost - order.estimated_cost if order.substitute_cost else 0.0

    @api.depends("is_substitute", "substitute_partner_id", "subcontractor_id")
    def _compute_repair_team_id(self):
        for order in self:
            order.repair_team_id = order.substitute_partner_id if order.is_substitute else order.subcontractor_id

    @api.depends("ticket_id")
    def _compute_is_emergency(self):
        # the notice gave the team its entry time: the flag follows the ticket while draft only
        # (the ticket's priority follows an urgent defect category)
        for order in self.filtered(lambda o: o.state == "draft"):
            order.is_emergency = order.ticket_id.priority in EMERGENCY_PRIORITIES

    @api.depends("subcontract_id")
    def _compute_notify_method(self):
        # how the team will be told: decided before the notice, kept after it
        for order in self.filtered(lambda o: o.state == "draft"):
            order.notify_method = "email" if order.subcontract_id.partner_id.email else "written"

    @api.depends("state")
    def _compute_state_rank(self):
        ranks = {state: rank for rank, (state, _label) in enumerate(REPAIR_STATES)}
        for order in self:
            order.state_rank = ranks.get(order.state, len(ranks))

    def _compute_access_url(self):
        for order in self:
            order.access_url = f"/my/repairs/{order.id}"

    @api.depends("unit_id", "ticket_id")
    def _compute_user_id(self):
        for order in self:
            unit = order.unit_id
            if unit.key_account and unit.key_account_user_id:
                order.user_id = unit.key_account_user_id
            elif order.ticket_id.user_id:
                order.user_id = order.ticket_id.user_id
            elif not order.user_id:
                order.user_id = unit.project_id.cs_user_id

    @api.depends(
        "unit_id.handover_date",
        "project_id.completion_date",
        "project_id.design_life_years",
        "category_id",
        "report_date",
        "owner_damage",
    )
    def _compute_coverage(self):
        # the orders of a batch share a few (category, clock start, estate): each end computed once
        ends = {}
        for order in self:
            if not order.unit_id or not order.category_id or not order.report_date:
                order.update(
                    {
                        "coverage": "not_covered" if order.owner_damage else False,
                        "owner_warranty_end": False,
                        "subcontractor_liability_end": False,
                        "subcontractor_liable": False,
                    }
                )
                continue
            clocks = order.unit_id._get_coverage(order.category_id, order.report_date, ends)
            order.owner_warranty_end = clocks["owner_end"]
            order.subcontractor_liability_end = clocks["subcontractor_end"]
            order.subcontractor_liable = clocks["subcontractor_coverage"] == IN_WARRANTY
            order.coverage = "not_covered" if order.owner_damage else clocks["owner_coverage"]

    @api.depends("project_id", "category_id")
    def _compute_subcontract_id(self):
        """The estate's contract covering the category, the most specific one first."""
        subcontracts = self.env["csw.subcontract"].search(
            [("project_id", "in", self.project_id.ids), ("state", "in", ASSIGNABLE_CONTRACT_STATES)]
        )
        by_project = subcontracts.grouped("project_id")
        # a batch of orders shares a few (estate, category) pairs: each one settled once
        best_by_pair = {}
        for order in self:
            if not order.category_id:
                continue
            pair = (order.project_id, order.category_id)
            if pair not in best_by_pair:
                candidates = by_project.get(order.project_id, subcontracts.browse())
                best_by_pair[pair] = candidates._most_specific_for(order.category_id)
            order.subcontract_id = best_by_pair[pair] or order.subcontract_id

    @api.depends("notify_date", "is_emergency", "subcontract_id.entry_hours", "subcontract_id.emergency_entry_hours")
    def _compute_entry_deadline(self):
        for order in self:
            if order.notify_date:
                order.entry_deadline = order._contract_entry_deadline()

    def _contract_entry_deadline(self):
        """The entry deadline the contract gives from the notice: its entry or emergency entry time."""
        self.ensure_one()
        subcontract = self.subcontract_id
        hours = (subcontract.emergency_entry_hours or 2) if self.is_emergency else subcontract.entry_hours
        return self.notify_date + timedelta(hours=hours or 48)

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            "name": _lt("the company's numbering, at creation"),
            "state": STATE_BUTTONS,
            "state_rank": STATE_BUTTONS,
            "notify_date": _lt("the Notify Team button"),
            "notice_attachment_id": _lt("the Notify Team button"),
            "entry_date": _lt(
                "the Team On Site button (or the team's confirmation on the portal, or Record Emergency Repair)"
            ),
            "done_date": _lt("the Mark Done button (or Record Emergency Repair, for a repair done first)"),
            "done_deadline": _lt("the Notify Team button (the contract's repair time limit)"),
            "emergency_documented": _lt("the Record Emergency Repair button"),
            "verified_date": _lt("the Verify button"),
            "reopen_count": _lt("the Reopen button (a dissatisfied callback)"),
            "is_overdue": OVERDUE_CHECK,
            "entry_late": OVERDUE_CHECK,
            "overdue_kind": OVERDUE_CHECK,
            "done_late": OVERDUE_CHECK,
            "is_substitute": _lt("the Engage Substitute and Emergency Engagement buttons"),
            "repair_team_id": _lt("the Engage Substitute and Emergency Engagement buttons"),
            "emergency_engage_reason": _lt("a CS manager, before the Emergency Engagement button"),
            "region": _lt("the estate (its region)"),
            "coverage": CLOCKS,
            "owner_warranty_end": CLOCKS,
            "subcontractor_liability_end": CLOCKS,
            "subcontractor_liable": CLOCKS,
            # stored copies of the unit's and the contract's values: a write here would change the
            # unit (its estate, owner, building, key account) or the contract's subcontractor
            "project_id": _lt("the unit of the repair order"),
            "partner_id": _lt("the unit of the repair order"),
            "building": _lt("the unit of the repair order"),
            "key_account": _lt("the unit of the repair order"),
            "subcontractor_id": _lt("the responsible subcontract"),
        }

    def _csw_manager_fields(self):
        return super()._csw_manager_fields() | frozenset({"emergency_engage_reason"})

    # why it was cancelled: kept once the order is done, verified or cancelled, as its form shows it
    def _csw_frozen_fields(self):
        return super()._csw_frozen_fields() | frozenset({"cancel_reason"})

    # ------------------------------------------------------------------
    # The entry deadline binds the team: a later entry is agreed with a reason (Move Deadline)
    # ------------------------------------------------------------------
    def _csw_binding_deadlines(self):
        return {**super()._csw_binding_deadlines(), "entry_deadline": AGENT}

    def _csw_deadline_binds(self, fname):
        if fname == "entry_deadline":
            return bool(self.notify_date)
        return super()._csw_deadline_binds(fname)

    def _csw_deadline_mover_group(self, fname, value):
        if fname == "entry_deadline":
            limit = self._contract_entry_deadline() + timedelta(hours=self.company_id.csw_entry_extension_hours)
            return AGENT if value <= limit else MANAGER
        return super()._csw_deadline_mover_group(fname, value)

    def _csw_check_deadline_move(self, fname, value):
        if fname == "entry_deadline":
            self._check_state_in(("notified",), self.env._("given a later entry"))
            if value <= self.entry_deadline:
                raise ValidationError(
                    self.env._(
                        "Repair order %(order)s: a later entry is agreed, never an earlier one.", order=self.name
                    )
                )
        return super()._csw_check_deadline_move(fname, value)

    # the contract's repair days are read when the entry deadline is set (at the notice), and not
    # followed afterwards: a change of the contract does not move the deadlines already given
    @api.depends("entry_deadline")
    def _compute_done_deadline(self):
        """The completion deadline: the entry deadline + the contract's repair time limit (days).

        Counted from the entry deadline, not the actual entry: the team knows it from the notice,
        and a team that never comes has one too.
        """
        for order in self:
            days = order.subcontract_id.repair_days or order.company_id.csw_repair_days or 3
            order.done_deadline = order.entry_deadline and order.entry_deadline + timedelta(days=days)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("photo_ids", "ticket_id")
    def _check_photo_ids(self):
        """The defect photos are the order's own: uploaded on it, or the photos of its ticket.

        The team's portal page shows them, so no other attachment (another company's, another
        document's) may be linked. A photo just uploaded by the current user on an order not
        saved yet (no record id) is moved onto the order.
        """
        for order in self:
            # sudo: the attachments the user may not read are the ones to refuse
            photos = order.sudo().photo_ids
            uploaded = photos.filtered(
                lambda a: a.res_model == self._name and not a.res_id and a.create_uid.id == self.env.uid
            )
            own = {(self._name, order.id)}
            if order.ticket_id:
                own.add(("csw.ticket", order.ticket_id.id))
            foreign = photos - uploaded - photos.filtered(lambda a, own=own: (a.res_model, a.res_id) in own)
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Repair order %(order)s: %(files)s is not a photo of this order or of its ticket. "
                        "Upload the photos on the order.",
                        order=order.name,
                        files=", ".join(foreign.mapped("name")),
                    )
                )
            uploaded.write({"res_id": order.id})

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _csw_prepare_create(self, vals_list):
        # the units' companies number the orders: read in one query for the batch
        self.env["csw.unit"].browse([vals["unit_id"] for vals in vals_list if vals.get("unit_id")]).fetch(
            ["company_id"]
        )
        return super()._csw_prepare_create(vals_list)

    def _csw_number_company(self, vals):
        return self.env["csw.unit"].browse(vals.get("unit_id")).company_id or self.env.company

    def _csw_check_write(self, vals):
        """The substitute team and the emergency reason are kept once the team is engaged; an order
        is given only to a contract of its estate still in draft or in force (H4)."""
        engaged = self.sudo().filtered("is_substitute")
        for fname in ("substitute_partner_id", "emergency_engage_reason"):
            if fname in vals and engaged and not engaged._csw_unchanged(fname, vals[fname]):
                raise UserError(
                    self.env._(
                        "Repair order %(order)s: the substitute team is engaged, its %(field)s is kept as it was.",
                        order=engaged[:1].name,
                        field=self._fields[fname]._description_string(self.env),
                    )
                )
        if "is_emergency" in vals:
            notified = self.filtered(lambda o: o.state != "draft")
            if notified and not notified._csw_unchanged("is_emergency", vals["is_emergency"]):
                raise UserError(
                    self.env._(
                        "Repair order %(order)s was already notified with its entry time: it can be marked "
                        "an emergency or not only while draft.",
                        order=notified[:1].name,
                    )
                )
        if vals.get("subcontract_id"):
            subcontract = self.env["csw.subcontract"].sudo().browse(vals["subcontract_id"]).exists()
            wrong = self.filtered(lambda o: o.project_id != subcontract.project_id)
            if subcontract and (subcontract.state not in ASSIGNABLE_CONTRACT_STATES or wrong):
                raise UserError(
                    self.env._(
                        "Contract %(contract)s cannot take repair order %(order)s: only a contract of the "
                        "order's estate, in draft or in force, can be responsible for it.",
                        contract=subcontract.name,
                        order=(wrong or self)[:1].name,
                    )
                )

    @api.constrains("substitute_partner_id", "company_id")
    def _check_substitute_partner_id(self):
        for order in self.sudo().filtered("substitute_partner_id"):
            team = order.substitute_partner_id
            if not team.filtered_domain(self.env["res.partner"]._csw_repair_team_domain(order.company_id.id)):
                raise ValidationError(
                    self.env._(
                        "Repair order %(order)s: %(team)s cannot be the substitute team; choose a "
                        "subcontractor of the company or a contact marked as a repair team.",
                        order=order.name,
                        team=team.display_name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(order.state not in ("draft", "cancelled") for order in self):
            raise UserError(self.env._("Only draft or cancelled repair orders can be deleted; cancel it instead."))

    def action_download_notice(self):
        """The notice sent to the team, downloaded as its PDF (not the attachment's technical form)."""
        self.ensure_one()
        notice = self.notice_attachment_id
        if not notice:
            raise UserError(
                self.env._("Repair order %(order)s has no notice yet: notify the team first.", order=self.name)
            )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{notice.id}?download=true", "target": "download"}

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _csw_transitions(self):
        return {
            **super()._csw_transitions(),
            "notify": Transition(("draft",), None, _lt("notified")),
            "start": Transition(("notified",), "in_progress", _lt("started")),
            "done": Transition(UNDER_WAY_REPAIR_STATES, "done", _lt("marked done")),
            "verify": Transition(("done",), "verified", _lt("verified")),
            "cancel": Transition(UNFINISHED_REPAIR_STATES, "cancelled", _lt("cancelled")),
            "reopen": Transition(FINISHED_REPAIR_STATES, None, _lt("reopened")),
        }

    def action_notify(self):
        """Send the standard notice to the responsible teams: one notice per subcontract."""
        self._csw_check_transition("notify")
        self._send_notices()
        if len(self) == 1:
            # from the form: the notice just sent opens in a new tab, to print or hand over
            return {
                "type": "ir.actions.act_url",
                "url": f"/web/content/{self.notice_attachment_id.id}",
                "target": "new",
            }
        return True

    def _send_notices(self):
        self._check_notice_ready()
        now = fields.Datetime.now()
        self._csw_workflow_write(
            {
                "state": "notified",
                "notify_date": now,
                "is_overdue": False,
                "overdue_kind": False,
            }
        )
        for subcontract, orders in self.grouped("subcontract_id").items():
            orders._send_notice(subcontract)

    def _check_notice_ready(self):
        for order in self:
            missing = [
                label
                for label, value in (
                    (self.env._("defect category"), order.category_id),
                    (self.env._("responsible subcontract"), order.subcontract_id),
                    (self.env._("location"), order.location),
                )
                if not value
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s cannot be notified yet: enter its %(missing)s.",
                        order=order.name,
                        missing=", ".join(missing),
                    )
                )

    def _send_notice(self, subcontract, team=None):
        """One notice for all of ``self`` under ``subcontract``: a PDF, e-mailed when the method says so.

        :param team: the partner notified: the subcontractor, or the substitute team engaged
        """
        team = team or subcontract.partner_id
        by_email = self.filtered(lambda o: o.notify_method == "email")
        if by_email and not team.email:
            raise UserError(
                self.env._(
                    "%(team)s has no e-mail address: record it on the contact, or notify the team "
                    "another way (written form, message, verbally) and choose that method.",
                    team=team.display_name,
                )
            )
        content, report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "customer_service_warranty.action_report_repair_notice", res_ids=self.ids
        )
        first = self.sorted("id")[0]
        notice = self.env["ir.attachment"].create(
            {
                "name": self.env._("Repair notice %(number)s.%(ext)s", number=first.name, ext=report_type),
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": first.id,
                "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
            }
        )
        self._csw_workflow_write({"notice_attachment_id": notice.id})
        if by_email:
            subject = self.env._(
                "Warranty repair notice %(number)s: %(estate)s, %(count)s defect(s)",
                number=first.name,
                estate=subcontract.project_id.name,
                count=len(self),
            )
            body = self.env["ir.qweb"]._render(
                "customer_service_warranty.repair_notice_email_body",
                {"orders": self, "subcontract": subcontract, "team": team},
            )
            self.env["mail.mail"].sudo().create(
                {
                    "subject": subject,
                    "body_html": body,
                    "email_from": self.env.company.email_formatted or self.env.user.email_formatted,
                    "recipient_ids": [(6, 0, team.ids)],
                    "attachment_ids": [(4, notice.id)],
                    "model": self._name,
                    "res_id": first.id,
                }
            )
        methods = dict(self._fields["notify_method"]._description_selection(self.env))
        bodies = {
            order.id: Markup("<p>%s</p>")
            % (
                self.env._(
                    "Notice issued after the emergency repair (补办派工) to %(team)s (%(method)s): "
                    "on site at %(entry)s, done at %(done)s.",
                    team=team.display_name,
                    method=methods.get(order.notify_method, ""),
                    entry=self.env["csw.locale"]._format_datetime(order.entry_date, order.company_id),
                    done=self.env["csw.locale"]._format_datetime(order.done_date, order.company_id),
                )
                if order.emergency_documented
                else self.env._(
                    "Notice sent to %(team)s (%(method)s): be on site by %(deadline)s, "
                    "repair done by %(done_deadline)s.",
                    team=team.display_name,
                    method=methods.get(order.notify_method, ""),
                    deadline=self.env["csw.locale"]._format_datetime(order.entry_deadline, order.company_id),
                    done_deadline=self.env["csw.locale"]._format_datetime(order.done_deadline, order.company_id),
                )
            )
            for order in self
        }
        self._message_log_batch(bodies=bodies)

    def action_start(self):
        return self._csw_transition("start", {"entry_date": fields.Datetime.now()})

    def action_done(self):
        transition = self._csw_check_transition("done")
        missing_note = self.filtered(lambda o: not (o.completion_note or "").strip())
        if missing_note:
            raise UserError(
                self.env._(
                    "Repair order %(order)s needs a completion note: what was repaired and how.",
                    order=missing_note[0].name,
                )
            )
        now = fields.Datetime.now()
        self.filtered(lambda o: not o.entry_date)._csw_workflow_write({"entry_date": now})
        self._csw_workflow_write({"state": transition.target, "done_date": now})
        self._csw_repairs_done()
        without_photos = self.filtered(lambda o: not o.completion_photo_ids)
        if without_photos:
            note = Markup("<p>%s</p>") % self.env._(
                "Marked done without a completion photo: ask the team for photos before verifying."
            )
            without_photos._message_log_batch(bodies=dict.fromkeys(without_photos.ids, note))
        return True

    def _csw_repairs_done(self):
        """The orders just done (marked done, or an emergency recorded with its times): what the
        domains above set off, such as the owner's callback. Nothing here."""

    def action_verify(self):
        if self.env.user.share or not self.env.user.has_group("customer_service_warranty.group_csw_project_agent"):
            raise UserError(self.env._("Only the customer-service team can verify a repair (销项)."))
        return self._csw_transition("verify", {"verified_date": fields.Datetime.now()})

    def action_cancel(self):
        transition = self._csw_check_transition("cancel")
        without_reason = self.filtered(lambda o: not (o.cancel_reason or "").strip())
        if without_reason:
            raise UserError(
                self.env._(
                    "Enter why repair order %(order)s is cancelled before cancelling it.",
                    order=without_reason[0].name,
                )
            )
        self._csw_workflow_write({"state": transition.target})
        return True

    def action_reopen(self):
        """Back to the same responsible team, with a new notice (a dissatisfied owner)."""
        self._csw_check_transition("reopen")
        for order in self:
            order._csw_workflow_write({"reopen_count": order.reopen_count + 1})
        self._csw_workflow_write(
            {"done_date": False, "verified_date": False, "entry_date": False, "emergency_documented": False}
        )
        self._send_notices()
        return True

    def action_record_emergency(self, entry_date, done_date):
        """An emergency repaired first, documented after (先维修, 再补办派工手续).

        The agent records when the team came and finished; the order is done with those times,
        its notice is issued now, marked as issued after the repair, and the owner's callback is
        planned from the recorded completion. Refused for times in the future, a completion
        before the entry, an entry before the day the defect was reported, an order that is not
        an emergency or not draft.
        """
        if not self.env.su and (self.env.user.share or not self.env.user.has_group(AGENT)):
            raise UserError(self.env._("Only the customer-service team can record an emergency repair."))
        self._check_state_in(("draft",), self.env._("documented as an emergency repaired first"))
        entry_date = fields.Datetime.to_datetime(entry_date)
        done_date = fields.Datetime.to_datetime(done_date)
        if not entry_date or not done_date:
            raise UserError(self.env._("Enter when the team came on site and when it finished the repair."))
        now = fields.Datetime.now()
        if entry_date > now or done_date > now:
            raise ValidationError(
                self.env._(
                    "An emergency repair is recorded as it happened: its entry and completion times cannot "
                    "be in the future (now: %(now)s).",
                    now=self.env["csw.locale"]._format_datetime(now, self.company_id[:1]),
                )
            )
        if done_date < entry_date:
            raise ValidationError(self.env._("The repair cannot be finished before the team came on site."))
        for order in self:
            if not order.is_emergency:
                raise UserError(
                    self.env._(
                        "Repair order %(order)s is not an emergency: notify its team and let it come on site. "
                        "Only an emergency may be repaired first and documented after.",
                        order=order.name,
                    )
                )
            if entry_date < order._report_start():
                raise ValidationError(
                    self.env._(
                        "Repair order %(order)s was reported on %(date)s: the team cannot have come on site "
                        "before. Correct the report date if the owner called earlier.",
                        order=order.name,
                        date=order.report_date,
                    )
                )
            if not (order.completion_note or "").strip():
                raise UserError(
                    self.env._(
                        "Repair order %(order)s needs a completion note: what was repaired and how.",
                        order=order.name,
                    )
                )
        self._check_notice_ready()
        self._csw_workflow_write(
            {
                "state": "done",
                "entry_date": entry_date,
                "done_date": done_date,
                "notify_date": now,
                "emergency_documented": True,
                "is_overdue": False,
                "overdue_kind": False,
            }
        )
        for subcontract, orders in self.grouped("subcontract_id").items():
            orders._send_notice(subcontract)
        self._csw_repairs_done()
        return True

    def _report_start(self):
        """The start of the report date in the agent's time zone, as a UTC datetime."""
        self.ensure_one()
        tz = pytz.timezone(self.env.user.tz or self.env.context.get("tz") or "UTC")
        start = tz.localize(datetime.combine(self.report_date, time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    def action_open_emergency_wizard(self):
        self.ensure_one()
        self._check_state_in(("draft",), self.env._("documented as an emergency repaired first"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Emergency Repair"),
            "res_model": "csw.emergency.repair.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_repair_order_id": self.id},
        }

    # ------------------------------------------------------------------
    # Portal of the responsible team
    # ------------------------------------------------------------------
    def message_post(self, **kwargs):
        check_portal_post(self, kwargs)
        return super().message_post(**kwargs)

    def _portal_team(self):
        """The team of the user on the portal: the foreman's company. The portal controllers read the
        order as the superuser and pass the team in the context (these methods are private: no RPC)."""
        team_id = self.env.context.get("csw_portal_team_id")
        if team_id:
            return self.env["res.partner"].browse(team_id)
        if not self.env.user.share:
            # the back office, crons and data files act for the team doing the repair
            self.ensure_one()
            return self.repair_team_id.commercial_partner_id
        return self.env.user.partner_id.commercial_partner_id

    def _portal_taken_over(self):
        """The job was the user's team's, and a substitute team took it over (已由代维班组接手)."""
        self.ensure_one()
        return self.is_substitute and self.repair_team_id.commercial_partner_id != self._portal_team()

    def _portal_team_may_act(self):
        """The job is the user's team's to do: notified or under way, and it is the team doing the
        repair (the substitute team once engaged, the responsible team otherwise).

        Only then does its page show the owner's phone and the defect photos, and take its
        entry and completion.
        """
        self.ensure_one()
        return (
            self.state in UNDER_WAY_REPAIR_STATES and self.repair_team_id.commercial_partner_id == self._portal_team()
        )

    def _portal_photos(self):
        """The defect photos the team's page shows: the order's own and its ticket's only."""
        self.ensure_one()
        own = {(self._name, self.id)}
        if self.ticket_id:
            own.add(("csw.ticket", self.ticket_id.id))
        return self.sudo().photo_ids.filtered(lambda a: (a.res_model, a.res_id) in own)

    def _portal_check_team_may_act(self):
        for order in self:
            if order.repair_team_id.commercial_partner_id != order._portal_team():
                raise UserError(
                    self.env._("Repair order %(order)s was taken over by a substitute team.", order=order.name)
                )

    def _portal_confirm_entry(self):
        """The team confirms it is on site."""
        self._portal_check_team_may_act()
        self.action_start()
        self._message_log_batch(
            bodies=dict.fromkeys(self.ids, Markup("<p>%s</p>") % self.env._("The team confirmed entry on the portal."))
        )
        return True

    def _portal_mark_done(self, note, uploads):
        """The team reports the repair done with a note and photos; the owner's callback is planned.

        :param uploads: list of ``(file name, content bytes)``
        """
        self.ensure_one()
        self._portal_check_team_may_act()
        self._check_state_in(UNDER_WAY_REPAIR_STATES, self.env._("marked done"))
        if not (note or "").strip():
            raise UserError(self.env._("Describe what was repaired and how."))
        photos = attachment_values(self.env, self.company_id, uploads, self._name)
        attachments = self.env["ir.attachment"].sudo().create([{**values, "res_id": self.id} for values in photos])
        self.write({"completion_note": note, "completion_photo_ids": [Command.link(a.id) for a in attachments]})
        return self.action_done()

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    @company_locale
    def _cron_flag_overdue(self):
        """Flag the orders whose team missed a deadline, and propose a substitute repair (seed 000:
        无法满足公司维修期限要求时启动第三方代工): notified orders past their entry deadline,
        started orders past their completion deadline. Each order is flagged once per deadline.

        Set-based: per deadline, one search, one write, one batch of notes and one of activities.
        """
        now = fields.Datetime.now()
        Order = self.sudo()
        not_entered = Order.search(
            [("state", "=", "notified"), ("is_overdue", "=", False), ("entry_deadline", "<", now)]
        )
        not_done = Order.search(
            [("state", "=", "in_progress"), ("overdue_kind", "in", [False, "entry"]), ("done_deadline", "<", now)]
        )
        for orders, kind in ((not_entered, "entry"), (not_done, "done")):
            if not orders:
                continue
            orders._csw_workflow_write({"is_overdue": True, "overdue_kind": kind})
            bodies = {order.id: Markup("<p>%s</p>") % order._overdue_note(kind) for order in orders}
            orders._csw_note_and_todo(
                bodies,
                self.env._("Team overdue: arrange a substitute repair?")
                if kind == "entry"
                else self.env._("Repair overdue: arrange a substitute repair?"),
                lambda order: order.project_id.cs_user_id or order.user_id,
            )

    def _overdue_note(self, kind):
        """The note of the overdue check: which deadline the team missed, and the proposal."""
        self.ensure_one()
        if kind == "entry":
            return self.env._(
                "%(team)s did not come on site by its entry deadline %(deadline)s: consider a substitute repair.",
                team=self.subcontractor_id.display_name,
                deadline=self.env["csw.locale"]._format_datetime(self.entry_deadline, self.company_id),
            )
        return self.env._(
            "%(team)s did not finish the repair by its completion deadline %(deadline)s (the company's repair "
            "time limit): consider a substitute repair.",
            team=self.subcontractor_id.display_name,
            deadline=self.env["csw.locale"]._format_datetime(self.done_deadline, self.company_id),
        )
