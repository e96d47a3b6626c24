"""The deviations of a succeeded export as the page and the API list them: filtered by reason, branch, person."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from exports.config.cell_safety import without_refused
from exports.models import BufdirExportAudit, ExportDeviation, ExportStatus
from exports.rules.row_account import ranked_reasons

MAX_FILTER_LENGTH = 1_000
"""The most characters of one filter (a reason is at most this long)."""


@dataclass(frozen=True, kw_only=True)
class DeviationFilters:
    """What to narrow an export's deviations to: one reason, one local branch, part of a peer mentor's name."""

    reason: str = ""
    local_branch: str = ""
    peer_mentor: str = ""

    @classmethod
    def of(cls, *, reason: str | None, local_branch: str | None, peer_mentor: str | None) -> DeviationFilters:
        """Filters from request parameters: trimmed, bounded, without characters no stored text holds."""
        return cls(
            **{
                name: without_refused((value or "").strip()[:MAX_FILTER_LENGTH])
                for name, value in (("reason", reason), ("local_branch", local_branch), ("peer_mentor", peer_mentor))
            }
        )

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.reason or self.local_branch or self.peer_mentor)


def current_export(organisation_id: UUID) -> BufdirExportAudit | None:
    """The organisation's latest succeeded export: the one whose deviations the page shows."""
    return (
        BufdirExportAudit.objects.filter(organisation_id=organisation_id, status=ExportStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def deviations_of(audit: BufdirExportAudit, *, filters: DeviationFilters) -> QuerySet[ExportDeviation]:
    """The export's deviations that pass the filters, by date (the same rows as on `Avvik`)."""
    rows = ExportDeviation.objects.filter(audit_id=audit.pk)
    if filters.reason:
        rows = rows.filter(reasons__contains=ExportDeviation.reason_filter(filters.reason))
    if filters.local_branch:
        rows = rows.filter(local_branch=filters.local_branch)
    if filters.peer_mentor:
        rows = rows.filter(peer_mentor__icontains=filters.peer_mentor)
    return rows.order_by("activity_date", "id")


def reason_choices(audit: BufdirExportAudit) -> list[tuple[str, int]]:
    """The export's reasons with their counts, the most common first (as many as the audit keeps)."""
    return ranked_reasons(audit.facts or {})


def branch_choices(audit: BufdirExportAudit) -> list[str]:
    """The local branches the export's deviations are under, by name."""
    return list(
        ExportDeviation.objects.filter(audit_id=audit.pk)
        .exclude(local_branch="")
        .order_by("local_branch")
        .values_list("local_branch", flat=True)
        .distinct()
    )


def kept_before_deviations(audit: BufdirExportAudit) -> bool:
    """Whether the export found deviations but was made before they were kept for the page (none stored)."""
    return bool(audit.rows_deviations) and not ExportDeviation.objects.filter(audit_id=audit.pk).exists()
