"""What owners and teams may post in the chatter of their tickets and repair orders.

Tickets and repair orders let portal users post with read access (``_mail_post_access``),
so that the portal's chatter works. The ``/mail/message/post`` controller then posts in
sudo with the allowed parameters only and the recipients filtered to the followers; a
direct ``message_post`` over RPC has neither filter. ``check_portal_post`` applies the
same limits to every post by a portal user: as themselves, in public, to the followers.
"""

from odoo.exceptions import AccessError

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
    user = env.user
    if not user._is_portal():
        return
    refused = sorted(set(params) - PORTAL_POST_PARAMS)
    if refused:
        raise AccessError(env._("You cannot post with %(params)s.", params=", ".join(refused)))
    author_id = params.get("author_id")
    if author_id and author_id != user.partner_id.id:
        raise AccessError(env._("You can post only in your own name."))
    if params.get("message_type", "notification") != "comment":
        raise AccessError(env._("You can only post comments."))
    Subtype = env["mail.message.subtype"].sudo()
    if params.get("subtype_xmlid"):
        subtype = env.ref(params["subtype_xmlid"], raise_if_not_found=False)
        subtype = subtype if subtype and subtype._name == "mail.message.subtype" else Subtype
    else:
        subtype = Subtype.browse(params.get("subtype_id") or []).exists()
    # without a subtype, message_post files the message as an internal note
    if not subtype or subtype.sudo().internal:
        raise AccessError(env._("Internal notes are for the staff: post a message instead."))
    partner_ids = set(params.get("partner_ids") or [])
    if partner_ids:
        followers = (
            env["mail.followers"]
            .sudo()
            .search(
                [("res_model", "=", record._name), ("res_id", "=", record.id), ("partner_id", "in", list(partner_ids))]
            )
            .partner_id
        )
        if partner_ids - set(followers.ids):
            raise AccessError(env._("You can only write to the followers of this document."))
