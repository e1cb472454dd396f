"""Creating records by the thousand (imports, planners, crons): the ORM's batch ``create``
without the per-record work that mail.thread and new records otherwise cost."""

from collections import defaultdict


def create_batched(model, vals_list):
    """``model.create(vals_list)`` for the records the system creates in bulk (a mail.thread model).

    mail.thread's create makes each record's assignee (``user_id``) a follower and e-mails them
    "you have been assigned", record by record: a dozen queries per record. Here the records
    are created without it, then the creator and the assignees follow their records with a
    few INSERTs per set of followers, and the creation notes are logged in one batch, as the
    context asks (``mail_create_nosubscribe``, ``mail_create_nolog``). Nobody gets an e-mail
    per record: the assignees find the records in their lists and activities.

    The records are new, so nobody follows them yet: the followers are inserted without
    looking for existing ones (that look-up reads every record an agent follows, hundreds
    of thousands after a few years).
    """
    context = model.env.context
    if context.get("tracking_disable"):
        return model.create(vals_list)
    records = model.with_context(tracking_disable=True).create(vals_list).with_env(model.env)
    if not records:
        return records
    user = model.env.user
    creator = user.partner_id if not context.get("mail_create_nosubscribe") and user.active else None
    by_followers = defaultdict(list)
    for assignee, assigned in records.grouped("user_id").items():
        follower = assignee.partner_id if assignee.active else None
        partners = {partner.id for partner in (creator, follower) if partner}
        by_followers[frozenset(partners)].extend(assigned.ids)
    for partner_ids, record_ids in by_followers.items():
        if partner_ids:
            model.env["mail.followers"]._insert_followers(
                records._name, record_ids, list(partner_ids), customer_ids=[], check_existing=False
            )
    if not context.get("mail_create_nolog"):
        records._message_log_batch(bodies={record.id: record._creation_message() for record in records})
    return records


def with_empty_inputs(model, vals_list, fnames):
    """``vals_list`` given a value for ``fnames``, the fields the precomputed fields of
    ``model`` read on the new records: their defaults, else empty.

    A new record looks up the default of each stored field read before insertion with one
    ``default_get`` per record and field; here the defaults are read once for the batch.
    """
    defaults = model.default_get(list(fnames))
    for vals in vals_list:
        for fname in fnames:
            if fname not in vals:
                vals[fname] = defaults.get(fname, False)
    return vals_list
