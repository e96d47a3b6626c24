"""Streams one organisation's activities in a period, in chunks, by keyset pagination."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from exports.domain import Period

if TYPE_CHECKING:
    from exports.models import Activity

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class ActivityRecord:
    """One activity with the peer mentor and local branch facts the export needs."""

    id: UUID
    activity_type: str
    started_at: dt.datetime
    duration_minutes: int | None
    participant_count: int | None
    country_code: str | None
    municipality_code: str | None
    description: str | None
    status: str
    peer_mentor_id: UUID | None
    peer_mentor_name: str | None
    peer_mentor_certified_on: dt.date | None
    local_branch_name: str | None
    local_branch_county_code: str | None
    local_branch_municipality_code: str | None
    local_branch_id: UUID | None = None


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as a half-open range of instants: Oslo midnight of its first day to after its last."""
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=OSLO)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=OSLO)
    return start, end


class ActivitySource(Protocol):
    """Where activities come from: the local tables or the organisation's Supabase project.

    The export takes `count` before it reads and fails, storing nothing, when `stream` yields another number
    of activities (exports.services.row_count_check).
    """

    def count(self, organisation_id: UUID, period: Period) -> int:
        """How many activities `stream` will yield: the export checks the rows it read against it."""

    def stream(self, organisation_id: UUID, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """Yield the period's activities (deleted ones left out) in chunks, ordered by start and id."""


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
        from exports.models import Activity

        start, end = period_bounds(period)
        return Activity.objects.filter(
            organisation_id=organisation_id, started_at__gte=start, started_at__lt=end
        ).exclude(status=Activity.Status.DELETED)

    def count(self, organisation_id: UUID, period: Period) -> int:
        """How many activities `stream` will yield."""
        return self._queryset(organisation_id, period).count()

    def stream(self, organisation_id: UUID, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """Yield chunks ordered by (started_at, id), each query starting after the last row seen."""
        base = self._queryset(organisation_id, period).order_by("started_at", "id")
        after: tuple[dt.datetime, UUID] | None = None
        while True:
            page = base
            if after is not None:  # the plain bound lets the index start at the page instead of the period
                page = base.filter(Q(started_at__gt=after[0]) | Q(started_at=after[0], id__gt=after[1]),
                                   started_at__gte=after[0])
            rows = list(page.values_list(*_COLUMNS)[:chunk_size])
            if not rows:
                return
            yield [ActivityRecord(*row) for row in rows]
            if len(rows) < chunk_size:
                return
            after = (rows[-1][_STARTED_AT], rows[-1][_ID])
