from odoo import models
from odoo.exceptions import UserError


class CswStateMixin(models.AbstractModel):
    """Refuses a workflow action on records that are not in a state allowing it."""

    _name = "csw.state.mixin"
    _description = "Workflow State Check"

    def _csw_reference(self):
        """How users name the record in messages (its number)."""
        self.ensure_one()
        return self.display_name

    def _check_state_in(self, allowed, action):
        """Raise a clear error naming the first record whose state is not in ``allowed``.

        :param tuple allowed: states from which the action may run
        :param str action: the action, translated, as in "it cannot be <action>"
        """
        refused = self.filtered(lambda record: record.state not in allowed)[:1]
        if refused:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(document)s %(reference)s is %(state)s: it cannot be %(action)s.",
                    document=self.env["ir.model"].sudo()._get(self._name).name,
                    reference=refused._csw_reference(),
                    state=states[refused.state],
                    action=action,
                )
            )
