"""The workflow layer of the addon's models: their buttons are the only door (DOMAIN §6a).

A workflow state, an approval trail, a posted link, a released retention, an SLA or
escalation field is changed by an action, which checks the rule behind it; writing the field
over the external API would skip the rule. ``csw.workflow.mixin``, in each model's own
``_inherit``, is that layer:

* the values of ``create`` and ``write`` are checked first (``csw_input_guard``: a value of
  the wrong type, an unknown field, another company's record is refused with a clear error);
* ``_csw_protected_fields()`` names the fields only actions change (field → the action to
  use), extended with ``super()`` by each model and by every module that adds such a field;
  ``create`` and ``write`` refuse them to every user but the superuser (data files, crons, the
  portal controllers' ``sudo()``), and so are the caller's ``default_<field>`` context keys;
* an action writes those fields through one private door, ``_csw_workflow_write`` and
  ``_csw_workflow_create``, after its own checks of rights and state. The door is a context
  value naming the model, the records and the fields it opens for: a client sends only JSON in
  the context, never this object, and the door does not open for any other record or field
  than the action named (``write_uid`` and the chatter author stay the user);
* ``_csw_frozen_fields()`` no longer change once a record has left ``_csw_editable_states``
  (for the superuser too), and ``_csw_check_write`` lets a model refuse a write that would
  change what is frozen elsewhere;
* each model's state machine is one table, ``_csw_transitions()`` (action → the states it
  leaves, the state it enters, the verb of its refusal), and one method, ``_csw_transition``:
  it checks the states, then writes the new state through the door; the side effects of a
  state are the model's named hooks, run by its ``write``.

The refusal of a protected field is an ``AccessError`` (after the usual access check, so a
user without write access hears that first); a frozen field's refusal is a ``UserError``.
"""

from dataclasses import dataclass
from typing import NamedTuple

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import clean_context

from . import csw_input_guard
from .batch_create import with_empty_inputs

MANAGER_GROUP = "customer_service_warranty.group_csw_manager"
DOOR_KEY = "csw_workflow_door"


@dataclass(frozen=True)
class _Door:
    """What an action opened: ``fields`` of the records ``ids`` of ``model`` (``ids`` is None
    for records the action creates)."""

    model: str
    ids: frozenset | None
    fields: frozenset


def open_door(records, fnames, creating=False):
    """``records`` in an environment where ``fnames`` may be written (or given, ``creating``).

    Only the model code calls it, after the action's own checks; over RPC the context is JSON
    and cannot hold a ``_Door``.
    """
    door = _Door(records._name, None if creating else frozenset(records.ids), frozenset(fnames))
    return records.with_context(**{DOOR_KEY: door})


def door_admits(records, fnames, creating=False):
    """Whether an action opened the door for ``fnames`` of ``records``."""
    door = records.env.context.get(DOOR_KEY)
    return (
        isinstance(door, _Door)
        and door.model == records._name
        and (door.ids is None if creating else door.ids is not None and door.ids.issuperset(records.ids))
        and door.fields.issuperset(fnames)
    )


class Transition(NamedTuple):
    """A row of a model's state machine."""

    sources: tuple  # the states the action leaves (a named state set)
    target: str | None  # the state it enters; None: it stays (the action changes other fields)
    verb: object  # a lazy translation, as in "it cannot be <verb>"


