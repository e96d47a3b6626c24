"""Turns audit records into the API's export documents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from api import links
from exports.models import BufdirExportAudit
from exports.rules.row_account import row_account


def counted_by_category(audit: BufdirExportAudit) -> dict[str, int] | None:
    """Counted activities per Bufdir category, as the audit recorded them when the export succeeded."""
    facts = audit.facts
    if facts is None:
        return None
    return {str(category): int(count) for category, count in facts.get("counted_by_category", {}).items()}


def row_breakdown(audit: BufdirExportAudit) -> dict[str, Any] | None:
    """Every row a succeeded export read, accounted for, as the audit recorded it."""
    facts = audit.facts
    if facts is None:
        return None
    return row_account(facts).as_dict()


def changes(audit: BufdirExportAudit) -> dict[str, Any] | None:
    """What changed since the period's earlier export, as the audit recorded it when it succeeded."""
    facts = audit.facts
    recorded = facts.get("changes") if facts else None
    if not isinstance(recorded, dict):
        return None
    return {
        key: recorded.get(key, {} if key.startswith("counted_") else 0)
        for key in ("counted_then", "counted_now", "added", "removed", "changed", "fixed", "new_deviations", "rows")
    } | {"compared_with": recorded.get("compared_with")}


def submission(audit: BufdirExportAudit) -> dict[str, Any] | None:
    """The export's latest mark as sent to Bufdir, when it has one."""
    mark = audit.submissions.order_by("-marked_at", "-id").first()
    if mark is None:
        return None
    return {
        "sha256": mark.sha256,
        "marked_by": mark.marked_by_label,
        "marked_at": mark.marked_at,
        "requires_confirmation": mark.requires_confirmation,
        "confirmed_by": mark.confirmed_by_label or None,
        "confirmed_at": mark.confirmed_at,
        "withdrawn_by": mark.withdrawn_by_label or None,
        "withdrawn_at": mark.withdrawn_at,
        "withdrawn_reason": mark.withdrawn_reason or None,
    }


def export_document(request: HttpRequest, audit: BufdirExportAudit) -> dict[str, Any]:
    """The API's view of one export."""
    succeeded = audit.has_file
    download_url = expires_at = None
    if succeeded:
        token, expires_at = links.sign(audit.pk, organisation_id=audit.organisation_id)
        download_url = request.build_absolute_uri(f"{reverse('api-v1:export_download', args=[audit.pk])}?link={token}")
    return {
        "id": audit.pk,
        "url": request.build_absolute_uri(reverse("api-v1:export_detail", args=[audit.pk])),
        "status": audit.status,
        "phase": audit.phase,
        "percent": audit.progress_percent,
        "period": {"from": audit.period_from, "to": audit.period_to},
        "requested_by": audit.requested_by_label,
        "created_at": audit.created_at,
        "started_at": audit.started_at,
        "finished_at": audit.finished_at,
        "rows": {
            "processed": audit.rows_processed,
            "total": audit.rows_total,
            "exported": audit.rows_exported,
            "counted": audit.rows_counted,
            "not_counted": audit.rows_not_counted,
            "deviations": audit.rows_deviations,
        },
        "counted_by_category": counted_by_category(audit),
        "row_breakdown": row_breakdown(audit),
        "error_message": audit.error_message or None,
        "download_url": download_url,
        "download_expires_at": expires_at,
        "changes": changes(audit),
        "submission": submission(audit),
    }
