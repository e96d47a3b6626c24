"""The requested period of an API export, checked by the same rule as the page and the command line."""
from __future__ import annotations

from django.utils.translation import gettext as _

from api.errors import ApiError
from api.schemas import StartExportIn
from exports.domain import Period
from exports.forms import ExportPeriodForm

FORM_TO_API_FIELDS = {"year": "year", "date_from": "from", "date_to": "to", "mode": "year", "__all__": "period"}


def _invalid(fields: dict[str, list[str]]) -> ApiError:
    """A 422 answer naming the fields that are wrong."""
    return ApiError(422, "invalid_period", _("The period is not valid."), fields=fields)


def requested_period(payload: StartExportIn) -> Period:
    """The period asked for: a year, or from and to; raises a 422 ApiError otherwise."""
    has_range = payload.date_from is not None or payload.date_to is not None
    if payload.year is not None and has_range:
        raise _invalid({"year": [_("Give either a year or from and to, not both.")]})
    if payload.year is None and not has_range:
        raise _invalid({"year": [_("Give a year, or from and to.")]})
    if payload.year is not None:
        data = {"mode": ExportPeriodForm.MODE_YEAR, "year": str(payload.year)}
    else:
        data = {"mode": ExportPeriodForm.MODE_RANGE,
                "date_from": payload.date_from.isoformat() if payload.date_from else "",
                "date_to": payload.date_to.isoformat() if payload.date_to else ""}
    form = ExportPeriodForm(data)
    if not form.is_valid():
        fields: dict[str, list[str]] = {}
        for name, messages in form.errors.items():
            fields.setdefault(FORM_TO_API_FIELDS.get(name, name), []).extend(str(m) for m in messages)
        raise _invalid(fields)
    return form.period()
