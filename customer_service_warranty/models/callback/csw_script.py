"""What the callback domain adds to csw.script: the callback scripts (回访话术).

A callback script is chosen by the callback's type, which the callback domain defines above
the scripts' ticket domain.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .csw_callback import CALLBACK_TYPES


class CswScript(models.Model):
    _inherit = "csw.script"

    callback_type = fields.Selection(CALLBACK_TYPES, help="The callbacks this script is read on.")

    @api.constrains("kind", "ticket_type", "callback_type")
    def _check_type(self):
        # script by script, each refused for its first missing type as when checked in one loop
        for script in self:
            super(CswScript, script)._check_type()
            if script.kind == "callback" and not script.callback_type:
                raise ValidationError(
                    self.env._("The callback script %(name)s needs a callback type.", name=script.name)
                )

    def _csw_type_fields(self):
        return {**super()._csw_type_fields(), "callback": "callback_type"}
