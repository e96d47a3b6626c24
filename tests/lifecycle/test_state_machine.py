"""The audit lifecycle as a guarded state machine: one active export per organisation, late workers, cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from exports.container import services
from exports.domain import ExportNotRun, ExportRequest, ExportSuccess, Period
from exports.lifecycle.progress import ChannelLayerGateway
from exports.lifecycle.state_machine import ExportAlreadyActive
from exports.models import BufdirExportAudit, ExportStatus, Membership
from tests import factories

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def org():
    """NHF with three activities in 2025."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    mentor = factories.mentor(org)
    for day in (1, 2, 3):
        factories.activity(org, peer_mentor=mentor, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC))
    return org


YEAR_2025 = Period.year(2025)


def create(org, label="tester", period=YEAR_2025):
    """A pending audit of `org`."""
    return services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label=label, period=period
    )


def status_of(audit) -> ExportStatus:
    """The audit's status as stored now."""
    return ExportStatus(BufdirExportAudit.objects.get(pk=audit.pk).status)


def test_each_transition_applies_only_from_the_states_it_leaves(org):
    audits = services().audits
    audit = create(org)
    assert not audits.heartbeat(audit.pk)
    assert audits.start(audit.pk)
    assert not audits.start(audit.pk)
    assert audits.heartbeat(audit.pk)
    assert audits.fail(audit.pk, message="broken", detail="Traceback ...")
    assert not audits.fail(audit.pk, message="again")
    assert not audits.cancel(audit.pk, user_id=None, label="x")
    assert not audits.start(audit.pk)
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    assert (stored.status, stored.error_message, stored.error_detail) == (
        ExportStatus.FAILED,
        "broken",
        "Traceback ...",
    )


def test_the_database_allows_one_active_export_per_organisation(org):
    create(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        BufdirExportAudit.objects.create(
            organisation=org,
            period_from=dt.date(2025, 1, 1),
            period_to=dt.date(2025, 1, 2),
            status=ExportStatus.RUNNING,
        )
    other = factories.organisation("other")
    assert create(other).status == ExportStatus.PENDING


def test_a_second_start_names_the_running_export(org):
    first = create(org, label="nhf-admin")
    with pytest.raises(ExportAlreadyActive) as refused:
        create(org, label="nhf-koordinator")
    assert refused.value.active.pk == first.pk and refused.value.active.requested_by_label == "nhf-admin"
    assert BufdirExportAudit.objects.count() == 1


def test_a_worker_whose_start_is_refused_writes_nothing(org, export_files):
    audits = services().audits
    audit = create(org)
    assert audits.fail(audit.pk, message="the reaper got here first")
    events_before = audit.events.count()
    result = services().orchestrator.run(
        ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="tester")
    )
    assert isinstance(result, ExportNotRun)
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    assert (stored.status, stored.error_message, stored.file_key) == (
        ExportStatus.FAILED,
        "the reaper got here first",
        "",
    )
    assert stored.events.count() == events_before
    assert not export_files._storage.exists("nhf")


def test_an_unexpected_failure_keeps_the_traceback_for_the_admin_only(org, client):
    class ExplodingSource:
        def count(self, *args, **kwargs):
            raise ZeroDivisionError("secret internals")

    audit = create(org)
    with services().override(activity_source=ExplodingSource()):
        services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="tester")
        )
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    assert stored.status == ExportStatus.FAILED
    assert "ZeroDivisionError: secret internals" in stored.error_detail
    assert "secret internals" not in stored.error_message
    client.force_login(factories.member(org))
    html = client.get(reverse("exports:status", args=["nhf"])).content.decode()
    assert stored.error_message in html and "secret internals" not in html and "Traceback" not in html


def test_an_export_cancelled_while_it_runs_stops_and_leaves_no_bundle(org, export_files):
    audits = services().audits
    audit = create(org)
    user = factories.member(org)

    class CancellingSource:
        """Cancels the export from 'another request' while the worker reads the activities."""

        def count(self, organisation_id, period):
            assert audits.cancel(audit.pk, user_id=user.pk, label=user.username)
            return 3

        def stream(self, organisation_id, period, chunk_size):
            yield []

    with services().override(activity_source=CancellingSource()):
        orchestrator = services().orchestrator
        orchestrator.heartbeat_interval = 0
        result = orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="tester")
        )
    assert isinstance(result, ExportNotRun)
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    assert (stored.status, stored.cancelled_by, stored.file_key) == (ExportStatus.CANCELLED, user, "")
    assert stored.cancelled_at is not None
    assert not export_files._storage.exists("nhf")


def test_a_cancel_that_lands_after_the_file_was_stored_removes_the_file(org, export_files):
    audits = services().audits
    audit = create(org)

    class CancelOnSave:
        def __init__(self, inner):
            self.inner = inner

        def save(self, *args, **kwargs):
            key = self.inner.save(*args, **kwargs)
            assert audits.cancel(audit.pk, user_id=None, label="other tab")
            return key

        def delete(self, key):
            self.inner.delete(key)

    with services().override(export_storage=CancelOnSave(export_files)):
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="tester")
        )
    assert isinstance(result, ExportNotRun)
    assert status_of(audit) == ExportStatus.CANCELLED
    assert export_files._storage.listdir(f"nhf/{audit.pk}")[1] == []


