"""Nothing left behind: however an export ends, its temporary files (the writer's and the spool) are removed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import tempfile
import time
from pathlib import Path

import pytest
from django.utils import timezone

from exports.config.versions import save_column_config
from exports.container import services
from exports.domain import ExportFailure, ExportNotRun, ExportRequest, ExportSuccess, Period
from exports.lifecycle.workdirs import ExportWorkdirs
from exports.models import BufdirExportAudit, ExportStatus, OrganisationColumnConfig
from exports.source.local import LocalActivitySource
from exports.workbook.opener import OpenpyxlWorkbookOpener
from tests import factories
from tests.rules.test_rule_failures import _with_broken_rule
from tests.workbook.test_forked import BrokenSource, RecordingForkedGenerator

pytestmark = pytest.mark.django_db


class Folders:
    """The exports' temporary root and the system's temporary folder, both to be empty after every export."""

    def __init__(self, root: Path, system: Path) -> None:
        self.root, self.system = root, system

    def left(self) -> list[str]:
        """Whatever is left in either folder."""
        return sorted(os.listdir(self.root)) + sorted(os.listdir(self.system))


@pytest.fixture
def folders(tmp_path, monkeypatch, export_files):
    """A temporary root for the exports (the setting) and a system temporary folder (TMPDIR) to watch."""
    root, system = tmp_path / "exports-tmp", tmp_path / "system-tmp"
    system.mkdir()
    monkeypatch.setenv("TMPDIR", str(system))
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    with services().override(export_workdirs=ExportWorkdirs(root)):
        yield Folders(root, system)


def _run(org, heartbeat_interval: float = 5.0, **fakes):
    """Create an audit of `org` and run the export with the given services swapped in."""
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    with services().override(**fakes):
        services().orchestrator.chunk_size = 10
        services().orchestrator.heartbeat_interval = heartbeat_interval
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="x")
        )
    return audit, result


def _wait_for(condition, seconds: float = 20.0) -> bool:
    """Whether `condition()` came true within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


class SettledForkedGenerator(RecordingForkedGenerator):
    """Starts forked writers and waits until each has made its sheet files (wherever it puts them)."""

    def __init__(self, folders: Folders) -> None:
        super().__init__()
        self.folders = folders

    def open(self, path, config):
        writer = super().open(path, config=config)
        assert _wait_for(
            lambda: any(
                name.startswith("openpyxl")
                for folder in (path.parent, self.folders.system)
                for name in os.listdir(folder)
            )
        )
        return writer


class KillingSource(LocalActivitySource):
    """After the first chunk, waits for the writer's sheet files in the export's folder, then SIGKILLs the writer."""

    def __init__(self, generator: RecordingForkedGenerator, folders: Folders) -> None:
        self.generator, self.folders = generator, folders
        self.seen_in_workdir: list[str] = []

    def stream(self, organisation_id, period, chunk_size):
        for index, chunk in enumerate(super().stream(organisation_id, period=period, chunk_size=chunk_size)):
            if index == 1:
                (workdir,) = self.folders.root.iterdir()
                self.seen_in_workdir = sorted(os.listdir(workdir))
                assert os.listdir(self.folders.system) == []  # the writer's temporary files are not there
                os.kill(self.generator.pids[0], signal.SIGKILL)
            yield chunk


def test_a_successful_export_leaves_nothing(org_with_activities, folders):
    _audit, result = _run(org_with_activities, workbook_generator=SettledForkedGenerator(folders))
    assert isinstance(result, ExportSuccess)
    assert folders.left() == []


def test_a_source_failure_leaves_nothing(org_with_activities, folders):
    generator = SettledForkedGenerator(folders)
    _audit, result = _run(org_with_activities, workbook_generator=generator, activity_source=BrokenSource())
    assert isinstance(result, ExportFailure) and generator.pids
    assert folders.left() == []


def test_a_source_failure_with_the_writer_in_this_process_leaves_nothing(org_with_activities, folders):
    _audit, result = _run(
        org_with_activities, workbook_generator=OpenpyxlWorkbookOpener(), activity_source=BrokenSource()
    )
    assert isinstance(result, ExportFailure)
    assert folders.left() == []


def test_a_rule_failure_leaves_nothing(org_with_activities, folders):
    OrganisationColumnConfig.objects.filter(organisation=org_with_activities).update(is_active=False)
    save_column_config(organisation=org_with_activities, document=_with_broken_rule(), active=True)
    _audit, result = _run(org_with_activities, workbook_generator=SettledForkedGenerator(folders))
    assert isinstance(result, ExportFailure)
    assert folders.left() == []


def test_a_cancelled_export_leaves_nothing(org_with_activities, folders, export_files):
    audits = services().audits

    class CancellingSource(LocalActivitySource):
        def stream(self, organisation_id, period, chunk_size):
            for index, chunk in enumerate(super().stream(organisation_id, period=period, chunk_size=chunk_size)):
                if index == 1:
                    active = audits.active_for(organisation_id)
                    assert active is not None and audits.cancel(active.pk, user_id=None, label="another tab")
                    time.sleep(0.2)  # the heartbeat thread notices within 0.05 s: the export stops while mapping
                yield chunk

    generator = SettledForkedGenerator(folders)
    audit, result = _run(
        org_with_activities, heartbeat_interval=0.05, workbook_generator=generator, activity_source=CancellingSource()
    )
    assert isinstance(result, ExportNotRun)
    assert BufdirExportAudit.objects.get(pk=audit.pk).status == ExportStatus.CANCELLED
    assert not BufdirExportAudit.objects.get(pk=audit.pk).file_key and not export_files._storage.exists("nhf")
    assert folders.left() == []


def test_a_writer_killed_with_sigkill_leaves_nothing(org_with_activities, folders):
    generator = SettledForkedGenerator(folders)
    source = KillingSource(generator, folders)
    audit, result = _run(org_with_activities, workbook_generator=generator, activity_source=source)
    assert any(name.startswith("openpyxl") for name in source.seen_in_workdir)  # it had written sheet files
    assert isinstance(result, ExportFailure)
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    assert stored.error_detail.startswith("phase: writing\n")
    assert folders.left() == []


def test_the_sweep_removes_what_a_killed_exporter_left_and_keeps_running_exports(org_with_activities, folders):
    from exports.tasks import reap_lost_exports

    audits = services().audits
    killed = audits.create(
        organisation_id=org_with_activities.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    audits.start(killed.pk)
    running_org = factories.organisation("running")
    running = audits.create(
        organisation_id=running_org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    audits.start(running.pk)
    workdirs = services().get("export_workdirs")
    # The exporting process of `killed` was SIGKILLed mid-export: its folder, with the writer's sheet and
    # the spool, stays; `running` is still writing into its own.
    left = Path(tempfile.mkdtemp(prefix=f"bufdir-export-{killed.pk}-", dir=workdirs.root))
    (left / "openpyxl.abc123").write_bytes(b"x" * 1024)
    (left / "bufdir-nhf-2025-01-01-2025-12-31-avvik.sqlite3").write_bytes(b"y" * 1024)
    alive = Path(tempfile.mkdtemp(prefix=f"bufdir-export-{running.pk}-", dir=workdirs.root))
    BufdirExportAudit.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))

    assert reap_lost_exports() == [killed.pk]

    assert sorted(os.listdir(folders.root)) == [alive.name]
    audits.fail(running.pk, message="ended")
    assert services().reaper.sweep() == [alive]
    assert folders.left() == []
