"""Retention: old bundles and old audit details are deleted, what was deleted is recorded on the audit.

A bundle of an export that finished more than `bundle_days` ago is deleted from storage, unless its
audit is kept for ever (`BufdirExportAudit.kept_forever`: the latest succeeded export of its organisation
and period; an export sent to Bufdir, once that feature exists). The audit keeps its figures, loses its
`file_key`, gets `bundle_removed_at` and an event. The error detail and the events' messages of an export
that finished more than `detail_days` ago are cleared likewise. 0 days keeps for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.delivery.storage import ExportStorage
from exports.models import BufdirExportAudit, BufdirExportAuditEvent, ExportStatus

logger = logging.getLogger(__name__)

RETENTION_PHASE = "retention"
"""The phase of the events retention records (never cleared by it)."""


@dataclass
class RetentionReport:
    """The audits whose bundle, and whose details, were deleted (or would be, on a dry run)."""

    bundles: list[int] = field(default_factory=list)
    details: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class RetentionPolicy:
    """Applies the retention rules to the audits and the bundle storage."""

    def __init__(
        self,
        *,
        storage: ExportStorage,
        bundle_days: int,
        detail_days: int,
        clock: Callable[[], dt.datetime] = timezone.now,
    ) -> None:
        self._storage = storage
        self.bundle_days = bundle_days
        self.detail_days = detail_days
        self._clock = clock

    def due_bundles(self) -> QuerySet[BufdirExportAudit]:
        """The succeeded audits whose bundle is due for deletion (none when bundles are kept for ever)."""
        if self.bundle_days <= 0:
            return BufdirExportAudit.objects.none()
        cutoff = self._clock() - dt.timedelta(days=self.bundle_days)
        kept = BufdirExportAudit.objects.kept_forever().values("pk")
        return (
            BufdirExportAudit.objects.filter(status=ExportStatus.SUCCEEDED, finished_at__lt=cutoff)
            .exclude(file_key="")
            .exclude(pk__in=kept)
            .order_by("pk")
        )

    def due_details(self) -> QuerySet[BufdirExportAudit]:
        """The finished audits whose error detail and event messages are due for deletion."""
        if self.detail_days <= 0:
            return BufdirExportAudit.objects.none()
        cutoff = self._clock() - dt.timedelta(days=self.detail_days)
        return (
            BufdirExportAudit.objects.filter(finished_at__lt=cutoff, details_removed_at__isnull=True)
            .exclude(status__in=BufdirExportAudit.ACTIVE_STATUSES)
            .order_by("pk")
        )

    def apply(self, *, dry_run: bool = False) -> RetentionReport:
        """Delete what is due (or only list it, on a dry run); what was deleted."""
        report = RetentionReport()
        for audit in self.due_bundles().only("pk", "file_key"):
            if dry_run or self._remove_bundle(audit):
                report.bundles.append(audit.pk)
            else:
                report.failed.append(audit.pk)
        for pk in self.due_details().values_list("pk", flat=True):
            if not dry_run:
                self._remove_details(pk)
            report.details.append(pk)
        return report

    def _remove_bundle(self, audit: BufdirExportAudit) -> bool:
        """Delete one bundle from storage, then record it on the audit; False when storage refused."""
        try:
            self._storage.remove(audit.file_key)
        except Exception:
            logger.warning("retention could not delete the bundle of export %s", audit.pk, exc_info=True)
            return False
        now = self._clock()
        with transaction.atomic():
            BufdirExportAudit.objects.filter(pk=audit.pk, file_key=audit.file_key).update(
                file_key="", bundle_removed_at=now, updated_at=now
            )
            BufdirExportAuditEvent.objects.create(
                audit_id=audit.pk,
                phase=RETENTION_PHASE,
                message=f"bundle removed by retention on {now.date().isoformat()} "
                f"(older than {self.bundle_days} days): {audit.file_key}",
            )
        logger.info("retention deleted the bundle of export %s", audit.pk)
        return True

    def _remove_details(self, audit_id: int) -> None:
        """Clear one audit's error detail and event messages, and record it."""
        now = self._clock()
        with transaction.atomic():
            BufdirExportAudit.objects.filter(pk=audit_id).update(
                error_detail="", details_removed_at=now, updated_at=now
            )
            BufdirExportAuditEvent.objects.filter(audit_id=audit_id).exclude(phase=RETENTION_PHASE).update(message="")
            BufdirExportAuditEvent.objects.create(
                audit_id=audit_id,
                phase=RETENTION_PHASE,
                message=f"details removed by retention on {now.date().isoformat()} "
                f"(older than {self.detail_days} days)",
            )


def removed_by_retention() -> str:
    """What a download of a bundle deleted by the retention rules says (in the active language)."""
    from django.conf import settings

    return _(
        "The file was deleted after %(days)s days under the retention rules; start a new export of the same period."
    ) % {"days": settings.BUFDIR_EXPORT["RETENTION_DAYS"]}


def retention_policy() -> RetentionPolicy:
    """The policy of this deployment's settings."""
    from django.conf import settings

    from exports.container import services

    options = settings.BUFDIR_EXPORT
    return RetentionPolicy(
        storage=services().storage,
        bundle_days=options["RETENTION_DAYS"],
        detail_days=options["AUDIT_DETAIL_RETENTION_DAYS"],
    )
