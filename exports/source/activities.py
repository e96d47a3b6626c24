"""What a source of activities is and yields: the record, the protocol, and a period's bounds in Oslo time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exports.domain import ExportError, Period

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
    of activities (exports.source.row_count).
    """

    def count(self, organisation_id: UUID, *, period: Period) -> int:
        """How many activities `stream` will yield: the export checks the rows it read against it."""

    def stream(self, organisation_id: UUID, *, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """Yield the period's activities (deleted ones left out) in chunks, ordered by start and id."""


def _number(value: int) -> str:
    """A row count as the user's language writes it (1 000 in Norwegian)."""
    return number_format(value, force_grouping=True)


def check_rows_read(*, counted: int, read: int) -> None:
    """Raise an ExportError naming both numbers unless the source delivered exactly the rows it counted.

    Fewer rows mean the report would be incomplete (a capped or broken read, or activities deleted while the
    export ran); more mean the activities changed while they were read. Either way the bundle is not stored.
    """
    if read == counted:
        return
    numbers = {"read": _number(read), "counted": _number(counted)}
    if read < counted:
        message = (
            ngettext(
                "The source delivered %(read)s of the %(counted)s activity in the period; the export was stopped "
                "so that no incomplete report is sent.",
                "The source delivered %(read)s of the %(counted)s activities in the period; the export was stopped "
                "so that no incomplete report is sent.",
                counted,
            )
            % numbers
        )
    else:
        message = (
            ngettext(
                "The source delivered %(read)s activity, but %(counted)s were counted in the period when the export "
                "started; the activities changed while they were read, so the export was stopped.",
                "The source delivered %(read)s activities, but %(counted)s were counted in the period when the "
                "export started; the activities changed while they were read, so the export was stopped.",
                read,
            )
            % numbers
        )
    raise ExportError(
        message + " " + _("Try again; if it happens again, contact your system administrator."),
        detail=(
            "phase: mapping\ncause: rows missing or added while read\n\n"
            f"Row count check failed: the source counted {counted} activities at the start and delivered {read}."
        ),
    )
