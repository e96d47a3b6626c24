"""Writes the workbook in a forked process, so mapping (this process) and writing cells (the other) overlap.

The exporting process maps rows and sends them in batches through a pipe; the forked writer appends
them with the ordinary `OpenpyxlWorkbookWriter` and saves the workbook when told to close. Memory stays flat:
at most a few batches are in flight, the pipe's buffer limits how far mapping can run ahead. A failure
in either process fails the export: an error in the writer is raised at the next send or at close, and
a writer that is abandoned (the export failed while mapping) is killed and reaped. The writer keeps its
temporary files (openpyxl's sheets) in the folder of the workbook, the export's own, which the exporting
process removes however the export ends, even after killing the writer.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import signal
import tempfile
import traceback
import weakref
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

from exports.config.cell_safety import MAX_TEXT_LENGTH, bounded
from exports.config.validation import CompiledConfig
from exports.rules.column_mapper import MappedActivity
from exports.workbook.errors import WritingError, is_disk_full
from exports.workbook.opener import OpenpyxlWorkbookOpener
from exports.workbook.plan import WorkbookFacts

BATCH_ROWS = 500
BATCH_CHARACTERS = 2_000_000
"""A batch is sent early once its rows carry this much text, so rows of long texts keep few in flight."""


class WorkbookProcessError(WritingError):
    """The writer process failed; the message carries its traceback, `disk_full` when the disk ran out."""


def _stop(pid: int, streams: tuple[Any, ...]) -> None:
    """Close our ends of a writer's pipes, kill it if it still runs, and reap it."""
    for stream in streams:
        with suppress(OSError):
            stream.close()
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _serve(inbox: Any, outbox: Any, writer_factory: Any) -> int:
    """The writer process: append every batch, close on request, report the outcome; its exit status."""
    try:
        writer = writer_factory()
        while True:
            message = pickle.load(inbox)  # noqa: S301 - a pipe from our own forked process
            if message[0] == "rows":
                for row in message[1]:
                    if isinstance(row, tuple):
                        writer.add_listed(row)
                    else:
                        writer.add(row)
            else:
                _, facts, totals = message
                writer.close(facts, totals=totals)
                pickle.dump(("ok",), outbox)
                return 0
    except EOFError:
        return 1  # the exporting process went away: nothing to save
    except BaseException as exc:
        pickle.dump(("error", traceback.format_exc(), "disk_full" if is_disk_full(exc) else ""), outbox)
        return 1
    finally:
        outbox.flush()


def _text_length(values: Iterable[Any]) -> int:
    """The characters of the texts among `values`."""
    return sum(map(len, filter(str.__instancecheck__, values)))


_RECORD_TEXTS = (
    "activity_type",
    "country_code",
    "municipality_code",
    "description",
    "status",
    "peer_mentor_name",
    "local_branch_name",
    "local_branch_county_code",
    "local_branch_municipality_code",
)


def _bounded_row(row: MappedActivity) -> MappedActivity:
    """A row for `Avvik` whose record's texts are cut just past what a cell holds (the writer needs no more)."""
    record = row.record
    long: dict[str, Any] = {
        name: bounded(text)
        for name in _RECORD_TEXTS
        if type(text := getattr(record, name)) is str and len(text) > MAX_TEXT_LENGTH + 1
    }
    return replace(row, record=replace(record, **long)) if long else row


def _deviation_length(row: MappedActivity) -> int:
    """The characters of text a row for `Avvik` carries to the writer (its record's counted as cut)."""
    record = row.record
    return (
        _text_length(row.values)
        + sum(len(finding.text) + len(finding.action) for finding in row.findings)
        + sum(
            min(len(text), MAX_TEXT_LENGTH + 1) for name in _RECORD_TEXTS if type(text := getattr(record, name)) is str
        )
    )


PIPE_BYTES = 1 << 20
"""The rows pipe's buffer (Linux's default unprivileged maximum): the exporting process runs ahead of the writer."""


