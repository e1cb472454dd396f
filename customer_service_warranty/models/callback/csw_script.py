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

    @api.constrains("kind", "callback_type")
    def _check_callback_type(self):
        for script in self:
            if script.kind == "callback" and not script.callback_type:
                raise ValidationError(
                    self.env._("The callback script %(name)s needs a callback type.", name=script.name)
                )

    def _csw_type_fields(self):
        return {**super()._csw_type_fields(), "callback": "callback_type"}
