"""Streams one organisation's activities in a period from the local tables, in chunks, by keyset pagination."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import fields
from uuid import UUID

from django.db.models import Q, QuerySet

from exports.domain import Period
from exports.models import Activity
from exports.source.activities import ActivityRecord, period_bounds

_JOINED_COLUMNS = {
    "peer_mentor_name": "peer_mentor__full_name",
    "peer_mentor_certified_on": "peer_mentor__certified_on",
    "local_branch_name": "local_branch__name",
    "local_branch_county_code": "local_branch__county_code",
    "local_branch_municipality_code": "local_branch__municipality_code",
}
_COLUMNS = tuple(_JOINED_COLUMNS.get(field.name, field.name) for field in fields(ActivityRecord))
"""The query's columns in the order of ActivityRecord's fields, so a row becomes a record by position."""
_STARTED_AT, _ID = _COLUMNS.index("started_at"), _COLUMNS.index("id")


class LocalActivitySource:
    """Reads the local copy of the app's tables through the ORM (the embedded default)."""

    def _queryset(self, organisation_id: UUID, period: Period) -> QuerySet[Activity]:
        """The period's activities of one organisation, deleted ones left out."""
        start, end = period_bounds(period)
        return Activity.objects.filter(
            organisation_id=organisation_id, started_at__gte=start, started_at__lt=end
        ).exclude(status=Activity.Status.DELETED)

    def count(self, organisation_id: UUID, *, period: Period) -> int:
        """How many activities `stream` will yield."""
        return self._queryset(organisation_id, period).count()

    def stream(self, organisation_id: UUID, *, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """Yield chunks ordered by (started_at, id), each query starting after the last row seen."""
        base = self._queryset(organisation_id, period).order_by("started_at", "id")
        after: tuple[dt.datetime, UUID] | None = None
        while True:
            page = base
            if after is not None:  # the plain bound lets the index start at the page instead of the period
                page = base.filter(
                    Q(started_at__gt=after[0]) | Q(started_at=after[0], id__gt=after[1]), started_at__gte=after[0]
                )
            rows = list(page.values_list(*_COLUMNS)[:chunk_size])
            if not rows:
                return
            yield [ActivityRecord(*row) for row in rows]
            if len(rows) < chunk_size:
                return
            after = (rows[-1][_STARTED_AT], rows[-1][_ID])
