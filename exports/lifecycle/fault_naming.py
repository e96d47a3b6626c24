"""Names what made an export fail: the phase and the cause (a full disk, a busy database, the source, the broker)."""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from django.db import OperationalError
from django.utils.translation import gettext as _

from exports.domain import Period, Phase
from exports.source.activities import ActivityRecord, ActivitySource
from exports.workbook.errors import WritingError, exception_chain, is_disk_full

T = TypeVar("T")


class SourceReadError(RuntimeError):
    """Reading the activities from the source failed (the original error is its cause)."""


def read_from_source(chunks: Iterable[T]) -> Iterator[T]:
    """The source's chunks, with a failure while reading them raised as SourceReadError."""
    iterator = iter(chunks)
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise SourceReadError(f"{type(exc).__name__}: {exc}") from exc
        yield chunk


class SourceFaultsNamed:
    """An activity source whose failures while streaming are raised as SourceReadError (not the mapping's)."""

    def __init__(self, source: ActivitySource) -> None:
        self._source = source

    def count(self, organisation_id: UUID, *, period: Period) -> int:
        """The source's count (a failure there is named by its phase, querying)."""
        return self._source.count(organisation_id, period=period)

    def stream(self, organisation_id: UUID, *, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """The source's chunks, a failure while reading them raised as SourceReadError."""
        return read_from_source(self._source.stream(organisation_id, period=period, chunk_size=chunk_size))


@dataclass(frozen=True)
class Fault:
    """Why an export failed: the phase that failed, a short cause for the audit, and the page's message."""

    phase: Phase
    cause: str
    message: str

    def detail(self, exc: BaseException) -> str:
        """The audit's error_detail: phase and cause first, then the traceback."""
        trace = "".join(traceback.format_exception(exc))
        return f"phase: {self.phase}\ncause: {self.cause}\n\n{trace}"


def is_database_busy(exc: BaseException) -> bool:
    """Whether the database refused for a lock held too long ("database is locked", a lock timeout)."""
    return any(
        isinstance(e, OperationalError) and ("locked" in str(e) or "lock timeout" in str(e))
        for e in exception_chain(exc)
    )


def is_broker_down(exc: BaseException) -> bool:
    """Whether the task broker (Redis) could not be reached."""
    return any(
        type(e).__module__.startswith("redis") and type(e).__name__ in {"ConnectionError", "TimeoutError"}
        for e in exception_chain(exc)
    )


def _again() -> str:
    return _("Try again; if it happens again, contact your system administrator.")


def disk_full_message() -> str:
    """The page's message for a full disk."""
    return _(
        "The disk is full, so the workbook could not be written. A system administrator must free space "
        "on the export server; then export again."
    )


def database_busy_message() -> str:
    """The page's message for a database that stayed locked."""
    return _("The database was busy and did not answer in time. Try again in a little while.")


def broker_down_message() -> str:
    """The page's message for a task queue (Redis) that does not answer."""
    return _(
        "The export queue (Redis) did not answer, so the export could not be started. Try again in a "
        "little while; if it happens again, contact your system administrator."
    )


PHASE_MESSAGES = {
    Phase.LOADING_CONFIG: lambda: _("The organisation's column configuration could not be loaded."),
    Phase.QUERYING: lambda: _("The activities could not be read from the source."),
    Phase.MAPPING: lambda: _("The export failed unexpectedly while processing the activities."),
    Phase.WRITING: lambda: _("The workbook could not be written."),
    Phase.BUNDLING: lambda: _("The export bundle could not be made."),
    Phase.STORING: lambda: _("The export file could not be stored: the storage service did not answer."),
}


def name_fault(exc: BaseException, *, phase: Phase) -> Fault:
    """The phase and cause of an unexpected failure raised while the export was in `phase`."""
    if any(isinstance(e, WritingError) for e in exception_chain(exc)):
        phase = Phase.WRITING
    if is_disk_full(exc):
        return Fault(phase, "disk full (ENOSPC)", disk_full_message())
    if is_database_busy(exc):
        return Fault(phase, "database busy (locked)", database_busy_message())
    if is_broker_down(exc):
        return Fault(phase, "broker down (Redis)", broker_down_message())
    if any(isinstance(e, SourceReadError) for e in exception_chain(exc)):
        return Fault(
            Phase.QUERYING if phase == Phase.MAPPING else phase,
            "source could not be read",
            _("The activities could not be read from the source.") + " " + _again(),
        )
    cause = "writer failed" if phase == Phase.WRITING else "unexpected error"
    message = PHASE_MESSAGES.get(phase, lambda: _("The export failed unexpectedly."))()
    return Fault(phase, cause, message + " " + _again())
