"""The workbook written in a forked process: same workbook, and a failure on either side fails the export."""

from __future__ import annotations

import os

import pytest

from exports.container import services
from exports.domain import ExportFailure
from exports.models import BufdirExportAudit
from exports.source.local import LocalActivitySource
from exports.workbook.forked import ForkedWorkbookOpener
from exports.workbook.opener import OpenpyxlWorkbookOpener

pytestmark = pytest.mark.django_db


class RecordingForkedGenerator(ForkedWorkbookOpener):
    """Remembers the process id of every writer it starts."""

    def __init__(self, generator: OpenpyxlWorkbookOpener | None = None) -> None:
        super().__init__(generator)
        self.pids: list[int] = []

    def open(self, path, config):
        writer = super().open(path, config=config)
        self.pids.append(writer.pid)
        return writer


class FailingWriterGenerator(OpenpyxlWorkbookOpener):
    """A generator whose writers fail on the third listed row (in the writer process)."""

    def open(self, path, config):
        writer = super().open(path, config=config)
        rows = 0
        add_listed = writer.add_listed

        def failing_add_listed(values):
            nonlocal rows
            rows += 1
            if rows == 3:
                raise RuntimeError("disk full")
            add_listed(values)

        writer.add_listed = failing_add_listed
        return writer


class BrokenSource(LocalActivitySource):
    """Yields the first chunk, then fails as a lost database connection would."""

    def stream(self, organisation_id, period, chunk_size):
        yield from list(super().stream(organisation_id, period=period, chunk_size=chunk_size))[:1]
        raise ConnectionError("connection lost")


def _gone(pid: int) -> bool:
    """Whether the process has exited and been reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_forked_writer_writes_the_same_workbook(org_with_activities, run_export):
    generator = RecordingForkedGenerator()
    with services().override(workbook_generator=generator):
        forked = run_export(org_with_activities).succeeded_bundle
    with services().override(workbook_generator=OpenpyxlWorkbookOpener()):
        plain = run_export(org_with_activities).succeeded_bundle
    assert generator.pids and all(pid != os.getpid() and _gone(pid) for pid in generator.pids)
    forked_book, plain_book = forked.workbook, plain.workbook
    for name in ("Aktiviteter", "Avvik"):
        forked_rows = list(forked_book[name].iter_rows(values_only=True))
        assert forked_rows == list(plain_book[name].iter_rows(values_only=True))
        assert len(forked_rows) > 1 or name == "Avvik"


def test_a_failure_in_the_writer_process_fails_the_export(org_with_activities, run_export):
    generator = RecordingForkedGenerator(FailingWriterGenerator())
    with services().override(workbook_generator=generator):
        done = run_export(org_with_activities)
    audit = done.audit
    assert isinstance(done.result, ExportFailure)
    assert audit.status == BufdirExportAudit.Status.FAILED
    assert audit.file_key == ""
    assert all(_gone(pid) for pid in generator.pids)


def test_a_failure_while_mapping_stops_the_writer_process(org_with_activities, run_export):
    generator = RecordingForkedGenerator()
    with services().override(workbook_generator=generator, activity_source=BrokenSource()):
        services().orchestrator.chunk_size = 10
        done = run_export(org_with_activities)
    assert isinstance(done.result, ExportFailure)
    assert done.audit.status == BufdirExportAudit.Status.FAILED
    assert len(generator.pids) == 1 and _gone(generator.pids[0])
