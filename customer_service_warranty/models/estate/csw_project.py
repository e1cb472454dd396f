from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..ticket.csw_ticket_constants import OPEN_TICKET_STATES

# estates found by name during one import of units (see CswUnit.load): Odoo's importer
# looks the estate column up row by row, 20,000 identical name searches for one estate
_name_search_memo = ContextVar("csw_project_name_search_memo", default=None)


@contextmanager
def estate_name_searches_memoized():
    """Within the block, an estate name searched again returns the first search's result."""
    token = _name_search_memo.set({})
    try:
        yield
    finally:
        _name_search_memo.reset(token)


MANAGER_GROUP = "customer_service_warranty.group_csw_manager"
BILLING_GROUP = "account.group_account_invoice"
DASHBOARD_FIELDS = (
    "breached_ticket_count",
    "at_risk_ticket_count",
    "overdue_repair_count",
    "callback_due_count",
    "callback_overdue_count",
)
WORK_QUEUE_FIELDS = (
    "deduction_to_approve_count",
    "incident_proposed_count",
    "weekly_report_to_submit_count",
    "deduction_to_post_count",
    "retention_release_due_count",
)


class CswProject(models.Model):
    """An estate (项目 / 苑区) whose buildings the customer-service team looks after."""

    _name = "csw.project"
    _description = "Estate"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"
    _rec_names_search = ["name", "code"]
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code of the estate, unique in its company: typed in a field, it finds the estate.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    region = fields.Char(help="Region or city company the estate belongs to.")
    address = fields.Char()

    # Dates that start the warranty clocks
    completion_date = fields.Date(
        string="Completion Acceptance",
        tracking=True,
        help="Date of the completion acceptance (竣工验收). The subcontractors' liability runs from it.",
    )
    handover_date = fields.Date(
        tracking=True,
        help="Date the estate was handed over to its owners. Units take it by default; "
        "the owners' warranty runs from each unit's handover.",
    )
    design_life_years = fields.Integer(
        string="Design Service Life (Years)",
        default=50,
        required=True,
        help="Foundation and main structure are under warranty for the design service life.",
    )

    # Team
    cs_user_id = fields.Many2one(
        "res.users",
        string="CS Lead",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Customer-service lead of the estate: new tickets go to this person by default.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "csw_project_member_rel",
        "project_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Users who work on this estate. Project agents see only the estates they are members of.",
    )
    callback_user_id = fields.Many2one(
        "res.users",
        string="Callback Agent",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Makes the estate's callbacks. Empty: the agent who handled the repair or complaint.",
    )
    callback_plan_id = fields.Many2one(
        "csw.callback.plan",
        check_company=True,
        help="Milestone and holiday callbacks of a decoration estate.",
    )
    ticket_assignment = fields.Selection(
        [("lead", "CS lead"), ("balanced", "Balanced among members")],
        default="lead",
        required=True,
        help="New tickets go to the CS lead, or to the member with the fewest open tickets. "
        "Tickets of key-account units always go to their dedicated person.",
    )

    unit_ids = fields.One2many("csw.unit", "project_id", string="Units")
    unit_count = fields.Integer(compute="_compute_counts")
    subcontract_ids = fields.One2many("csw.subcontract", "project_id", string="Subcontracts")
    subcontract_count = fields.Integer(compute="_compute_counts")
    open_ticket_count = fields.Integer(string="Open Tickets", compute="_compute_counts")
    note = fields.Html()

    # Dashboard of the managers: what needs attention now, and this month's KPIs
    breached_ticket_count = fields.Integer(string="Breached Tickets", compute="_compute_dashboard")
    at_risk_ticket_count = fields.Integer(string="Tickets at Risk", compute="_compute_dashboard")
    overdue_repair_count = fields.Integer(string="Teams Overdue", compute="_compute_dashboard")
    callback_due_count = fields.Integer(string="Callbacks Due", compute="_compute_dashboard")
    callback_overdue_count = fields.Integer(string="Callbacks Overdue", compute="_compute_dashboard")
    month_callback_rate = fields.Float(string="Callback Rate This Month (%)", compute="_compute_dashboard")
    month_satisfaction = fields.Float(string="Satisfaction This Month", compute="_compute_dashboard", digits=(3, 2))
    # Callbacks still to plan in the background (a large import, the estate's plan changed)
    callback_plan_pending_count = fields.Integer(
        string="Units to Plan",
        compute="_compute_callback_plan_progress",
        help="Units of the estate whose callbacks are being planned in the background.",
    )
    callback_plan_progress = fields.Float(
        string="Callback Planning (%)",
        compute="_compute_callback_plan_progress",
        help="Share of the estate's units whose callbacks are planned.",
    )
    month_satisfied_rate = fields.Float(
        string="Satisfied This Month (%)",
        compute="_compute_dashboard",
        help="Share of the rated callbacks answered satisfied or very satisfied (满意率).",
    )
    # without repairs completed or rated this month the dashboard shows "—", not a failing 0
    month_repairs_completed = fields.Integer(string="Repairs Completed This Month", compute="_compute_dashboard")
    month_rated_count = fields.Integer(string="Rated Callbacks This Month", compute="_compute_dashboard")
    # Work queue: what waits for a manager's or an accountant's decision
    deduction_to_approve_count = fields.Integer(
        string="Deductions to Approve", compute="_compute_work_queue", groups=MANAGER_GROUP
    )
    incident_proposed_count = fields.Integer(
        string="Incidents Proposed", compute="_compute_work_queue", groups=MANAGER_GROUP
    )
    weekly_report_to_submit_count = fields.Integer(
        string="Weekly Reports to Submit", compute="_compute_work_queue", groups=MANAGER_GROUP
    )
    deduction_to_post_count = fields.Integer(
        string="Deductions to Post", compute="_compute_work_queue", groups=BILLING_GROUP
    )
    retention_release_due_count = fields.Integer(
        string="Retention Releases Due", compute="_compute_work_queue", groups=BILLING_GROUP
    )
    retention_shortfall_count = fields.Integer(
        string="Retention Shortfalls",
        compute="_compute_retention_shortfall",
        help="Contracts in force whose pending charges exceed their retention balance.",
    )

    _sql_constraints = [
        ("code_company_uniq", "UNIQUE(code, company_id)", "Another estate of this company already uses this code."),
        ("design_life_positive", "CHECK(design_life_years > 0)", "The design service life must be positive."),
    ]

    def _compute_counts(self):
        units = dict(self.env["csw.unit"]._read_group([("project_id", "in", self.ids)], ["project_id"], ["__count"]))
        subcontracts = dict(
            self.env["csw.subcontract"]._read_group([("project_id", "in", self.ids)], ["project_id"], ["__count"])
        )
        open_tickets = dict(
            self.env["csw.ticket"]._read_group(
                [("project_id", "in", self.ids), ("state", "in", OPEN_TICKET_STATES)],
                ["project_id"],
                ["__count"],
            )
        )
        for project in self:
            project.unit_count = units.get(project, 0)
            project.subcontract_count = subcontracts.get(project, 0)
            project.open_ticket_count = open_tickets.get(project, 0)

    def _dashboard_figures(self):
        """What each figure of the dashboard counts, for these estates: ``{field: (model, domain)}``.

        The count and the list its figure opens share the domain, so a click shows exactly
        the records counted.
        """
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        estates = [("project_id", "in", self.ids)]
        running = [*estates, ("state", "in", OPEN_TICKET_STATES)]
        callbacks_due = [*estates, ("state", "=", "planned"), ("scheduled_date", "<=", now)]
        return {
            "breached_ticket_count": ("csw.ticket", [*running, ("sla_state", "=", "breached")]),
            "at_risk_ticket_count": ("csw.ticket", [*running, ("sla_state", "=", "at_risk")]),
            "overdue_repair_count": (
                "csw.repair.order",
                [*estates, ("state", "in", ("notified", "in_progress")), ("is_overdue", "=", True)],
            ),
            "callback_due_count": ("csw.callback", callbacks_due),
            "callback_overdue_count": ("csw.callback", [*callbacks_due, ("deadline", "<", now)]),
            "deduction_to_approve_count": ("csw.deduction", [*estates, ("state", "=", "submitted")]),
            "incident_proposed_count": ("csw.incident", [*estates, ("state", "=", "proposed")]),
            "weekly_report_to_submit_count": (
                "csw.weekly.report",
                [*estates, ("submitted_date", "=", False), ("week_end", "<", today)],
            ),
            "deduction_to_post_count": ("csw.deduction", [*estates, ("state", "=", "approved")]),
            "retention_release_due_count": (
                "csw.subcontract",
                [
                    *estates,
                    ("state", "=", "active"),
                    ("retention_released", "=", False),
                    ("warranty_end_date", "<=", today),
                ],
            ),
        }

    def _count_figures(self, names):
        """``{field: {project: count}}`` of the figures ``names``, one grouped query each; a figure
        of records the user may not read counts nothing."""
        figures = self._dashboard_figures()
        counts = {}
        for name in names:
            model, domain = figures[name]
            Model = self.env[model]
            counts[name] = (
                dict(Model._read_group(domain, ["project_id"], ["__count"])) if Model.has_access("read") else {}
            )
        return counts

    def _compute_dashboard(self):
        counts = self._count_figures(DASHBOARD_FIELDS)
        now = fields.Datetime.now()
        month_start = fields.Datetime.to_datetime(fields.Date.context_today(self).replace(day=1))
        kpis = self.env["csw.callback.report"]._kpis(month_start, now, "project_id", [("project_id", "in", self.ids)])
        for project in self:
            for name, per_project in counts.items():
                project[name] = per_project.get(project, 0)
            kpi = kpis.get(project, {})
            project.month_callback_rate = kpi.get("rate") or 0.0
            project.month_satisfaction = kpi.get("satisfaction") or 0.0
            project.month_satisfied_rate = kpi.get("satisfied_rate") or 0.0
            project.month_repairs_completed = kpi.get("completed", 0)
            project.month_rated_count = kpi.get("rated", 0)

    def _compute_work_queue(self):
        names = [
            name
            for name, group in (
                ("deduction_to_approve_count", MANAGER_GROUP),
                ("incident_proposed_count", MANAGER_GROUP),
                ("weekly_report_to_submit_count", MANAGER_GROUP),
                ("deduction_to_post_count", BILLING_GROUP),
                ("retention_release_due_count", BILLING_GROUP),
            )
            if self.env.user.has_group(group)
        ]
        counts = self._count_figures(names)
        for project in self:
            project.update(dict.fromkeys(WORK_QUEUE_FIELDS, 0))
            for name, per_project in counts.items():
                project[name] = per_project.get(project, 0)

    def action_open_figure(self):
        """The records one figure of the dashboard counts (the figure's field in the context)."""
        name = self.env.context.get("csw_figure")
        figures = self._dashboard_figures()
        if name not in figures:
            raise UserError(self.env._("This figure of the dashboard cannot be opened."))
        model, domain = figures[name]
        return {
            "type": "ir.actions.act_window",
            "name": self._fields[name].get_description(self.env)["string"],
            "res_model": model,
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            # the lists' own default filters (mine, open) would hide records counted
            "context": {"create": False},
        }

    def _compute_callback_plan_progress(self):
        Unit = self.env["csw.unit"].with_context(active_test=False)
        pending = dict(
            Unit._read_group(
                [("project_id", "in", self.ids), ("callback_plan_pending", "!=", False)], ["project_id"], ["__count"]
            )
        )
        # the share planned is only shown while some units wait: no count of all units otherwise
        planning = [project.id for project in pending]
        totals = (
            dict(Unit._read_group([("project_id", "in", planning)], ["project_id"], ["__count"])) if planning else {}
        )
        for project in self:
            project.callback_plan_pending_count = pending.get(project, 0)
            total = totals.get(project, 0)
            project.callback_plan_progress = 100.0 * (total - pending.get(project, 0)) / total if total else 100.0

    def _retention_shortfall_contracts(self):
        """The contracts in force of these estates whose pending charges exceed the retention balance."""
        contracts = self.env["csw.subcontract"].search([("project_id", "in", self.ids), ("state", "=", "active")])
        return contracts.filtered("retention_shortfall")

    def _compute_retention_shortfall(self):
        short = self._retention_shortfall_contracts()
        for project in self:
            project.retention_shortfall_count = len(short.filtered(lambda c, p=project: c.project_id == p))

    def action_view_retention_shortfall(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_warranty.csw_subcontract_action_retention_shortfall"
        )
        action["domain"] = [("id", "in", self._retention_shortfall_contracts().ids)]
        return action

    @api.constrains("completion_date", "handover_date")
    def _check_dates(self):
        for project in self:
            if project.handover_date and not project.completion_date:
                raise ValidationError(
                    self.env._(
                        "Estate %(estate)s cannot be handed over before its completion acceptance: "
                        "enter the completion-acceptance date first.",
                        estate=project.name,
                    )
                )
            if project.handover_date and project.handover_date < project.completion_date:
                raise ValidationError(
                    self.env._(
                        "Estate %(estate)s cannot be handed over on %(handover)s, "
                        "before its completion acceptance on %(completion)s.",
                        estate=project.name,
                        handover=project.handover_date,
                        completion=project.completion_date,
                    )
                )
            # the units already handed over must still be after the completion acceptance
            domain = [("project_id", "=", project.id), ("handover_date", "!=", False)]
            if project.completion_date:
                domain.append(("handover_date", "<", project.completion_date))
            self.env["csw.unit"].search(domain, limit=1)._check_handover_date()

    @api.model_create_multi
    def create(self, vals_list):
        memo = _name_search_memo.get()
        if memo:
            memo.clear()  # an import may create estates by name: search them again
        return super().create(vals_list)

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        memo = _name_search_memo.get()
        if memo is None:
            return super().name_search(name=name, args=args, operator=operator, limit=limit)
        key = (name, repr(args), operator, limit, self.env.uid, repr(sorted(self.env.context.items())))
        if key not in memo:
            memo[key] = super().name_search(name=name, args=args, operator=operator, limit=limit)
        return list(memo[key])

    def write(self, vals):
        result = super().write(vals)
        if "callback_plan_id" in vals:
            # a decoration estate counts the periodic plan from the completion notice, others from handover
            self.unit_ids._plan_callbacks({"periodic"})
        return result

    def action_view_units(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_unit_action")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id}
        return action

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_ticket_action")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id, "search_default_open": 1}
        return action

    def action_view_subcontracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_service_warranty.csw_subcontract_action")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id}
        return action
