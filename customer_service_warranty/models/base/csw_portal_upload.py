"""Photos and documents owners and teams upload through the portal."""

import base64

from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype

ALLOWED_MIMETYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "application/pdf")
MAX_FILES = 10


def attachment_values(env, company, uploads, res_model):
    """Check portal uploads and return the values of their attachments.

    The type is read from the content, never from the file name: only images and PDF
    files are accepted, each at most the company's size limit, ten at a time.

    :param uploads: list of ``(file name, content bytes)``
    :raise UserError: naming the first file refused
    """
    limit_mb = company.csw_portal_upload_limit_mb
    uploads = [(name, content) for name, content in uploads if content]
    if len(uploads) > MAX_FILES:
        raise UserError(env._("Send at most %(count)s files at a time.", count=MAX_FILES))
    values = []
    for name, content in uploads:
        mimetype = guess_mimetype(content)
        if mimetype not in ALLOWED_MIMETYPES:
            raise UserError(
                env._("%(file)s is not a photo or a PDF file: only images and PDF files are accepted.", file=name)
            )
        if len(content) > limit_mb * 1024 * 1024:
            raise UserError(
                env._("%(file)s is larger than %(limit)s MB: send a smaller photo.", file=name, limit=limit_mb)
            )
        values.append(
            {
                "name": name or env._("photo"),
                "datas": base64.b64encode(content),
                "mimetype": mimetype,
                "res_model": res_model,
            }
        )
    return values