def test_the_reaper_fails_silent_running_exports_and_untaken_pending_ones(org, settings):
    audits = services().audits
    running = create(org)
    audits.start(running.pk)
    other = factories.organisation("other")
    pending = create(other)
    fresh = factories.organisation("fresh")
    recent = create(fresh)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    BufdirExportAudit.objects.filter(pk=running.pk).update(heartbeat_at=long_ago)
    BufdirExportAudit.objects.filter(pk=pending.pk).update(created_at=long_ago)

    failed = services().reaper.reap()

    assert sorted(failed) == sorted([running.pk, pending.pk])
    assert status_of(recent) == ExportStatus.PENDING
    assert (
        "stopped answering" in BufdirExportAudit.objects.get(pk=running.pk).error_message
        or "sluttet å svare" in BufdirExportAudit.objects.get(pk=running.pk).error_message
    )


def test_a_late_worker_after_the_reaper_does_not_run_the_export(org, export_files):
    audits = services().audits
    audit = create(org)
    BufdirExportAudit.objects.filter(pk=audit.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert services().reaper.reap() == [audit.pk]
    from exports.tasks import run_export

    assert run_export(audit.pk)["outcome"] == "not run"
    assert status_of(audit) == ExportStatus.FAILED
    assert audits.get(audit.pk).file_key == ""


def test_two_starts_from_two_clients_start_one_export(org, client, django_capture_on_commit_callbacks):
    admin, coordinator = (
        factories.member(org, username="nhf-admin"),
        factories.member(org, Membership.Role.COORDINATOR, username="nhf-koordinator"),
    )
    client.force_login(admin)
    from django.test import Client

    other = Client()
    other.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": 2025}, **HTMX)
        second = other.post(
            reverse("exports:start", args=["nhf"]),
            {"mode": "range", "date_from": "2025-05-01", "date_to": "2025-05-02"},
            **HTMX,
        )
    assert first.status_code == 200 and second.status_code == 409
    html = second.content.decode()
    assert "nhf-admin" in html and "01.01.2025" in html
    assert 'id="export-button" disabled' in html and 'id="export-button-reason"' in html
    assert BufdirExportAudit.objects.count() == 1


def test_the_button_says_why_it_is_unavailable_and_comes_back_when_the_export_ends(org, client):
    client.force_login(factories.member(org, username="nhf-admin"))
    audit = create(org, label="nhf-admin")
    page = client.get(reverse("exports:page", args=["nhf"])).content.decode()
    assert 'id="export-button" disabled' in page and "nhf-admin" in page
    services().audits.fail(audit.pk, message="x")
    fragment = client.get(reverse("exports:status", args=["nhf"])).content.decode()
    assert 'id="export-button-area" hx-swap-oob="true"' in fragment
    assert 'id="export-button" disabled' not in fragment and 'id="export-button"' in fragment


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Membership.Role.ADMINISTRATOR, True), (Membership.Role.COORDINATOR, True), (Membership.Role.PEER_MENTOR, False)],
)
def test_cancel_from_the_page_records_who_and_when(org, client, role, allowed):
    user = factories.member(org, role)
    client.force_login(user)
    audit = create(org)
    response = client.post(reverse("exports:cancel", args=["nhf", audit.pk]), **HTMX)
    stored = BufdirExportAudit.objects.get(pk=audit.pk)
    if not allowed:
        assert response.status_code == 403 and stored.status == ExportStatus.PENDING
        return
    assert response.status_code == 200
    assert stored.status == ExportStatus.CANCELLED and stored.cancelled_by == user
    assert 'data-status="cancelled"' in response.content.decode()
    assert user.username in response.content.decode()


def test_another_organisation_cannot_cancel(org, client):
    audit = create(org)
    other = factories.organisation("other")
    client.force_login(factories.member(other))
    assert client.post(reverse("exports:cancel", args=["nhf", audit.pk]), **HTMX).status_code == 404
    assert status_of(audit) == ExportStatus.PENDING


def test_a_period_without_activities_says_so_and_offers_no_download(org, client, export_files):
    client.force_login(factories.member(org))
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    audit = create(org, period=period)
    result = services().orchestrator.run(
        ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=period, requested_by="tester")
    )
    assert isinstance(result, ExportSuccess)
    html = client.get(reverse("exports:status", args=["nhf"])).content.decode()
    assert 'id="export-empty"' in html and "ngen aktiviteter i perioden" in html
    assert 'id="download-link"' not in html


@pytest.mark.parametrize("fault", [ConnectionError("Redis is down"), OperationalError("database is locked")])
def test_a_channel_layer_that_is_down_or_locked_does_not_stop_the_export(org, export_files, fault):
    class DownLayer:
        async def group_send(self, group, message):
            raise fault

    gateway = ChannelLayerGateway(DownLayer)
    for _ in range(2):  # and the next export runs as well
        audit = create(org)
        with services().override(channel_gateway=gateway):
            result = services().orchestrator.run(
                ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=YEAR_2025, requested_by="tester")
            )
        assert isinstance(result, ExportSuccess) and status_of(audit) == ExportStatus.SUCCEEDED


def test_a_channel_layer_that_cannot_even_be_made_does_not_stop_the_export(org, export_files):
    def broken_factory():
        raise RuntimeError("no such channel layer backend")

    audit = create(org)
    with services().override(channel_gateway=ChannelLayerGateway(broken_factory)):
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=YEAR_2025, requested_by="tester")
        )
    assert isinstance(result, ExportSuccess)
