"""Each fault named for what it is: a full disk, a busy database, a broker that is down, a source that fails."""

from __future__ import annotations

import errno
import json
import socket
import sqlite3
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from exports.container import services
from exports.domain import ExportFailure, ExportRequest, Period, Phase
from exports.lifecycle.fault_naming import name_fault
from exports.models import BufdirExportAudit, ExportStatus
from exports.source.local import LocalActivitySource
from exports.workbook import forked
from exports.workbook.forked import ForkedWorkbookOpener
from exports.workbook.opener import OpenpyxlWorkbookOpener
from tests import factories
from tests.workbook.test_forked import BrokenSource

SQLITE = connection.vendor == "sqlite"


class DiskFullGenerator(OpenpyxlWorkbookOpener):
    """Writers that run out of disk on the third listed row, as openpyxl's sheet file would."""

    def open(self, path, config):
        writer = super().open(path, config=config)
        rows, add_listed = 0, writer.add_listed

        def add(values):
            nonlocal rows
            rows += 1
            if rows == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
            add_listed(values)

        writer.add_listed = add
        return writer


class UnhurriedSource(LocalActivitySource):
    """The local activities, a little time between chunks (so the writer's death shows while mapping)."""

    def stream(self, organisation_id, period, chunk_size):
        for chunk in super().stream(organisation_id, period=period, chunk_size=chunk_size):
            yield chunk
            time.sleep(0.1)


def _export(org, **fakes):
    """Run an export of `org` in Norwegian with the given services swapped in; its result and stored audit."""
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    with services().override(**fakes), translation.override("nb"):
        services().orchestrator.chunk_size = 5
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="x")
        )
    return result, BufdirExportAudit.objects.get(pk=audit.pk)


@contextmanager
def table_locked(table: str):
    """Another connection holds an open write on `table` of the (shared in-memory) test database."""
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute(f"DELETE FROM {table} WHERE 1")  # a write: the table is locked until the rollback
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.django_db
def test_a_full_disk_in_the_writer_process_is_a_writing_failure_not_a_source_one(org_with_activities, monkeypatch):
    monkeypatch.setattr(forked, "BATCH_ROWS", 2)  # rows reach the writer while mapping goes on
    result, audit = _export(
        org_with_activities,
        workbook_generator=ForkedWorkbookOpener(DiskFullGenerator()),
        activity_source=UnhurriedSource(),
    )
    assert isinstance(result, ExportFailure)
    assert audit.error_message.startswith("Disken er full") and "kilden" not in audit.error_message
    assert audit.error_detail.startswith("phase: writing\ncause: disk full (ENOSPC)\n")
    assert "No space left on device" in audit.error_detail
    assert audit.file_key == ""


@pytest.mark.django_db
def test_a_full_disk_in_this_process_is_named_too(org_with_activities):
    result, audit = _export(org_with_activities, workbook_generator=DiskFullGenerator())
    assert isinstance(result, ExportFailure) and audit.error_message.startswith("Disken er full")
    assert "cause: disk full (ENOSPC)" in audit.error_detail


@pytest.mark.django_db
def test_a_source_that_fails_is_named_as_the_source(org_with_activities):
    result, audit = _export(org_with_activities, activity_source=BrokenSource())
    assert isinstance(result, ExportFailure) and "kilden" in audit.error_message
    assert audit.error_detail.startswith("phase: querying\ncause: source could not be read\n")
    assert "ConnectionError: connection lost" in audit.error_detail


@pytest.mark.skipif(not SQLITE, reason="SQLite's lock; PostgreSQL waits instead")
@pytest.mark.django_db(transaction=True)
def test_a_locked_database_is_named_busy_not_the_source(org_with_activities):
    class LockedWhileCounting(LocalActivitySource):
        """Another connection writes the activities (and holds the lock) while the export counts them."""

        def count(self, organisation_id, period):
            with table_locked("activities"):
                return super().count(organisation_id, period=period)

    result, audit = _export(org_with_activities, activity_source=LockedWhileCounting())
    assert isinstance(result, ExportFailure)
    assert audit.error_message.startswith("Databasen var opptatt") and "kilden" not in audit.error_message
    assert "cause: database busy (locked)" in audit.error_detail


def test_a_full_disk_while_bundling_or_storing_keeps_its_phase():
    fault = name_fault(OSError(errno.ENOSPC, "No space left on device"), phase=Phase.BUNDLING)
    assert (fault.phase, fault.cause) == (Phase.BUNDLING, "disk full (ENOSPC)")
    assert name_fault(ValueError("x"), phase=Phase.STORING).cause == "unexpected error"


@pytest.fixture
def broker_down(monkeypatch):
    """django-q2 talks to a Redis broker on a loopback port nothing listens on."""
    from django_q.conf import Conf

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "REDIS", f"redis://127.0.0.1:{port}/0")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("htmx", [True, False])
def test_export_while_the_broker_is_down_answers_at_once_and_leaves_nothing_pending(htmx, broker_down, client):
    org = factories.organisation("nhf")
    client.force_login(factories.member(org))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(reverse("exports:start", args=[org.slug]), {"mode": "year", "year": 2025}, **headers)
    assert response.status_code == 503
    html = response.content.decode()
    alert = html.split('role="alert" id="export-error"', 1)[1].split("</div>", 1)[0]
    assert "Eksportkøen (Redis) svarte ikke" in alert
    audit = BufdirExportAudit.objects.get(organisation=org)
    assert audit.status == ExportStatus.FAILED
    assert audit.error_detail.startswith("phase: queued\ncause: broker down\n")
    assert not BufdirExportAudit.objects.filter(status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]).exists()


@pytest.mark.skipif(not SQLITE, reason="SQLite's lock; PostgreSQL waits instead")
@pytest.mark.django_db(transaction=True)
def test_a_locked_database_answers_the_login_page_with_a_norwegian_503_not_a_500():
    factories.member(factories.organisation("nhf"), username="kari")
    client = Client(raise_request_exception=False)
    with table_locked("django_session"):
        assert client.get(reverse("login")).status_code == 200  # reading the page writes nothing
        response = client.post(reverse("login"), {"username": "kari", "password": "pw-for-tests-123"})
    assert response.status_code == 503 and response["Retry-After"]
    html = response.content.decode()
    assert 'role="alert"' in html and "Tjenesten er opptatt, prøv igjen om litt" in html
    assert client.post(reverse("login"), {"username": "kari", "password": "pw-for-tests-123"}).status_code == 302


def test_a_locked_database_answers_the_api_in_its_json_shape(rf):
    from bufdir_site.errors import server_error

    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = server_error(rf.post("/api/v1/exports"))
    assert response.status_code == 503 and response["Retry-After"]
    assert json.loads(response.content)["code"] == "service_busy"


def test_other_server_errors_stay_plain_500s(rf):
    from bufdir_site.errors import server_error

    try:
        raise OperationalError("no such table: activities")
    except OperationalError:
        response = server_error(rf.get("/exports/"))
    assert response.status_code == 500
