"""The requested period of an API export, checked by the one period rule of the page and the command line."""

from __future__ import annotations

from django.utils.translation import gettext as _

from api.errors import ApiError
from api.schemas import StartExportIn
from exports.domain import Period
from exports.rules.periods import FIRST_YEAR, PeriodNotChosen, PeriodOutOfBounds, PeriodProblem, last_year, parse_period


def _invalid(fields: dict[str, list[str]]) -> ApiError:
    """A 422 answer naming the fields that are wrong."""
    return ApiError(422, code="invalid_period", message=_("The period is not valid."), fields=fields)


def requested_period(payload: StartExportIn) -> Period:
    """The period asked for: a year, or from and to; raises a 422 ApiError otherwise."""
    start, end = payload.date_from, payload.date_to
    try:
        return parse_period(year=payload.year, date_from=start, date_to=end)
    except PeriodNotChosen as exc:
        raise _invalid(_choice_problems(exc.problems)) from None
    except PeriodOutOfBounds as exc:
        if payload.year is not None:
            raise _invalid({"year": [str(exc)]}) from None
        field = "from" if start is not None and not FIRST_YEAR <= start.year <= last_year() else "to"
        raise _invalid({field: [str(exc)]}) from None


def _choice_problems(problems: frozenset[PeriodProblem]) -> dict[str, list[str]]:
    """The API's words, by JSON key, for a request that names no period or two."""
    if PeriodProblem.BOTH in problems:
        return {"year": [_("Give either a year or from and to, not both.")]}
    if PeriodProblem.NEITHER in problems:
        return {"year": [_("Give a year, or from and to.")]}
    fields: dict[str, list[str]] = {}
    if PeriodProblem.NO_START in problems:
        fields["from"] = [_("Enter the first date of the period.")]
    if PeriodProblem.NO_END in problems:
        fields["to"] = [_("Enter the last date of the period.")]
    return fields
