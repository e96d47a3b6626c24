"""ExportStateMachine: the export lifecycle as one guarded state machine on the audit record.

pending -> running -> succeeded / failed / cancelled. Every transition is one conditional UPDATE that
applies only from the states it is allowed from, and says whether it applied, so a worker that arrives
late (a task delivered again after its worker died) or a reaper racing a worker never overwrite a
finished export.
"""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from exports.domain import PHASE_PERCENT, ExportTotals, Period, Phase
from exports.models import (
    ACTIVE_STATUSES,
    BufdirExportAudit,
    BufdirExportAuditEvent,
    ExportStatus,
    OrganisationColumnConfig,
)


class ExportAlreadyActive(Exception):
    """The organisation already has a pending or running export (only one at a time)."""

    def __init__(self, active: BufdirExportAudit) -> None:
        super().__init__(f"export {active.pk} of this organisation is still {active.status}")
        self.active = active


class ExportStateMachine:
    """Creates audit records and moves them through their states, each move guarded by the state it leaves."""

    def create(
        self, *, organisation_id: UUID, requested_by_id: int | None, requested_by_label: str, period: Period
    ) -> BufdirExportAudit:
        """A new pending audit; raises ExportAlreadyActive when the organisation has one (database-enforced)."""
        for attempt in range(3):
            try:
                with transaction.atomic():
                    audit = BufdirExportAudit.objects.create(
                        organisation_id=organisation_id,
                        requested_by_id=requested_by_id,
                        requested_by_label=requested_by_label,
                        period_from=period.start,
                        period_to=period.end,
                        phase=Phase.QUEUED,
                    )
                    BufdirExportAuditEvent.objects.create(audit=audit, phase=Phase.QUEUED, message=requested_by_label)
                return audit
            except IntegrityError:
                active = self.active_for(organisation_id)
                if active is not None:
                    raise ExportAlreadyActive(active) from None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, audit_id: int) -> BufdirExportAudit:
        """The audit record."""
        return BufdirExportAudit.objects.select_related("organisation", "requested_by").get(pk=audit_id)

    def active_for(self, organisation_id: UUID) -> BufdirExportAudit | None:
        """The organisation's pending or running export, if any."""
        return (
            BufdirExportAudit.objects.select_related("requested_by")
            .filter(organisation_id=organisation_id, status__in=ACTIVE_STATUSES)
            .first()
        )

    def attach_task(self, audit_id: int, *, task_id: str) -> None:
        """Remember the django-q2 task that runs the export."""
        BufdirExportAudit.objects.filter(pk=audit_id).update(task_id=task_id)

    def start(self, audit_id: int) -> bool:
        """pending -> running; False (and nothing written) when the export is no longer pending."""
        now = timezone.now()
        return self._move(
            audit_id,
            {ExportStatus.PENDING},
            status=ExportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progressed_at=now,
        )

    def heartbeat(self, audit_id: int, *, progressed: bool = False) -> bool:
        """Say the worker is alive (and, when `progressed`, that it moved on); False when no longer running."""
        now = timezone.now()
        values = {"heartbeat_at": now, "progressed_at": now} if progressed else {"heartbeat_at": now}
        return self._move(audit_id, {ExportStatus.RUNNING}, **values)

    def active_ids(self) -> set[int]:
        """The ids of every pending or running export."""
        return set(BufdirExportAudit.objects.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))

    def use_config(self, audit_id: int, *, config: OrganisationColumnConfig) -> None:
        """Record which configuration version the export uses."""
        BufdirExportAudit.objects.filter(pk=audit_id).update(config=config, config_version=config.version)

    def record_phase(self, audit_id: int, *, phase: Phase, message: str = "") -> None:
        """Record that a phase began (an event on the trail)."""
        BufdirExportAuditEvent.objects.create(audit_id=audit_id, phase=phase, message=message)

    def record_progress(
        self, audit_id: int, *, phase: Phase, rows_processed: int, rows_total: int | None, percent: int
    ) -> bool:
        """Persist the latest progress of a running export (a heartbeat too); False when it is not running."""
        return self._move(
            audit_id,
            {ExportStatus.RUNNING},
            phase=phase,
            rows_processed=rows_processed,
            rows_total=rows_total,
            progress_percent=percent,
            heartbeat_at=timezone.now(),
            progressed_at=timezone.now(),
        )

    def succeed(self, audit_id: int, *, totals: ExportTotals, file_key: str, sha256: str, size: int) -> bool:
        """running -> succeeded, with its counts and stored file; False when it was no longer running."""
        with transaction.atomic():
            applied = self._move(
                audit_id,
                {ExportStatus.RUNNING},
                status=ExportStatus.SUCCEEDED,
                phase=Phase.DONE,
                progress_percent=PHASE_PERCENT[Phase.DONE],
                rows_exported=totals.exported,
                rows_counted=totals.counted,
                rows_not_counted=totals.not_counted,
                rows_deviations=totals.deviations,
                result=totals.facts,
                file_key=file_key,
                file_sha256=sha256,
                file_bytes=size,
                error_message="",
                finished_at=timezone.now(),
            )
            if applied:
                self.record_phase(audit_id, phase=Phase.DONE, message=file_key)
        return applied

    def fail(self, audit_id: int, *, message: str, detail: str = "") -> bool:
        """pending/running -> failed with a message a person can act on (and, for the admin, the traceback)."""
        with transaction.atomic():
            applied = self._move(
                audit_id,
                set(ACTIVE_STATUSES),
                status=ExportStatus.FAILED,
                phase=Phase.FAILED,
                error_message=message,
                error_detail=detail,
                finished_at=timezone.now(),
            )
            if applied:
                self.record_phase(audit_id, phase=Phase.FAILED, message=message)
        return applied

    def cancel(self, audit_id: int, *, user_id: int | None, label: str) -> bool:
        """pending/running -> cancelled, recording who and when; False when it had already finished."""
        now = timezone.now()
        with transaction.atomic():
            applied = self._move(
                audit_id,
                set(ACTIVE_STATUSES),
                status=ExportStatus.CANCELLED,
                phase=Phase.CANCELLED,
                cancelled_by_id=user_id,
                cancelled_at=now,
                finished_at=now,
            )
            if applied:
                self.record_phase(audit_id, phase=Phase.CANCELLED, message=label)
        return applied

    def _move(self, audit_id: int, allowed_from: set[ExportStatus], **values: object) -> bool:
        """One conditional UPDATE from the allowed states; whether it applied."""
        return bool(
            BufdirExportAudit.objects.filter(pk=audit_id, status__in=allowed_from).update(
                **values, updated_at=timezone.now()
            )
        )
