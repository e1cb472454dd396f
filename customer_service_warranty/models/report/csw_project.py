"""What the report domain adds to csw.project: the managers' dashboard (what needs attention now,
and this month's KPIs) and their work queue (what waits for a manager's or an accountant's
decision). The figures count tickets, repair orders, callbacks, deductions, incidents, weekly
reports and retention releases, every domain below, so they live in the highest one."""

from odoo import fields, models
from odoo.exceptions import UserError

from ..repair.csw_repair_order import UNDER_WAY_REPAIR_STATES
from ..ticket.csw_ticket_constants import OPEN_TICKET_STATES

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
    _inherit = "csw.project"

    # Dashboard of the managers: what needs attention now, and this month's KPIs
    breached_ticket_count = fields.Integer(string="Breached Tickets", compute="_compute_dashboard")
    at_risk_ticket_count = fields.Integer(string="Tickets at Risk", compute="_compute_dashboard")
    overdue_repair_count = fields.Integer(string="Teams Overdue", compute="_compute_dashboard")
    callback_due_count = fields.Integer(string="Callbacks Due", compute="_compute_dashboard")
    callback_overdue_count = fields.Integer(string="Callbacks Overdue", compute="_compute_dashboard")
    month_callback_rate = fields.Float(string="Callback Rate This Month (%)", compute="_compute_dashboard")
    month_satisfaction = fields.Float(string="Satisfaction This Month", compute="_compute_dashboard", digits=(3, 2))
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
                [*estates, ("state", "in", UNDER_WAY_REPAIR_STATES), ("is_overdue", "=", True)],
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
