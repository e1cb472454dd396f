from dateutil.relativedelta import relativedelta

from odoo import fields, models

# Numbers of these documents restart every month: KF2026110001, KF2026110002, ...
# (客服 ticket, 维修 repair order, 扣款 deduction)
MONTHLY_SEQUENCES = {
    "csw.ticket": "KF",
    "csw.repair.order": "WX",
    "csw.deduction": "KK",
}


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    def _csw_company_sequence(self, code, company):
        """The company's own sequence for ``code``, created on first use."""
        sequence = self.sudo().search([("code", "=", code), ("company_id", "=", company.id)], limit=1)
        if not sequence:
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
        :param date_of: function giving the date a ``vals`` dict is numbered on (default today)
        """
        sequences = {}
        for vals in vals_list:
            if vals.get(field, "/") != "/":
                continue
            company = company_of(vals)
            if company not in sequences:
                sequences[company] = self._csw_company_sequence(code, company)
            vals[field] = sequences[company]._next(sequence_date=date_of(vals) if date_of else None)

    def _create_date_range_seq(self, date):
        if self.code not in MONTHLY_SEQUENCES:
            return super()._create_date_range_seq(date)
        first_day = fields.Date.to_date(date).replace(day=1)
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
