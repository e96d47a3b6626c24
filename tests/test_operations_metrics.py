"""/metrics: refused to strangers, and its figures agree with the audit rows (whoever ran the exports)."""

from __future__ import annotations

import datetime as dt
import errno

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from exports.container import services
from exports.domain import Period, Phase
from exports.lifecycle.fault_naming import name_fault
from exports.models import BufdirExportAudit
from operations import health
from operations.heartbeat import beat
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
OUTSIDE = {"REMOTE_ADDR": "198.51.100.20"}
TOKEN = "scrape-token-" + "k" * 32


@pytest.fixture(autouse=True)
def no_cached_readiness(settings, export_files):
    """No token, no readiness cached, an empty django-q2 queue (the ORM table, or Redis in the production pass)."""
    from django_q.brokers import get_broker

    settings.METRICS_TOKEN = ""
    health._cached = None
    get_broker().purge_queue()
    yield
    get_broker().purge_queue()
    health._cached = None


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by (name, sorted labels)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.parametrize(
    ("token", "remote", "header", "status"),
    [
        ("", "127.0.0.1", "", 200),
        ("", "::1", "", 200),
        ("", "198.51.100.20", "", 403),
        ("", "198.51.100.20", f"Bearer {TOKEN}", 403),  # no token configured: a bearer means nothing
        (TOKEN, "127.0.0.1", "", 403),
        (TOKEN, "198.51.100.20", "Bearer wrong-token", 403),
        (TOKEN, "198.51.100.20", f"Basic {TOKEN}", 403),
        (TOKEN, "198.51.100.20", f"Bearer {TOKEN}", 200),
        (TOKEN, "127.0.0.1", f"bearer {TOKEN}", 200),
    ],
)
def test_metrics_are_answered_only_to_the_token_or_without_it_to_loopback(
    client, settings, token, remote, header, status
):
    settings.METRICS_TOKEN = token
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", REMOTE_ADDR=remote, **extra)
    assert response.status_code == status
    if status == 403:
        assert b"bufdir_" not in response.content


def finished(audit: BufdirExportAudit, *, status: str, seconds: float, rows: int | None = None) -> None:
    """Move an audit to `status`, `seconds` after it started."""
    started = timezone.now() - dt.timedelta(hours=1)
    BufdirExportAudit.objects.filter(pk=audit.pk).update(
        status=status,
        started_at=started,
        heartbeat_at=started + dt.timedelta(seconds=seconds),
        finished_at=started + dt.timedelta(seconds=seconds),
        rows_total=rows,
    )


