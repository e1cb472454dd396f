from odoo import fields, models


def create_batched(model, vals_list):
    """``model.create(vals_list)`` for the records the system creates in bulk (a mail.thread model).

    mail.thread's create makes each record's assignee (``user_id``) a follower and e-mails them
    "you have been assigned", record by record: a dozen queries per record. Here the records
    are created without it, then the creator and the assignees follow their records with one
    set of queries per user, and the creation notes are logged in one batch, as the context
    asks (``mail_create_nosubscribe``, ``mail_create_nolog``). Nobody gets an e-mail per
    record: the assignees find the records in their lists and activities.
    """
    context = model.env.context
    if context.get("tracking_disable"):
        return model.create(vals_list)
    records = model.with_context(tracking_disable=True).create(vals_list).with_env(model.env)
    if not records:
        return records
    user = model.env.user
    if not context.get("mail_create_nosubscribe") and user.active:
        model.env["mail.followers"]._insert_followers(
            records._name, records.ids, user.partner_id.ids, customer_ids=[], check_existing=False
        )
    for assignee, assigned in records.grouped("user_id").items():
        if assignee:
            assigned.with_context(mail_auto_subscribe_no_notify=True)._message_auto_subscribe(
                {"user_id": assignee.id}, followers_existing_policy="update"
            )
    if not context.get("mail_create_nolog"):
        records._message_log_batch(bodies={record.id: record._creation_message() for record in records})
    return records


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
