from odoo import api, models

from .csw_portal_chatter import check_portal_message


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        # owners and teams may create messages on their tickets and orders (read access is
        # enough to post there): only their own public comments, as message_post makes them
        for vals in vals_list:
            check_portal_message(self.env, vals)
        return super().create(vals_list)
