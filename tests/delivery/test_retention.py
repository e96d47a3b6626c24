"""Retention: old bundles and audit details are deleted and recorded; the latest per period is kept for ever."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from api.tokens import issue_token
from exports.delivery.retention import RETENTION_PHASE, RetentionPolicy
from exports.models import BufdirExportAudit, ExportStatus, Submission
from exports.presentation import download_url
from exports.tasks import RETENTION_SCHEDULE, apply_retention
from tests import factories

pytestmark = pytest.mark.django_db
REMOVED = "Filen er slettet etter 400 dager i henhold til oppbevaringsreglene; start en ny eksport for samme periode."


def stored(
    export_files, org, *, days_ago: int, year: int = 2024, created_days_ago: int | None = None, **fields
) -> BufdirExportAudit:
    """A succeeded export of `org` for `year` that finished `days_ago` days ago, with its bundle in storage."""
    finished = timezone.now() - dt.timedelta(days=days_ago)
    audit = BufdirExportAudit.objects.create(
        organisation=org,
        status=ExportStatus.SUCCEEDED,
        period_from=dt.date(year, 1, 1),
        period_to=dt.date(year, 12, 31),
        finished_at=finished,
        rows_exported=7,
        rows_counted=5,
        **fields,
    )
    BufdirExportAudit.objects.filter(pk=audit.pk).update(
        created_at=timezone.now() - dt.timedelta(days=created_days_ago if created_days_ago is not None else days_ago)
    )
    key = f"{org.slug}/{audit.pk}/bufdir-{org.slug}-{year}.zip"
    export_files._storage.save(key, ContentFile(b"PK-bundle"))
    BufdirExportAudit.objects.filter(pk=audit.pk).update(file_key=key)
    audit.refresh_from_db()
    return audit


def exists(export_files, key: str) -> bool:
    """Whether the bundle is in storage."""
    return export_files._storage.exists(key)


def test_the_daily_schedule_exists_after_migrate():
    schedule = Schedule.objects.get(name=RETENTION_SCHEDULE)
    assert schedule.func == "exports.tasks.apply_retention"
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1


def test_old_bundles_are_deleted_and_recorded_but_the_latest_per_organisation_and_period_is_kept(export_files):
    nhf, hlf = factories.organisation("nhf"), factories.organisation("hlf")
    oldest = stored(export_files, nhf, days_ago=900)
    replaced = stored(export_files, nhf, days_ago=500)
    latest_2024 = stored(export_files, nhf, days_ago=450)
    young = stored(export_files, nhf, days_ago=30, year=2025, created_days_ago=31)
    latest_2025 = stored(export_files, nhf, days_ago=10, year=2025)
    only_hlf = stored(export_files, hlf, days_ago=800)  # old, but the only one of its organisation and period
    failed_later = BufdirExportAudit.objects.create(
        organisation=nhf,
        status=ExportStatus.FAILED,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        finished_at=timezone.now(),
    )

    assert set(BufdirExportAudit.objects.kept_forever().values_list("pk", flat=True)) == {
        latest_2024.pk,
        latest_2025.pk,
        only_hlf.pk,
    }
    assert latest_2024.kept_forever() and not replaced.kept_forever() and not failed_later.kept_forever()

    result = apply_retention()

    assert sorted(result["bundles"]) == sorted([oldest.pk, replaced.pk])
    for audit in (oldest, replaced):
        key = audit.file_key
        audit.refresh_from_db()
        assert not exists(export_files, key)
        assert audit.file_key == "" and audit.bundle_removed_at is not None
        assert audit.rows_exported == 7 and audit.rows_counted == 5 and audit.status == ExportStatus.SUCCEEDED
        event = audit.events.get(phase=RETENTION_PHASE, message__startswith="bundle removed")
        assert f"on {timezone.now().date().isoformat()}" in event.message and "400 days" in event.message
    for audit in (latest_2024, young, latest_2025, only_hlf):
        assert exists(export_files, audit.file_key)
        audit.refresh_from_db()
        assert audit.bundle_removed_at is None and audit.file_key

    assert apply_retention()["bundles"] == []  # recorded once


def test_zero_days_keeps_every_bundle_and_a_dry_run_deletes_nothing(export_files):
    nhf = factories.organisation("nhf")
    old = stored(export_files, nhf, days_ago=900)
    stored(export_files, nhf, days_ago=800)
    assert RetentionPolicy(storage=export_files, bundle_days=0, detail_days=0).apply().bundles == []

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert f"would delete 1 (exports {old.pk})" in out.getvalue()
    assert exists(export_files, old.file_key)

    call_command("apply_retention", stdout=io.StringIO())
    old.refresh_from_db()
    assert old.bundle_removed_at is not None


def test_an_export_sent_to_bufdir_is_kept_for_ever_until_its_mark_is_withdrawn(export_files):
    nhf = factories.organisation("nhf")
    sent = stored(export_files, nhf, days_ago=900)
    withdrawn = stored(export_files, nhf, days_ago=800)
    latest = stored(export_files, nhf, days_ago=700)
    for audit, withdrawn_at in ((sent, None), (withdrawn, timezone.now())):
        Submission.objects.create(
            audit=audit,
            organisation=nhf,
            period_from=audit.period_from,
            period_to=audit.period_to,
            sha256="0" * 64,
            marked_at=timezone.now(),
            withdrawn_at=withdrawn_at,
            withdrawn_reason="feil eksport" if withdrawn_at else "",
        )
    assert set(BufdirExportAudit.objects.kept_forever().values_list("pk", flat=True)) == {sent.pk, latest.pk}
    assert RetentionPolicy(storage=export_files, bundle_days=400, detail_days=0).apply().bundles == [withdrawn.pk]
    assert exists(export_files, sent.file_key) and exists(export_files, latest.file_key)
    assert not exists(export_files, withdrawn.file_key)


def test_old_error_details_and_event_messages_are_cleared_and_recorded(export_files, settings):
    nhf = factories.organisation("nhf")
    old = BufdirExportAudit.objects.create(
        organisation=nhf,
        status=ExportStatus.FAILED,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        finished_at=timezone.now() - dt.timedelta(days=500),
        error_message="Eksporten feilet.",
        error_detail="Traceback: secret-ish detail",
    )
    old.events.create(phase="mapping", message="row 17 of Bergen failed")
    recent = BufdirExportAudit.objects.create(
        organisation=nhf,
        status=ExportStatus.FAILED,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        finished_at=timezone.now(),
        error_detail="kept",
    )

    assert apply_retention()["details"] == [old.pk]

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.error_detail == "" and old.details_removed_at is not None
    assert old.error_message == "Eksporten feilet."  # what the person was told stays
    assert old.events.get(phase="mapping").message == ""
    assert old.events.filter(phase=RETENTION_PHASE, message__startswith="details removed").exists()
    assert recent.error_detail == "kept"
    assert apply_retention()["details"] == []


def test_the_page_download_of_a_deleted_bundle_says_so_in_norwegian(client, export_files):
    nhf = factories.organisation("nhf")
    client.force_login(factories.member(nhf))
    removed = stored(export_files, nhf, days_ago=900)
    stored(export_files, nhf, days_ago=10)
    apply_retention()

    response = client.get(download_url(removed.pk))

    assert response.status_code == 410
    assert REMOVED in response.content.decode()


def test_the_api_download_of_a_deleted_bundle_is_410_gone_in_the_error_shape(client, export_files):
    nhf = factories.organisation("nhf")
    user = factories.member(nhf)
    secret = issue_token(user=user, organisation=nhf, name="ci").secret
    removed = stored(export_files, nhf, days_ago=900)
    kept = stored(export_files, nhf, days_ago=10)
    apply_retention()

    response = client.get(f"/api/v1/exports/{removed.pk}/download", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 410
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "bundle_removed" and body["message"] == REMOVED
    assert set(body) == {"code", "message", "fields", "export"}
    detail = client.get(f"/api/v1/exports/{removed.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert detail["download_url"] is None
    ok = client.get(f"/api/v1/exports/{kept.pk}/download", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ok.status_code == 200
