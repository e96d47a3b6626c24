"""What changed since the export a new one compares with: a merge of the two exports' row fingerprints by id.

Both exports' `ExportRowDigest` rows come from the database ordered by activity id, in chunks, so the merge
holds one row of each side at a time: memory is flat whatever the count. The change rows go to a spool file
beside the workbook (pickled batches) and the workbook writer streams them onto `Endringer`; the counts travel
in `ChangeSummary` (and into the audit's result for the page and the API).
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from exports.domain import ExportFacts
from exports.history.change_summary import (
    ADDED,
    CHANGED,
    FIXED,
    NEW_DEVIATION,
    REMOVED,
    ChangeRow,
    ChangeSummary,
)
from exports.history.row_digests import split_hashes
from exports.models import BufdirExportAudit, ExportRowDigest, ExportStatus, Submission

CHUNK = 5_000
"""Fingerprints read from the database at a time, per export compared."""
SPOOL_BATCH = 1_000
TICK_ROWS = 50_000
Digest = tuple[UUID, Any, str, int, bytes | memoryview]


def baseline(
    *, organisation_id: UUID, period_from: dt.date, period_to: dt.date, exclude_audit_id: int
) -> tuple[BufdirExportAudit | None, Submission | None]:
    """The export to compare with: the period's submitted one, else its latest successful one with fingerprints."""
    submission = (
        Submission.objects.filter(
            organisation_id=organisation_id, period_from=period_from, period_to=period_to, withdrawn_at__isnull=True
        )
        .select_related("audit")
        .first()
    )
    if submission is not None and submission.audit_id != exclude_audit_id:
        return submission.audit, submission
    audit = (
        BufdirExportAudit.objects.filter(
            organisation_id=organisation_id,
            period_from=period_from,
            period_to=period_to,
            status=ExportStatus.SUCCEEDED,
            result__has_key="changes",
        )
        .exclude(pk=exclude_audit_id)
        .order_by("-finished_at", "-id")
        .first()
    )
    return audit, None


def prune_row_digests(*, organisation_id: UUID, period_from: dt.date, period_to: dt.date, keep_audit_id: int) -> int:
    """Drop the fingerprints no later export will compare with: the period's others but the submitted one's."""
    submitted = Submission.objects.filter(
        organisation_id=organisation_id, period_from=period_from, period_to=period_to, withdrawn_at__isnull=True
    ).values("audit_id")
    stale = (
        BufdirExportAudit.objects.filter(organisation_id=organisation_id, period_from=period_from, period_to=period_to)
        .exclude(pk=keep_audit_id)
        .exclude(pk__in=submitted)
        .values("pk")
    )
    deleted, _by_model = ExportRowDigest.objects.filter(audit_id__in=stale).delete()
    return deleted


def _digests(audit_id: int) -> Iterator[Digest]:
    """One export's fingerprints ordered by activity id, page by page after the last id (no cursor held open)."""
    rows = (
        ExportRowDigest.objects.filter(audit_id=audit_id)
        .order_by("activity_id")
        .values_list("activity_id", "started_on", "peer_mentor", "flags", "hashes")
    )
    page: list[Digest] = list(rows[:CHUNK])
    while page:
        yield from page
        page = list(rows.filter(activity_id__gt=page[-1][0])[:CHUNK]) if len(page) == CHUNK else []


def merged_changes(
    then: Iterator[Digest], *, now: Iterator[Digest], headings_then: Sequence[str], headings_now: Sequence[str]
) -> Iterator[ChangeRow]:
    """Each change between two id-ordered streams of fingerprints (columns matched by heading)."""
    position_then = {heading: index for index, heading in enumerate(headings_then)}
    pairs = [
        (index_now, position_then[heading])
        for index_now, heading in enumerate(headings_now)
        if heading in position_then
    ]
    sentinel = None
    old, new = next(then, sentinel), next(now, sentinel)
    while old is not None or new is not None:
        if old is not None and (new is None or old[0] < new[0]):
            yield str(old[0]), old[1], old[2], REMOVED, ()
            old = next(then, sentinel)
        elif new is not None and (old is None or new[0] < old[0]):
            yield str(new[0]), new[1], new[2], ADDED, ()
            new = next(now, sentinel)
        elif old is not None and new is not None:
            yield from _row_changes(old, new, pairs, headings_now)
            old, new = next(then, sentinel), next(now, sentinel)


