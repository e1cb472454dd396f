from odoo import fields, models, tools
from odoo.tools import SQL


class CswQualityFeedback(models.Model):
    """The quality feedback table (质量信息反馈表) for design and engineering: the defects found by
    the repair orders (cancelled ones left out), by defect category, trade, building, team and month,
    with the repeated problems (orders raised from a ticket flagged as a repeat) and the reopened
    repairs. The trade (专业) is the top-level category of the defect's category (防水, 装饰...),
    the level the subcontracts are let by."""

    _name = "csw.quality.feedback"
    _description = "Quality Feedback"
    _auto = False
    _order = "report_date desc"
    _rec_name = "category_id"

    report_date = fields.Date(string="Reported On", readonly=True)
    project_id = fields.Many2one("csw.project", string="Estate", readonly=True)
    region = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    building = fields.Char(readonly=True)
    category_id = fields.Many2one("csw.defect.category", string="Defect Category", readonly=True)
    trade_id = fields.Many2one(
        "csw.defect.category", readonly=True, help="The top-level category of the defect's category (专业)."
    )
    subcontractor_id = fields.Many2one("res.partner", string="Responsible Unit", readonly=True)
    defect_count = fields.Integer(string="Defects", readonly=True)
    repeat_count = fields.Integer(string="Repeated Problems", readonly=True)
    reopened_count = fields.Integer(string="Reopened", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT o.id,
                       o.report_date,
                       o.project_id,
                       o.region,
                       o.company_id,
                       COALESCE(o.building, '') AS building,
                       o.category_id,
                       split_part(c.parent_path, '/', 1)::integer AS trade_id,
                       o.subcontractor_id,
                       1 AS defect_count,
                       CASE WHEN t.is_repeat THEN 1 ELSE 0 END AS repeat_count,
                       CASE WHEN o.reopen_count > 0 THEN 1 ELSE 0 END AS reopened_count
                  FROM csw_repair_order o
             LEFT JOIN csw_defect_category c ON c.id = o.category_id
             LEFT JOIN csw_ticket t ON t.id = o.ticket_id
                 WHERE o.state != 'cancelled'
            )
            """,
                SQL.identifier(self._table),
            )
        )
