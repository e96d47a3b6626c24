"""Marking an export as the one sent to Bufdir: mark, confirm (a second leader), withdraw; and what it keeps.

The rule: where the organisation has two or more leaders (administrators or coordinators) when an export is
marked, a second of them must confirm the mark (four eyes); where the administrator is its only leader, the mark
stands alone and is recorded as needing no confirmation. Every step is recorded as an event on the export's audit.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.domain import Period
from exports.models import (
    Activity,
    BufdirExportAudit,
    BufdirExportAuditEvent,
    ExportStatus,
    Membership,
    Submission,
)
from exports.source.activities import period_bounds

LEADERS = (Membership.Role.ADMINISTRATOR, Membership.Role.COORDINATOR)
CHANGED_SHOWN = 200
"""How many registrations changed after a submission the page lists (the count is always whole)."""


class SubmissionRefused(Exception):
    """A step on a submission that the rules do not allow; the message says why, in Norwegian."""


def submitted_audits() -> QuerySet[BufdirExportAudit]:
    """Exports marked as sent to Bufdir and not withdrawn: kept forever (never removed by a clean-up)."""
    return BufdirExportAudit.objects.submitted()


def is_submitted(audit_id: int) -> bool:
    """Whether the export is marked as sent to Bufdir (and not withdrawn)."""
    return Submission.objects.filter(audit_id=audit_id, withdrawn_at__isnull=True).exists()


def active_submission(*, organisation_id: Any, period_from: Any, period_to: Any) -> Submission | None:
    """The period's export marked as sent to Bufdir, when there is one."""
    return Submission.objects.filter(
        organisation_id=organisation_id, period_from=period_from, period_to=period_to, withdrawn_at__isnull=True
    ).first()


def leader_count(organisation_id: Any) -> int:
    """The organisation's administrators and coordinators."""
    return Membership.objects.filter(organisation_id=organisation_id, role__in=LEADERS).count()


def _record(audit_id: int, phase: str, message: str) -> None:
    """One event on the export's audit."""
    BufdirExportAuditEvent.objects.create(audit_id=audit_id, phase=phase, message=message)


def mark(*, audit: BufdirExportAudit, membership: Membership) -> Submission:
    """An administrator marks a succeeded export as the one sent to Bufdir."""
    if membership.role != Membership.Role.ADMINISTRATOR:
        raise SubmissionRefused(_("Only an administrator can mark an export as sent to Bufdir."))
    if (
        audit.organisation_id != membership.organisation_id
        or audit.status != ExportStatus.SUCCEEDED
        or not audit.file_key
    ):
        raise SubmissionRefused(_("Only a finished export with a file can be marked as sent to Bufdir."))
    user = membership.user
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                audit=audit,
                organisation_id=audit.organisation_id,
                period_from=audit.period_from,
                period_to=audit.period_to,
                sha256=audit.file_sha256,
                requires_confirmation=leader_count(audit.organisation_id) >= 2,
                marked_by=user,
                marked_by_label=user.get_username(),
                marked_at=timezone.now(),
            )
            _record(
                audit.pk,
                "submitted",
                _("Marked as sent to Bufdir by %(who)s (SHA-256 %(sha)s).")
                % {"who": user.get_username(), "sha": audit.file_sha256},
            )
    except IntegrityError:
        raise SubmissionRefused(
            _("Another export of this period is already marked as sent to Bufdir. Withdraw that mark first.")
        ) from None
    return submission


def confirm(*, submission: Submission, membership: Membership) -> Submission:
    """A second leader (administrator or coordinator, not the one who marked) confirms the mark."""
    if membership.role not in LEADERS or membership.organisation_id != submission.organisation_id:
        raise SubmissionRefused(_("Only an administrator or coordinator can confirm."))
    if submission.withdrawn_at is not None or submission.confirmed_at is not None:
        raise SubmissionRefused(_("This mark cannot be confirmed: it is withdrawn or already confirmed."))
    if submission.marked_by_id == membership.user_id:
        raise SubmissionRefused(_("Another leader than the one who marked the export must confirm it."))
    user = membership.user
    submission.confirmed_by, submission.confirmed_by_label = user, user.get_username()
    submission.confirmed_at = timezone.now()
    with transaction.atomic():
        submission.save(update_fields=["confirmed_by", "confirmed_by_label", "confirmed_at"])
        _record(
            submission.audit_id,
            "submission_confirmed",
            _("Confirmed as sent to Bufdir by %(who)s.") % {"who": user.get_username()},
        )
    return submission


def withdraw(*, submission: Submission, membership: Membership, reason: str) -> Submission:
    """An administrator withdraws the mark, with a reason."""
    if membership.role != Membership.Role.ADMINISTRATOR or membership.organisation_id != submission.organisation_id:
        raise SubmissionRefused(_("Only an administrator can withdraw the mark."))
    reason = reason.strip()
    if not reason:
        raise SubmissionRefused(_("Give a reason for withdrawing the mark."))
    if submission.withdrawn_at is not None:
        raise SubmissionRefused(_("The mark is already withdrawn."))
    user = membership.user
    submission.withdrawn_by, submission.withdrawn_by_label = user, user.get_username()
    submission.withdrawn_at, submission.withdrawn_reason = timezone.now(), reason[:2000]
    with transaction.atomic():
        submission.save(update_fields=["withdrawn_by", "withdrawn_by_label", "withdrawn_at", "withdrawn_reason"])
        _record(
            submission.audit_id,
            "submission_withdrawn",
            _("Mark as sent to Bufdir withdrawn by %(who)s: %(reason)s")
            % {"who": user.get_username(), "reason": reason[:2000]},
        )
    return submission


def changed_after(submission: Submission) -> QuerySet[Activity]:
    """The organisation's registrations of the period changed in the app after the export was marked as sent."""
    start, end = period_bounds(Period(submission.period_from, submission.period_to))
    return (
        Activity.objects.filter(
            organisation_id=submission.organisation_id,
            started_at__gte=start,
            started_at__lt=end,
            updated_at__gt=submission.marked_at,
        )
        .select_related("peer_mentor")
        .order_by("started_at", "id")
    )


def manifest_entry(submission: Submission | None) -> dict[str, Any] | None:
    """How a later export's manifest names the period's submitted export."""
    if submission is None:
        return None
    return {
        "id": submission.audit_id,
        "sha256": submission.sha256,
        "marked_at": submission.marked_at.isoformat(),
        "confirmed_at": submission.confirmed_at.isoformat() if submission.confirmed_at else None,
    }
