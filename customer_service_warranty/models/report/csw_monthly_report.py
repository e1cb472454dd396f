from collections import defaultdict
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..base.csw_locale import company_locale
from .csw_period_report_mixin import AMOUNTS, COUNTED_FIELDS, COUNTS, rates_of

# estates whose report is counted per transaction of the report crons
REPORT_BATCH_SIZE = 50


class CswMonthlyReport(models.Model):
    """The monthly report of an estate (客服月报表): the month's figures, kept for comparison.

    Figures are counted by ``action_refresh`` for any number of reports at once: a few
    grouped queries per month, whatever the number of tickets, repairs and callbacks.

    The printed report shows one snapshot: ``action_refresh`` stores, with the month's figures,
    the previous month's figures and the breakdowns of the second page, counted at the same
    moment; printing reads only what is stored (a report never counted is counted first), so
    the numbers of one PDF agree with each other and with the form until the next count.
    """

    _name = "csw.monthly.report"
    _inherit = ["csw.workflow.mixin", "csw.period.report.mixin"]
    _description = "Monthly Report"
    _order = "month desc, project_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    month = fields.Date(required=True, index=True, help="First day of the month reported.")
    month_label = fields.Char(string="Month Reported", compute="_compute_month_label")
    # the previous month's figures and the printed breakdowns, counted with the figures
    snapshot = fields.Json(readonly=True, copy=False)

    _sql_constraints = [
        ("project_month_uniq", "UNIQUE(project_id, month)", "The estate already has a report for this month."),
    ]

    @api.depends("project_id.name", "month")
    def _compute_name(self):
        for report in self:
            report.name = f"{report.project_id.name or ''} {report.month.strftime('%Y-%m') if report.month else ''}"

    @api.depends("month")
    @api.depends_context("lang")
    def _compute_month_label(self):
        for report in self:
            report.month_label = self.env["csw.locale"]._format_month(report.month)

    @api.constrains("month")
    def _check_month(self):
        for report in self:
            if report.month.day != 1:
                raise ValidationError(self.env._("A monthly report starts on the first day of its month."))

    def _csw_protected_fields(self):
        return {**super()._csw_protected_fields(), **COUNTED_FIELDS, "snapshot": COUNTED_FIELDS["refreshed_date"]}

    def _csw_prepare_create(self, vals_list):
        vals_list = super()._csw_prepare_create(vals_list)
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return vals_list

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    def action_refresh(self):
        """Count the figures of these reports, a few grouped queries per month reported, and the
        previous month's figures and the breakdowns printed beside them, at the same moment."""
        for month, reports in self.grouped("month").items():
            figures = self._count(reports.project_id, month)
            previous = self._count(reports.project_id, month - relativedelta(months=1))
            now = fields.Datetime.now()
            for report in reports:
                snapshot = {"previous": previous[report.project_id], "parts": report._count_breakdowns()}
                report._csw_workflow_write({**figures[report.project_id], "snapshot": snapshot, "refreshed_date": now})
        return True

    @api.model
    def _count(self, projects, month):
        """The month's figures of ``projects``: ``{project: {field: value}}``, set-based."""
        start = datetime.combine(month, time.min)
        next_month = month + relativedelta(months=1)
        return self._count_period(projects, start, start + relativedelta(months=1), month, next_month)

    # ------------------------------------------------------------------
    # The printed report
    # ------------------------------------------------------------------
    def _printed_snapshot(self):
        """The stored snapshot the PDF prints; a report never counted is counted first."""
        self.ensure_one()
        if not self.snapshot or not self.refreshed_date:
            self.sudo().action_refresh()
        return self.snapshot

    def _previous_figures(self):
        """The previous month's figures of this estate, as counted with this month's."""
        counts = dict.fromkeys(COUNTS + AMOUNTS, 0) | self._printed_snapshot()["previous"]
        return {**counts, **rates_of(counts)}

    def _count_breakdowns(self):
        """Tickets by type and channel, repairs by category and team, the satisfaction distribution,
        the assessments per agent and the quality feedback of the month, as stored in the snapshot
        (ids and keys: the labels are read in the reader's language when printing)."""
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
        return {
            "by_type": Ticket._read_group(received, ["ticket_type"], ["__count"]),
            "by_channel": Ticket._read_group(received, ["channel"], ["__count"]),
            "by_category": [
                (category.id, count)
                for category, count in Order._read_group(reported, ["category_id"], ["__count"], order="__count desc")
            ],
            "by_team": self._by_team(Order, reported),
            "satisfaction": dict(self._satisfaction_rows(estate, start, end)),
            "by_agent": [
                (user.id, count, points, amount)
                for user, count, points, amount in self.env["csw.assessment"]
                .sudo()
                ._read_group(
                    [*estate, ("date", ">=", self.month), ("date", "<", next_month)],
                    ["user_id"],
                    ["__count", "points:sum", "amount:sum"],
                )
            ],
            "quality": self._count_quality_feedback(),
        }

    def _breakdowns(self):
        """The breakdowns of the printed report, from the stored snapshot, labelled for the reader."""
        parts = self._printed_snapshot()["parts"]
        Ticket = self.env["csw.ticket"]
        labels = {
            name: dict(Ticket._fields[name]._description_selection(self.env)) for name in ("ticket_type", "channel")
        }
        satisfaction_labels = dict(self.env["csw.callback"]._fields["satisfaction"]._description_selection(self.env))
        categories = (
            self.env["csw.defect.category"]
            .sudo()
            .browse([row[0] for row in parts["by_category"] + parts["quality"] if row[0]])
        )
        uncategorised = self.env._("Uncategorised")

        def category_name(category_id):
            return categories.browse(category_id).display_name if category_id else uncategorised

        teams = self.env["res.partner"].sudo().browse([row[0] for row in parts["by_team"] if row[0]])
        return {
            "by_type": [(labels["ticket_type"].get(key, key), count) for key, count in parts["by_type"]],
            "by_channel": [(labels["channel"].get(key, key), count) for key, count in parts["by_channel"]],
            "by_category": [(category_name(category_id), count) for category_id, count in parts["by_category"]],
            "by_team": [
                (teams.browse(team_id).display_name if team_id else self.env._("No team"), *counts)
                for team_id, *counts in parts["by_team"]
            ],
            "satisfaction": [
                (satisfaction_labels[value], parts["satisfaction"].get(value, 0)) for value in ("5", "4", "3", "2", "1")
            ],
            "by_agent": self._assessments_by_agent(parts["by_agent"]),
            "quality": [(category_name(category_id), *rest) for category_id, *rest in parts["quality"]],
        }

    def _quality_feedback(self):
        """The quality feedback counted now, labelled: ``[(category name, building, this month,
        last month, repeats this month)]``."""
        uncategorised = self.env._("Uncategorised")
        rows = self._count_quality_feedback()
        categories = self.env["csw.defect.category"].sudo().browse([row[0] for row in rows if row[0]])
        return [
            (categories.browse(category_id).display_name if category_id else uncategorised, *rest)
            for category_id, *rest in rows
        ]

    def _count_quality_feedback(self):
        """The month's defects of the estate by category and building (质量信息反馈表), with last
        month's beside and the repeated problems: ``[(category, building, this month, last month,
        repeats this month)]``, the most frequent first; one grouped query."""
        self.ensure_one()
        previous = self.month - relativedelta(months=1)
        rows = defaultdict(lambda: [0, 0, 0])
        for category, building, month, defects, repeats in (
            self.env["csw.quality.feedback"]
            .sudo()
            ._read_group(
                [
                    ("project_id", "=", self.project_id.id),
                    ("report_date", ">=", previous),
                    ("report_date", "<", self.month + relativedelta(months=1)),
                ],
                ["category_id", "building", "report_date:month"],
                ["defect_count:sum", "repeat_count:sum"],
            )
        ):
            row = rows[category, building]
            if month == self.month:
                row[0], row[2] = defects, repeats
            else:
                row[1] = defects
        return sorted(
            ((category.id, building, *figures) for (category, building), figures in rows.items()),
            key=lambda row: (-row[2], -row[3], row[0] or 0, row[1] or ""),
        )

    def _assessments_by_agent(self, rows):
        """The stored assessments per agent that the reader may see: all of them for a
        manager, their own for an agent (the assessment rules); the report's totals are
        the estate's. ``rows``: ``[(user id, count, points, amount)]``."""
        Assessment = self.env["csw.assessment"]
        if not Assessment.has_access("read"):
            return []
        next_month = self.month + relativedelta(months=1)
        visible = {
            user.id
            for [user] in Assessment._read_group(
                [("project_id", "=", self.project_id.id), ("date", ">=", self.month), ("date", "<", next_month)],
                ["user_id"],
            )
        }
        users = self.env["res.users"].sudo().browse([row[0] for row in rows])
        return [(users.browse(user_id), *figures) for user_id, *figures in rows if user_id in visible]

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
            ((team.id, count, late, repeats) for team, (count, late, repeats) in teams.items()),
            key=lambda row: -row[1],
        )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    @company_locale
    def _cron_monthly(self, batch_size=REPORT_BATCH_SIZE):
        """On the first of a month: the report of the month that ended, for every active estate.

        One batch of estates per call, committed by the cron, which calls again while estates
        remain (``ir.cron._notify_progress``): an estate is done once its report was counted
        after the month ended, so a run a crash ended resumes with the estates left, and the
        report of an estate is never created twice (one per estate and month).
        """
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        month_end = datetime.combine(month + relativedelta(months=1), time.min)
        projects = self.env["csw.project"].sudo().search([("active", "=", True)], order="id")
        existing = self.sudo().search([("month", "=", month), ("project_id", "in", projects.ids)])
        counted = existing.filtered(lambda report: report.refreshed_date and report.refreshed_date >= month_end)
        pending = projects - counted.project_id
        batch = pending[:batch_size]
        to_count = existing.filtered(lambda report: report.project_id in batch)
        created = self.sudo().create(
            [{"project_id": project.id, "month": month} for project in batch - to_count.project_id]
        )
        (to_count | created).action_refresh()
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(pending) - len(batch))
        return to_count | created
