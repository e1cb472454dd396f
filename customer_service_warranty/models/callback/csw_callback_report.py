from odoo import api, fields, models
from odoo.tools import SQL

from ..base.kpi import SATISFIED_SCORE, share
from .csw_callback import CALLBACK_STATES, DISSATISFIED


class CswCallbackReport(models.Model):
    """Callback rate and satisfaction of completed repairs (回访率, 满意度): one row per completion.

    The one definition of these KPIs, read by the dashboard, this analysis and the monthly and
    weekly reports (``_kpis``): the repair orders completed in a period whose callback is done,
    over the repair orders completed in that period (target 99 %); the average score and the
    share of satisfied answers (满意率, score 4 or 5) of those callbacks. A completed order counts
    with its latest repair callback; a completion the owner was dissatisfied with, after which the
    order was reopened, keeps its own row (its answered callback, dated at its planning, the
    completion): a reopened repair does not drop the dissatisfied owner from the figures, and
    counts again when it is completed again.
    """

    _name = "csw.callback.report"
    _description = "Callback Rate Analysis"
    _auto = False
    _order = "done_date desc"
    _depends = {
        "csw.repair.order": [
            "project_id",
            "company_id",
            "subcontractor_id",
            "category_id",
            "user_id",
            "done_date",
            "state",
        ],
        "csw.callback": [
            "repair_order_id",
            "callback_type",
            "user_id",
            "state",
            "done_date",
            "deadline",
            "scheduled_date",
            "satisfaction_score",
        ],
    }

    repair_order_id = fields.Many2one("csw.repair.order", readonly=True)
    project_id = fields.Many2one("csw.project", string="Estate", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    subcontractor_id = fields.Many2one("res.partner", string="Responsible Unit", readonly=True)
    category_id = fields.Many2one("csw.defect.category", string="Defect Category", readonly=True)
    user_id = fields.Many2one("res.users", string="Callback Agent", readonly=True)
    done_date = fields.Datetime(string="Completed On", readonly=True)
    callback_id = fields.Many2one("csw.callback", readonly=True)
    callback_state = fields.Selection(CALLBACK_STATES, readonly=True)
    is_called_back = fields.Integer(string="Called Back", readonly=True, aggregator="sum")
    callback_rate = fields.Float(string="Callback Rate (%)", readonly=True, aggregator="avg")
    on_time = fields.Integer(string="Called Back in Time", readonly=True, aggregator="sum")
    satisfaction_score = fields.Float(string="Satisfaction (1-5)", readonly=True, aggregator="avg")
    is_rated = fields.Integer(string="Rated", readonly=True, aggregator="sum")
    is_satisfied = fields.Integer(string="Satisfied", readonly=True, aggregator="sum")
    is_dissatisfied = fields.Integer(string="Dissatisfied", readonly=True, aggregator="sum")
    satisfied_rate = fields.Float(
        string="Satisfied (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the rated callbacks answered satisfied or very satisfied (满意率).",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH completion AS (
                SELECT o.id * 2 AS id, o.id AS order_id, o.done_date, c.id AS callback_id
                  FROM csw_repair_order o
                  LEFT JOIN LATERAL (
                        SELECT cb.id
                          FROM csw_callback cb
                         WHERE cb.repair_order_id = o.id AND cb.callback_type = 'repair'
                      ORDER BY cb.id DESC
                         LIMIT 1
                       ) c ON TRUE
                 WHERE o.state IN ('done', 'verified') AND o.done_date IS NOT NULL
                 UNION ALL
                -- the earlier completions, reopened after their answered callback
                SELECT cb.id * 2 + 1, o.id, cb.scheduled_date, cb.id
                  FROM csw_callback cb
                  JOIN csw_repair_order o ON o.id = cb.repair_order_id
                 WHERE cb.callback_type = 'repair'
                   AND cb.state = 'done'
                   AND (o.state NOT IN ('done', 'verified') OR o.done_date IS NULL OR cb.id < (
                        SELECT MAX(latest.id) FROM csw_callback latest
                         WHERE latest.repair_order_id = o.id AND latest.callback_type = 'repair'))
            )
            SELECT k.id,
                   o.id AS repair_order_id,
                   o.project_id,
                   o.company_id,
                   o.subcontractor_id,
                   o.category_id,
                   COALESCE(c.user_id, o.user_id) AS user_id,
                   k.done_date,
                   c.id AS callback_id,
                   c.state AS callback_state,
                   CASE WHEN c.state = 'done' THEN 1 ELSE 0 END AS is_called_back,
                   CASE WHEN c.state = 'done' THEN 100.0 ELSE 0.0 END AS callback_rate,
                   CASE WHEN c.state = 'done' AND c.done_date <= c.deadline THEN 1 ELSE 0 END AS on_time,
                   CASE WHEN c.state = 'done' THEN NULLIF(c.satisfaction_score, 0) END AS satisfaction_score,
                   CASE WHEN c.state = 'done' AND c.satisfaction_score > 0 THEN 1 ELSE 0 END AS is_rated,
                   CASE WHEN c.state = 'done' AND c.satisfaction_score >= %(satisfied)s THEN 1 ELSE 0 END
                       AS is_satisfied,
                   CASE WHEN c.state = 'done' AND c.satisfaction_score BETWEEN 1 AND %(dissatisfied)s THEN 1 ELSE 0 END
                       AS is_dissatisfied,
                   CASE WHEN c.state = 'done' AND c.satisfaction_score > 0
                        THEN CASE WHEN c.satisfaction_score >= %(satisfied)s THEN 100.0 ELSE 0.0 END
                   END AS satisfied_rate
              FROM completion k
              JOIN csw_repair_order o ON o.id = k.order_id
              LEFT JOIN csw_callback c ON c.id = k.callback_id
            """,
            satisfied=SATISFIED_SCORE,
            dissatisfied=int(max(DISSATISFIED)),
        )

    @api.model
    def _kpis(self, date_from, date_to, groupby, domain=None):
        """Callback rate and satisfaction per group, for the repairs completed in a period.

        :param date_from: first moment of the period (datetime, included)
        :param date_to: end of the period (datetime, excluded)
        :param str groupby: a field of this report: ``project_id``, ``subcontractor_id``
            (the responsible team), ``user_id`` (the callback agent), or ``done_date:month``
        :return: ``{group: {"completed", "called_back", "rate", "rated", "score_total",
            "satisfaction", "satisfied", "dissatisfied", "satisfied_rate"}}``; rates in %,
            ``satisfaction`` the average score (1-5), None without a rated callback
        """
        period = [("done_date", ">=", date_from), ("done_date", "<", date_to), *(domain or [])]
        kpis = {}
        for group, count, called_back, rated, total, satisfied, dissatisfied in self._read_group(
            period,
            [groupby],
            [
                "__count",
                "is_called_back:sum",
                "is_rated:sum",
                "satisfaction_score:sum",
                "is_satisfied:sum",
                "is_dissatisfied:sum",
            ],
        ):
            kpis[group] = {
                "completed": count,
                "called_back": called_back,
                "rate": share(called_back, count),
                "rated": rated,
                "score_total": total or 0,
                "satisfaction": (total or 0) / rated if rated else None,
                "satisfied": satisfied,
                "dissatisfied": dissatisfied,
                "satisfied_rate": share(satisfied, rated) if rated else None,
            }
        return kpis
