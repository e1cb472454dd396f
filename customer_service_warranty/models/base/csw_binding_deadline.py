"""Deadlines that bind someone move only by an action with a reason (DOMAIN §6a).

A team's entry deadline decides its overdue flag, the substitute proposal and its penalty; a
callback's or a follow-up's deadline decides the agent's; the date the retention is held until
decides when the money is paid out. Those who are bound by a deadline must not move it by
editing the field: each model names its binding deadlines in ``_csw_binding_deadlines`` (field →
the group that may move it, extended with ``super()``), the protected-fields check refuses a
direct write once the deadline binds (``_csw_deadline_binds``), and *Move Deadline*
(``csw.deadline.move``) moves it after checking the rights and the model's own rule
(``_csw_check_deadline_move``), logging who moved what, from when to when, and why.
"""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "customer_service_warranty.group_csw_manager"


class CswBindingDeadline(models.AbstractModel):
    _inherit = "csw.workflow.mixin"

    def _csw_binding_deadlines(self):
        """``{field: the group that may move it}`` of the deadlines that bind someone."""
        return {}

    def _csw_deadline_binds(self, fname):
        """Whether ``fname`` binds someone on this record yet (else it is edited as any field)."""
        self.ensure_one()
        return True

    def _csw_deadline_mover_group(self, fname, value):
        """The group that may move ``fname`` of this record to ``value``."""
        return self._csw_binding_deadlines()[fname]

    def _csw_check_deadline_move(self, fname, value):
        """Model-specific refusals of a move (raise a UserError or ValidationError)."""

    def _csw_format_deadline(self, fname, value):
        if not value:
            return self.env._("none")
        if self._fields[fname].type == "date":
            return fields.Date.to_string(value)
        return self.env["csw.locale"]._format_datetime(value, self.company_id[:1])

    def _csw_move_deadline(self, fname, value, reason):
        """Move the binding deadline ``fname`` to ``value`` for ``reason`` and say so in the chatter.

        :raise AccessError: the user may not change the record, or may not move this deadline
        :raise UserError: no reason, no new deadline, or the model's own rule refuses the move
        """
        self.ensure_one()
        if fname not in self._csw_binding_deadlines():
            raise UserError(self.env._("This is not a deadline moved with a reason."))
        self.check_access("write")
        field = self._fields[fname]
        label = field._description_string(self.env)
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Say why %(deadline)s moves: the reason is kept in the chatter.", deadline=label)
            )
        value = field.convert_to_cache(value, self)
        if not value:
            raise UserError(self.env._("Enter the new %(deadline)s.", deadline=label))
        old = self[fname]
        if value == old:
            raise UserError(self.env._("The new %(deadline)s is the same as the current one.", deadline=label))
        group = self._csw_deadline_mover_group(fname, value)
        if group and not (self.env.su or self.env.user.has_group(group)):
            raise AccessError(
                self.env._(
                    "Only %(group)s may move %(deadline)s of %(record)s this far.",
                    group=self.env.ref(group).sudo().name,
                    deadline=label,
                    record=self._csw_reference(),
                )
            )
        self._csw_check_deadline_move(fname, value)
        self._csw_workflow_write({fname: value})
        self.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "%(deadline)s moved by %(user)s: %(old)s → %(new)s.",
                    deadline=label,
                    user=self.env.user.name,
                    old=self._csw_format_deadline(fname, old),
                    new=self._csw_format_deadline(fname, self[fname]),
                ),
                reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_csw_move_deadline(self):
        """Open *Move Deadline* for the deadline named by the button's context."""
        self.ensure_one()
        fname = self.env.context.get("csw_deadline_field")
        if fname not in self._csw_binding_deadlines():
            raise UserError(self.env._("This is not a deadline moved with a reason."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Move Deadline"),
            "res_model": "csw.deadline.move",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id, "default_field_name": fname},
        }
