from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools.misc import clean_context

from .csw_portal_chatter import PORTAL_THREADS, check_portal_message

# what an owner or a team may change of their own comment after posting it
PORTAL_EDITABLE_FIELDS = {"body", "attachment_ids"}


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        # owners and teams may create messages on their tickets and orders (read access is
        # enough to post there): only their own public comments, as message_post makes them
        if self.env.user.share and not self.env.su:
            # the author, the audience, the type: none comes from a client's default_ keys
            self = self.with_env(self.env(context=clean_context(self.env.context)))
        for vals in vals_list:
            check_portal_message(self.env, vals)
        return super().create(vals_list)

    def write(self, vals):
        # Odoo lets the author and every notified recipient write a message: on tickets and
        # repair orders an owner or a team edits only the text of their own comment
        if self.env.user.share and not self.env.su:
            mine = self.env.user.partner_id
            for message in self.filtered(lambda m: m.model in PORTAL_THREADS):
                if set(vals) - PORTAL_EDITABLE_FIELDS or message.author_id != mine or message.message_type != "comment":
                    raise AccessError(
                        self.env._("A message is not changed after it is posted, except the text of your own.")
                    )
        return super().write(vals)
