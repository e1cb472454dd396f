from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .csw_ticket_constants import TICKET_TYPES

SCRIPT_KINDS = [
    ("reply", "Standard Reply"),
    ("callback", "Callback Script"),
]


class CswScript(models.Model):
    """A standard reply to an owner (标准回复模板) per ticket type, or a callback script (回访话术)
    per callback type: shown on the ticket's or the callback's form while the agent talks to the owner.

    A company's own script of a type wins over the shared one (no company); the first by
    sequence is shown.
    """

    _name = "csw.script"
    _description = "Call Script / Standard Reply"
    _inherit = ["csw.workflow.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(SCRIPT_KINDS, required=True, default="reply")
    ticket_type = fields.Selection(TICKET_TYPES, help="The tickets this standard reply answers.")
    body = fields.Html(translate=True, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Leave empty to share the script with every company.")

    @api.constrains("kind", "ticket_type")
    def _check_type(self):
        for script in self:
            if script.kind == "reply" and not script.ticket_type:
                raise ValidationError(self.env._("The standard reply %(name)s needs a ticket type.", name=script.name))

    def _csw_type_fields(self):
        """``{kind: the type field the scripts of that kind are chosen by}``, extended with ``super()``."""
        return {"reply": "ticket_type"}

    @api.model
    def _bodies_by_type(self, kind, pairs):
        """The body to show for each (company id, type) of ``pairs``, in one search.

        A company's own script wins over the shared one; among them the first by sequence.
        """
        type_field = self._csw_type_fields()[kind]
        types = {type_ for _company, type_ in pairs if type_}
        if not types:
            return {}
        companies = {company for company, _type in pairs if company}
        scripts = self.search(
            [
                ("kind", "=", kind),
                (type_field, "in", list(types)),
                ("company_id", "in", [*companies, False]),
            ]
        )
        bodies = {}
        # shared first, then company-specific ones overwrite them; first by sequence wins in each
        for script in scripts.filtered(lambda s: not s.company_id)[::-1]:
            for company in companies | {False}:
                bodies[company, script[type_field]] = script.body
        for script in scripts.filtered("company_id")[::-1]:
            bodies[script.company_id.id, script[type_field]] = script.body
        return bodies
