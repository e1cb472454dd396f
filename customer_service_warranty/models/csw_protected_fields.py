"""Fields that only their actions change (DOMAIN §6a: the rules live in the model).

A workflow state, an approval trail, a posted link, a released retention, an SLA or
escalation field is changed by a button, which checks the rule behind it; writing the field
over the external API would skip the rule. Each model declares those fields once, in
``_csw_protected_fields`` (field → the action that changes it), and ``csw.protected.fields``,
mixed in front of the model below, refuses them in ``create`` and ``write`` before the
model's own code runs (only the input guard, which refuses values of the wrong type, runs
earlier): the refusal names the field and the action to use.

Who may still write them:

* the addon's own actions: they run inside ``csw_workflow()`` (``@workflow_action``), which
  sets a ``contextvars.ContextVar`` of the server thread. It is deliberately **not** a context
  key: over JSON-RPC the client sends the context of every call, so ``{"csw_workflow": True}``
  would let anyone through; a context variable cannot be set from a request;
* the superuser (``env.su``): data files and demo data, crons, the addon's ``sudo()`` code
  and the portal controllers' superuser environment. A client cannot get it over RPC.

The refusal is an ``AccessError`` (after the usual access check, so a user without write
access hears that first); a frozen field's refusal is a ``UserError``.

Besides, ``_csw_frozen_fields`` no longer change once a record has left its
``_csw_editable_states`` (a deduction's amounts once submitted) — for the superuser too —
and ``_csw_check_write`` lets a model refuse a write that would change a record whose
value is frozen elsewhere (the cost of a repair order already charged).
"""

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from .csw_state_mixin import in_workflow

MANAGER_GROUP = "customer_service_warranty.group_csw_manager"


class CswProtectedFields(models.AbstractModel):
    """Refuses direct create and write of the fields only the workflow changes.

    The bypass of the actions is a context variable of the server thread (``csw_workflow``),
    not a key of ``env.context``, which any JSON-RPC client fills as it likes.
    """

    _name = "csw.protected.fields"
    _description = "Fields Changed Only by Their Actions"

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su or in_workflow()):
            # Odoo adds the context's default_<field> values after this check: they are
            # checked as given values (security review H7)
            self._csw_check_protected_create(
                {
                    key.removeprefix("default_"): value
                    for key, value in self.env.context.items()
                    if key.startswith("default_") and key.removeprefix("default_") in self._csw_protected_fields
                }
            )
            for vals in vals_list:
                self._csw_check_protected_create(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self:
            # nothing to write, and nothing to run after it (L13: no global SLA refresh)
            return True
        if "state" in vals and self._csw_frozen_fields:
            # what is still to compute is computed in the state it was pending in, before it freezes
            self._recompute_recordset()
        if not in_workflow():
            if not self.env.su:
                self._csw_check_protected_write(vals)
                self._csw_check_binding_deadlines(vals)
            self._csw_check_frozen(vals)
            self._csw_check_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    def _csw_document(self):
        return self.env["ir.model"].sudo()._get(self._name).name

    def _csw_may_set_by_hand(self, fname):
        return fname in self._csw_manager_fields and self.env.user.has_group(MANAGER_GROUP)

    def _csw_check_protected_create(self, vals):
        for fname, value in vals.items():
            action = self._csw_protected_fields.get(fname)
            if (
                action is None
                or fname in self._csw_creatable_fields
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
        for fname, value in vals.items():
            action = self._csw_protected_fields.get(fname)
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

    def _csw_check_frozen(self, vals):
        frozen = [fname for fname in vals if fname in self._csw_frozen_fields]
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


class CswTicket(models.Model):
    _name = "csw.ticket"
    _inherit = ["csw.protected.fields", "csw.ticket"]


class CswIncident(models.Model):
    _name = "csw.incident"
    _inherit = ["csw.protected.fields", "csw.incident"]


class CswRepairOrder(models.Model):
    _name = "csw.repair.order"
    _inherit = ["csw.protected.fields", "csw.repair.order"]


class CswDeduction(models.Model):
    _name = "csw.deduction"
    _inherit = ["csw.protected.fields", "csw.deduction"]


class CswCallback(models.Model):
    _name = "csw.callback"
    _inherit = ["csw.protected.fields", "csw.callback"]


class CswSubcontract(models.Model):
    _name = "csw.subcontract"
    _inherit = ["csw.protected.fields", "csw.subcontract"]


class CswAssessment(models.Model):
    _name = "csw.assessment"
    _inherit = ["csw.protected.fields", "csw.assessment"]


class CswWeeklyReport(models.Model):
    _name = "csw.weekly.report"
    _inherit = ["csw.protected.fields", "csw.weekly.report"]


class CswMonthlyReport(models.Model):
    _name = "csw.monthly.report"
    _inherit = ["csw.protected.fields", "csw.monthly.report"]