def test_the_figures_agree_with_the_audit_rows(client):
    audits = services().audits
    orgs = [factories.organisation(f"org{index}") for index in range(10)]

    def create(org):
        return audits.create(
            organisation_id=org.pk, requested_by_id=None, requested_by_label="t", period=Period.year(2025)
        )

    # Two successes: 3 s for 270 rows (90 rows/s) and 40 s for 4,400 rows (110 rows/s).
    for org, seconds, rows in ((orgs[0], 3.0, 270), (orgs[1], 40.0, 4400)):
        audit = create(org)
        finished(audit, status="succeeded", seconds=seconds, rows=rows)
    # A failure while mapping without a named cause, and a full disk named by the orchestrator while writing.
    failing, full = create(orgs[2]), create(orgs[8])
    for audit, phase in ((failing, Phase.MAPPING), (full, Phase.WRITING)):
        audits.start(audit.pk)
        audits.record_phase(audit.pk, phase=phase)
    audits.fail(failing.pk, message="broken")
    disk_full = OSError(errno.ENOSPC, "No space left on device")
    audits.fail(full.pk, message="full", detail=name_fault(disk_full, phase=Phase.WRITING).detail(disk_full))
    # The reaper: a running export whose heartbeat stopped while writing, one alive but stuck while mapping,
    # a pending one no worker took.
    silent, stuck, untaken = create(orgs[3]), create(orgs[9]), create(orgs[4])
    for audit, phase in ((silent, Phase.WRITING), (stuck, Phase.MAPPING)):
        audits.start(audit.pk)
        audits.record_phase(audit.pk, phase=phase)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    BufdirExportAudit.objects.filter(pk=silent.pk).update(heartbeat_at=long_ago)
    BufdirExportAudit.objects.filter(pk=stuck.pk).update(progressed_at=timezone.now() - dt.timedelta(hours=2))
    BufdirExportAudit.objects.filter(pk=untaken.pk).update(created_at=long_ago)
    assert sorted(services().reaper.reap()) == sorted([silent.pk, stuck.pk, untaken.pk])
    # A cancelled pending export, one still pending and one running.
    cancelled = create(orgs[5])
    audits.cancel(cancelled.pk, user_id=None, label="t")
    create(orgs[6])
    running = create(orgs[7])
    audits.start(running.pk)

    figures = samples(client.get("/metrics"))

    assert figures[("bufdir_exports_requested_total", ())] == 10
    assert (
        figures[("bufdir_exports_started_total", ())]
        == BufdirExportAudit.objects.filter(started_at__isnull=False).count()
        == 7
    )
    assert figures[("bufdir_exports_succeeded_total", ())] == 2
    failed = {labels: value for (name, labels), value in figures.items() if name == "bufdir_exports_failed_total"}
    assert failed == {
        (("cause", "other"), ("phase", "mapping")): 1,
        (("cause", "disk_full"), ("phase", "writing")): 1,
        (("cause", "worker_lost"), ("phase", "writing")): 1,
        (("cause", "stuck"), ("phase", "mapping")): 1,
        (("cause", "not_taken"), ("phase", "queued")): 1,
    }
    assert figures[("bufdir_exports_cancelled_total", (("phase", "queued"),))] == 1
    assert figures[("bufdir_reaper_actions_total", (("reason", "not_taken"),))] == 1
    assert figures[("bufdir_reaper_actions_total", (("reason", "worker_lost"),))] == 1
    assert figures[("bufdir_reaper_actions_total", (("reason", "stuck"),))] == 1
    assert figures[("bufdir_exports_active", (("status", "pending"),))] == 1
    assert figures[("bufdir_exports_active", (("status", "running"),))] == 1

    succeeded = (("status", "succeeded"),)
    assert figures[("bufdir_export_duration_seconds_count", succeeded)] == 2
    assert figures[("bufdir_export_duration_seconds_sum", succeeded)] == pytest.approx(43.0, abs=0.01)
    assert figures[("bufdir_export_duration_seconds_bucket", (("le", "2.0"), *succeeded))] == 0
    assert figures[("bufdir_export_duration_seconds_bucket", (("le", "5.0"), *succeeded))] == 1
    assert figures[("bufdir_export_duration_seconds_bucket", (("le", "30.0"), *succeeded))] == 1
    assert figures[("bufdir_export_duration_seconds_bucket", (("le", "60.0"), *succeeded))] == 2
    assert figures[("bufdir_export_duration_seconds_bucket", (("le", "+Inf"), *succeeded))] == 2
    assert figures[("bufdir_export_rows_per_second_count", ())] == 2
    assert figures[("bufdir_export_rows_per_second_sum", ())] == pytest.approx(200.0, rel=1e-3)
    assert figures[("bufdir_export_rows_per_second_bucket", (("le", "50.0"),))] == 0
    assert figures[("bufdir_export_rows_per_second_bucket", (("le", "100.0"),))] == 1
    assert figures[("bufdir_export_rows_per_second_bucket", (("le", "500.0"),))] == 2

    # The broker's queue is the ORM broker's table; nothing was enqueued through it here.
    assert figures[("bufdir_queue_tasks", (("state", "queued"),))] == 0
    # No worker beats yet: not ready; the worker check alone fails.
    assert figures[("bufdir_ready", ())] == 0
    assert figures[("bufdir_ready_check", (("check", "worker"),))] == 0
    assert figures[("bufdir_ready_check", (("check", "database"),))] == 1
    assert figures[("bufdir_workers_alive", ())] == 0


def test_the_queue_depth_is_the_brokers(client):
    from django_q.tasks import async_task

    for _ in range(3):
        async_task("math.floor", 1.5)
    beat(worker="host:1", started_at=timezone.now())
    figures = samples(client.get("/metrics"))
    assert figures[("bufdir_queue_tasks", (("state", "queued"),))] == 3
    assert figures[("bufdir_ready", ())] == 1
    assert figures[("bufdir_workers_alive", ())] == 1


def test_a_restart_a_broken_configuration_and_a_short_read_are_failure_causes_of_their_own(client):
    from exports.lifecycle.shutdown import ServiceStopping
    from exports.source.activities import check_rows_read

    audits = services().audits
    org = factories.organisation("nhf")
    details = {}
    try:
        check_rows_read(counted=10, read=7)
    except Exception as short:  # noqa: BLE001 (the export error the orchestrator records)
        details["rows_mismatch"] = short.detail
    details["service_restarted"] = ServiceStopping("SIGTERM").detail
    details["configuration_error"] = "phase: mapping\ncause: configuration error\n\nRegler som ikke kunne beregnes"
    for cause, detail in details.items():
        audit = BufdirExportAudit.objects.create(
            organisation=org, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 12, 31), requested_by_label=cause
        )
        audits.start(audit.pk)
        audits.record_phase(audit.pk, phase=Phase.MAPPING)
        audits.fail(audit.pk, message=cause, detail=detail)
    figures = samples(client.get("/metrics"))
    failed = {labels: value for (name, labels), value in figures.items() if name == "bufdir_exports_failed_total"}
    assert failed == {(("cause", cause), ("phase", "mapping")): 1 for cause in details}
