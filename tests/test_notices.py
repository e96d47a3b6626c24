"""Notice when ready: one e-mail in Norwegian per finished export, to whoever started it, unless turned off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from exports.container import services
from exports.models import BufdirExportAudit
from notices.models import ExportNotice
from notices.services import notify_finished, send_pending_notices
from tests import factories

pytestmark = pytest.mark.django_db
Status = BufdirExportAudit.Status


@pytest.fixture
def nhf():
    return factories.organisation("nhf", name="Norges Handikapforbund")


@pytest.fixture
def starter(nhf):
    user = factories.member(nhf, username="nora")
    user.email, user.first_name = "nora@example.org", "Nora"
    user.save()
    return user


def finished(org, user, **fields) -> BufdirExportAudit:
    values = {
        "status": Status.SUCCEEDED,
        "period_from": dt.date(2025, 1, 1),
        "period_to": dt.date(2025, 12, 31),
        "finished_at": timezone.now(),
        "requested_by": user,
        "requested_by_label": user.username,
        "rows_exported": 120,
        "rows_counted": 100,
        "rows_deviations": 7,
        "file_key": "nhf/1/bundle.zip",
    }
    values.update(fields)
    return BufdirExportAudit.objects.create(organisation=org, **values)


def test_a_succeeded_export_sends_one_norwegian_email_with_a_link_to_the_page(nhf, starter, mailoutbox, settings):
    settings.BUFDIR_SITE_URL = "https://eksport.example.org"
    audit = finished(nhf, starter)
    assert notify_finished(audit.pk) is True
    assert notify_finished(audit.pk) is False
    assert send_pending_notices() == 0
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nora@example.org"]
    assert mail.subject == "Bufdir-eksporten for Norges Handikapforbund er klar"
    assert "Hei Nora," in mail.body and "er klar" in mail.body
    assert "https://eksport.example.org/exports/nhf/" in mail.body
    assert "download" not in mail.body and "bundle.zip" not in mail.body and "token=" not in mail.body
    assert ExportNotice.objects.get(audit=audit).sent


def test_a_failed_export_sends_its_message(nhf, starter, mailoutbox):
    audit = finished(nhf, starter, status=Status.FAILED, error_message="Ingen aktiv kolonnekonfigurasjon.", file_key="")
    assert notify_finished(audit.pk)
    assert mailoutbox[0].subject == "Bufdir-eksporten for Norges Handikapforbund feilet"
    assert "Ingen aktiv kolonnekonfigurasjon." in mailoutbox[0].body


def test_no_email_while_running_or_when_turned_off_on_the_page(client, nhf, starter, mailoutbox):
    running = finished(nhf, starter, status=Status.RUNNING, finished_at=None)
    assert not notify_finished(running.pk)
    client.force_login(starter)
    page = client.get("/exports/", follow=True).content.decode()
    assert 'id="notify-browser"' in page and 'name="email_when_finished"' in page and "checked" in page
    response = client.post("/notices/preference/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "checked" not in response.content.decode()
    BufdirExportAudit.objects.filter(pk=running.pk).update(status=Status.SUCCEEDED, finished_at=timezone.now())
    assert not notify_finished(running.pk)
    assert mailoutbox == []

    client.post("/notices/preference/", {"email_when_finished": "on"})
    assert notify_finished(finished(nhf, starter).pk)
    assert len(mailoutbox) == 1


def test_the_sweep_sends_what_was_missed_once(nhf, starter, mailoutbox):
    missed = finished(nhf, starter, status=Status.FAILED, error_message="Stoppet.", file_key="")
    finished(nhf, starter, finished_at=timezone.now() - dt.timedelta(days=3))
    assert send_pending_notices() == 1
    assert send_pending_notices() == 0
    assert [mail.to for mail in mailoutbox] == [["nora@example.org"]]
    assert ExportNotice.objects.filter(audit=missed).exists()


def test_a_failed_send_is_tried_again_later(nhf, starter, mailoutbox, monkeypatch):
    audit = finished(nhf, starter)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("notices.services.send_mail", broken)
    assert not notify_finished(audit.pk)
    monkeypatch.undo()
    assert send_pending_notices() == 1
    assert len(mailoutbox) == 1


def test_an_export_run_by_the_worker_mails_its_starter_once(
    client, nhf, starter, mailoutbox, export_files, django_capture_on_commit_callbacks, sync_tasks
):
    from api.tokens import issue_token

    factories.activity(nhf, started_at=dt.datetime(2025, 5, 2, 10, tzinfo=dt.UTC))
    secret = issue_token(user=starter, organisation=nhf, name="ci").secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/exports", {"year": 2025}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
    assert response.status_code == 202
    audit = BufdirExportAudit.objects.get()
    assert audit.status == Status.SUCCEEDED
    send_pending_notices()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Bufdir-eksporten for Norges Handikapforbund er klar"


def test_the_reaper_mails_the_starter_of_an_export_no_worker_took(nhf, starter, mailoutbox):
    from exports.rules.periods import check_year
    from exports.tasks import reap_lost_exports

    audit = services().audits.create(
        organisation_id=nhf.pk, requested_by_id=starter.pk, requested_by_label=starter.username, period=check_year(2025)
    )
    BufdirExportAudit.objects.filter(pk=audit.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert reap_lost_exports() == [audit.pk]
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.endswith("feilet")
    reap_lost_exports()
    assert len(mailoutbox) == 1
