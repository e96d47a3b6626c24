"""The page never contradicts itself: the history row follows the status box, cancel asks first, tokens copy,
and the notice e-mails print numbers and cancellations as the page does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from exports.container import services
from exports.domain import ExportProgress, Period, Phase
from exports.models import BufdirExportAudit
from notices.models import ExportNotice
from notices.services import notify_finished, send_pending_notices
from tests import factories
from tests.sockets import page_socket

Status = BufdirExportAudit.Status


def history_status(html: str, audit_id: int) -> str:
    """The text of the export's status cell in the history (the out-of-band one when it is a fragment)."""
    match = re.search(rf'<span id="history-status-{audit_id}"[^>]*>(.*?)</span>\s*(?:</td>|$)', html, re.S)
    assert match, html
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def running_export(org, user, *, percent: int) -> BufdirExportAudit:
    """An export of `org` that a worker is mapping, `percent` done."""
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=user.pk, requested_by_label=user.username, period=Period.year(2025)
    )
    services().audits.start(audit.pk)
    services().audits.record_progress(
        audit.pk, phase=Phase.MAPPING, rows_processed=percent * 10, rows_total=1000, percent=percent
    )
    return audit


@pytest.mark.django_db
def test_the_polled_status_carries_the_history_row_of_the_running_export(client):
    org = factories.organisation()
    user = factories.member(org)
    client.force_login(user)
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=user.pk, requested_by_label=user.username, period=Period.year(2025)
    )
    page = client.get("/exports/nhf/").content.decode()
    assert history_status(page, audit.pk) == "Venter på å starte"

    services().audits.start(audit.pk)
    services().audits.record_progress(audit.pk, phase=Phase.MAPPING, rows_processed=180, rows_total=1000, percent=18)
    fragment = client.get("/exports/nhf/status/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="18"' in fragment
    row = re.search(rf'<span id="history-status-{audit.pk}" hx-swap-oob="true">', fragment)
    assert row, fragment
    assert history_status(fragment, audit.pk) == "Pågår (behandler aktiviteter, 18 %)"
    assert 'id="export-history"' not in fragment


@pytest.mark.django_db(transaction=True)
def test_each_websocket_frame_carries_the_history_row_with_the_status(export_files):
    org = factories.organisation()
    user = factories.member(org)
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=user.pk, requested_by_label=user.username, period=Period.year(2025)
    )

    async def body():
        communicator = page_socket(user, "nhf")
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_from()
        assert 'data-status="pending"' in first and history_status(first, audit.pk).startswith("Venter")
        await sync_to_async(services().audits.start)(audit.pk)
        await sync_to_async(services().progress.publish)(
            org.pk,
            event=ExportProgress(
                audit_id=audit.pk, phase=Phase.MAPPING, rows_processed=180, rows_total=1000, percent=18
            ),
        )
        frame = await communicator.receive_from()
        assert 'value="18"' in frame
        assert history_status(frame, audit.pk) == "Pågår (behandler aktiviteter, 18 %)"
        await communicator.disconnect()

    async_to_sync(body)()


@pytest.mark.django_db
def test_cancel_asks_in_the_page_first(client):
    org = factories.organisation()
    user = factories.member(org)
    client.force_login(user)
    running_export(org, user, percent=18)
    page = client.get("/exports/nhf/").content.decode()
    form = re.search(r'<form id="cancel-form"[^>]*>', page).group(0)
    assert 'data-confirm-dialog="cancel-dialog"' in form
    dialog = re.search(r'<dialog id="cancel-dialog".*?</dialog>', page, re.S).group(0)
    assert "Er du sikker?" in dialog and ">Ja, avbryt</button>" in dialog and ">Nei</button>" in dialog
    assert "window.confirm" not in page and "hx-confirm" not in page
    assert 'src="/static/exports/page.js"' in page


