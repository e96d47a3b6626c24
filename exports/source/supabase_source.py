"""Streams activities from an organisation's Supabase project through supabase-py (PostgREST)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import httpx
from postgrest.exceptions import APIError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential
from tenacity.wait import WaitBaseT

from exports.domain import Period
from exports.source.activities import ActivityRecord, period_bounds

# Transient failures (timeouts, connection resets, 5xx) are tried again, waiting 0.5, 1, 2, 4 s between tries.
ATTEMPTS = 5
BACKOFF = wait_exponential(multiplier=0.5, max=8)
# PostgreSQL error classes behind PostgREST worth another try: connection, rollback (serialization,
# deadlock), insufficient resources, operator intervention (statement timeout, shutdown).
TRANSIENT_SQLSTATE_CLASSES = {"08", "40", "53", "57"}
# PostgREST's own errors for a database it cannot reach yet (503: no connection, lost connection, schema cache
# not loaded; 504: no pool connection in time), as its "Errors" reference lists them.
TRANSIENT_POSTGREST_CODES = {"PGRST000", "PGRST001", "PGRST002", "PGRST003"}


def is_transient(exc: BaseException) -> bool:
    """Whether a failed request may well succeed when tried again."""
    if isinstance(exc, httpx.TransportError):
        return True
    code = str(getattr(exc, "code", "") or "") if isinstance(exc, APIError) else ""
    if code in TRANSIENT_POSTGREST_CODES:
        return True
    if len(code) == 3 and code.isdigit():  # an HTTP status: a gateway or server error
        return code.startswith("5")
    return code[:2] in TRANSIENT_SQLSTATE_CLASSES


SELECT = (
    "id,activity_type,started_at,duration_minutes,participant_count,country_code,municipality_code,"
    "description,status,peer_mentor_id,local_branch_id,peer_mentors(full_name,certified_on),"
    "local_branches(name,county_code,municipality_code)"
)


def _quoted(value: str) -> str:
    """A PostgREST filter value in double quotes (timestamps hold ':' and '+')."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _record(row: dict[str, Any]) -> ActivityRecord:
    """One PostgREST row, with its embedded peer mentor and local branch, as an ActivityRecord."""
    mentor = row.get("peer_mentors") or {}
    branch = row.get("local_branches") or {}
    certified_on = mentor.get("certified_on")
    return ActivityRecord(
        id=UUID(row["id"]),
        activity_type=row["activity_type"],
        started_at=dt.datetime.fromisoformat(row["started_at"]),
        duration_minutes=row.get("duration_minutes"),
        participant_count=row.get("participant_count"),
        country_code=row.get("country_code"),
        municipality_code=row.get("municipality_code"),
        description=row.get("description"),
        status=row["status"],
        peer_mentor_id=UUID(row["peer_mentor_id"]) if row.get("peer_mentor_id") else None,
        peer_mentor_name=mentor.get("full_name"),
        peer_mentor_certified_on=dt.date.fromisoformat(certified_on) if certified_on else None,
        local_branch_name=branch.get("name"),
        local_branch_county_code=branch.get("county_code"),
        local_branch_municipality_code=branch.get("municipality_code"),
        local_branch_id=UUID(row["local_branch_id"]) if row.get("local_branch_id") else None,
    )


class SupabaseActivitySource:
    """Reads the `activities` table of the organisation's Supabase project; the client is made on first use."""

    def __init__(self, client_factory: Callable[[], Any], *, wait: WaitBaseT = BACKOFF) -> None:
        self._client_factory = client_factory
        self._client: Any = None
        self._wait = wait

    def _execute(self, query: Any) -> Any:
        """Run a PostgREST query, retrying transient failures with bounded exponential backoff."""
        retrying = Retrying(
            retry=retry_if_exception(is_transient), wait=self._wait, stop=stop_after_attempt(ATTEMPTS), reraise=True
        )
        return retrying(query.execute)

    def _activities(self, organisation_id: UUID, period: Period, columns: str, **select: Any) -> Any:
        """A PostgREST query of the period's activities of one organisation, deleted ones left out."""
        if self._client is None:
            self._client = self._client_factory()
        start, end = period_bounds(period)
        return (
            self._client.table("activities")
            .select(columns, **select)
            .eq("organisation_id", str(organisation_id))
            .gte("started_at", start.isoformat())
            .lt("started_at", end.isoformat())
            .neq("status", "deleted")
        )

    def count(self, organisation_id: UUID, *, period: Period) -> int:
        """How many activities `stream` will yield (PostgREST exact count, no rows fetched)."""
        response = self._execute(self._activities(organisation_id, period, "id", count="exact", head=True))
        return int(response.count or 0)

    def stream(self, organisation_id: UUID, *, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """Yield pages ordered by (started_at, id), each request starting after the last row seen.

        PostgREST may answer with fewer rows than `limit` asks for (its `db-max-rows`, Supabase's "Max rows",
        applies whatever the limit), so a short page is not the end: the end is a page that comes back empty.
        That costs one indexed request that finds nothing, and depends neither on the cap (any value, reloadable)
        nor on a count: `Content-Range` without one is only `0-999/*`, an exact count on every page would run a
        COUNT(*) per page, and the count the export takes at the start stays an independent check of the read.
        """
        after: tuple[str, str] | None = None
        last: tuple[dt.datetime, UUID] | None = None
        while True:
            query = self._activities(organisation_id, period, SELECT)
            if after is not None:
                started, last_id = _quoted(after[0]), after[1]
                query = query.or_(f"started_at.gt.{started},and(started_at.eq.{started},id.gt.{last_id})")
            rows = self._execute(query.order("started_at").order("id").limit(chunk_size)).data
            if not rows:
                return
            records = [_record(row) for row in rows]
            last = _check_ascending(records, last)
            yield records
            after = (rows[-1]["started_at"], rows[-1]["id"])


def _check_ascending(
    records: list[ActivityRecord],
    last: tuple[dt.datetime, UUID] | None,
) -> tuple[dt.datetime, UUID]:
    """The page's last key, after making sure every key follows the one before (no row repeated or out of order)."""
    for record in records:
        key = (record.started_at, record.id)
        if last is not None and key <= last:
            raise SourceOrderError(f"PostgREST returned activity {record.id} out of (started_at, id) order")
        last = key
    return records[-1].started_at, records[-1].id


class SourceOrderError(RuntimeError):
    """The API answered a keyset page with a row at or before the last row already read."""


def supabase_client_factory(url: str, *, key: str) -> Callable[[], Any]:
    """A factory that creates the supabase-py client when the first export needs it."""

    def create() -> Any:
        from supabase import create_client

        return create_client(url, key)

    return create
