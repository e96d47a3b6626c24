"""The page's states through the Django test client: None -> loading -> success or failure, and replacement."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from exports.models import BufdirExportAudit, ExportStatus, OrganisationColumnConfig
from tests import factories
from tests.export_reading import open_bundle

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin_client(client, export_files):
    """A logged-in NHF administrator with a few activities in 2025."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    local = factories.branch(org)
    mentor = factories.mentor(org, local)
    for day in range(1, 6):
        factories.activity(
            org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC)
        )
    client.force_login(factories.member(org))
    client.org = org
    return client


def status_of(client) -> str:
    """The data-status of the status fragment."""
    html = client.get(reverse("exports:status", args=["nhf"])).content.decode()
    return html.split('data-status="', 1)[1].split('"', 1)[0]


def test_none_then_loading_then_success(admin_client, django_capture_on_commit_callbacks, sync_tasks):
    assert status_of(admin_client) == "none"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": 2025}, **HTMX)
    assert response.status_code == 200
    assert 'data-status="pending"' in response.content.decode()
    assert status_of(admin_client) == "pending"
    page = admin_client.get(reverse("exports:page", args=["nhf"])).content.decode()
    assert "<progress" in page

    for callback in callbacks:
        callback()

    assert status_of(admin_client) == "succeeded"
    page = admin_client.get(reverse("exports:page", args=["nhf"])).content.decode()
    link = page.split('id="download-link" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    download = admin_client.get(link)
    assert download.status_code == 200
    bundle = open_bundle(b"".join(download.streaming_content))
    assert bundle.manifest["rows"]["exported"] == 5
    assert bundle.manifest["organisation"]["slug"] == "nhf"


def test_none_then_loading_then_failure_with_the_message(admin_client, django_capture_on_commit_callbacks, sync_tasks):
    OrganisationColumnConfig.objects.filter(organisation=admin_client.org).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": 2025}, **HTMX)
    html = admin_client.get(reverse("exports:status", args=["nhf"])).content.decode()
    assert 'data-status="failed"' in html
    assert "ingen aktiv kolonnekonfigurasjon" in html
    audit = BufdirExportAudit.objects.get()
    assert audit.status == "failed" and audit.finished_at is not None
    assert audit.events.last().phase == "failed"


def test_a_second_export_replaces_the_first_on_the_page(admin_client, django_capture_on_commit_callbacks, sync_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": 2025}, **HTMX)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("exports:start", args=["nhf"]),
            {"mode": "range", "date_from": "2025-05-02", "date_to": "2025-05-03"},
            **HTMX,
        )
    html = admin_client.get(reverse("exports:status", args=["nhf"])).content.decode().split("</section>", 1)[0]
    assert "02.05.2025" in html and "01.01.2025" not in html
    first, second = BufdirExportAudit.objects.order_by("pk")
    assert (first.rows_exported, second.rows_exported) == (5, 2)
    page = admin_client.get(reverse("exports:page", args=["nhf"])).content.decode()
    links = re.findall(r'<a [^>]*href="([^"?]+)\?token=[^"]+"[^>]*>', page)
    first_url, second_url = (reverse("exports:download", args=[audit.pk]) for audit in (first, second))
    # The status card links the latest export; the history links both. No `download` attribute: a link
    # that fails must land on a page that says why, not in the browser's download list.
    assert sorted(links) == sorted([first_url, second_url, second_url])
    assert not re.search(r"<a [^>]*\sdownload[\s>=]", page)


def test_the_organisation_comes_from_the_membership_not_the_form(
    admin_client, sync_tasks, django_capture_on_commit_callbacks
):
    other = factories.organisation("other")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("exports:start", args=["nhf"]),
            {"mode": "year", "year": 2025, "organisation": str(other.pk), "org": "other"},
            **HTMX,
        )
    assert BufdirExportAudit.objects.get().organisation == admin_client.org


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mode": "range", "date_from": "2025-05-03", "date_to": "2025-05-02"}, "date_to"),
        ({"mode": "range", "date_from": "2024-01-01", "date_to": "2025-06-30"}, "date_to"),
        ({"mode": "range", "date_from": "", "date_to": "2025-06-30"}, "date_from"),
    ],
)
def test_bad_periods_are_refused_and_nothing_is_queued(admin_client, data, field):
    response = admin_client.post(reverse("exports:start", args=["nhf"]), data, **HTMX)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not BufdirExportAudit.objects.exists()


def test_a_worker_that_died_leaves_a_failed_export_not_a_running_one(admin_client):
    from types import SimpleNamespace

    from exports.tasks import export_finished

    audit = BufdirExportAudit.objects.create(
        organisation=admin_client.org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status=ExportStatus.RUNNING,
    )
    export_finished(SimpleNamespace(success=False, args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == "failed" and "arbeidsprosessen" in audit.error_message
    html = admin_client.get(reverse("exports:status", args=["nhf"])).content.decode()
    assert 'data-status="failed"' in html and "arbeidsprosessen" in html
