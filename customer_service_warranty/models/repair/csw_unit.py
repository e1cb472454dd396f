"""What the repair domain adds to csw.unit: its repair orders and the inspection defects still open.

The unit is estate master data and knows nothing of repairs; the unit form lists them, so
the relations live here, with the repair orders.
"""

from odoo import fields, models

from .csw_repair_order import UNFINISHED_REPAIR_STATES


class CswUnit(models.Model):
    _inherit = "csw.unit"

    repair_order_ids = fields.One2many("csw.repair.order", "unit_id", string="Repair Orders")
    open_inspection_order_ids = fields.One2many(
        "csw.repair.order",
        "unit_id",
        string="Open Inspection Defects",
        domain=[("source", "in", ("pre_delivery", "handover")), ("state", "in", UNFINISHED_REPAIR_STATES)],
        help="Defects found at the pre-delivery or handover inspection and not yet repaired.",
    )
