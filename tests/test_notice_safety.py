"""Notices that names cannot break: plain subjects, private mail files, safe slugs, bounded retries."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.urls import reverse
from django.utils import timezone

from exports.models import BufdirExportAudit, Organisation
from notices.models import ExportNotice
from notices.services import MAX_ATTEMPTS, notify_finished, send_pending_notices
from tests import factories

pytestmark = pytest.mark.django_db
Status = BufdirExportAudit.Status
State = ExportNotice.State


@pytest.fixture
def nhf():
    return factories.organisation("nhf", name="Norges Handikapforbund")


def finished_by_starter(org) -> BufdirExportAudit:
    """A succeeded export of `org`, started by a member with an e-mail address."""
    user = factories.member(org, username=f"starter-{org.slug}")
    user.email, user.first_name = "nora@example.org", "Nora"
    user.save()
    return BufdirExportAudit.objects.create(
        organisation=org,
        status=Status.SUCCEEDED,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        finished_at=timezone.now(),
        requested_by=user,
        requested_by_label=user.username,
        rows_exported=1,
        rows_counted=1,
        rows_deviations=0,
    )


def test_the_subject_is_plain_text_on_one_line(mailoutbox):
    org = factories.organisation("inj", name="Inj & Co <b>Ltd</b>\r\nBcc: x@example.org")
    assert notify_finished(finished_by_starter(org).pk)
    subject = mailoutbox[0].subject
    assert subject == "Bufdir-eksporten for Inj & Co <b>Ltd</b> Bcc: x@example.org er klar"
    assert "&amp;" not in subject and "&lt;" not in subject and "\n" not in subject
    assert "Inj & Co <b>Ltd</b>" in mailoutbox[0].body


def test_mail_files_and_their_folder_are_the_owners_alone(nhf, settings, tmp_path):
    settings.EMAIL_BACKEND = "notices.mail.PrivateFileEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    previous = os.umask(0o022)
    try:
        assert notify_finished(finished_by_starter(nhf).pk)
    finally:
        os.umask(previous)
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1 and "Bufdir-eksporten for Norges Handikapforbund er klar" in files[0].read_text()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700


@pytest.mark.parametrize(
    "slug", ["a/b", "../x", "Nhf", "nhf_2", "nhf.", "nhf\n", "", " nhf", "æøå", "x" * 51, "organisation", "for"]
)
def test_a_hostile_slug_is_refused_at_save(slug):
    with pytest.raises(ValidationError) as refused:
        Organisation.objects.create(slug=slug, name="Hostile", org_number="1")
    assert "slug" in refused.value.message_dict
    assert not Organisation.objects.exists()


def test_good_slugs_are_saved():
    for slug in ("nhf", "hlf-demo", "org-2", "x" * 50):
        Organisation.objects.create(slug=slug, name=slug, org_number="1")
    assert Organisation.objects.count() == 4


def test_the_admin_refuses_a_hostile_slug_in_norwegian(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123"))
    response = client.post(
        reverse("admin:exports_organisation_add"), {"slug": "inj/co", "name": "Inj", "org_number": "1"}
    )
    assert response.status_code == 200
    assert "Bruk bare små bokstaver a–z, sifre og bindestrek" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_slug_from_before_the_rule_does_not_stop_the_notice(nhf, mailoutbox, settings):
    settings.BUFDIR_SITE_URL = "https://eksport.example.org"
    Organisation.objects.filter(pk=nhf.pk).update(slug="nhf/old")
    assert notify_finished(finished_by_starter(Organisation.objects.get(pk=nhf.pk)).pk)
    assert "https://eksport.example.org/exports/\n" in mailoutbox[0].body
    assert ExportNotice.objects.get().state == State.SENT


def due_now() -> None:
    """Let the waiting time before the next attempt pass."""
    ExportNotice.objects.filter(state=State.RETRY).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_notice_that_cannot_be_sent_is_tried_a_bounded_number_of_times_then_failed_once(nhf, monkeypatch, caplog):
    audit = finished_by_starter(nhf)
    calls = []

    def broken(*args, **kwargs):
        calls.append(kwargs["subject"])
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("notices.services.send_mail", broken)
    with caplog.at_level(logging.WARNING, logger="notices.services"):
        assert not notify_finished(audit.pk)
        for _ in range(MAX_ATTEMPTS * 2):
            due_now()
            assert send_pending_notices() == 0
    assert len(calls) == MAX_ATTEMPTS
    notice = ExportNotice.objects.get(audit=audit)
    assert notice.state == State.FAILED and notice.attempts == MAX_ATTEMPTS and not notice.sent
    assert notice.failure == "ConnectionRefusedError: smtp down" and notice.next_attempt_at is None
    assert [record.levelname for record in caplog.records].count("ERROR") == 1
    assert not notify_finished(audit.pk) and len(calls) == MAX_ATTEMPTS


def test_a_retry_waits_longer_each_time(nhf, monkeypatch):
    audit = finished_by_starter(nhf)
    monkeypatch.setattr("notices.services.send_mail", lambda **kwargs: (_ for _ in ()).throw(TimeoutError("slow")))
    notify_finished(audit.pk)
    send_pending_notices()
    notice = ExportNotice.objects.get(audit=audit)
    assert notice.state == State.RETRY and notice.attempts == 2
    assert notice.next_attempt_at > timezone.now() + dt.timedelta(minutes=4)
    assert send_pending_notices() == 0 and ExportNotice.objects.get(audit=audit).attempts == 2


@pytest.mark.parametrize("error", [BadHeaderError("bad header"), None])
def test_what_cannot_succeed_is_failed_at_once(nhf, monkeypatch, mailoutbox, error):
    audit = finished_by_starter(nhf)
    if error is None:
        monkeypatch.setattr(
            "notices.services.render_to_string",
            lambda *args, **kwargs: (_ for _ in ()).throw(ValueError("template broken")),
        )
    else:
        monkeypatch.setattr("notices.services.send_mail", lambda **kwargs: (_ for _ in ()).throw(error))
    assert not notify_finished(audit.pk)
    due_now()
    assert send_pending_notices() == 0
    notice = ExportNotice.objects.get(audit=audit)
    assert notice.state == State.FAILED and notice.attempts == 1 and notice.failure
    assert mailoutbox == []


def test_a_notice_left_sending_by_a_stopped_process_is_failed_not_resent(nhf, mailoutbox):
    audit = finished_by_starter(nhf)
    ExportNotice.objects.create(
        audit=audit,
        recipient="nora@example.org",
        state=State.SENDING,
        attempts=1,
        last_attempt_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert send_pending_notices() == 0
    notice = ExportNotice.objects.get(audit=audit)
    assert notice.state == State.FAILED and "interrupted" in notice.failure
    assert mailoutbox == []


def test_a_starter_who_turned_notices_off_before_the_retry_gets_none(nhf, monkeypatch, mailoutbox):
    from notices.services import set_email_preference

    audit = finished_by_starter(nhf)
    monkeypatch.setattr("notices.services.send_mail", lambda **kwargs: (_ for _ in ()).throw(OSError("down")))
    notify_finished(audit.pk)
    monkeypatch.undo()
    set_email_preference(audit.requested_by, enabled=False)
    assert send_pending_notices() == 0
    assert ExportNotice.objects.get(audit=audit).state == State.SKIPPED and mailoutbox == []
