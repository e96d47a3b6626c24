"""A slow but healthy export lives (its heartbeat is a side thread's); a dead or stuck one is failed by the reaper."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connections
from django.utils import timezone, translation

from exports.container import services
from exports.domain import ExportRequest, ExportSuccess, Period
from exports.lifecycle.reaper import ExportReaper, heartbeat_interval, keep_alive
from exports.models import BufdirExportAudit, ExportStatus
from exports.source.local import LocalActivitySource
from tests import factories

LOST_AFTER = 2  # seconds: silent for 2/3 s counts as dead


class SlowSource(LocalActivitySource):
    """The local activities, each chunk taking `pause` seconds to read (a slow source or costly rows)."""

    def __init__(self, pause: float) -> None:
        self.pause = pause

    def stream(self, organisation_id, period, chunk_size):
        for chunk in super().stream(organisation_id, period=period, chunk_size=chunk_size):
            time.sleep(self.pause)
            yield chunk


class ReaperLoop:
    """Runs the reaper every 50 ms in a thread of its own, as the schedule would, collecting what it failed."""

    def __init__(self) -> None:
        self.failed: list[int] = []
        self.rounds = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self._done.wait(0.05):
                self.failed += services().reaper.reap()
                self.rounds += 1
        finally:
            connections.close_all()

    def __enter__(self) -> ReaperLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


@pytest.fixture
def quick_reaper():
    """The reaper's bound is 2 s (heartbeat every 1/6 s, dead after 2/3 s of silence), as the settings make it."""
    container = services()
    with container.override(reaper=ExportReaper(container.audits, container.progress, LOST_AFTER)):
        container.orchestrator.heartbeat_interval = heartbeat_interval(LOST_AFTER)
        yield container.reaper


def _org_with_activities():
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    mentor = factories.mentor(org)
    for day in range(1, 5):
        factories.activity(org, peer_mentor=mentor, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC))
    return org


@pytest.mark.django_db(transaction=True)
def test_a_slow_but_healthy_export_succeeds_while_the_reaper_runs(quick_reaper, export_files):
    org = _org_with_activities()
    # A silent export of another organisation shows that this reaper does fail dead exports.
    dead_org = factories.organisation("dead")
    dead = services().audits.create(
        organisation_id=dead_org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    services().audits.start(dead.pk)
    BufdirExportAudit.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=10))
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    pause = 2.5 * LOST_AFTER  # one chunk takes 5 s, 7.5 times the silence that counts as dead
    with services().override(activity_source=SlowSource(pause)), ReaperLoop() as reaper:
        services().orchestrator.heartbeat_interval = heartbeat_interval(LOST_AFTER)
        services().orchestrator.chunk_size = 2  # two chunks: 10 s in all
        started = time.monotonic()
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="x")
        )
        took = time.monotonic() - started
    assert took >= 2 * pause and reaper.rounds > 20
    assert isinstance(result, ExportSuccess), result
    assert reaper.failed == [dead.pk]
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    assert (stored.status, stored.rows_exported) == (ExportStatus.SUCCEEDED, 4)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_ends_with_the_export(quick_reaper, export_files):
    org = _org_with_activities()
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    result = services().orchestrator.run(
        ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="x")
    )
    assert isinstance(result, ExportSuccess)
    assert not any(thread.name == "export-heartbeat" for thread in threading.enumerate())
    beat = BufdirExportAudit.objects.get(pk=audit.pk).heartbeat_at
    time.sleep(0.5)  # three heartbeat intervals: none comes any more
    assert BufdirExportAudit.objects.get(pk=audit.pk).heartbeat_at == beat


@pytest.mark.django_db
def test_an_export_alive_but_stuck_past_the_bound_is_failed_as_stuck():
    audits = services().audits
    stuck_org, busy_org = factories.organisation("stuck"), factories.organisation("busy")
    stuck, busy = (
        audits.create(organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025))
        for org in (stuck_org, busy_org)
    )
    for audit in (stuck, busy):
        audits.start(audit.pk)
    now = timezone.now()
    # Both beat (their processes are alive); one has not moved on for 11 minutes, the other for 9.
    BufdirExportAudit.objects.filter(pk=stuck.pk).update(progressed_at=now - dt.timedelta(minutes=11))
    BufdirExportAudit.objects.filter(pk=busy.pk).update(progressed_at=now - dt.timedelta(minutes=9))
    with (
        services().override(reaper=ExportReaper(audits, services().progress, 60, stuck_after=600)),
        translation.override("nb"),
    ):
        assert services().reaper.reap() == [stuck.pk]
        assert audits.heartbeat(busy.pk) and not audits.heartbeat(stuck.pk)  # the stuck one's beat stops
    failed = BufdirExportAudit.objects.get(pk=stuck.pk)
    assert failed.status == ExportStatus.FAILED
    assert "10 minutter" in failed.error_message and "fast" in failed.error_message
    assert failed.error_detail.startswith("stuck:")
    assert BufdirExportAudit.objects.get(pk=busy.pk).status == ExportStatus.RUNNING


@pytest.mark.django_db
def test_moving_on_is_recorded_but_a_bare_heartbeat_is_not(org_with_activities):
    audits = services().audits
    audit = audits.create(
        organisation_id=org_with_activities.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    audits.start(audit.pk)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    BufdirExportAudit.objects.filter(pk=audit.pk).update(progressed_at=long_ago)
    assert audits.heartbeat(audit.pk)
    assert BufdirExportAudit.objects.get(pk=audit.pk).progressed_at == long_ago
    assert audits.heartbeat(audit.pk, progressed=True)
    assert BufdirExportAudit.objects.get(pk=audit.pk).progressed_at > long_ago


def test_beats_while_the_block_runs_and_stops_after_it():
    beats = threading.Semaphore(0)
    count = []

    def beat():
        count.append(1)
        beats.release()

    with keep_alive(beat, interval=0.01):
        assert beats.acquire(timeout=10) and beats.acquire(timeout=10)
    after = len(count)
    assert not beats.acquire(timeout=0.1) or len(count) == after + 1  # at most one beat was already under way
    assert not any(thread.name == "export-heartbeat" for thread in threading.enumerate())


def test_a_failing_beat_does_not_end_the_block():
    calls = threading.Semaphore(0)

    def beat():
        calls.release()
        raise ConnectionError("database away for a moment")

    with keep_alive(beat, interval=0.01):
        assert calls.acquire(timeout=10) and calls.acquire(timeout=10)


def test_a_beat_that_says_the_export_no_longer_runs_ends_the_beating():
    calls = []

    def beat():
        calls.append(1)
        return False

    with keep_alive(beat, interval=0.01):
        time.sleep(0.3)  # thirty intervals
        assert calls == [1]
