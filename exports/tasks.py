"""django-q2 tasks: run an export or a configuration trial in a worker, and the periodic reaper of lost ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports.container import services
from exports.domain import ExportFailure, ExportRequest, ExportSuccess, Period
from exports.lifecycle.shutdown import guard
from exports.lifecycle.trial_runs import TrialRunner, fail_trial, reap_lost_trials
from exports.models import ExportStatus
from notices.services import notify_finished, send_pending_notices
from operations.log_context import export_log_context

REAPER_SCHEDULE = "bufdir-reap-lost-exports"
RETENTION_SCHEDULE = "bufdir-apply-retention"


def run_export(audit_id: int) -> dict[str, Any]:
    """Run the export recorded by `audit_id` and return a summary of the result.

    A stop request (SIGTERM, or the cluster stopping) fails the export at once with a restart message
    (exports/lifecycle/shutdown.py); a worker that got SIGTERM itself then exits.
    """
    with guard.running():
        container = services()
        audit = container.audits.get(audit_id)
        request = ExportRequest(
            audit_id=audit.pk,
            organisation_id=audit.organisation_id,
            period=Period(audit.period_from, audit.period_to),
            requested_by=audit.requested_by_label,
        )
        with (
            translation.override(settings.LANGUAGE_CODE),
            export_log_context(export_id=audit.pk, organisation=audit.organisation.slug),
        ):
            result = container.orchestrator.run(request)
        notify_finished(audit_id)
    guard.exit_if_terminated()
    if isinstance(result, ExportSuccess):
        return {"audit_id": audit_id, "outcome": str(ExportStatus.SUCCEEDED), "file_key": result.file_key}
    if isinstance(result, ExportFailure):
        return {"audit_id": audit_id, "outcome": str(ExportStatus.FAILED), "error": result.error_message}
    return {"audit_id": audit_id, "outcome": "not run"}


def export_finished(task: Any) -> None:
    """Hook after the task: if the worker died or timed out, fail the audit instead of leaving it running."""
    if task.success:
        return
    audit_id = task.args[0]
    container = services()
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The export was stopped by the worker before it finished. Start a new export.")
        failed = container.audits.fail(audit_id, message=message, detail=str(getattr(task, "result", "") or ""))
    if failed:
        container.progress.push_state(container.audits.get(audit_id).organisation_id, audit_id=audit_id)
        notify_finished(audit_id)


def reap_lost_exports() -> list[int]:
    """Fail exports whose worker died or that no worker took; run by django-q2's schedule."""
    from django_q.models import Schedule

    reaper = services().reaper
    with translation.override(settings.LANGUAGE_CODE):
        failed = reaper.reap()
    reaper.sweep()
    reap_config_trials()
    send_pending_notices()
    next_run = timezone.now() + dt.timedelta(seconds=reaper.lost_after / 4)
    Schedule.objects.filter(name=REAPER_SCHEDULE, next_run__gt=next_run).update(next_run=next_run)
    return failed


def run_config_trial(run_id: int) -> dict[str, Any]:
    """Run the configuration trial recorded by `run_id` (admin) and return its final status."""
    runner = TrialRunner(trial=services().get("config_trial"), max_seconds=settings.CONFIG_TRIAL_MAX_SECONDS)
    with translation.override(settings.LANGUAGE_CODE):
        return {"trial_run_id": run_id, "outcome": runner.run(run_id)}


def config_trial_finished(task: Any) -> None:
    """Hook after a trial's task: if the worker died or timed out, fail the trial instead of leaving it running."""
    if task.success:
        return
    with translation.override(settings.LANGUAGE_CODE):
        fail_trial(task.args[0], message=_("The trial was stopped by the worker before it finished. Try again."))


def reap_config_trials() -> list[int]:
    """Fail configuration trials that no worker took, whose worker died or that outlived their bound."""
    with translation.override(settings.LANGUAGE_CODE):
        return reap_lost_trials(
            lost_after=settings.BUFDIR_EXPORT["LOST_AFTER_SECONDS"], max_seconds=settings.CONFIG_TRIAL_MAX_SECONDS
        )


def apply_retention() -> dict[str, list[int]]:
    """Delete old bundles and old audit details (exports/delivery/retention.py); run daily by django-q2."""
    from exports.delivery.retention import retention_policy

    report = retention_policy().apply()
    return {"bundles": report.bundles, "details": report.details, "failed": report.failed}
