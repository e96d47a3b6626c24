"""The requested period of an API export, checked by the one period rule of the page and the command line."""
from __future__ import annotations

from django.utils.translation import gettext as _

from api.errors import ApiError
from api.schemas import StartExportIn
from exports.domain import Period
from exports.rules.periods import FIRST_YEAR, PeriodOutOfBounds, check_period, check_year, last_year


def _invalid(fields: dict[str, list[str]]) -> ApiError:
    """A 422 answer naming the fields that are wrong."""
    return ApiError(422, code="invalid_period", message=_("The period is not valid."), fields=fields)


def requested_period(payload: StartExportIn) -> Period:
    """The period asked for: a year, or from and to; raises a 422 ApiError otherwise."""
    start, end = payload.date_from, payload.date_to
    has_range = start is not None or end is not None
    if payload.year is not None and has_range:
        raise _invalid({"year": [_("Give either a year or from and to, not both.")]})
    if payload.year is not None:
        try:
            return check_year(payload.year)
        except PeriodOutOfBounds as exc:
            raise _invalid({"year": [str(exc)]}) from None
    if start is None or end is None:
        fields = {"from": [_("Enter the first date of the period.")]} if start is None else {}
        if end is None:
            fields["to"] = [_("Enter the last date of the period.")]
        if not has_range:
            fields = {"year": [_("Give a year, or from and to.")]}
        raise _invalid(fields)
    try:
        return check_period(start, end)
    except PeriodOutOfBounds as exc:
        field = "from" if not FIRST_YEAR <= start.year <= last_year() else "to"
        raise _invalid({field: [str(exc)]}) from None
