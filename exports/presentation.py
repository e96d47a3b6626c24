"""Turns export states into what the templates show: labels, percent, waiting time and the download link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from exports.container import services
from exports.domain import PHASE_LABELS
from exports.lifecycle.export_state import ExportState
from exports.models import BufdirExportAudit, ExportStatus
from exports.regulation import category_label
from exports.rules.row_account import OUTCOME_LABELS, ranked_reasons, row_account

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True, kw_only=True)
class ExportResultView:
    """What a finished export found, as the page shows it."""

    read: int
    exported: int
    counted: int
    rejected: int
    unreadable: int
    deviations: int
    counted_by_category: list[tuple[str, int]]
    not_counted: int
    not_counted_parts: list[tuple[StrOrPromise, int]]
    """Why the rest of the rows on `Aktiviteter` do not count; with the counted rows they add up to `exported`."""
    top_reasons: list[tuple[str, int]]


def result_view(audit: BufdirExportAudit | None) -> ExportResultView | None:
    """The result of a succeeded export, when its audit recorded one."""
    facts = audit.facts if audit is not None else None
    if audit is None or facts is None:
        return None
    rows = cast(Mapping[str, int], facts.get("rows", {}))  # older results may lack counts: the audit's then
    account = row_account(facts)
    return ExportResultView(
        read=rows.get("read", audit.rows_total or 0),
        exported=rows.get("exported", audit.rows_exported or 0),
        counted=rows.get("counted", audit.rows_counted or 0),
        rejected=account.rejected,
        unreadable=account.unreadable,
        deviations=rows.get("deviations", audit.rows_deviations or 0),
        counted_by_category=[(category_label(c), n) for c, n in account.counted_by_category.items()],
        not_counted=account.not_counted,
        not_counted_parts=[(OUTCOME_LABELS[key], n) for key, n in account.not_counted_parts()],
        top_reasons=ranked_reasons(facts)[:3],
    )


def status_context(
    state: ExportState | None,
    *,
    download_url: str | None,
    result: ExportResultView | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The template context of the status fragment (and of the Export button beside it)."""
    waited = int(((now or timezone.now()) - state.created).total_seconds()) if state else 0
    return {
        "state": state,
        "Status": ExportStatus,
        "phase_label": PHASE_LABELS.get(state.phase, state.phase) if state else "",
        "period_from": dt.date.fromisoformat(state.period_from) if state else None,
        "period_to": dt.date.fromisoformat(state.period_to) if state else None,
        "created": state.created if state else None,
        "waited_seconds": max(0, waited),
        "is_pending": bool(state and state.status == ExportStatus.PENDING),
        "is_empty": bool(state and state.status == ExportStatus.SUCCEEDED and not state.rows_exported),
        "download_url": download_url if state and state.rows_exported else None,
        "result": result,
        "renew_seconds": max(5, settings.BUFDIR_EXPORT["DOWNLOAD_URL_MAX_AGE"] // 2),
    }


def download_url_for(audit: BufdirExportAudit | None) -> str | None:
    """A fresh, time-limited download URL when the export succeeded and has a file."""
    if audit is None or not audit.has_file:
        return None
    return download_url(audit.pk)


def history_rows(audits: Any) -> list[dict[str, Any]]:
    """The history table's rows, each with a download link when there is a file."""
    return [
        {
            "audit": audit,
            "download_url": download_url_for(audit),
            "phase_label": PHASE_LABELS.get(audit.phase, audit.phase),
        }
        for audit in audits
    ]


def download_url(audit_id: int) -> str:
    """A URL for the audit's bundle that stops working after EXPORT_DOWNLOAD_URL_MAX_AGE seconds."""
    return f"{reverse('exports:download', args=[audit_id])}?token={services().download_links.token(audit_id)}"
