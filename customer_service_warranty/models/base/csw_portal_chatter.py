"""What owners and teams may post in the chatter of their tickets and repair orders.

Tickets and repair orders let portal users post with read access (``_mail_post_access``),
so that the portal's chatter works. The ``/mail/message/post`` controller then posts in
sudo with the allowed parameters only and the recipients filtered to the followers; a
direct ``message_post`` over RPC has neither filter, nor has a ``mail.message`` created
directly. ``check_portal_post`` and ``check_portal_message`` apply the same limits to both:
a portal user posts as themselves, in public, to the followers.
"""

from odoo import Command
from odoo.exceptions import AccessError

# the documents portal users post on with read access
PORTAL_THREADS = ("csw.ticket", "csw.repair.order")

# the parameters of the portal's chatter (mail and portal controllers) and the author
PORTAL_POST_PARAMS = {
    "body",
    "body_is_html",
    "subject",
    "message_type",
    "subtype_xmlid",
    "subtype_id",
    "partner_ids",
    "attachment_ids",
    "parent_id",
    "email_add_signature",
    "author_id",
}


def check_portal_post(record, params):
    """Refuse a portal user's post that is not a public comment of their own to the followers.

    Internal users, the superuser and the public user (who reaches ``message_post`` only
    through the token-checked controllers) are not limited here.

    :param record: the ticket or repair order posted on
    :param dict params: the keyword arguments of ``message_post``
    :raise AccessError: naming what is refused; nothing is posted
    """
    env = record.env
    if not env.user._is_portal():
        return
    refused = sorted(set(params) - PORTAL_POST_PARAMS)
    if refused:
        raise AccessError(env._("You cannot post with %(params)s.", params=", ".join(refused)))
    Subtype = env["mail.message.subtype"].sudo()
    if params.get("subtype_xmlid"):
        subtype = env.ref(params["subtype_xmlid"], raise_if_not_found=False)
        subtype = subtype.sudo() if subtype and subtype._name == "mail.message.subtype" else Subtype
    else:
        subtype = Subtype.browse(params.get("subtype_id") or []).exists()
    _check_message(
        env,
        record._name,
        record.id,
        author_id=params.get("author_id"),
        message_type=params.get("message_type", "notification"),
        # without a subtype, message_post files the message as an internal note
        subtype=subtype,
        partner_ids=params.get("partner_ids") or [],
    )


def check_portal_message(env, vals):
    """Refuse a message a portal user creates on a ticket or repair order (outside sudo)
    unless it is a public comment of their own to the followers, as ``message_post`` makes it.

    :param dict vals: the values of the ``mail.message`` to create
    :raise AccessError: naming what is refused; nothing is created
    """
    if env.su or not env.user._is_portal() or vals.get("model") not in PORTAL_THREADS:
        return
    if vals.get("is_internal"):
        raise AccessError(env._("Internal notes are for the staff: post a message instead."))
    email_from = vals.get("email_from")
    if vals.get("author_guest_id") or (email_from and email_from != env.user.partner_id.email_formatted):
        raise AccessError(env._("You can post only in your own name."))
    partner_ids = []
    for command in vals.get("partner_ids") or []:
        if isinstance(command, int):
            partner_ids.append(command)
        elif command[0] == Command.LINK:
            partner_ids.append(command[1])
        elif command[0] == Command.SET:
            partner_ids.extend(command[2])
        else:
            raise AccessError(env._("You can only write to the followers of this document."))
    _check_message(
        env,
        vals["model"],
        vals.get("res_id"),
        author_id=vals.get("author_id"),
        message_type=vals.get("message_type", "comment"),
        subtype=env["mail.message.subtype"].sudo().browse(vals.get("subtype_id") or []).exists(),
        partner_ids=partner_ids,
    )


def _check_message(env, model, res_id, author_id, message_type, subtype, partner_ids):
    if author_id and author_id != env.user.partner_id.id:
        raise AccessError(env._("You can post only in your own name."))
    if message_type != "comment":
        raise AccessError(env._("You can only post comments."))
    if not subtype or subtype.internal:
        raise AccessError(env._("Internal notes are for the staff: post a message instead."))
    partner_ids = set(partner_ids)
    if partner_ids:
        followers = (
            env["mail.followers"]
            .sudo()
            .search([("res_model", "=", model), ("res_id", "=", res_id), ("partner_id", "in", list(partner_ids))])
            .partner_id
        )
        if partner_ids - set(followers.ids):
            raise AccessError(env._("You can only write to the followers of this document."))
