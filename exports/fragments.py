"""One renderer of an export's state for the page: the status box, the Export button and the history (row)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from exports.lifecycle.export_state import ExportState
from exports.models import BufdirExportAudit, Organisation
from exports.presentation import download_url_for, history_rows, result_view, status_context
from exports.selectors import recent_audits
from exports.submission_presentation import changes_view, period_submission


def status_fragment_context(
    *, audit: BufdirExportAudit | None, organisation: Organisation, state: ExportState | None = None
) -> dict[str, Any]:
    """The status box's context for an audit (or for no export yet); `state` overrides the recorded one."""
    if state is None and audit is not None:
        state = ExportState.from_audit(audit)
    return {
        **status_context(state, download_url=download_url_for(audit), result=result_view(audit)),
        "organisation": organisation,
        "changes": changes_view(audit),
        "period_submission": period_submission(audit),
    }


def history_context(organisation: Organisation) -> dict[str, Any]:
    """The history table's context: the organisation and its rows."""
    return {"organisation": organisation, "history": history_rows(recent_audits(organisation.pk))}


def history_row_context(audit: BufdirExportAudit, *, state: ExportState) -> dict[str, Any]:
    """The status cell of one history row, showing the same status, phase and percent as the status box."""
    audit.status = state.status
    audit.phase = state.phase
    audit.progress_percent = state.percent
    return {"row": history_rows([audit])[0], "oob": True}


def state_fragments(
    *,
    audit: BufdirExportAudit | None,
    organisation: Organisation,
    state: ExportState | None = None,
    request: HttpRequest | None = None,
    status_oob: bool = True,
) -> str:
    """The status box, the Export button (out of band) and, out of band, the export's history row while it runs
    or the whole history once it has finished: so the page never shows two states of one export."""
    context = status_fragment_context(audit=audit, organisation=organisation, state=state)
    html = render_to_string("exports/_status.html", {**context, "oob": status_oob}, request)
    html += render_to_string("exports/_export_button.html", {**context, "oob": True}, request)
    current = context["state"]
    if audit is not None and current is not None and current.is_active:
        html += render_to_string("exports/_history_status.html", history_row_context(audit, state=current), request)
    else:
        html += render_to_string("exports/_history.html", {**history_context(organisation), "oob": True}, request)
    return html
