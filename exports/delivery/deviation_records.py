"""Keeps an export's `Avvik` rows as `ExportDeviation`s, so the page and the API can list and filter them.

A table rather than the stored bundle: rows are filtered by reason, local branch and peer mentor and paged
without opening the workbook. While the export streams the rows go to a file in its working folder (memory
stays flat); at the end, only when everything else went well, they are written in batches of `BATCH_ROWS`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exports.config.activity_links import activity_link
from exports.config.cell_safety import bounded, bounded_join, clean_text
from exports.config.validation import CompiledConfig
from exports.models import ExportDeviation
from exports.rules.column_mapper import MappedActivity, said_once
from exports.rules.peer_mentor_tally import NAME_LENGTH
from exports.rules.summary import ExportSummary

BATCH_ROWS = 1_000


class DeviationRecords:
    """The `Avvik` rows of one export: spooled while it streams, saved when it is about to succeed."""

    def __init__(self, path: Path, config: CompiledConfig) -> None:
        self.path = path
        self.config = config
        self._file = path.open("wb")

    def add(self, row: MappedActivity) -> None:
        """Keep a row that belongs on `Avvik` (others are ignored)."""
        if not row.is_deviation:
            return
        record = row.record
        activity_type = self.config.activity_types.get(record.activity_type)
        findings = [(clean_text(f.text).value, f.action) for f in row.findings]
        pickle.dump(
            (
                record.id,
                row.local_start.date(),
                activity_type["label"]
                if activity_type
                else clean_text(bounded(record.activity_type, NAME_LENGTH)).value,
                clean_text(bounded(record.peer_mentor_name or "", NAME_LENGTH)).value,
                clean_text(bounded(record.local_branch_name or "", NAME_LENGTH)).value,
                findings,
            ),
            self._file,
            protocol=pickle.HIGHEST_PROTOCOL,
        )

    def _rows(self) -> Iterator[tuple[Any, ...]]:
        """The kept rows, read back one by one."""
        self._file.close()
        with self.path.open("rb") as kept:
            while True:
                try:
                    yield pickle.load(kept)  # noqa: S301 - our own spool file in the export's 0700 folder
                except EOFError:
                    return

    def save(self, *, audit_id: int, totals: ExportSummary) -> int:
        """Write every kept row for the audit, each row's reasons the most common first; the rows written."""
        ranked = (clean_text(reason).value for reason, _count in totals.reasons_by_frequency())
        rank = {reason: position for position, reason in enumerate(ranked)}
        batch: list[ExportDeviation] = []
        written = 0
        for activity_id, day, activity_type, mentor, branch, findings in self._rows():
            actions = dict(findings)
            reasons = sorted(actions, key=lambda reason: rank.get(reason, len(rank)))
            batch.append(
                ExportDeviation(
                    audit_id=audit_id,
                    activity_id=activity_id,
                    activity_date=day,
                    activity_type=activity_type,
                    peer_mentor=mentor,
                    local_branch=branch,
                    reasons=ExportDeviation.joined_reasons(reasons),
                    action=bounded_join(" ", said_once(actions[reason] for reason in reasons)),
                    activity_url=activity_link(self.config.activity_url, activity_id=activity_id)
                    if self.config.activity_url
                    else "",
                )
            )
            if len(batch) == BATCH_ROWS:
                ExportDeviation.objects.bulk_create(batch)
                written, batch = written + len(batch), []
        ExportDeviation.objects.bulk_create(batch)
        return written + len(batch)

    @staticmethod
    def forget(audit_id: int) -> None:
        """Delete what was saved for an export that did not succeed after all."""
        ExportDeviation.objects.filter(audit_id=audit_id).delete()

    def discard(self) -> None:
        """Close and drop the spool file."""
        self._file.close()
        self.path.unlink(missing_ok=True)
