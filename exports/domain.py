"""Domain values of the export: requests, results and progress events (frozen dataclasses)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any
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


@dataclass(frozen=True)
class ExportRequest:
    """What to export: one organisation, one period, asked for by one user, tracked by one audit."""

    audit_id: int
    organisation_id: UUID
    period: Period
    requested_by: str


@dataclass(frozen=True)
class ExportProgress:
    """A progress event: the phase and how many of the rows are done."""

    audit_id: int
    phase: Phase
    rows_processed: int
    rows_total: int | None
    percent: int


@dataclass(frozen=True)
class ExportTotals:
    """The counts an audit records of a finished export."""

    exported: int
    counted: int
    not_counted: int
    deviations: int
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportSuccess:
    """A finished export: where its bundle is stored."""

    audit_id: int
    file_key: str
    sha256: str
    rows_exported: int
    rows_counted: int


@dataclass(frozen=True)
class ExportFailure:
    """A failed export, with a message a person can act on."""

    audit_id: int
    error_message: str


@dataclass(frozen=True)
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
