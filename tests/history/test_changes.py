"""What changed since the last export (Endringer, page, API) and the export marked as sent to Bufdir."""

from __future__ import annotations

import datetime as dt
import re
import tracemalloc
import uuid

import pytest
from django.urls import reverse

from exports.delivery.submissions import is_submitted, submitted_audits
from exports.history import changes
from exports.history.changes import merged_changes
from exports.history.row_digests import column_hashes
from exports.models import Activity, BufdirExportAuditEvent, ExportRowDigest, Membership, Submission
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def changes_sheet(bundle):
    """`Endringer`: its lines as lists of values."""
    return [list(row) for row in bundle.workbook["Endringer"].iter_rows(values_only=True)]


def change_rows(lines) -> dict[str, list[str]]:
    """The change rows of `Endringer`: activity id to what happened."""
    start = next(index for index, line in enumerate(lines) if line[:1] == ["Aktivitets-ID"])
    found: dict[str, list[str]] = {}
    for line in lines[start + 1 :]:
        found.setdefault(line[0], []).append(line[3])
    return found


def block_value(lines, label):
    """The first value after `label` in the summary block."""
    return next(line[1] for line in lines if line and line[0] == label)


@pytest.fixture
def period_data(db):
    """An organisation with four counted visits, one without a peer mentor (a deviation)."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    local = factories.branch(org)
    mentor = factories.mentor(org, local, name="Kari Nordmann")
    visits = [
        factories.activity(
            org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC)
        )
        for day in range(1, 5)
    ]
    orphan = factories.activity(
        org, peer_mentor=None, local_branch=local, started_at=dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)
    )
    return org, mentor, visits, orphan


def _change_registrations(org, mentor, visits, orphan):
    """Fix a deviation, add one, delete one, edit a column value: the ids of each."""
    orphan.peer_mentor = mentor
    orphan.save()
    added = factories.activity(
        org,
        peer_mentor=mentor,
        local_branch=visits[0].local_branch,
        started_at=dt.datetime(2025, 7, 1, 10, tzinfo=dt.UTC),
    )
    visits[1].status = Activity.Status.DELETED
    visits[1].save()
    visits[2].duration_minutes = 95
    visits[2].save()
    return {"fixed": str(orphan.id), "added": str(added.id), "removed": str(visits[1].id), "edited": str(visits[2].id)}


def _differing_headings(before, after, activity_id):
    """The headings whose value differs on `Aktiviteter` between two bundles for one activity (read back)."""

    def row_of(bundle):
        return next(row for row in bundle.rows("Aktiviteter") if activity_id in map(str, row.values()))

    old, new = row_of(before), row_of(after)
    return [heading for heading in new if old.get(heading) != new[heading]]


def test_first_export_says_there_is_nothing_to_compare_with(period_data, run_export):
    org, *_ = period_data
    bundle = run_export(org).succeeded_bundle
    lines = changes_sheet(bundle)
    assert lines[1] == ["Første eksport av perioden – ingenting å sammenligne med"]
    assert ExportRowDigest.objects.count() == 5


@pytest.mark.parametrize("page_rows", [5_000, 2], ids=["one-page", "paged"])
def test_endringer_lists_what_changed_between_two_exports(period_data, run_export, monkeypatch, page_rows):
    monkeypatch.setattr(changes, "CHUNK", page_rows)
    org, mentor, visits, orphan = period_data
    first = run_export(org)
    ids = _change_registrations(org, mentor, visits, orphan)
    second = run_export(org)

    lines = changes_sheet(second.succeeded_bundle)
    rows = change_rows(lines)
    edited_columns = _differing_headings(first.succeeded_bundle, second.succeeded_bundle, ids["edited"])
    assert edited_columns  # the edit shows on Aktiviteter itself
    assert rows[ids["added"]] == ["Ny"] and rows[ids["removed"]] == ["Fjernet"]
    assert rows[ids["edited"]] == ["Endret: " + ", ".join(edited_columns)]
    assert rows[ids["fixed"]][-1] == "Avvik rettet"
    assert set(rows) == set(ids.values())
    assert block_value(lines, "Lagt til") == 1 and block_value(lines, "Fjernet") == 1
    assert block_value(lines, "Avvik rettet") == 1 and block_value(lines, "Nye avvik") == 0
    outreach = next(line for line in lines if line and line[0] == "Oppsøkende likepersonsarbeid")
    assert outreach[1:3] == [first.audit.rows_counted, second.audit.rows_counted]
    removed_line = next(line for line in lines if line[0] == ids["removed"])
    assert removed_line[1] == dt.datetime(2025, 5, 2) and removed_line[2] == "Kari Nordmann"
    recorded = second.audit.result["changes"]
    assert recorded["compared_with"]["id"] == first.audit.pk and recorded["added"] == 1


def test_a_new_deviation_is_named(period_data, run_export):
    org, _mentor, visits, _orphan = period_data
    run_export(org)
    visits[3].country_code = "SE"
    visits[3].save()
    lines = changes_sheet(run_export(org).succeeded_bundle)
    assert "Nytt avvik" in change_rows(lines)[str(visits[3].id)]
    assert block_value(lines, "Nye avvik") == 1


def test_the_merge_holds_flat_memory_whatever_the_count():
    """tracemalloc peak of the comparison over 20,000 and 200,000 digests a side: the same bound."""
    hashes_then, hashes_now = column_hashes(("a", 1, None)), column_hashes(("a", 2, None))

    def stream(count, hashes, offset):
        for index in range(offset, count + offset):
            yield uuid.UUID(int=index * 2), dt.date(2025, 1, 1), "X", 0, hashes

    def peak(count):
        tracemalloc.start()
        changes = 0
        for _change in merged_changes(
            stream(count, hashes_then, 0),
            now=stream(count, hashes_now, 1),
            headings_then=["A", "B", "C"],
            headings_now=["A", "B", "C"],
        ):
            changes += 1
        _size, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return changes, top

    small_changes, small_peak = peak(20_000)
    large_changes, large_peak = peak(200_000)
    assert small_changes == 20_000 + 1 and large_changes == 200_000 + 1  # count - 1 changed, 1 removed, 1 added
    assert large_peak < 64 * 1024 and large_peak < small_peak * 2


# --- the export marked as sent to Bufdir -------------------------------------------------------------------------


@pytest.fixture
def leaders(period_data, client, export_files):
    org, *_ = period_data
    admin = factories.member(org, username="anne")
    coordinator = factories.member(org, Membership.Role.COORDINATOR, username="ola")
    return org, admin, coordinator


def _page(client, org):
    response = client.get(reverse("exports:page", args=[org.slug]))
    assert response.status_code == 200
    return text_of(response.content.decode()), response.content.decode()


def test_four_eyes_mark_confirm_and_withdraw(leaders, client, run_export):
    org, admin, coordinator = leaders
    export = run_export(org)
    client.force_login(coordinator)
    client.post(reverse("exports:submit", args=[org.slug, export.audit.pk]))
    assert not Submission.objects.exists()  # a coordinator may not mark
    client.force_login(admin)
    text, html = _page(client, org)
    assert "Merk som sendt til Bufdir" in text
    response = client.post(reverse("exports:submit", args=[org.slug, export.audit.pk]))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.sha256 == export.audit.file_sha256 and submission.requires_confirmation
    assert is_submitted(export.audit.pk) and list(submitted_audits()) == [export.audit]
    assert not submission.is_confirmed
    text, html = _page(client, org)
    assert "Venter på at en annen leder" in text and export.audit.file_sha256 in text
    assert "Merk som sendt til Bufdir" not in text
    client.post(reverse("exports:confirm_submission", args=[org.slug, submission.pk]))
    submission.refresh_from_db()
    assert submission.confirmed_at is None  # not the one who marked it
    client.force_login(coordinator)
    client.post(reverse("exports:confirm_submission", args=[org.slug, submission.pk]))
    submission.refresh_from_db()
    assert submission.confirmed_by == coordinator and submission.is_confirmed
    text, _html = _page(client, org)
    assert "Bekreftet av ola" in text and "Last ned pakken som ble sendt" not in text  # only administrators
    client.post(reverse("exports:withdraw_submission", args=[org.slug, submission.pk]), {"reason": "Feil"})
    submission.refresh_from_db()
    assert submission.withdrawn_at is None
    client.force_login(admin)
    client.post(reverse("exports:withdraw_submission", args=[org.slug, submission.pk]), {"reason": " "})
    submission.refresh_from_db()
    assert submission.withdrawn_at is None
    response = client.post(
        reverse("exports:withdraw_submission", args=[org.slug, submission.pk]),
        {"reason": "Sendt feil fil"},
        follow=True,
    )
    submission.refresh_from_db()
    assert submission.withdrawn_by == admin and submission.withdrawn_reason == "Sendt feil fil"
    assert "Eksporten er ikke lenger merket som sendt" in text_of(response.content.decode())
    assert not is_submitted(export.audit.pk) and not submitted_audits().exists()
    phases = list(BufdirExportAuditEvent.objects.filter(audit=export.audit).values_list("phase", flat=True))
    assert phases[-3:] == ["submitted", "submission_confirmed", "submission_withdrawn"]


def test_a_single_administrator_mark_stands_alone(period_data, client, run_export, export_files):
    org, *_ = period_data
    admin = factories.member(org)
    export = run_export(org)
    client.force_login(admin)
    client.post(reverse("exports:submit", args=[org.slug, export.audit.pk]))
    submission = Submission.objects.get()
    assert not submission.requires_confirmation and submission.is_confirmed
    text, html = _page(client, org)
    assert "Organisasjonen hadde ingen annen leder" in text
    assert "Last ned pakken som ble sendt" in text


def test_later_export_compares_with_the_submitted_one_names_it_and_warns_of_changes(
    period_data, client, run_export, export_files
):
    org, mentor, visits, orphan = period_data
    admin = factories.member(org)
    sent = run_export(org)
    client.force_login(admin)
    client.post(reverse("exports:submit", args=[org.slug, sent.audit.pk]))
    submission = Submission.objects.get()
    between = run_export(org)  # an export after the submission, before any change
    ids = _change_registrations(org, mentor, visits, orphan)
    later = run_export(org)
    manifest = later.succeeded_bundle.manifest
    assert manifest["submitted_export"]["id"] == sent.audit.pk
    assert manifest["submitted_export"]["sha256"] == sent.audit.file_sha256
    assert later.audit.result["changes"]["compared_with"]["id"] == sent.audit.pk != between.audit.pk
    assert later.audit.result["changes"]["compared_with"]["submitted"] is True
    kept = set(ExportRowDigest.objects.values_list("audit_id", flat=True).distinct())
    assert kept == {sent.audit.pk, later.audit.pk}  # the one in between is never compared with again
    text, html = _page(client, org)
    assert "4 registreringer i 2025 er endret etter at rapporten ble sendt" in text
    warning = html.split(f'id="changed-after-{submission.pk}"')[1].split("</div>")[0]
    assert {ids["fixed"], ids["added"], ids["removed"], ids["edited"]} == set(
        re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", warning)
    )
    assert "Slettet" in warning
    assert "Sammenlignet med eksporten som ble sendt til Bufdir" in text
    assert "Lagt til: 1" in text and "Avvik rettet: 1" in text


def test_another_organisations_export_or_submission_is_not_found(leaders, client, run_export):
    org, admin, _coordinator = leaders
    other = factories.organisation("blindeforbundet")
    factories.activity(other, started_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
    theirs = run_export(other)
    other_admin = factories.member(other)
    client.force_login(other_admin)
    client.post(reverse("exports:submit", args=[other.slug, theirs.audit.pk]))
    their_submission = Submission.objects.get()
    client.force_login(admin)
    assert client.post(reverse("exports:submit", args=[org.slug, theirs.audit.pk])).status_code == 404
    assert (
        client.post(
            reverse("exports:withdraw_submission", args=[org.slug, their_submission.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert client.post(reverse("exports:confirm_submission", args=[org.slug, their_submission.pk])).status_code == 404
    assert client.post(reverse("exports:submit", args=[other.slug, theirs.audit.pk])).status_code == 404
    their_submission.refresh_from_db()
    assert their_submission.withdrawn_at is None


def test_api_detail_carries_the_changes_and_the_submission(period_data, client, run_export, export_files):
    from api.tokens import issue_token

    org, mentor, visits, orphan = period_data
    admin = factories.member(org)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=admin, organisation=org, name='ci').secret}"}
    first = run_export(org)
    body = client.get(f"/api/v1/exports/{first.audit.pk}", **headers).json()
    assert body["changes"]["compared_with"] is None and body["submission"] is None
    client.force_login(admin)
    client.post(reverse("exports:submit", args=[org.slug, first.audit.pk]))
    _change_registrations(org, mentor, visits, orphan)
    second = run_export(org)
    body = client.get(f"/api/v1/exports/{first.audit.pk}", **headers).json()
    assert body["submission"]["sha256"] == first.audit.file_sha256
    assert body["submission"]["marked_by"] == admin.username and body["submission"]["withdrawn_at"] is None
    body = client.get(f"/api/v1/exports/{second.audit.pk}", **headers).json()
    changes = body["changes"]
    assert changes["compared_with"]["id"] == first.audit.pk and changes["compared_with"]["submitted"] is True
    assert (changes["added"], changes["removed"], changes["fixed"]) == (1, 1, 1)
    assert changes["counted_now"]["oppsokende"] == second.audit.rows_counted
    assert body["submission"] is None


def test_hostile_names_on_endringer_stay_data(db, run_export, export_files):
    from exports.config import cell_safety

    org = factories.organisation("nhf")
    local = factories.branch(org)
    mentor = factories.mentor(org, local, name='=HYPERLINK("http://evil.example","x")\x01\x0b')
    visit = factories.activity(
        org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC)
    )
    run_export(org)
    visit.duration_minutes = 120
    visit.save()
    bundle = run_export(org).succeeded_bundle
    [row] = [row for row in bundle.workbook["Endringer"].iter_rows() if row[0].value == str(visit.id)]
    name = row[2]
    assert name.data_type != "f" and name.quotePrefix and name.value.startswith("=HYPERLINK")
    assert not cell_safety.REFUSED_CHARACTERS.search(name.value)
    assert row[3].value.startswith("Endret: ")
