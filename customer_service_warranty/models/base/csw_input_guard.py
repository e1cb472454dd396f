"""Values given to create and write are checked before the ORM sees them.

Only what Odoo 18 itself lets through is checked here; what the ORM already refuses with a
user-facing error (a missing record: MissingError or, over RPC, a foreign key violation
turned into a ValidationError; another company's record on a ``check_company`` field of a
record staying in its company: UserError) is left to it. Without this guard, Odoo answers
(``TestHostileInput.test_what_the_orm_alone_does_with_them`` keeps the list true):

- an unknown field, a text in an integer, float or date field, an unknown selection key,
  a non-list on a relation, a malformed date: a ValueError or TypeError, an internal error
  (HTTP 500 in the web client, "internal" for an integrator);
- an integer or an id beyond PostgreSQL's int4: the database refuses it, an internal error;
- NaN or infinity in an amount or a percentage, a NUL character in a text: an internal error;
- silent coercions, the record saved with another value than the one sent: a list saved as
  the text "['a', 'b']", 1.5 saved as 1 in an integer, an impossible time dropped from a
  date, an unknown x2many command ignored;
- an amount far beyond any after-sales amount, saved as it is (``MAX_NUMBER``: beyond it a
  float no longer keeps the cent);
- a record moved into a company the user does not work for: the record rules check a record
  before a write, not after, and ``check_company`` compares it with the target's company,
  which it follows (a unit written into another company's estate); on create, a partner or
  a user of such a company on a field without ``check_company``.

Each is refused first with a ValidationError naming the field (an AccessError for the
company). ``csw.workflow.mixin`` (csw_workflow_mixin.py), in every stored model of the addon,
runs these checks first in its create and write; the models complete their values
(numbering, defaults) in ``_csw_prepare_create``, after the checks.

Each kind of check was tried without the guard on Odoo 18.0: the ORM refuses none of them
cleanly, so none was dropped; the guard does not look for missing records, which the ORM
refuses itself.
"""

import math
from collections import defaultdict
from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.models import BaseModel, NewId

INT4_MAX = 2**31 - 1
# no after-sales amount or duration comes near this; beyond it floats lose the cent
MAX_NUMBER = 1e12
TEXT_TYPES = ("char", "text", "html")
X2MANY_TYPES = ("one2many", "many2many")


def _is_id(value):
    return isinstance(value, NewId) or (type(value) is int and 0 < value <= INT4_MAX)


def _valid_command(command):
    if _is_id(command):
        return True
    if not isinstance(command, (list, tuple)) or not command or type(command[0]) not in (int, fields.Command):
        return False
    code, rest = command[0], [*command[1:], None, None]
    if code == fields.Command.CREATE:
        return isinstance(rest[1], dict)
    if code == fields.Command.UPDATE:
        return _is_id(rest[0]) and isinstance(rest[1], dict)
    if code in (fields.Command.DELETE, fields.Command.UNLINK, fields.Command.LINK):
        return _is_id(rest[0])
    if code == fields.Command.CLEAR:
        return True
    if code == fields.Command.SET:
        return isinstance(rest[1], (list, tuple, BaseModel)) and all(_is_id(i) for i in rest[1])
    return False


def _valid(model, field, value):
    """Whether ``value`` can be stored in ``field`` as it is, or as Odoo converts it without loss."""
    if value is False or value is None:
        return True
    kind = field.type
    if kind in TEXT_TYPES:
        # PostgreSQL stores no NUL character in a text
        return isinstance(value, str) and "\x00" not in value
    if kind == "selection":
        return isinstance(value, str) and value in field.get_values(model.env)
    if kind == "integer":
        return type(value) in (int, bool) and -INT4_MAX - 1 <= value <= INT4_MAX
    if kind in ("float", "monetary"):
        return type(value) in (int, float, bool) and math.isfinite(value) and abs(value) <= MAX_NUMBER
    if kind in ("date", "datetime"):
        if isinstance(value, date):
            return True
        if not isinstance(value, str):
            return False
        try:
            # a date field keeps the date of a datetime string, whose time must be valid too
            (fields.Date.to_date if kind == "date" and len(value) <= 10 else fields.Datetime.to_datetime)(value)
        except (ValueError, TypeError):
            return False
        return True
    if kind == "many2one":
        return _is_id(value) or isinstance(value, BaseModel)
    if kind in X2MANY_TYPES:
        return isinstance(value, BaseModel) or (
            isinstance(value, (list, tuple)) and all(_valid_command(command) for command in value)
        )
    return True


def check_values(model, vals):
    """Raise a ValidationError on the first value of ``vals`` its field cannot take; return ``vals``."""
    return check_values_list(model, [vals])[0]


def check_values_list(model, vals_list):
    """``check_values`` for a batch of ``create``: a few queries for the batch, not per record."""
    for vals in vals_list:
        _check_types(model, vals)
    if not model.env.su:
        _check_companies_in_reach(model, vals_list)
    return vals_list


def _check_types(model, vals):
    for name, value in vals.items():
        field = model._fields.get(name)
        if field is None:
            raise ValidationError(
                model.env._("%(model)s has no field %(field)s.", model=model._description, field=name)
            )
        if not _valid(model, field, value):
            text = repr(value)
            raise ValidationError(
                model.env._(
                    "%(field)s (%(name)s): %(value)s is not a valid value.",
                    field=field._description_string(model.env),
                    name=name,
                    value=text if len(text) <= 60 else text[:57] + "...",
                )
            )


def _check_companies_in_reach(model, vals_list):
    """A user may only point to records of the companies they work for.

    check_company compares the record's company with the target's, so a unit moved into
    another company's estate would follow it there: the user's companies decide instead.
    The targets of each field are read at once for the whole batch.
    """
    allowed = model.env.user.company_ids
    targets = defaultdict(set)
    for vals in vals_list:
        for name, value in vals.items():
            field = model._fields[name]
            if field.type != "many2one" or not _is_id(value):
                continue
            comodel = model.env[field.comodel_name]
            if field.comodel_name == "res.company" or (
                "company_id" in comodel._fields and comodel._fields["company_id"].store
            ):
                targets[name].add(value)
    for name, ids in targets.items():
        field = model._fields[name]
        for target in model.env[field.comodel_name].sudo().browse(ids).exists():
            # the record rules check a record before a write, not after: moving it to another
            # company is refused here
            company = target if target._name == "res.company" else target.company_id
            if company and company not in allowed:
                raise AccessError(
                    model.env._(
                        "%(field)s: the record %(id)s belongs to a company you do not work for.",
                        field=field._description_string(model.env),
                        id=target.id,
                    )
                )
