"""BufdirExportAuditService: records each export's lifecycle on its audit record."""
from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.domain import Period, Phase
from exports.models import (
    BufdirExportAudit,
    BufdirExportAuditEvent,
    OrganisationColumnConfig,
)
from exports.services.summary import ExportSummary

Status = BufdirExportAudit.Status


class BufdirExportAuditService:
    """Creates audit records and moves them through pending, running, succeeded and failed."""

    def create(self, organisation_id: UUID, requested_by_id: int | None, requested_by_label: str,
               period: Period) -> BufdirExportAudit:
        """A new pending audit for an export that is about to be queued."""
        with transaction.atomic():
            audit = BufdirExportAudit.objects.create(
                organisation_id=organisation_id, requested_by_id=requested_by_id,
                requested_by_label=requested_by_label, period_from=period.start, period_to=period.end,
                phase=Phase.QUEUED,
            )
            BufdirExportAuditEvent.objects.create(audit=audit, phase=Phase.QUEUED, message=requested_by_label)
        return audit

    def get(self, audit_id: int) -> BufdirExportAudit:
        """The audit record."""
        return BufdirExportAudit.objects.select_related("organisation").get(pk=audit_id)

    def attach_task(self, audit_id: int, task_id: str) -> None:
        """Remember the django-q2 task that runs the export."""
        BufdirExportAudit.objects.filter(pk=audit_id).update(task_id=task_id)

    def start(self, audit_id: int) -> None:
        """Mark the export running."""
        BufdirExportAudit.objects.filter(pk=audit_id).update(
            status=Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
        )

    def use_config(self, audit_id: int, config: OrganisationColumnConfig) -> None:
        """Record which configuration version the export uses."""
        BufdirExportAudit.objects.filter(pk=audit_id).update(config=config, config_version=config.version)

    def record_phase(self, audit_id: int, phase: Phase, message: str = "") -> None:
        """Record that a phase began (an event on the trail)."""
        BufdirExportAuditEvent.objects.create(audit_id=audit_id, phase=phase, message=message)

    def record_progress(self, audit_id: int, phase: Phase, rows_processed: int, rows_total: int | None,
                        percent: int) -> None:
        """Persist the latest progress so a reload shows it."""
        BufdirExportAudit.objects.filter(pk=audit_id, status__in=BufdirExportAudit.ACTIVE_STATUSES).update(
            phase=phase, rows_processed=rows_processed, rows_total=rows_total, progress_percent=percent,
            updated_at=timezone.now(),
        )

    def succeed(self, audit_id: int, totals: ExportSummary, file_key: str, sha256: str, size: int) -> None:
        """Mark the export succeeded, with its counts and stored file."""
        with transaction.atomic():
            BufdirExportAudit.objects.filter(pk=audit_id).update(
                status=Status.SUCCEEDED, phase=Phase.DONE, progress_percent=100, rows_exported=totals.exported,
                rows_counted=totals.counted, rows_not_counted=totals.not_counted,
                rows_deviations=totals.deviations, result=totals.as_facts(), file_key=file_key,
                file_sha256=sha256, file_bytes=size,
                error_message="", finished_at=timezone.now(), updated_at=timezone.now(),
            )
            self.record_phase(audit_id, Phase.DONE, file_key)

    def fail(self, audit_id: int, message: str) -> None:
        """Mark the export failed with a message a person can act on."""
        with transaction.atomic():
            BufdirExportAudit.objects.filter(pk=audit_id).update(
                status=Status.FAILED, phase=Phase.FAILED, error_message=message, finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            self.record_phase(audit_id, Phase.FAILED, message)

    def fail_if_unfinished(self, audit_id: int, message: str) -> bool:
        """Fail the export unless it already finished; True when it was failed here."""
        updated = BufdirExportAudit.objects.filter(
            pk=audit_id, status__in=BufdirExportAudit.ACTIVE_STATUSES
        ).update(status=Status.FAILED, phase=Phase.FAILED, error_message=message, finished_at=timezone.now(),
                 updated_at=timezone.now())
        if updated:
            self.record_phase(audit_id, Phase.FAILED, message)
        return bool(updated)

    def fail_stale(self, stale_after: dt.timedelta) -> list[int]:
        """Fail exports that have not moved for `stale_after` (a killed worker or none running)."""
        cutoff = timezone.now() - stale_after
        stale = list(
            BufdirExportAudit.objects.filter(
                status__in=BufdirExportAudit.ACTIVE_STATUSES, updated_at__lt=cutoff
            ).values_list("pk", flat=True)
        )
        message = _("The export stopped without finishing (the worker was stopped or never picked it up). "
                    "Start a new export.")
        return [audit_id for audit_id in stale if self.fail_if_unfinished(audit_id, message)]
