"""The one rule for export periods, used by the page's form, the command line and the export service."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from exports.domain import Period

MAX_PERIOD_DAYS = 366
FIRST_YEAR = 2000


class PeriodOutOfBounds(ValueError):
    """A period the service does not export; the message says why, in the user's language."""


def last_year(today: dt.date | None = None) -> int:
    """The latest year a period may reach: next year (plans are sometimes registered ahead)."""
    return (today or timezone.localdate()).year + 1


def check_year(year: int, *, today: dt.date | None = None) -> Period:
    """The calendar year `year` as a period, or PeriodOutOfBounds."""
    _check_year(year, today)
    return Period.year(year)


def check_period(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Period:
    """The period from `start` to `end` (both inclusive), or PeriodOutOfBounds saying what is wrong."""
    _check_year(start.year, today)
    _check_year(end.year, today)
    if start > end:
        raise PeriodOutOfBounds(_("The last date must be on or after the first date."))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise PeriodOutOfBounds(_("A period can be at most %(days)s days long.") % {"days": MAX_PERIOD_DAYS})
    return Period(start, end)


def _check_year(year: int, today: dt.date | None) -> None:
    """Refuse years outside FIRST_YEAR..next year."""
    latest = last_year(today)
    if not FIRST_YEAR <= year <= latest:
        raise PeriodOutOfBounds(_("Choose dates in the years %(first)s to %(last)s.")
                                % {"first": FIRST_YEAR, "last": latest})