@pytest.mark.django_db
def test_a_new_token_has_a_copy_button(client):
    org = factories.organisation()
    client.force_login(factories.member(org))
    page = client.post("/tokens/nhf/new/", {"name": "Regneark", "days": "30"}, follow=True).content.decode()
    assert 'id="new-token-secret"' in page, page
    button = re.search(r'<button type="button" id="copy-token-button"[^>]*>([^<]*)</button>', page)
    assert button and button.group(1) == "Kopier"
    assert 'data-copy-target="new-token-secret"' in button.group(0) and 'data-copied-text="Kopiert"' in button.group(0)
    assert 'id="copy-token-status"' in page and 'role="status"' in page


def finished(org, user, **fields) -> BufdirExportAudit:
    values = {
        "status": Status.SUCCEEDED,
        "period_from": dt.date(2025, 1, 1),
        "period_to": dt.date(2025, 12, 31),
        "finished_at": timezone.now(),
        "requested_by": user,
        "requested_by_label": user.username,
        "rows_exported": 13000,
        "rows_counted": 12500,
        "rows_deviations": 1234,
        "file_key": "nhf/1/x.zip",
    }
    values.update(fields)
    return BufdirExportAudit.objects.create(organisation=org, **values)


def with_email(user, address: str):
    user.email = address
    user.save()
    return user


@pytest.mark.django_db
def test_the_email_prints_numbers_as_the_page_does(mailoutbox):
    org = factories.organisation()
    starter = with_email(factories.member(org, username="nora"), "nora@example.org")
    assert notify_finished(finished(org, starter).pk)
    body = mailoutbox[0].body
    assert "13\xa0000" in body and "12\xa0500" in body and "1\xa0234" in body, body
    assert "13000" not in body


@pytest.mark.django_db
def test_the_starter_hears_when_someone_else_cancels(mailoutbox):
    org = factories.organisation(name="Norges Handikapforbund")
    starter = with_email(factories.member(org, username="nora"), "nora@example.org")
    other = factories.member(org, username="kari")
    audit = running_export(org, starter, percent=18)
    assert services().audits.cancel(audit.pk, user_id=other.pk, label="kari")
    assert notify_finished(audit.pk) is True
    assert notify_finished(audit.pk) is False
    mail = mailoutbox[0]
    assert mail.to == ["nora@example.org"]
    assert mail.subject == "Bufdir-eksporten for Norges Handikapforbund ble avbrutt av kari"
    assert "ble avbrutt av kari" in mail.body and "/exports/nhf/" in mail.body


@pytest.mark.django_db
def test_cancelling_ones_own_export_sends_nothing(mailoutbox):
    org = factories.organisation()
    starter = with_email(factories.member(org, username="nora"), "nora@example.org")
    audit = running_export(org, starter, percent=5)
    assert services().audits.cancel(audit.pk, user_id=starter.pk, label="nora")
    assert notify_finished(audit.pk) is False
    assert send_pending_notices() == 0
    assert mailoutbox == []
    assert ExportNotice.objects.filter(audit=audit, state=ExportNotice.State.SKIPPED).exists()


@pytest.mark.django_db
def test_the_worker_tells_the_starter_of_a_cancellation_on_the_page(client, mailoutbox, export_files):
    from exports.tasks import run_export

    org = factories.organisation(name="Norges Handikapforbund")
    starter = with_email(factories.member(org, username="nora"), "nora@example.org")
    factories.activity(org, started_at=dt.datetime(2025, 5, 2, 10, tzinfo=dt.UTC))
    client.force_login(factories.member(org, username="kari"))
    audit = services().audits.create(
        organisation_id=org.pk,
        requested_by_id=starter.pk,
        requested_by_label=starter.username,
        period=Period.year(2025),
    )
    response = client.post(f"/exports/nhf/{audit.pk}/cancel", HTTP_HX_REQUEST="true")
    assert 'id="export-cancelled"' in response.content.decode()
    run_export(audit.pk)
    assert BufdirExportAudit.objects.get(pk=audit.pk).status == Status.CANCELLED
    assert [mail.subject for mail in mailoutbox] == ["Bufdir-eksporten for Norges Handikapforbund ble avbrutt av kari"]
    assert mailoutbox[0].to == ["nora@example.org"]
