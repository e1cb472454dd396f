from odoo import api, fields, models
from odoo.tools import SQL

from .csw_callback import CALLBACK_STATES


class CswCallbackReport(models.Model):
    """Callback rate of completed repairs (回访率): one row per completed repair order.

    The manuals' KPI: repair orders completed in a period whose callback is done, over the
    repair orders completed in that period (target 99 %). The callback counted is the
    order's latest repair callback, planned at its latest completion; a reopened order
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

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT o.id AS id,
                   o.id AS repair_order_id,
                   o.project_id,
                   o.company_id,
                   o.subcontractor_id,
                   o.category_id,
                   COALESCE(c.user_id, o.user_id) AS user_id,
                   o.done_date,
                   c.id AS callback_id,
                   c.state AS callback_state,
                   CASE WHEN c.state = 'done' THEN 1 ELSE 0 END AS is_called_back,
                   CASE WHEN c.state = 'done' THEN 100.0 ELSE 0.0 END AS callback_rate,
                   CASE WHEN c.state = 'done' AND c.done_date <= c.deadline THEN 1 ELSE 0 END AS on_time,
                   NULLIF(c.satisfaction_score, 0) AS satisfaction_score
              FROM csw_repair_order o
              LEFT JOIN LATERAL (
                    SELECT cb.id, cb.user_id, cb.state, cb.done_date, cb.deadline, cb.satisfaction_score
                      FROM csw_callback cb
                     WHERE cb.repair_order_id = o.id AND cb.callback_type = 'repair'
                  ORDER BY cb.id DESC
                     LIMIT 1
                   ) c ON TRUE
             WHERE o.state IN ('done', 'verified') AND o.done_date IS NOT NULL
            """
        )

    @api.model
    def _kpis(self, date_from, date_to, groupby, domain=None):
        """Callback rate and average satisfaction per group, for repairs completed in a period.

        :param date_from: first moment of the period (datetime, included)
        :param date_to: end of the period (datetime, excluded)
        :param str groupby: a field both models share: ``project_id``, ``subcontractor_id``
            (the responsible team), ``user_id`` (the callback agent), or ``done_date:month``
        :return: ``{group: {"completed", "called_back", "rate", "satisfaction"}}``; ``rate`` in %,
            ``satisfaction`` the average of the callbacks rated in the period (any type), or None
        """
        period = [("done_date", ">=", date_from), ("done_date", "<", date_to), *(domain or [])]
        rates = self._read_group(period, [groupby], ["__count", "is_called_back:sum"])
        rated = self.env["csw.callback"]._read_group(
            [*period, ("state", "=", "done"), ("satisfaction", "!=", False)], [groupby], ["satisfaction_score:avg"]
        )
        kpis = {
            group: {
                "completed": count,
                "called_back": called_back,
                "rate": 100.0 * called_back / count,
                "satisfaction": None,
            }
            for group, count, called_back in rates
        }
        for group, average in rated:
            kpis.setdefault(group, {"completed": 0, "called_back": 0, "rate": None, "satisfaction": None})
            kpis[group]["satisfaction"] = average
        return kpis