class CswWorkflowMixin(models.AbstractModel):
    _name = "csw.workflow.mixin"
    _description = "Workflow Rules"

    # the states in which the frozen fields still change
    _csw_editable_states = ("draft",)
    # the field numbered from the company's monthly sequence (its code: the model's name)
    _csw_number_field = None
    # the inputs of precomputed fields, given their defaults once for a whole batch of create
    _csw_prefilled_fields = ()

    # ------------------------------------------------------------------
    # what each model declares, extended with super()
    # ------------------------------------------------------------------
    def _csw_protected_fields(self):
        """``{field: the action that changes it (a lazy translation)}``: refused to direct
        create and write, except through the actions' door and to the superuser."""
        return {}

    def _csw_creatable_fields(self):
        """Protected fields a user may still give when creating the record (never change after)."""
        return frozenset()

    def _csw_manager_fields(self):
        """Protected fields a CS manager may set by hand."""
        return frozenset()

    def _csw_frozen_fields(self):
        """Fields that no longer change once the record has left ``_csw_editable_states``."""
        return frozenset()

    def _csw_check_write(self, vals):
        """Model-specific refusals of a direct write, called before anything is written."""

    def _csw_prepare_create(self, vals_list):
        """Complete the checked values of new records; return them. Here: the inputs of the
        precomputed fields for the batch, then the numbers (a few queries per batch)."""
        if self._csw_prefilled_fields:
            with_empty_inputs(self, vals_list, self._csw_prefilled_fields)
        if self._csw_number_field:
            self.env["ir.sequence"]._csw_assign_numbers(
                vals_list, self._name, self._csw_number_field, self._csw_number_company, self._csw_number_date
            )
        return vals_list

    def _csw_number_company(self, vals):
        """The company whose sequence numbers a new record, from its values."""
        return self.env.company

    def _csw_number_date(self, vals):
        """The day a new record is numbered on (its month's range); None: today."""
        return None

    def _csw_reference(self):
        """How users name the record in messages (its number)."""
        self.ensure_one()
        return self.display_name

    # ------------------------------------------------------------------
    # the door
    # ------------------------------------------------------------------
    def _csw_workflow_write(self, vals):
        """Write fields only actions change, after the action's own checks."""
        return open_door(self, vals).write(vals)

    def _csw_workflow_create(self, vals_list):
        """Create records with fields only actions give, after the action's own checks; the
        caller's ``default_<field>`` context keys give them nothing."""
        # replaced, not merged: the default_ keys are dropped
        model = self.with_env(self.env(context=clean_context(self.env.context)))
        return open_door(model, {fname for vals in vals_list for fname in vals}, creating=True).create(vals_list)

    # ------------------------------------------------------------------
    # create and write
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        csw_input_guard.check_values_list(self, vals_list)
        if not self.env.su:
            protected = self._csw_protected_fields()
            # Odoo adds the context's default_<field> values after this check: they are
            # checked as given values (security review H7)
            defaults = {
                key.removeprefix("default_"): value
                for key, value in self.env.context.items()
                if key.startswith("default_") and key.removeprefix("default_") in protected
            }
            self._csw_check_protected_create(defaults, protected, by_door=False)
            for vals in vals_list:
                self._csw_check_protected_create(vals, protected, by_door=door_admits(self, vals, creating=True))
        return super().create(self._csw_prepare_create(vals_list))

    def write(self, vals):
        if not self:
            # nothing to write, and nothing to run after it (L13: no global SLA refresh)
            return True
        csw_input_guard.check_values(self, vals)
        frozen = self._csw_frozen_fields()
        if "state" in vals and frozen:
            # what is still to compute is computed in the state it was pending in, before it freezes
            self._recompute_recordset()
        if not door_admits(self, vals):
            if not self.env.su:
                self._csw_check_protected_write(vals)
                self._csw_check_binding_deadlines(vals)
            self._csw_check_frozen(vals, frozen)
            self._csw_check_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    def _csw_document(self):
        return self.env["ir.model"].sudo()._get(self._name).name

    def _csw_may_set_by_hand(self, fname):
        return fname in self._csw_manager_fields() and self.env.user.has_group(MANAGER_GROUP)

    def _csw_check_protected_create(self, vals, protected, by_door):
        creatable = self._csw_creatable_fields()
        for fname, value in vals.items():
            action = protected.get(fname)
            if (
                action is None
                or by_door
                or fname in creatable
                or self._csw_may_set_by_hand(fname)
                or self._csw_is_default(fname, value)
            ):
                continue
            # who may not create at all hears that first
            self.check_access("create")
            raise AccessError(
                self.env._(
                    "%(field)s of a new %(document)s cannot be given: it is set by %(action)s.",
                    field=self._fields[fname]._description_string(self.env),
                    document=self._csw_document(),
                    action=self.env._(action),
                )
            )

    def _csw_check_protected_write(self, vals):
        protected = self._csw_protected_fields()
        for fname, value in vals.items():
            action = protected.get(fname)
            if action is None or self._csw_may_set_by_hand(fname) or self._csw_unchanged(fname, value):
                continue
            # who may not write at all hears that first
            self.check_access("write")
            raise AccessError(
                self.env._(
                    "%(field)s of %(document)s %(reference)s cannot be written directly: "
                    "it changes only through %(action)s.",
                    field=self._fields[fname]._description_string(self.env),
                    document=self._csw_document(),
                    reference=self[:1]._csw_reference(),
                    action=self.env._(action),
                )
            )

    def _csw_check_binding_deadlines(self, vals):
        """A deadline that binds someone is moved by Move Deadline, with a reason, not written."""
        for fname in set(vals) & set(self._csw_binding_deadlines()):
            bound = self.filtered(lambda record, fname=fname: record._csw_deadline_binds(fname))
            if bound and not bound._csw_unchanged(fname, vals[fname]):
                raise UserError(
                    self.env._(
                        "%(field)s of %(document)s %(reference)s binds someone: it moves only with the Move "
                        "button and a reason.",
                        field=self._fields[fname]._description_string(self.env),
                        document=self._csw_document(),
                        reference=bound[:1]._csw_reference(),
                    )
                )

    def _csw_check_frozen(self, vals, frozen):
        frozen = [fname for fname in vals if fname in frozen]
        if not frozen:
            return
        locked = self.filtered(lambda record: record.state not in self._csw_editable_states)
        for fname in frozen:
            if locked and not locked._csw_unchanged(fname, vals[fname]):
                record = locked[:1]
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "%(document)s %(reference)s is %(state)s: its %(field)s no longer changes "
                        "(only while %(editable)s).",
                        document=self._csw_document(),
                        reference=record._csw_reference(),
                        state=states[record.state],
                        field=self._fields[fname]._description_string(self.env),
                        editable=", ".join(states[state] for state in self._csw_editable_states),
                    )
                )

    def _csw_is_default(self, fname, value):
        """Whether ``value`` given at creation is what the record would get anyway."""
        if not value:
            return True
        field = self._fields[fname]
        if field.type in ("one2many", "many2many") or not field.default:
            return False
        try:
            return value == field.default(self)
        except (TypeError, ValueError, OverflowError):
            return False

    def _csw_unchanged(self, fname, value):
        """Whether writing ``value`` leaves ``fname`` as it is on every record of ``self``
        (a client may send back the values it read)."""
        field = self._fields[fname]
        if field.type in ("one2many", "many2many"):
            return False
        try:
            return all(field.convert_to_record(field.convert_to_cache(value, rec), rec) == rec[fname] for rec in self)
        except (TypeError, ValueError, OverflowError):
            return False

    # ------------------------------------------------------------------
    # states
    # ------------------------------------------------------------------
    def _csw_transitions(self):
        """``{action: Transition}``: the state machine of the model, extended with ``super()``."""
        return {}

    def _csw_check_transition(self, action):
        """Refuse ``action`` on records whose state it does not leave; return its row."""
        transition = self._csw_transitions()[action]
        self._check_state_in(transition.sources, self.env._(transition.verb))
        return transition

    def _csw_transition(self, action, values=None):
        """Run ``action`` of the state machine: check the states, then write the new state and
        ``values`` through the door (the caller has checked the rights)."""
        transition = self._csw_check_transition(action)
        values = dict(values or {})
        if transition.target:
            values["state"] = transition.target
        self._csw_workflow_write(values)
        return True

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
                    document=self._csw_document(),
                    action=action,
                )
            )
        refused = self.filtered(lambda record: record.state not in allowed)[:1]
        if refused:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(document)s %(reference)s is %(state)s: it cannot be %(action)s.",
                    document=self._csw_document(),
                    reference=refused._csw_reference(),
                    state=states[refused.state],
                    action=action,
                )
            )
