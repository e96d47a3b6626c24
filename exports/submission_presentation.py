"""What the export page shows of changes since the last export and of the exports sent to Bufdir."""

from __future__ import annotations

from typing import Any

from exports.delivery import submissions
from exports.models import BufdirExportAudit, ExportStatus, Membership, Organisation, Submission
from exports.presentation import download_url_for
from exports.regulation import category_label

SUBMISSIONS_SHOWN = 10


def changes_view(audit: BufdirExportAudit | None) -> dict[str, Any] | None:
    """The changes a succeeded export recorded against the one it compared with, for the status box."""
    facts = audit.facts if audit is not None else None
    changes = facts.get("changes") if facts else None
    if not isinstance(changes, dict):
        return None
    then, now = changes.get("counted_then", {}), changes.get("counted_now", {})
    categories = list(dict.fromkeys([*now, *then]))
    return {
        **changes,
        "first": changes.get("compared_with") is None,
        "categories": [(category_label(c), then.get(c, 0), now.get(c, 0)) for c in categories],
    }


def period_submission(audit: BufdirExportAudit | None) -> Submission | None:
    """The mark as sent to Bufdir of a succeeded export's period, for the status box (which holds no form: the
    websocket renders it without a request, so without a CSRF token)."""
    if audit is None or not audit.has_file:
        return None
    return submissions.active_submission(
        organisation_id=audit.organisation_id, period_from=audit.period_from, period_to=audit.period_to
    )


def markable(organisation: Organisation, *, membership: Membership) -> BufdirExportAudit | None:
    """The latest succeeded export with a file, when an administrator may mark it (its period has no mark)."""
    if membership.role != Membership.Role.ADMINISTRATOR:
        return None
    audit = (
        BufdirExportAudit.objects.filter(organisation=organisation, status=ExportStatus.SUCCEEDED)
        .exclude(file_key="")
        .exclude(rows_exported=0)
        .order_by("-finished_at", "-id")
        .first()
    )
    if audit is None or period_submission(audit) is not None:
        return None
    return audit


def submissions_panel(organisation: Organisation, *, membership: Membership) -> dict[str, Any]:
    """The organisation's marks (newest first), each with what this member may do and what changed since."""
    is_admin = membership.role == Membership.Role.ADMINISTRATOR
    rows = []
    for submission in Submission.objects.filter(organisation=organisation).select_related("audit")[:SUBMISSIONS_SHOWN]:
        active = submission.withdrawn_at is None
        changed = submissions.changed_after(submission) if active else None
        rows.append(
            {
                "submission": submission,
                "download_url": download_url_for(submission.audit) if is_admin and active else None,
                "can_confirm": (
                    active
                    and submission.requires_confirmation
                    and submission.confirmed_at is None
                    and membership.role in submissions.LEADERS
                    and submission.marked_by_id != membership.user_id
                ),
                "can_withdraw": active and is_admin,
                "changed_count": changed.count() if changed is not None else 0,
                "changed": list(changed[: submissions.CHANGED_SHOWN]) if changed is not None else [],
            }
        )
    return {
        "submissions": rows,
        "submission_role_admin": is_admin,
        "markable": markable(organisation, membership=membership),
    }
