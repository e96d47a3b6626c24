"""Turns export states into what the templates show: labels, percent and the download link."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from exports.domain import Phase
from exports.services.export_state import ExportState

PHASE_LABELS = {
    Phase.QUEUED: _("Waiting for a worker"),
    Phase.LOADING_CONFIG: _("Loading the column configuration"),
    Phase.QUERYING: _("Finding the activities"),
    Phase.MAPPING: _("Mapping activities"),
    Phase.WRITING: _("Writing the workbook"),
    Phase.BUNDLING: _("Bundling the workbook and manifest"),
    Phase.STORING: _("Storing the file"),
    Phase.DONE: _("Done"),
    Phase.FAILED: _("Failed"),
}


def status_context(state: ExportState | None, download_url: str | None) -> dict[str, Any]:
    """The template context of the status fragment."""
    return {
        "state": state,
        "phase_label": PHASE_LABELS.get(state.phase, state.phase) if state else "",
        "period_from": dt.date.fromisoformat(state.period_from) if state else None,
        "period_to": dt.date.fromisoformat(state.period_to) if state else None,
        "download_url": download_url,
    }


def download_url_for(audit: Any, storage: Any) -> str | None:
    """A fresh, time-limited download URL when the export succeeded and has a file."""
    if audit is None or audit.status != "succeeded" or not audit.file_key:
        return None
    return storage.download_url(audit.pk)


def history_rows(audits: Any, storage: Any) -> list[dict[str, Any]]:
    """The history table's rows, each with a download link when there is a file."""
    return [{"audit": audit, "download_url": download_url_for(audit, storage)} for audit in audits]