def _row_changes(
    old: Digest, new: Digest, pairs: list[tuple[int, int]], headings_now: Sequence[str]
) -> Iterator[ChangeRow]:
    """The changes of one activity in both exports: its columns, then its deviation."""
    identity = str(new[0]), new[1], new[2]
    if old[4] and new[4] and bytes(old[4]) != bytes(new[4]):  # a row off Aktiviteter has no values
        hashes_then, hashes_now = split_hashes(bytes(old[4])), split_hashes(bytes(new[4]))
        columns = tuple(
            headings_now[i]
            for i, j in pairs
            if (hashes_now[i] if i < len(hashes_now) else b"") != (hashes_then[j] if j < len(hashes_then) else b"")
        )
        if columns:
            yield (*identity, CHANGED, columns)
    deviated, deviates = old[3] & ExportRowDigest.DEVIATES, new[3] & ExportRowDigest.DEVIATES
    if deviated and not deviates:
        yield (*identity, FIXED, ())
    elif deviates and not deviated:
        yield (*identity, NEW_DEVIATION, ())


def _ticking(rows: Iterator[Digest], tick: Callable[[], None] | None) -> Iterator[Digest]:
    """The rows, calling `tick` every TICK_ROWS of them (the export's heartbeat and cancellation check)."""
    for index, row in enumerate(rows, 1):
        if tick is not None and index % TICK_ROWS == 0:
            tick()
        yield row


def compare(
    *,
    audit_id: int,
    organisation_id: UUID,
    period_from: dt.date,
    period_to: dt.date,
    headings: list[str],
    counted_now: dict[str, int],
    spool: Path,
    tick: Callable[[], None] | None = None,
) -> ChangeSummary:
    """Compare this export (its fingerprints stored) with the period's baseline; change rows go to `spool`."""
    previous, submission = baseline(
        organisation_id=organisation_id, period_from=period_from, period_to=period_to, exclude_audit_id=audit_id
    )
    if previous is None:
        return ChangeSummary(headings=headings, counted_now=counted_now)
    counts = {ADDED: 0, REMOVED: 0, CHANGED: 0, FIXED: 0, NEW_DEVIATION: 0}
    batch: list[ChangeRow] = []
    rows = 0
    with spool.open("wb") as handle:
        for change in merged_changes(
            _digests(previous.pk),
            now=_ticking(_digests(audit_id), tick),
            headings_then=(previous.facts or ExportFacts()).get("changes", {}).get("headings", []),
            headings_now=headings,
        ):
            counts[change[3]] += 1
            batch.append(change)
            rows += 1
            if len(batch) >= SPOOL_BATCH:
                pickle.dump(batch, handle, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        if batch:
            pickle.dump(batch, handle, protocol=pickle.HIGHEST_PROTOCOL)
    compared_with = {
        "id": previous.pk,
        "finished_at": previous.finished_at.isoformat() if previous.finished_at else None,
        "sha256": previous.file_sha256,
        "submitted": submission is not None,
    }
    return ChangeSummary(
        compared_with=compared_with,
        headings=headings,
        counted_then={
            str(k): int(v) for k, v in (previous.facts or ExportFacts()).get("counted_by_category", {}).items()
        },
        counted_now=counted_now,
        added=counts[ADDED],
        removed=counts[REMOVED],
        changed=counts[CHANGED],
        fixed=counts[FIXED],
        new_deviations=counts[NEW_DEVIATION],
        rows=rows,
        spool=str(spool),
    )
