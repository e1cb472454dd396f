from collections import defaultdict

from odoo import _lt, api, fields, models

from ..base.kpi import share

# counts computed for an estate and a period; rates are derived from them
COUNTS = (
    "ticket_count",
    "complaint_count",
    "repeat_count",
    "unit_count",
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
    "satisfied_count",
    "dissatisfied_count",
    "assessment_count",
    "assessment_points",
)
AMOUNTS = ("deduction_total", "compensation_total", "loss_estimate_total", "assessment_amount", "satisfaction_total")
CALLBACK_TARGET = 99.0
# the counted figures: only the Count button (action_refresh) and the crons write them, so
# that a report's KPIs are the ones the records give, not ones typed in over the API
COUNTED_FIELDS = dict.fromkeys((*COUNTS, *AMOUNTS, "refreshed_date"), _lt("the Count button"))


def rates_of(counts):
    """The rates (%), the complaints per 100 units and the average satisfaction derived from a
    period's counts (of one estate or summed over several: never an average of rates)."""
    return {
        "response_on_time_rate": share(counts["response_on_time_count"], counts["response_decided_count"]),
        "resolve_on_time_rate": share(counts["resolved_on_time_count"], counts["resolved_count"]),
        "done_on_time_rate": share(counts["done_on_time_count"], counts["done_due_count"]),
        "callback_rate": share(counts["callback_done_count"], counts["callback_completed_count"]),
        "satisfaction_avg": counts["satisfaction_total"] / counts["rated_count"] if counts["rated_count"] else 0.0,
        "satisfied_rate": share(counts["satisfied_count"], counts["rated_count"]),
        "complaint_rate": share(counts["complaint_count"], counts["unit_count"]),
    }


class CswPeriodReportMixin(models.AbstractModel):
    """The figures of an estate over a period, shared by the monthly and the weekly report so
    that both count the same way: the models give the period's bounds to ``_count_period``.
    """

    _name = "csw.period.report.mixin"
    _description = "Period Report Figures"

    project_id = fields.Many2one("csw.project", string="Estate", required=True, index=True, check_company=True)
    company_id = fields.Many2one(related="project_id.company_id", store=True, index=True, precompute=True)
    region = fields.Char(related="project_id.region", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
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
    unit_count = fields.Integer(
        string="Units Handed Over",
        readonly=True,
        help="The estate's units (active ones) handed over to their owners by the period's last day: "
        "the base of the complaint rate.",
    )
    complaint_rate = fields.Float(
        string="Complaints per 100 Units",
        compute="_compute_rates",
        store=True,
        aggregator="avg",
        digits=(5, 2),
        help="Complaints received in the period × 100 / units handed over (客户投诉率).",
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
    satisfied_count = fields.Integer(string="Satisfied", readonly=True, help="Rated callbacks answered 4 or 5.")
    satisfied_rate = fields.Float(
        string="Satisfied (%)",
        compute="_compute_rates",
        store=True,
        aggregator="avg",
        help="Share of the rated callbacks answered satisfied or very satisfied (满意率).",
    )
    dissatisfied_count = fields.Integer(string="Dissatisfied", readonly=True)
    # Staff assessment
    assessment_count = fields.Integer(string="Assessments", readonly=True)
    assessment_points = fields.Integer(readonly=True)
    assessment_amount = fields.Monetary(readonly=True)

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
        "satisfied_count",
        "satisfaction_total",
        "complaint_count",
        "unit_count",
    )
    def _compute_rates(self):
        for report in self:
            report.update(rates_of(report))
            report.callback_target_met = not report.callback_completed_count or report.callback_rate >= CALLBACK_TARGET

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    @api.model
    def _count_period(self, projects, start, end, first_day, next_day):
        """The figures of ``projects`` in a period: ``{project: {field: value}}``, set-based.

        :param datetime start: the period's first moment (UTC, naive), for the datetime fields
        :param datetime end: the moment after the period's last (UTC, naive)
        :param date first_day: the period's first day, for the date fields
        :param date next_day: the day after the period's last day
        """
        month, next_month = first_day, next_day
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

        # the callback KPIs of the dashboard and the 回访率 analysis, by the same definition
        for project, kpi in env["csw.callback.report"].sudo()._kpis(start, end, "project_id", estates).items():
            figures[project].update(
                callback_completed_count=kpi["completed"],
                callback_done_count=kpi["called_back"],
                rated_count=kpi["rated"],
                satisfaction_total=kpi["score_total"],
                satisfied_count=kpi["satisfied"],
                dissatisfied_count=kpi["dissatisfied"],
            )

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
        for project, units in (
            env["csw.unit"]
            .sudo()
            ._read_group(
                [*estates, ("handover_date", "!=", False), ("handover_date", "<", next_day)],
                ["project_id"],
                ["__count"],
            )
        ):
            figures[project]["unit_count"] = units
        return {project: figures[project] for project in projects}

    def _satisfaction_rows(self, domain, start, end):
        """``[(answer, count)]`` of the rated callbacks the KPIs count in a period (the callbacks
        of the repairs completed in it), for the distribution of the answers."""
        return [
            (str(int(score)), count)
            for score, count in self.env["csw.callback.report"]
            .sudo()
            ._read_group(
                [*domain, ("done_date", ">=", start), ("done_date", "<", end), ("is_rated", "=", 1)],
                ["satisfaction_score"],
                ["__count"],
            )
        ]
