"""The earlier export `Sammendrag` shows beside this one ("I fjor" when it is the same period a year before)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast
from uuid import UUID

from django.utils.translation import gettext as _

from exports.domain import ExportFacts, Period
from exports.selectors import earlier_export_of_same_length


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The counts of an earlier export of the same length of period, shown beside this one."""

    heading: str
    counted_by_category: dict[str, int] = field(default_factory=dict)
    counted_by_county: dict[str, int] = field(default_factory=dict)
    deviations_by_reason: dict[str, int] = field(default_factory=dict)
    rows: Mapping[str, int] = field(default_factory=dict)
    result: ExportFacts = field(default_factory=lambda: ExportFacts())
    """The earlier export's whole recorded result (for its row account)."""


def comparison_from(
    *, result: ExportFacts, period_from: dt.date, period_to: dt.date, current_from: dt.date
) -> Comparison:
    """A comparison from an earlier export's recorded result ("I fjor" when it is the same period a year before)."""
    a_year_before = _a_year_before(current_from) == period_from
    heading = (
        _("Last year")
        if a_year_before
        else _("Previous %(start)s–%(end)s")
        % {"start": period_from.strftime("%d.%m.%Y"), "end": period_to.strftime("%d.%m.%Y")}
    )
    return Comparison(
        heading=heading,
        counted_by_category=result.get("counted_by_category", {}),
        counted_by_county=result.get("counted_by_county", {}),
        deviations_by_reason=result.get("deviations_by_reason", {}),
        rows=cast(Mapping[str, int], result.get("rows", {})),
        result=result,
    )


def _a_year_before(day: dt.date) -> dt.date:
    """The same date a year before (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def earlier_comparison(*, organisation_id: UUID, period: Period, exclude_audit_id: int | None) -> Comparison | None:
    """The comparison with the organisation's earlier export of the same length of period, when there is one."""
    audit = earlier_export_of_same_length(
        organisation_id, period_from=period.start, period_to=period.end, exclude_audit_id=exclude_audit_id
    )
    facts = audit.facts if audit is not None else None
    if audit is None or facts is None:
        return None
    return comparison_from(
        result=facts, period_from=audit.period_from, period_to=audit.period_to, current_from=period.start
    )
