"""The warranty clock: when a warranty period that starts on a given day ends.

This is the one place where warranty periods are turned into dates. Both clocks
of the product use it:

* the owner's coverage starts on the unit's handover date (the developer's
  warranty to the buyer);
* the subcontractor's liability starts on the estate's completion-acceptance
  date (the contractor's warranty to the developer).

Periods are counted as the Civil Code of the PRC counts them (Art. 201-203): the
day the clock starts is not counted, and a period of years or months ends on the
corresponding day of the last month, or on that month's last day when it has no
corresponding day (a period starting on 29 February ends on 28 February of a
common year). The returned end date is the last day still covered.

A period of heating or cooling seasons ends on the last day of the N-th *full*
season after the clock starts: a season that began before the start date does
not count, a season that begins on the start date does.
"""

import calendar
from datetime import date

from dateutil.relativedelta import relativedelta

PERIOD_TYPES = [
    ("years", "Years"),
    ("months", "Months"),
    ("heating_seasons", "Heating seasons"),
    ("cooling_seasons", "Cooling seasons"),
    ("design_life", "Design service life"),
]

IN_WARRANTY = "in_warranty"
EXPIRED = "expired"


def _day_in_year(year, month, day):
    """The date (year, month, day), on the month's last day when it has no such day."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def season_bounds(year, season):
    """First and last day of the season that starts in ``year``.

    :param season: ``(start_month, start_day, end_month, end_day)``; a season
        whose end comes before its start in the calendar ends the next year
        (a heating season from 15 November to 15 March).
    """
    start_month, start_day, end_month, end_day = season
    first = _day_in_year(year, start_month, start_day)
    end_year = year if (end_month, end_day) >= (start_month, start_day) else year + 1
    return first, _day_in_year(end_year, end_month, end_day)


def warranty_end(start, period_type, value, design_life_years=None, seasons=None):
    """Last covered day of a warranty period that starts on ``start``.

    :param date start: the day the clock starts (handover or completion acceptance)
    :param str period_type: one of :data:`PERIOD_TYPES`
    :param int value: number of years, months or seasons (ignored for design life)
    :param int design_life_years: the estate's design service life, for ``design_life``
    :param dict seasons: ``{"heating_seasons": season, "cooling_seasons": season}``
        with ``season`` as :func:`season_bounds` takes it
    :return: the end date, or ``None`` when the clock has not started
    """
    if not start:
        return None
    if period_type == "years":
        return start + relativedelta(years=value)
    if period_type == "months":
        return start + relativedelta(months=value)
    if period_type == "design_life":
        if not design_life_years:
            raise ValueError("a design-life period needs the design service life")
        return start + relativedelta(years=design_life_years)
    if period_type in ("heating_seasons", "cooling_seasons"):
        season = seasons[period_type]
        first_year = start.year
        if season_bounds(first_year, season)[0] < start:
            first_year += 1
        return season_bounds(first_year + value - 1, season)[1]
    raise ValueError(f"unknown warranty period type {period_type!r}")


def coverage_on(end, on_date):
    """``in_warranty`` when ``on_date`` is covered by a period ending on ``end``.

    A clock that has not started (no end date) covers everything: before
    handover, the developer answers for every defect.
    """
    if end is None or on_date <= end:
        return IN_WARRANTY
    return EXPIRED


def period_in_months(period_type, value):
    """Length of a period in months, for the calendar period types only."""
    if period_type == "years":
        return value * 12
    if period_type == "months":
        return value
    return None
