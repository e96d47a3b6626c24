"""django-q2 tasks: run an export in a worker and make sure its audit never stays unfinished."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from exports.container import services
from exports.domain import ExportRequest, ExportSuccess, Period


def run_export(audit_id: int) -> dict[str, Any]:
    """Run the export recorded by `audit_id` and return a summary of the result."""
    container = services()
    audit = container.audits.get(audit_id)
    request = ExportRequest(audit.pk, audit.organisation_id, Period(audit.period_from, audit.period_to),
                            audit.requested_by_label)
    with translation.override(settings.LANGUAGE_CODE):
        result = container.orchestrator.run(request)
    if isinstance(result, ExportSuccess):
        return {"audit_id": audit_id, "status": "succeeded", "file_key": result.file_key}
    return {"audit_id": audit_id, "status": "failed", "error": result.error_message}


def export_finished(task: Any) -> None:
    """Hook after the task: if the worker died or timed out, fail the audit instead of leaving it running."""
    if task.success:
        return
    audit_id = task.args[0]
    container = services()
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The export was stopped by the worker before it finished. Start a new export.")
    if container.audits.fail_if_unfinished(audit_id, message):
        container.progress.push_state(container.audits.get(audit_id).organisation_id, audit_id)
