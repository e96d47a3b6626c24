"""The shutdown guard in one process: SIGTERM mid-export fails it with the restart message, cleans, pushes."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import translation

from exports.config.plugins import ExportRulePlugin, PluginRegistry
from exports.container import services
from exports.domain import ExportFailure
from exports.lifecycle.progress import organisation_group
from exports.lifecycle.shutdown import ShutdownGuard
from exports.lifecycle.workdirs import ExportWorkdirs
from exports.models import ExportStatus

pytestmark = pytest.mark.django_db
RESTART = "Eksporttjenesten ble startet på nytt mens eksporten kjørte. Start eksporten på nytt."


class TerminatedAtRowFive(ExportRulePlugin):
    """Sends this process SIGTERM while the fifth row is mapped, as systemd would mid-export."""

    rows = 0

    def reasons_not_counted(self, row):
        TerminatedAtRowFive.rows += 1
        if TerminatedAtRowFive.rows == 5:
            os.kill(os.getpid(), signal.SIGTERM)
        return ()


@pytest.fixture
def guard():
    """A guard installed in this process, SIGTERM and SIGUSR1 given back afterwards."""
    previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGUSR1)}
    guard = ShutdownGuard()
    guard.install()
    yield guard
    for number, handler in previous.items():
        signal.signal(number, handler)


def test_sigterm_mid_export_fails_it_at_once_cleans_up_and_pushes_the_state(
    org_with_activities, run_export, guard, tmp_path: Path, monkeypatch
):
    TerminatedAtRowFive.rows = 0
    layer = get_channel_layer()
    channel = f"shutdown-page-{org_with_activities.pk.hex}"  # a plain name: received from any event loop
    async_to_sync(layer.group_add)(organisation_group(org_with_activities.pk), channel)
    temp = tmp_path / "tmp"
    registry = PluginRegistry({"nhf": [f"{__name__}.TerminatedAtRowFive"]})
    with services().override(plugin_registry=registry, export_workdirs=ExportWorkdirs(temp)):
        monkeypatch.setattr(services().orchestrator, "stop_window", guard.armed)
        with guard.running(), translation.override("nb"):
            finished = run_export(org_with_activities)

    assert TerminatedAtRowFive.rows == 5, "the export stopped at the row that got the signal"
    assert isinstance(finished.result, ExportFailure) and finished.result.error_message == RESTART
    assert finished.audit.status == ExportStatus.FAILED and finished.audit.error_message == RESTART
    assert "service stopping: SIGTERM" in finished.audit.error_detail
    assert list(temp.iterdir()) == []
    states = []
    while not states or states[-1]["status"] != "failed":
        states.append(async_to_sync(asyncio.wait_for)(layer.receive(channel), timeout=10))
    assert states[-1]["audit_id"] == finished.audit.pk
    assert guard.terminated
    with pytest.raises(SystemExit):
        guard.exit_if_terminated()


def test_a_stop_requested_before_the_export_fails_it_as_soon_as_it_starts(
    org_with_activities, run_export, guard, monkeypatch
):
    with guard.running(), translation.override("nb"):
        os.kill(os.getpid(), signal.SIGUSR1)  # the watcher's nudge: the cluster is stopping
        monkeypatch.setattr(services().orchestrator, "stop_window", guard.armed)
        finished = run_export(org_with_activities)
    assert finished.audit.status == ExportStatus.FAILED and finished.audit.error_message == RESTART
    assert finished.audit.rows_processed == 0
    assert not guard.terminated


def test_an_idle_process_without_the_guard_runs_exports_as_before(org_with_activities, run_export, monkeypatch):
    guard = ShutdownGuard()  # not installed: not a django-q2 worker
    with guard.running():
        monkeypatch.setattr(services().orchestrator, "stop_window", guard.armed)
        finished = run_export(org_with_activities)
    assert finished.audit.status == ExportStatus.SUCCEEDED
    guard.exit_if_terminated()