def _widen(pipe: int) -> None:
    """Give the pipe a larger buffer where the system allows it (Linux); elsewhere it keeps its own."""
    with suppress(AttributeError, OSError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class ForkedWorkbookWriter:
    """The exporting side of a workbook written by a forked process; same interface as `OpenpyxlWorkbookWriter`."""

    def __init__(self, path: Path, config: CompiledConfig, generator: OpenpyxlWorkbookOpener) -> None:
        rows_read, rows_write = os.pipe()
        _widen(rows_write)
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the writer process
            status = 1
            gc.freeze()  # what the exporting process made is never collected here, so its pages stay shared
            tempfile.tempdir = str(path.parent)  # openpyxl's temporary sheets go in the export's own folder
            try:
                os.close(rows_write)
                os.close(result_read)
                with os.fdopen(rows_read, "rb", buffering=1 << 16) as inbox, os.fdopen(result_write, "wb") as outbox:
                    status = _serve(inbox, outbox, lambda: generator.open(path, config=config))
            finally:
                os._exit(status)
        os.close(rows_read)
        os.close(result_write)
        self._pid = pid
        self._rows = os.fdopen(rows_write, "wb", buffering=1 << 16)
        self._results = os.fdopen(result_read, "rb")
        self._batch: list[Any] = []
        self._characters = 0
        self._stop = weakref.finalize(self, _stop, pid, (self._rows, self._results))

    @property
    def pid(self) -> int:
        """The writer process's id."""
        return self._pid

    def add(self, row: Any) -> None:
        """Queue one mapped activity for the writer: only its values when it is listed and does not deviate.

        The batch goes when it has BATCH_ROWS rows or BATCH_CHARACTERS characters of text, whichever comes first.
        """
        if row.listed and not row.is_deviation:
            self._batch.append(row.values)
            self._characters += _text_length(row.values)
        else:
            self._batch.append(_bounded_row(row))
            self._characters += _deviation_length(row)
        if len(self._batch) >= BATCH_ROWS or self._characters >= BATCH_CHARACTERS:
            self._send(("rows", self._batch))
            self._batch, self._characters = [], 0

    def close(self, facts: WorkbookFacts, *, totals: Any) -> None:
        """Send what is left and the closing facts, wait for the writer to save, raise if it failed."""
        try:
            if self._batch:
                self._send(("rows", self._batch))
                self._batch = []
            self._send(("close", facts, totals))
            self._rows.close()
            outcome = self._outcome()
        except BaseException:
            self.discard()
            raise
        if outcome[0] != "ok":
            self.discard()
            raise _writer_error(outcome)
        self._stop.detach()
        self._results.close()
        os.waitpid(self._pid, 0)

    def discard(self) -> None:
        """Stop the writer if it still runs and reap it (an export that failed before closing)."""
        self._stop()

    def _outcome(self) -> tuple[str, ...]:
        """The writer's answer: ("ok",) or ("error", its traceback, its cause)."""
        try:
            outcome: tuple[str, ...] = pickle.load(self._results)  # noqa: S301 - a pipe from our own forked process
        except EOFError:
            return ("error", "the workbook writer process ended without an answer", "")
        return outcome

    def _send(self, message: tuple[Any, ...]) -> None:
        """Pickle one message into the pipe; a writer that died shows up here as its error."""
        try:
            pickle.dump(message, self._rows, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            raise _writer_error(self._outcome()) from None


def _writer_error(outcome: tuple[str, ...]) -> WorkbookProcessError:
    """The exporting side's error for the writer's answer ("error", traceback, cause)."""
    return WorkbookProcessError(outcome[1], disk_full=outcome[2:3] == ("disk_full",))


class ForkedWorkbookOpener:
    """Starts workbooks written by a forked process (POSIX), wrapping the ordinary generator."""

    def __init__(self, generator: OpenpyxlWorkbookOpener | None = None) -> None:
        self.generator = generator or OpenpyxlWorkbookOpener()

    def open(self, path: Path, *, config: CompiledConfig) -> ForkedWorkbookWriter:
        """A writer whose cells are written in a forked process."""
        return ForkedWorkbookWriter(path, config, self.generator)
