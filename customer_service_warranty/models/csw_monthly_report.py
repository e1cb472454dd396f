from collections import defaultdict
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .csw_callback import DISSATISFIED
from .kpi import share

# counts computed for an estate and a month; rates are derived from them
COUNTS = (
    "ticket_count",
    "complaint_count",
    "repeat_count",
    "response_decided_count",
    "response_on_time_count",
    "resolved_count",
    "resolved_on_time_count",
    "repair_count",
    "repair_done_count",
    "overdue_entry_count",
    "done_due_count",
    "done_on_time_count",
    "substitute_count",
    "deduction_count",
    "callback_completed_count",
    "callback_done_count",
    "rated_count",
    "dissatisfied_count",
    "assessment_count",
    "assessment_points",
)
AMOUNTS = ("deduction_total", "compensation_total", "loss_estimate_total", "assessment_amount", "satisfaction_total")
CALLBACK_TARGET = 99.0


def rates_of(counts):
    """The rates (%) and the average satisfaction derived from a month's counts."""
    return {
        "response_on_time_rate": share(counts["response_on_time_count"], counts["response_decided_count"]),
        "resolve_on_time_rate": share(counts["resolved_on_time_count"], counts["resolved_count"]),
        "done_on_time_rate": share(counts["done_on_time_count"], counts["done_due_count"]),
        "callback_rate": share(counts["callback_done_count"], counts["callback_completed_count"]),
        "satisfaction_avg": counts["satisfaction_total"] / counts["rated_count"] if counts["rated_count"] else 0.0,
    }


