from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The portal's chatter is mail's code: its words ("The conversation is empty.", "Today
        at …") are translated on the owners' and teams' pages only with mail's translations."""
        return [*super()._get_translation_frontend_modules_name(), "mail"]
