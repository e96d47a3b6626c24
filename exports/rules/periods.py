"""The one rule for export periods and the one reading of "a year or a range of dates".

The page's form, the API, the admin's trial form and the command line all call `parse_period`; each words its
problems in its own vocabulary (fields, JSON keys, options), but none of them guesses between a year and dates.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from exports.domain import Period

MAX_PERIOD_DAYS = 366
FIRST_YEAR = 2000


class PeriodOutOfBounds(ValueError):
    """A period the service does not export; the message says why, in the user's language."""


class PeriodProblem(StrEnum):
    """Why a request does not name one period."""

    BOTH = "both"
    NEITHER = "neither"
    NO_START = "no_start"
    NO_END = "no_end"


class PeriodNotChosen(ValueError):
    """A request that names no period, or two: a year and dates. `problems` says which; callers word them."""

    def __init__(self, problems: frozenset[PeriodProblem]) -> None:
        super().__init__(", ".join(sorted(problems)))
        self.problems = problems


def parse_period(
    *, year: int | None, date_from: dt.date | None, date_to: dt.date | None, today: dt.date | None = None
) -> Period:
    """The period a request names: a year, or a first and a last date, never both and never a guess.

    Raises PeriodNotChosen when it names none or both, PeriodOutOfBounds when the period breaks the rule.
    """
    has_range = date_from is not None or date_to is not None
    if year is not None and has_range:
        raise PeriodNotChosen(frozenset({PeriodProblem.BOTH}))
    if year is not None:
        return check_year(year, today=today)
    if date_from is None or date_to is None:
        if not has_range:
            raise PeriodNotChosen(frozenset({PeriodProblem.NEITHER}))
        missing = {PeriodProblem.NO_START} if date_from is None else set()
        raise PeriodNotChosen(frozenset(missing | ({PeriodProblem.NO_END} if date_to is None else set())))
    return check_period(date_from, end=date_to, today=today)


def last_year(today: dt.date | None = None) -> int:
    """The latest year a period may reach: next year (plans are sometimes registered ahead)."""
    return (today or timezone.localdate()).year + 1


def check_year(year: int, *, today: dt.date | None = None) -> Period:
    """The calendar year `year` as a period, or PeriodOutOfBounds."""
    _check_year(year, today)
    return Period.year(year)


def check_period(start: dt.date, *, end: dt.date, today: dt.date | None = None) -> Period:
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
        raise PeriodOutOfBounds(
            _("Choose dates in the years %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": latest}
        )