class CswMonthlyReport(models.Model):
    """The monthly report of an estate (客服月报表): the month's figures, kept for comparison.

    Figures are counted by ``action_refresh`` for any number of reports at once: a few
    grouped queries per month, whatever the number of tickets, repairs and callbacks.
    """

    _name = "csw.monthly.report"
    _description = "Monthly Report"
    _order = "month desc, project_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    project_id = fields.Many2one("csw.project", string="Estate", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="project_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, index=True, help="First day of the month reported.")
    refreshed_date = fields.Datetime(string="Counted On", readonly=True)

    # Tickets
    ticket_count = fields.Integer(string="Tickets", readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    repeat_count = fields.Integer(
        string="Repeated Problems",
        readonly=True,
        help="Complaints and repair requests received in the month that repeat an earlier ticket of the same "
        "unit and defect category (同一问题反复投诉).",
    )
    response_decided_count = fields.Integer(string="Responses Due", readonly=True)
    response_on_time_count = fields.Integer(string="Responses in Time", readonly=True)
    response_on_time_rate = fields.Float(
        string="On-time Response (%)", compute="_compute_rates", store=True, aggregator="avg"
    )
    resolved_count = fields.Integer(string="Resolved", readonly=True)
    resolved_on_time_count = fields.Integer(string="Resolved in Time", readonly=True)
    resolve_on_time_rate = fields.Float(
        string="On-time Resolution (%)", compute="_compute_rates", store=True, aggregator="avg"
    )
    # Repairs
    repair_count = fields.Integer(string="Repairs Reported", readonly=True)
    repair_done_count = fields.Integer(string="Repairs Completed", readonly=True)
    overdue_entry_count = fields.Integer(string="Overdue Entries", readonly=True)
    done_due_count = fields.Integer(
        string="Completions Due", readonly=True, help="Repairs completed in the month that had a completion deadline."
    )
    done_on_time_count = fields.Integer(string="Completed in Time", readonly=True)
    done_on_time_rate = fields.Float(
        string="On-time Completion (%)", compute="_compute_rates", store=True, aggregator="avg"
    )
    loss_estimate_total = fields.Monetary(
        string="Loss Estimate", readonly=True, help="The owners' estimated losses (损失预估) of the repairs reported."
    )
    substitute_count = fields.Integer(string="Substitute Repairs", readonly=True)
    deduction_count = fields.Integer(string="Deductions Posted", readonly=True)
    deduction_total = fields.Monetary(string="Deducted", readonly=True)
    compensation_total = fields.Monetary(string="Compensation Recovered", readonly=True)
    # Callbacks
    callback_completed_count = fields.Integer(string="Repairs to Call Back", readonly=True)
    callback_done_count = fields.Integer(string="Repairs Called Back", readonly=True)
    callback_rate = fields.Float(string="Callback Rate (%)", compute="_compute_rates", store=True, aggregator="avg")
    callback_target_met = fields.Boolean(string="Target Met", compute="_compute_rates", store=True)
    rated_count = fields.Integer(string="Rated Callbacks", readonly=True)
    satisfaction_total = fields.Float(readonly=True)
    satisfaction_avg = fields.Float(
        string="Satisfaction (1-5)", compute="_compute_rates", store=True, aggregator="avg", digits=(3, 2)
    )
    dissatisfied_count = fields.Integer(string="Dissatisfied", readonly=True)
    # Staff assessment
    assessment_count = fields.Integer(string="Assessments", readonly=True)
    assessment_points = fields.Integer(readonly=True)
    assessment_amount = fields.Monetary(readonly=True)

    _sql_constraints = [
        ("project_month_uniq", "UNIQUE(project_id, month)", "The estate already has a report for this month."),
    ]

    @api.depends("project_id.name", "month")
    def _compute_name(self):
        for report in self:
            report.name = f"{report.project_id.name or ''} {report.month.strftime('%Y-%m') if report.month else ''}"

    @api.depends(
        "response_decided_count",
        "response_on_time_count",
        "resolved_count",
        "resolved_on_time_count",
        "done_due_count",
        "done_on_time_count",
        "callback_completed_count",
        "callback_done_count",
        "rated_count",
        "satisfaction_total",
    )
    def _compute_rates(self):
        for report in self:
            report.update(rates_of(report))
            report.callback_target_met = not report.callback_completed_count or report.callback_rate >= CALLBACK_TARGET

    @api.constrains("month")
    def _check_month(self):
        for report in self:
            if report.month.day != 1:
                raise ValidationError(self.env._("A monthly report starts on the first day of its month."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    def action_refresh(self):
        """Count the figures of these reports, a few grouped queries per month reported."""
        for month, reports in self.grouped("month").items():
            figures = self._count(reports.project_id, month)
            for report in reports:
                report.write({**figures[report.project_id], "refreshed_date": fields.Datetime.now()})
        return True

    @api.model
    def _count(self, projects, month):
        """The month's figures of ``projects``: ``{project: {field: value}}``, set-based."""
        start = datetime.combine(month, time.min)
        end = start + relativedelta(months=1)
        next_month = month + relativedelta(months=1)
        estates = [("project_id", "in", projects.ids)]
        figures = defaultdict(lambda: dict.fromkeys(COUNTS + AMOUNTS, 0))
        env = self.env
        Ticket = env["csw.ticket"].sudo()
        Order = env["csw.repair.order"].sudo()

        received = [*estates, ("received_date", ">=", start), ("received_date", "<", end)]
        for project, ticket_type, repeat, count in Ticket._read_group(
            received, ["project_id", "ticket_type", "is_repeat"], ["__count"]
        ):
            figures[project]["ticket_count"] += count
            if ticket_type == "complaint":
                figures[project]["complaint_count"] += count
            if repeat:
                figures[project]["repeat_count"] += count
        responses = [
            *received,
            ("response_deadline", "!=", False),
            "|",
            ("first_response_date", "!=", False),
            ("response_breached", "=", True),
        ]
        for project, breached, count in Ticket._read_group(responses, ["project_id", "response_breached"], ["__count"]):
            figures[project]["response_decided_count"] += count
            if not breached:
                figures[project]["response_on_time_count"] += count
        resolved = [
            *estates,
            ("resolved_date", ">=", start),
            ("resolved_date", "<", end),
            ("resolve_deadline", "!=", False),
        ]
        for project, on_time, count in Ticket._read_group(resolved, ["project_id", "resolve_on_time"], ["__count"]):
            figures[project]["resolved_count"] += count
            if on_time:
                figures[project]["resolved_on_time_count"] += count

        reported = [
            *estates,
            ("report_date", ">=", month),
            ("report_date", "<", next_month),
            ("state", "!=", "cancelled"),
        ]
        for project, substitute, count, loss in Order._read_group(
            reported, ["project_id", "is_substitute"], ["__count", "loss_estimate:sum"]
        ):
            figures[project]["repair_count"] += count
            figures[project]["loss_estimate_total"] += loss
            if substitute:
                figures[project]["substitute_count"] += count
        for project, count in Order._read_group(
            [*estates, ("done_date", ">=", start), ("done_date", "<", end)], ["project_id"], ["__count"]
        ):
            figures[project]["repair_done_count"] = count
        for project, late, count in Order._read_group(
            [*estates, ("done_date", ">=", start), ("done_date", "<", end), ("done_deadline", "!=", False)],
            ["project_id", "done_late"],
            ["__count"],
        ):
            figures[project]["done_due_count"] += count
            if not late:
                figures[project]["done_on_time_count"] += count
        for project, count in Order._read_group(
            [*estates, ("notify_date", ">=", start), ("notify_date", "<", end), ("entry_late", "=", True)],
            ["project_id"],
            ["__count"],
        ):
            figures[project]["overdue_entry_count"] = count

        for project, count, total, compensation in (
            env["csw.deduction"]
            .sudo()
            ._read_group(
                [*estates, ("state", "=", "posted"), ("posted_date", ">=", start), ("posted_date", "<", end)],
                ["project_id"],
                ["__count", "amount_total:sum", "compensation_amount:sum"],
            )
        ):
            figures[project].update(deduction_count=count, deduction_total=total, compensation_total=compensation)

        callback_rates = env["csw.callback.report"].sudo()._kpis(start, end, "project_id", estates)
        for project, kpi in callback_rates.items():
            figures[project]["callback_completed_count"] = kpi["completed"]
            figures[project]["callback_done_count"] = kpi["called_back"]
        for project, satisfaction, count in self._satisfaction_rows(
            estates, start, end, ["project_id", "satisfaction"]
        ):
            figures[project]["rated_count"] += count
            figures[project]["satisfaction_total"] += int(satisfaction) * count
            if satisfaction in DISSATISFIED:
                figures[project]["dissatisfied_count"] += count

        for project, count, points, amount in (
            env["csw.assessment"]
            .sudo()
            ._read_group(
                [*estates, ("date", ">=", month), ("date", "<", next_month)],
                ["project_id"],
                ["__count", "points:sum", "amount:sum"],
            )
        ):
            figures[project].update(assessment_count=count, assessment_points=points, assessment_amount=amount)
        return {project: figures[project] for project in projects}

    def _satisfaction_rows(self, domain, start, end, groupby):
        return (
            self.env["csw.callback"]
            .sudo()
            ._read_group(
                [
                    *domain,
                    ("state", "=", "done"),
                    ("satisfaction", "!=", False),
                    ("done_date", ">=", start),
                    ("done_date", "<", end),
                ],
                groupby,
                ["__count"],
            )
        )

    # ------------------------------------------------------------------
    # The printed report
    # ------------------------------------------------------------------
    def _previous_figures(self):
        """The previous month's figures of this estate, counted now (not stored)."""
        self.ensure_one()
        previous = self.month - relativedelta(months=1)
        counts = self._count(self.project_id, previous)[self.project_id]
        return {**counts, **rates_of(counts)}

    def _breakdowns(self):
        """Tickets by type and channel, repairs by category and team, the satisfaction distribution
        and the assessments per agent of the month, for the printed report."""
        self.ensure_one()
        start = datetime.combine(self.month, time.min)
        end = start + relativedelta(months=1)
        next_month = self.month + relativedelta(months=1)
        estate = [("project_id", "=", self.project_id.id)]
        Ticket = self.env["csw.ticket"].sudo()
        Order = self.env["csw.repair.order"].sudo()
        received = [*estate, ("received_date", ">=", start), ("received_date", "<", end)]
        reported = [
            *estate,
            ("report_date", ">=", self.month),
            ("report_date", "<", next_month),
            ("state", "!=", "cancelled"),
        ]
        labels = {
            name: dict(model._fields[name]._description_selection(self.env))
            for model, name in ((Ticket, "ticket_type"), (Ticket, "channel"))
        }
        satisfaction_labels = dict(self.env["csw.callback"]._fields["satisfaction"]._description_selection(self.env))
        satisfaction = dict(self._satisfaction_rows(estate, start, end, ["satisfaction"]))
        return {
            "by_type": [
                (labels["ticket_type"][k], c) for k, c in Ticket._read_group(received, ["ticket_type"], ["__count"])
            ],
            "by_channel": [
                (labels["channel"][k], c) for k, c in Ticket._read_group(received, ["channel"], ["__count"])
            ],
            "by_category": [
                (category.display_name or self.env._("Uncategorised"), count)
                for category, count in Order._read_group(reported, ["category_id"], ["__count"], order="__count desc")
            ],
            "by_team": self._by_team(Order, reported),
            "satisfaction": [
                (satisfaction_labels[value], satisfaction.get(value, 0)) for value in ("5", "4", "3", "2", "1")
            ],
            "by_agent": self._assessments_by_agent(estate, next_month),
        }

    def _assessments_by_agent(self, estate, next_month):
        """The month's assessments per agent that the reader may see: all of them for a
        manager, their own for an agent (the assessment rules); the report's totals are
        the estate's."""
        Assessment = self.env["csw.assessment"]
        if not Assessment.has_access("read"):
            return []
        return Assessment._read_group(
            [*estate, ("date", ">=", self.month), ("date", "<", next_month)],
            ["user_id"],
            ["__count", "points:sum", "amount:sum"],
        )

    def _by_team(self, Order, domain):
        """``[(team name, repairs, late entries, repeated problems)]``, the busiest team first: the
        repeated problems are the team's repairs of a ticket flagged as a repeat."""
        teams = defaultdict(lambda: [0, 0, 0])
        for team, late, count in Order._read_group(domain, ["subcontractor_id", "entry_late"], ["__count"]):
            teams[team][0] += count
            if late:
                teams[team][1] += count
        for team, count in Order._read_group(
            [*domain, ("ticket_id.is_repeat", "=", True)], ["subcontractor_id"], ["__count"]
        ):
            teams[team][2] = count
        return sorted(
            (
                (team.display_name or self.env._("No team"), count, late, repeats)
                for team, (count, late, repeats) in teams.items()
            ),
            key=lambda row: -row[1],
        )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_monthly(self):
        """On the first of a month: the report of the month that ended, for every active estate."""
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        projects = self.env["csw.project"].sudo().search([("active", "=", True)])
        existing = self.sudo().search([("month", "=", month), ("project_id", "in", projects.ids)])
        missing = projects - existing.project_id
        created = self.sudo().create([{"project_id": project.id, "month": month} for project in missing])
        (existing | created).action_refresh()
