"""Marking an export as sent to Bufdir: who may mark, confirm and withdraw, the four-eyes rule, and what is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from exports.delivery.submissions import (
    SubmissionRefused,
    active_submission,
    changed_after,
    confirm,
    is_submitted,
    leader_count,
    manifest_entry,
    mark,
    submitted_audits,
    withdraw,
)
from exports.models import Activity, BufdirExportAudit, BufdirExportAuditEvent, ExportStatus, Membership, Submission
from tests import factories

pytestmark = pytest.mark.django_db

SHA = "ab" * 32


@pytest.fixture(autouse=True)
def norwegian():
    """The messages are asserted in Norwegian, as the page shows them."""
    with translation.override("nb"):
        yield


@pytest.fixture
def org():
    return factories.organisation("nhf", name="Norges Handikapforbund")


def membership(org, role=Membership.Role.ADMINISTRATOR, username=None) -> Membership:
    """A member of `org` in `role`."""
    return factories.member(org, role=role, username=username).memberships.get()


def finished(org, *, year: int = 2025, status=ExportStatus.SUCCEEDED, file_key: str = "nhf/1/bundle.zip"):
    """An export of `year` with a stored bundle."""
    return BufdirExportAudit.objects.create(
        organisation=org,
        period_from=dt.date(year, 1, 1),
        period_to=dt.date(year, 12, 31),
        status=status,
        file_key=file_key,
        file_sha256=SHA,
        finished_at=timezone.now(),
    )


def events(audit) -> list[tuple[str, str]]:
    """The audit's trail after it was created, in order."""
    return list(BufdirExportAuditEvent.objects.filter(audit=audit).order_by("pk").values_list("phase", "message"))


def test_the_only_leaders_mark_stands_alone_and_is_recorded(org):
    admin = membership(org, username="kari")
    membership(org, role=Membership.Role.PEER_MENTOR)
    audit = finished(org)
    submission = mark(audit=audit, membership=admin)
    assert leader_count(org.pk) == 1
    assert not submission.requires_confirmation and submission.is_confirmed
    assert (submission.sha256, submission.period_from, submission.marked_by_label) == (SHA, dt.date(2025, 1, 1), "kari")
    assert is_submitted(audit.pk) and list(submitted_audits()) == [audit]
    assert active_submission(organisation_id=org.pk, period_from=audit.period_from, period_to=audit.period_to) == (
        submission
    )
    assert events(audit) == [("submitted", f"Merket som sendt til Bufdir av kari (SHA-256 {SHA}).")]


def test_with_two_leaders_a_second_one_must_confirm(org):
    admin, coordinator = (
        membership(org, username="kari"),
        membership(org, role=Membership.Role.COORDINATOR, username="ola"),
    )
    audit = finished(org)
    submission = mark(audit=audit, membership=admin)
    assert submission.requires_confirmation and not submission.is_confirmed
    with pytest.raises(SubmissionRefused, match="En annen leder enn den som merket eksporten, må bekrefte den."):
        confirm(submission=submission, membership=admin)
    confirmed = confirm(submission=submission, membership=coordinator)
    assert confirmed.is_confirmed and confirmed.confirmed_by_label == "ola"
    assert Submission.objects.get().confirmed_at is not None
    assert events(audit)[-1] == ("submission_confirmed", "Bekreftet som sendt til Bufdir av ola.")
    with pytest.raises(SubmissionRefused, match="allerede"):
        confirm(submission=confirmed, membership=coordinator)


def test_a_peer_mentor_or_another_organisations_leader_cannot_confirm(org):
    admin = membership(org)
    membership(org, role=Membership.Role.COORDINATOR)
    outsider = membership(factories.organisation("hlf"), role=Membership.Role.COORDINATOR)
    submission = mark(audit=finished(org), membership=admin)
    for who in (membership(org, role=Membership.Role.PEER_MENTOR), outsider):
        with pytest.raises(SubmissionRefused, match="Bare en administrator eller koordinator kan bekrefte."):
            confirm(submission=submission, membership=who)
    assert Submission.objects.get().confirmed_at is None


