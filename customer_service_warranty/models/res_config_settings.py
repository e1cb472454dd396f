from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    csw_heating_start_month = fields.Selection(related="company_id.csw_heating_start_month", readonly=False)
    csw_heating_start_day = fields.Integer(related="company_id.csw_heating_start_day", readonly=False)
    csw_heating_end_month = fields.Selection(related="company_id.csw_heating_end_month", readonly=False)
    csw_heating_end_day = fields.Integer(related="company_id.csw_heating_end_day", readonly=False)
    csw_cooling_start_month = fields.Selection(related="company_id.csw_cooling_start_month", readonly=False)
    csw_cooling_start_day = fields.Integer(related="company_id.csw_cooling_start_day", readonly=False)
    csw_cooling_end_month = fields.Selection(related="company_id.csw_cooling_end_month", readonly=False)
    csw_cooling_end_day = fields.Integer(related="company_id.csw_cooling_end_day", readonly=False)
