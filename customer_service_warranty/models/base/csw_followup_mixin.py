from odoo import fields, models


class CswFollowUpMixin(models.AbstractModel):
    """Notes and to-dos on many records at once, for the crons (no query per record)."""

    _name = "csw.followup.mixin"
    _description = "Batch Follow-up"

    def _csw_note_and_todo(self, bodies, summary, user_of):
        """Log ``bodies`` on the records and schedule a to-do for each record's user.

        :param dict bodies: ``{record id: body}``
        :param str summary: the to-do's summary
        :param user_of: function giving the ``res.users`` of a record; records without
            a user get the note only
        """
        self._message_log_batch(bodies=bodies)
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        users = {record: user_of(record) for record in self}
        # each activity names its record: the names of the whole batch are computed here at once
        self.mapped("display_name")
        # quick update: no e-mail per activity, the assignees see them in their systray
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "user_id": user.id,
                    "date_deadline": today,
                }
                for record, user in users.items()
                if user
            ]
        )

    def _csw_escalate_once(self, domain, flag, body_of, summary, user_of):
        """Escalate the records of ``domain`` not yet flagged, once each: set ``flag``, log
        ``body_of(record)`` on each and give ``user_of(record)`` a to-do (``_csw_note_and_todo``).

        Set-based: one search, one write, one batch of notes and one of activities.

        :return: the records escalated now
        """
        records = self.sudo().search([*domain, (flag, "=", False)])
        if records:
            records.with_context(mail_notrack=True)._csw_workflow_write({flag: True})
            records._csw_note_and_todo({record.id: body_of(record) for record in records}, summary, user_of)
        return records