def test_only_an_administrator_marks(org):
    coordinator = membership(org, role=Membership.Role.COORDINATOR)
    with pytest.raises(SubmissionRefused, match="Bare en administrator kan merke en eksport som sendt til Bufdir."):
        mark(audit=finished(org), membership=coordinator)
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "export",
    [
        {"status": ExportStatus.FAILED},
        {"status": ExportStatus.RUNNING},
        {"file_key": ""},
        {"other_organisation": True},
    ],
    ids=["failed", "running", "no-file", "other-organisation"],
)
def test_only_a_finished_export_with_a_file_of_ones_own_organisation_is_marked(org, export):
    admin = membership(org)
    owner = factories.organisation("hlf") if export.pop("other_organisation", False) else org
    with pytest.raises(SubmissionRefused, match="Bare en ferdig eksport med fil kan merkes som sendt til Bufdir."):
        mark(audit=finished(owner, **export), membership=admin)
    assert not Submission.objects.exists()


def test_a_period_has_one_mark_until_it_is_withdrawn(org):
    admin = membership(org, username="kari")
    first, second = finished(org), finished(org)
    submission = mark(audit=first, membership=admin)
    with pytest.raises(SubmissionRefused, match="En annen eksport av denne perioden er allerede merket"):
        mark(audit=second, membership=admin)
    with pytest.raises(SubmissionRefused, match="Oppgi hvorfor merkingen trekkes tilbake."):
        withdraw(submission=submission, membership=admin, reason="   ")
    withdrawn = withdraw(submission=submission, membership=admin, reason="  Feil fil  ")
    assert withdrawn.withdrawn_reason == "Feil fil" and not withdrawn.is_confirmed
    assert not is_submitted(first.pk) and first not in submitted_audits()
    assert events(first)[-1] == (
        "submission_withdrawn",
        "Merkingen som sendt til Bufdir ble trukket tilbake av kari: Feil fil",
    )
    with pytest.raises(SubmissionRefused, match="Merkingen er allerede trukket tilbake."):
        withdraw(submission=withdrawn, membership=admin, reason="igjen")
    assert mark(audit=second, membership=admin).audit == second
    assert is_submitted(second.pk) and second in submitted_audits() and first not in submitted_audits()


def test_an_export_never_marked_is_not_among_the_submitted(org):
    marked, never_marked = finished(org, year=2024), finished(org, year=2025)
    mark(audit=marked, membership=membership(org))
    assert not is_submitted(never_marked.pk)
    assert list(submitted_audits()) == [marked]


def test_only_an_administrator_of_the_organisation_withdraws(org):
    submission = mark(audit=finished(org), membership=membership(org))
    others = [membership(org, role=Membership.Role.COORDINATOR), membership(factories.organisation("hlf"))]
    for who in others:
        with pytest.raises(SubmissionRefused, match="Bare en administrator kan trekke tilbake merkingen."):
            withdraw(submission=submission, membership=who, reason="Feil fil")
    assert is_submitted(submission.audit_id)


def test_registrations_of_the_period_changed_after_the_mark_are_listed_in_start_order(org):
    marked_at = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
    submission = mark(audit=finished(org), membership=membership(org))
    Submission.objects.filter(pk=submission.pk).update(marked_at=marked_at)
    submission.refresh_from_db()
    last = factories.activity(org, started_at=dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC))  # 23:30 in Oslo
    late = factories.activity(org, started_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC))  # 1 January in Oslo
    changed = factories.activity(org, started_at=dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC))
    earlier = factories.activity(org, started_at=dt.datetime(2025, 2, 1, 10, tzinfo=dt.UTC))
    untouched = factories.activity(org, started_at=dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC))
    other = factories.activity(factories.organisation("hlf"), started_at=dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC))
    after = marked_at + dt.timedelta(minutes=1)
    Activity.objects.filter(pk__in=[last.pk, late.pk, changed.pk, earlier.pk, other.pk]).update(updated_at=after)
    Activity.objects.filter(pk=untouched.pk).update(updated_at=marked_at)
    assert list(changed_after(submission)) == [earlier, changed, last]


def test_the_manifest_names_the_submitted_export(org):
    assert manifest_entry(None) is None
    admin = membership(org)
    membership(org, role=Membership.Role.COORDINATOR)
    submission = mark(audit=finished(org), membership=admin)
    assert manifest_entry(submission) == {
        "id": submission.audit_id,
        "sha256": SHA,
        "marked_at": submission.marked_at.isoformat(),
        "confirmed_at": None,
    }
    confirmed = confirm(submission=submission, membership=Membership.objects.get(role=Membership.Role.COORDINATOR))
    assert manifest_entry(confirmed)["confirmed_at"] == confirmed.confirmed_at.isoformat()
