from datetime import datetime, time, timedelta

import pytz

from odoo import _lt, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..base.csw_locale import company_locale
from .csw_monthly_report import REPORT_BATCH_SIZE
from .csw_period_report_mixin import AMOUNTS, COUNTED_FIELDS, COUNTS

FRIDAY = 4
SUBMIT = _lt("the Submit button (上报部门经理)")


def week_ending_before(day):
    """The first day (a Friday) of the last complete reporting week before ``day``: the week
    reported on a Friday runs from the Friday before to the Thursday, so that it can be
    finished and submitted on the Friday."""
    last_thursday = day - timedelta(days=(day.weekday() - 3) % 7 or 7)
    return last_thursday - timedelta(days=6)


class CswWeeklyReport(models.Model):
    """The weekly report of an estate (客服服务部周报表), submitted to the department manager on Fridays.

    The week runs from Friday 00:00 to Thursday 24:00 in the company's timezone (its working
    calendar's); it is counted by the same code as the monthly report (``csw.period.report.mixin``).
    """

    _name = "csw.weekly.report"
    _inherit = ["csw.workflow.mixin", "mail.thread", "mail.activity.mixin", "csw.period.report.mixin"]
    _description = "Weekly Report"
    _order = "week_start desc, project_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    week_start = fields.Date(
        string="Week From", required=True, index=True, help="The Friday the reported week starts on."
    )
    week_end = fields.Date(string="Week To", compute="_compute_week", store=True, help="The Thursday it ends on.")
    due_date = fields.Date(
        string="Due", compute="_compute_week", store=True, help="The Friday the report is submitted on."
    )
    submitted_date = fields.Datetime(string="Submitted On", readonly=True, copy=False, tracking=True)
    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)

    _sql_constraints = [
        ("project_week_uniq", "UNIQUE(project_id, week_start)", "The estate already has a report for this week."),
    ]

    @api.depends("project_id.name", "week_start")
    def _compute_name(self):
        for report in self:
            week = report.week_start and f"{report.week_start:%Y-%m-%d} – {report.week_end:%m-%d}"
            report.name = f"{report.project_id.name or ''} {week or ''}"

    @api.depends("week_start")
    def _compute_week(self):
        for report in self:
            report.week_end = report.week_start and report.week_start + timedelta(days=6)
            report.due_date = report.week_start and report.week_start + timedelta(days=7)

    @api.constrains("week_start")
    def _check_week_start(self):
        for report in self:
            if report.week_start.weekday() != FRIDAY:
                raise ValidationError(self.env._("A weekly report starts on a Friday and ends on the Thursday."))

    def _csw_protected_fields(self):
        return {
            **super()._csw_protected_fields(),
            **COUNTED_FIELDS,
            "submitted_date": SUBMIT,
            "submitted_by_id": SUBMIT,
            # a stored copy of the estate's region: a write would move the estate
            "region": _lt("the estate (its region)"),
        }

    def _csw_prepare_create(self, vals_list):
        vals_list = super()._csw_prepare_create(vals_list)
        for vals in vals_list:
            if vals.get("week_start"):
                day = fields.Date.to_date(vals["week_start"])
                # any day of the week: the week it belongs to (Friday to Thursday)
                vals["week_start"] = day - timedelta(days=(day.weekday() - FRIDAY) % 7)
        return vals_list

    def write(self, vals):
        # what was submitted to the department manager stays as it was submitted
        frozen = set(vals) & {"project_id", "week_start", "refreshed_date", *COUNTS, *AMOUNTS}
        submitted = self.filtered("submitted_date")
        if frozen and submitted:
            raise UserError(
                self.env._(
                    "%(report)s was submitted to the department manager: its estate, week and figures "
                    "no longer change.",
                    report=submitted[0].name,
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    def _period_bounds(self):
        """The week's first moment and the moment after its last, in UTC: midnights in the
        timezone of the company's working calendar."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id.resource_calendar_id.tz or "UTC")
        return tuple(
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (self.week_start, self.due_date)
        )

    def action_refresh(self):
        """Count the figures of these reports: a few grouped queries per week and timezone."""
        for (week_start, _tz), reports in self.grouped(
            lambda r: (r.week_start, r.company_id.resource_calendar_id.tz)
        ).items():
            start, end = reports[0]._period_bounds()
            figures = self._count_period(reports.project_id, start, end, week_start, week_start + timedelta(days=7))
            now = fields.Datetime.now()
            for report in reports:
                report._csw_workflow_write({**figures[report.project_id], "refreshed_date": now})
        return True

    def action_submit(self):
        """Submit the reports to the department manager (上报部门经理): who and when, once."""
        for report in self:
            if report.submitted_date:
                raise UserError(
                    self.env._(
                        "%(report)s was already submitted by %(user)s.",
                        report=report.name,
                        user=report.submitted_by_id.name,
                    )
                )
            if not report.refreshed_date:
                raise UserError(self.env._("Count %(report)s before submitting it.", report=report.name))
        self._csw_workflow_write({"submitted_date": fields.Datetime.now(), "submitted_by_id": self.env.uid})
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    @company_locale
    def _cron_weekly(self, batch_size=REPORT_BATCH_SIZE):
        """On Friday morning: the report of the week that ended on Thursday for every active estate,
        counted, and a to-do for the company's CS manager to submit it that day.

        One batch of estates per call, as the monthly report (``_cron_monthly``): an estate is
        done once its report is submitted or was counted after the week ended, so a run a crash
        ended resumes with the estates left, without a second report or to-do.
        """
        week_start = week_ending_before(fields.Date.context_today(self))
        projects = self.env["csw.project"].sudo().search([("active", "=", True)], order="id")
        existing = self.sudo().search([("week_start", "=", week_start), ("project_id", "in", projects.ids)])
        done = existing.filtered(
            lambda report: (
                report.submitted_date or (report.refreshed_date and report.refreshed_date >= report._period_bounds()[1])
            )
        )
        pending = projects - done.project_id
        batch = pending[:batch_size]
        to_count = existing.filtered(lambda report: report.project_id in batch)
        created = self.sudo().create(
            [{"project_id": project.id, "week_start": week_start} for project in batch - to_count.project_id]
        )
        (to_count | created).action_refresh()
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": report.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._("Submit the weekly report %(report)s", report=report.name),
                    "user_id": report.company_id.csw_cs_manager_id.id,
                    "date_deadline": report.due_date,
                }
                for report in created
                if report.company_id.csw_cs_manager_id
            ]
        )
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(pending) - len(batch))
        return to_count | created
