"""Domain values of the export: requests, results and progress events (frozen dataclasses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Phase(StrEnum):
    """The steps of the export pipeline, in order."""

    QUEUED = "queued"
    LOADING_CONFIG = "loading_config"
    QUERYING = "querying"
    MAPPING = "mapping"
    WRITING = "writing"
    BUNDLING = "bundling"
    STORING = "storing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


PHASE_PERCENT: dict[Phase, int] = {
    Phase.LOADING_CONFIG: 1,
    Phase.QUERYING: 3,
    Phase.WRITING: 92,
    Phase.BUNDLING: 95,
    Phase.STORING: 98,
    Phase.DONE: 100,
}
"""Where the progress bar stands when a phase begins; mapping moves it from MAPPING_FIRST to MAPPING_LAST percent."""
MAPPING_FIRST_PERCENT = 5
MAPPING_LAST_PERCENT = 90


def mapping_percent(done: int, *, total: int | None) -> int:
    """Progress while mapping `done` of `total` rows: MAPPING_FIRST to MAPPING_LAST percent, the rest after."""
    if not total:
        return MAPPING_LAST_PERCENT
    span = MAPPING_LAST_PERCENT - MAPPING_FIRST_PERCENT
    return min(MAPPING_LAST_PERCENT, MAPPING_FIRST_PERCENT + (span * done) // total)


PHASE_LABELS: dict[str, StrOrPromise] = {
    Phase.QUEUED: _("Waiting for a worker"),
    Phase.LOADING_CONFIG: _("Loading the column configuration"),
    Phase.QUERYING: _("Finding the activities"),
    Phase.MAPPING: _("Mapping activities"),
    Phase.WRITING: _("Writing the workbook"),
    Phase.BUNDLING: _("Bundling the workbook and manifest"),
    Phase.STORING: _("Storing the file"),
    Phase.DONE: _("Done"),
    Phase.FAILED: _("Failed"),
    Phase.CANCELLED: _("Cancelled"),
    "submitted": _("Marked as sent to Bufdir"),
    "submission_confirmed": _("Sending to Bufdir confirmed"),
    "submission_withdrawn": _("Mark as sent to Bufdir withdrawn"),
    "retention": _("Removed by the retention rules"),
}
"""What the page, the admin and the command line call each phase (and each later step on the audit trail)."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of calendar dates in Norwegian local time."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("period start is after its end")

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year `year`."""
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))


@dataclass(frozen=True, kw_only=True)
class ExportRequest:
    """What to export: one organisation, one period, asked for by one user, tracked by one audit."""

    audit_id: int
    organisation_id: UUID
    period: Period
    requested_by: str


@dataclass(frozen=True, kw_only=True)
class ExportProgress:
    """A progress event: the phase and how many of the rows are done."""

    audit_id: int
    phase: Phase
    rows_processed: int
    rows_total: int | None
    percent: int


RESULT_SCHEMA_VERSION = 1
"""The version of `ExportFacts` a succeeded export records; a result without one is of version 1."""


class RowCounts(TypedDict):
    """Every row of an export, by what became of it."""

    read: int
    exported: int
    counted: int
    not_counted: int
    deviations: int
    rejected: int
    unreadable: int


class ExportFacts(TypedDict, total=False):
    """What a succeeded export records on its audit (`BufdirExportAudit.result`): the one shape the page, the API,
    the command line and a later export's comparison read."""

    schema_version: int
    rows: RowCounts
    counted_by_category: dict[str, int]
    exported_by_outcome: dict[str, int]
    documented_by_category: dict[str, int]
    counted_by_county: dict[str, int]
    deviations_by_reason: dict[str, int]
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ExportTotals:
    """The counts an audit records of a finished export."""

    exported: int
    counted: int
    not_counted: int
    deviations: int
    facts: ExportFacts = field(default_factory=lambda: ExportFacts())


@dataclass(frozen=True, kw_only=True)
class ExportSuccess:
    """A finished export: where its bundle is stored."""

    audit_id: int
    file_key: str
    sha256: str
    rows_exported: int
    rows_counted: int


@dataclass(frozen=True, kw_only=True)
class ExportFailure:
    """A failed export, with a message a person can act on."""

    audit_id: int
    error_message: str


@dataclass(frozen=True, kw_only=True)
class ExportNotRun:
    """An export the worker did not run or finish: it was no longer pending, or it was cancelled or failed
    by someone else while it ran. Nothing was written for it."""

    audit_id: int


ExportResult = ExportSuccess | ExportFailure | ExportNotRun


class ExportError(Exception):
    """A failure whose message (in the active language) tells a person what to do."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail
        """What administrators see beside the message on the audit (English, no secrets)."""


class ExportStopped(Exception):
    """The audit left the running state (cancelled, or failed by the reaper): stop without writing."""
