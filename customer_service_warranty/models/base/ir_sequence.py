from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL

# Numbers of these documents restart every month: KF2026110001, KF2026110002, ...
# (客服 ticket, 维修 repair order, 扣款 deduction, 事件 incident)
MONTHLY_SEQUENCES = {
    "csw.ticket": "KF",
    "csw.repair.order": "WX",
    "csw.deduction": "KK",
    "csw.incident": "SJ",
}


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    def _csw_serialize_creation(self, table, row_id):
        """Make two transactions creating the same lazy record one after the other.

        A no-op update of the parent row (the company of a new sequence, the sequence of a
        new monthly range): the second transaction waits for the first one, and once the
        first commits, PostgreSQL refuses the second one's update with a serialization
        failure, which Odoo's RPC and HTTP layers retry (``odoo.service.model.retrying``).
        The retried request sees the committed record and draws the next number from it,
        so there is never a second sequence or range, hence never a duplicate number. A
        unique index would not do: Odoo turns its violation into an error for the user.
        """
        self.env.cr.execute(SQL("UPDATE %s SET write_date = write_date WHERE id = %s", SQL.identifier(table), row_id))

    def _csw_company_sequence(self, code, company):
        """The company's own sequence for ``code``, created on first use."""
        sequence = self.sudo().search([("code", "=", code), ("company_id", "=", company.id)], limit=1)
        if not sequence:
            self._csw_serialize_creation("res_company", company.id)
            sequence = self.sudo().create(
                {
                    "name": f"{code} ({company.name})",
                    "code": code,
                    "company_id": company.id,
                    "prefix": MONTHLY_SEQUENCES[code] + "%(range_year)s%(range_month)s",
                    "padding": 4,
                    "use_date_range": True,
                }
            )
        return sequence

    def _csw_assign_numbers(self, vals_list, code, field, company_of, date_of=None):
        """Number the new records of ``vals_list`` that have none (``"/"``), in place.

        :param str code: sequence code, one sequence per company
        :param str field: the field holding the number
        :param company_of: function giving the company of a ``vals`` dict
        :param date_of: function giving the date a ``vals`` dict is numbered on (None or a None
            result: today)

        Set-based: one sequence look-up per company, one date-range look-up and one query
        drawing the numbers per date range (month) of the batch, whatever its size.
        """
        sequences, ranges, batches = {}, defaultdict(list), defaultdict(list)
        for vals in vals_list:
            if vals.get(field, "/") != "/":
                continue
            company = company_of(vals)
            if company not in sequences:
                sequences[company] = self._csw_company_sequence(code, company)
            sequence = sequences[company]
            day = (date_of and date_of(vals)) or self.env.context.get("ir_sequence_date", fields.Date.today())
            batches[sequence, sequence._csw_range_of(day, ranges[sequence])].append(vals)
        for (sequence, current), batch in batches.items():
            for vals, number in zip(batch, sequence._csw_next_numbers(current, len(batch)), strict=True):
                vals[field] = number

    def _csw_range_of(self, day, known):
        """The date range of this sequence holding ``day`` (the sequence itself when it has no
        date ranges), created when missing; ``known`` caches the ranges already found."""
        if not self.use_date_range:
            return self
        day = fields.Date.to_date(day)
        for date_range in known:
            if date_range.date_from <= day <= date_range.date_to:
                return date_range
        date_range = self._get_current_sequence(day)
        known.append(date_range)
        return date_range

    def _csw_next_numbers(self, current, count):
        """The next ``count`` numbers of this sequence in ``current`` (the sequence or one of
        its date ranges), formatted, as ``_next`` would give them one by one."""
        in_range = current._name == "ir.sequence.date_range"
        sequence = self.with_context(ir_sequence_date_range=current.date_from) if in_range else self
        if self.implementation != "standard":
            # a no-gap sequence locks its row for each number: Odoo's own path
            if in_range:
                return [current.with_context(ir_sequence_date_range=current.date_from)._next() for _n in range(count)]
            return [self._next_do() for _n in range(count)]
        name = f"ir_sequence_{self.id:03d}_{current.id:03d}" if in_range else f"ir_sequence_{self.id:03d}"
        self.env.cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", name, count))
        # get_next_char, with the prefix and suffix interpolated once for the batch
        prefix, suffix = sequence._get_prefix_suffix()
        return [
            f"{prefix}{number:0{self.padding}d}{suffix}" for number in sorted(row[0] for row in self.env.cr.fetchall())
        ]

    def _create_date_range_seq(self, date):
        if self.code not in MONTHLY_SEQUENCES:
            return super()._create_date_range_seq(date)
        first_day = fields.Date.to_date(date).replace(day=1)
        self._csw_serialize_creation("ir_sequence", self.id)
        return (
            self.env["ir.sequence.date_range"]
            .sudo()
            .create(
                {
                    "sequence_id": self.id,
                    "date_from": first_day,
                    "date_to": first_day + relativedelta(months=1, days=-1),
                }
            )
        )
