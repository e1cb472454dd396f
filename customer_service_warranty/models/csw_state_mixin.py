import contextvars
import functools
from contextlib import contextmanager

from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context

# Set only by the model code below (``csw_workflow``/``workflow_action``), never from a request:
# see CswProtectedFields in csw_protected_fields.py for why it is not a context key.
_WORKFLOW = contextvars.ContextVar("csw_workflow", default=False)


@contextmanager
def csw_workflow():
    """Inside this block the addon's own code may write the protected fields."""
    token = _WORKFLOW.set(True)
    try:
        yield
    finally:
        _WORKFLOW.reset(token)


def in_workflow():
    """Whether the running code is a workflow action of the addon (see ``csw_workflow``)."""
    return _WORKFLOW.get()


def workflow_action(method):
    """Decorate an action (a button) that changes protected fields: it runs in ``csw_workflow``.

    It runs without the caller's ``default_<field>`` context keys, which would otherwise fill
    the records it creates (a deduction, a credit note, a notice) with the caller's values.
    """

    @functools.wraps(method)
    def action(self, *args, **kwargs):
        with csw_workflow():
            return method(self.with_env(self.env(context=clean_context(self.env.context))), *args, **kwargs)

    return action


class CswStateMixin(models.AbstractModel):
    """Refuses a workflow action on records that are not in a state allowing it.

    The models also declare here which fields only their actions change; the checks are
    in ``csw.protected.fields`` (csw_protected_fields.py), in front of each model.
    """

    _name = "csw.state.mixin"
    _description = "Workflow State Check"

    # {field: the action or button that changes it (a lazy translation)}: refused to direct
    # create and write, except to the actions (``workflow_action``) and the superuser
    _csw_protected_fields = {}
    # protected fields a user may still give when creating the record (never change after)
    _csw_creatable_fields = frozenset()
    # protected fields a CS manager may set by hand
    _csw_manager_fields = frozenset()
    # fields that no longer change once the record has left these states (superuser included)
    _csw_frozen_fields = frozenset()
    _csw_editable_states = ("draft",)

    def _csw_reference(self):
        """How users name the record in messages (its number)."""
        self.ensure_one()
        return self.display_name

    def _csw_check_write(self, vals):
        """Model-specific refusals of a direct write, called before anything is written."""

    def _check_state_in(self, allowed, action):
        """Raise a clear error naming the first record whose state is not in ``allowed``.

        An empty recordset is refused too: an action needs the records it works on.

        :param tuple allowed: states from which the action may run
        :param str action: the action, translated, as in "it cannot be <action>"
        """
        if not self:
            raise UserError(
                self.env._(
                    "No %(document)s was given: nothing can be %(action)s.",
                    document=self.env["ir.model"].sudo()._get(self._name).name,
                    action=action,
                )
            )
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
