import functools

from babel.dates import format_skeleton

from odoo import api, models
from odoo.tools import format_datetime
from odoo.tools.misc import babel_locale_parse

# dates in messages and printed forms: to the minute, the same in every language
MESSAGE_DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


def company_locale(method):
    """Run a cron method in the language and time zone of the company (``csw.locale``)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        # a cron has no language; one run by hand or by the demo keeps its caller's
        return method(self.env["csw.locale"]._with_company_locale(self, keep_context=True), *args, **kwargs)

    return wrapper


class CswLocale(models.AbstractModel):
    """The language and time zone of what the addon writes by itself.

    Crons run as OdooBot without a language (English) in its time zone (Europe/Brussels):
    their notes, activities and printed notices take the company's instead.
    """

    _name = "csw.locale"
    _description = "Language and Time Zone of System Output"

    @api.model
    def _company_lang(self, company=None):
        """The company's language: its partner's, else the administrator's, else Chinese
        when installed; only installed languages count."""
        company = company or self.env.company
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        for lang in (company.partner_id.lang, admin and admin.lang, "zh_CN"):
            # English is the source language: always usable, even when not listed as installed
            if lang and (lang == "en_US" or lang in installed):
                return lang
        return "en_US"

    @api.model
    def _company_tz(self, company=None):
        """The company's time zone: its working calendar's, else its partner's, else UTC."""
        company = company or self.env.company
        return company.resource_calendar_id.tz or company.partner_id.tz or "UTC"

    @api.model
    def _with_company_locale(self, records, company=None, keep_context=False):
        """``records`` in the company's language and time zone (crons, install-time data).

        :param keep_context: keep the language and time zone of the context when it has them
        """
        company = company or self.env.company
        context = records.env.context if keep_context else {}
        return records.with_context(
            lang=context.get("lang") or self._company_lang(company),
            tz=context.get("tz") or self._company_tz(company),
        )

    @api.model
    def _format_datetime(self, value, company=None, tz=None):
        """A UTC datetime as the local time a reader of ``company`` expects, to the minute.

        A note is read by everyone of the company: it uses the company's time zone, not the
        zone of whoever (or whichever cron) wrote it.
        """
        if not value:
            return "-"
        return format_datetime(self.env, value, tz=tz or self._company_tz(company), dt_format=MESSAGE_DATETIME_FORMAT)

    @api.model
    def _format_month(self, value):
        """A month as its readers write it: 2026年11月 in Chinese, Nov 2026 in English."""
        if not value:
            return ""
        return format_skeleton("yMMM", value, locale=babel_locale_parse(self.env.lang or "en_US"))

    @api.model
    def _amount_in_capitals(self, amount):
        """The amount in Chinese capitals, as written on a charge notice (大写金额)."""
        return amount_in_chinese_capitals(amount)


CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
CAPITAL_UNITS = ("", "拾", "佰", "仟")
CAPITAL_GROUPS = ("", "万", "亿", "万亿")


def _capitals_below_10000(number):
    """1 to 9999: 1005 is 壹仟零伍, 1050 壹仟零伍拾 (one 零 for any run of zeros inside)."""
    text, zero = "", False
    for position in (3, 2, 1, 0):
        digit = number // 10**position % 10
        if not digit:
            zero = bool(text)
            continue
        if zero:
            text, zero = text + "零", False
        text += CAPITAL_DIGITS[digit] + CAPITAL_UNITS[position]
    return text


def amount_in_chinese_capitals(amount):
    """``2550`` → 人民币贰仟伍佰伍拾元整; ``1.05`` → 人民币壹元零伍分; ``100000`` → 人民币壹拾万元整."""
    cents = round(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            gap = True
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _capitals_below_10000(group) + CAPITAL_GROUPS[index]
        gap = False
    if text:
        text += "元"
    if not jiao and not fen:
        text = (text or "零元") + "整"
    else:
        if jiao:
            text += CAPITAL_DIGITS[jiao] + "角"
        elif text:
            text += "零"
        text += CAPITAL_DIGITS[fen] + "分" if fen else "整"
    return "人民币" + ("负" if amount < 0 else "") + text
