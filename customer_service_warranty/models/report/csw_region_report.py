from odoo import fields, models, tools
from odoo.tools import SQL

from .csw_period_report_mixin import COUNTS

# rate field: (numerator count, denominator count), recomputed from the region's sums
RATES = {
    "response_on_time_rate": ("response_on_time_count", "response_decided_count"),
    "resolve_on_time_rate": ("resolved_on_time_count", "resolved_count"),
    "done_on_time_rate": ("done_on_time_count", "done_due_count"),
    "callback_rate": ("callback_done_count", "callback_completed_count"),
    "complaint_rate": ("complaint_count", "unit_count"),
}


class CswRegionReport(models.Model):
    """The monthly reports of a region's estates summed (区域汇总): the counts are added up and the
    rates recomputed from the sums (never an average of the estates' rates)."""

    _name = "csw.region.report"
    _description = "Monthly Report by Region"
    _auto = False
    _order = "month desc, region"

    region = fields.Char(readonly=True)
    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    estate_count = fields.Integer(string="Estates", readonly=True)
    ticket_count = fields.Integer(string="Tickets", readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    repeat_count = fields.Integer(string="Repeated Problems", readonly=True)
    unit_count = fields.Integer(string="Units Handed Over", readonly=True)
    response_decided_count = fields.Integer(string="Responses Due", readonly=True)
    response_on_time_count = fields.Integer(string="Responses in Time", readonly=True)
    resolved_count = fields.Integer(string="Resolved", readonly=True)
    resolved_on_time_count = fields.Integer(string="Resolved in Time", readonly=True)
    repair_count = fields.Integer(string="Repairs Reported", readonly=True)
    repair_done_count = fields.Integer(string="Repairs Completed", readonly=True)
    overdue_entry_count = fields.Integer(string="Overdue Entries", readonly=True)
    done_due_count = fields.Integer(string="Completions Due", readonly=True)
    done_on_time_count = fields.Integer(string="Completed in Time", readonly=True)
    substitute_count = fields.Integer(string="Substitute Repairs", readonly=True)
    deduction_count = fields.Integer(string="Deductions Posted", readonly=True)
    callback_completed_count = fields.Integer(string="Repairs to Call Back", readonly=True)
    callback_done_count = fields.Integer(string="Repairs Called Back", readonly=True)
    rated_count = fields.Integer(string="Rated Callbacks", readonly=True)
    dissatisfied_count = fields.Integer(string="Dissatisfied", readonly=True)
    assessment_count = fields.Integer(string="Assessments", readonly=True)
    assessment_points = fields.Integer(readonly=True)
    response_on_time_rate = fields.Float(string="On-time Response (%)", readonly=True, aggregator="avg")
    resolve_on_time_rate = fields.Float(string="On-time Resolution (%)", readonly=True, aggregator="avg")
    done_on_time_rate = fields.Float(string="On-time Completion (%)", readonly=True, aggregator="avg")
    callback_rate = fields.Float(string="Callback Rate (%)", readonly=True, aggregator="avg")
    complaint_rate = fields.Float(string="Complaints per 100 Units", readonly=True, aggregator="avg", digits=(5, 2))
    satisfaction_avg = fields.Float(string="Satisfaction (1-5)", readonly=True, aggregator="avg", digits=(3, 2))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        sums = SQL(", ").join(SQL("SUM(r.%s) AS %s", SQL.identifier(name), SQL.identifier(name)) for name in COUNTS)
        rates = SQL(", ").join(
            SQL(
                "CASE WHEN SUM(r.%s) > 0 THEN 100.0 * SUM(r.%s) / SUM(r.%s) ELSE 0 END AS %s",
                SQL.identifier(whole),
                SQL.identifier(part),
                SQL.identifier(whole),
                SQL.identifier(rate),
            )
            for rate, (part, whole) in RATES.items()
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT MIN(r.id) AS id,
                           COALESCE(r.region, '') AS region,
                           r.month,
                           r.company_id,
                           COUNT(*) AS estate_count,
                           %s,
                           %s,
                           CASE WHEN SUM(r.rated_count) > 0
                                THEN SUM(r.satisfaction_total) / SUM(r.rated_count) ELSE 0 END AS satisfaction_avg
                      FROM csw_monthly_report r
                  GROUP BY COALESCE(r.region, ''), r.month, r.company_id
                )
                """,
                SQL.identifier(self._table),
                sums,
                rates,
            )
        )
