"""The reaper: fails exports whose worker died (heartbeat stopped) or that no worker took, and tells the pages."""
from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.utils import timezone

from exports.services.audit import BufdirExportAuditService
from exports.services.progress import ProgressPublisher


def heartbeat_interval(lost_after: float) -> float:
    """How often a running export says it is alive, for a reaper bound of `lost_after` seconds."""
    return max(1.0, lost_after / 12)


class ExportReaper:
    """Within `lost_after` seconds of a worker's death (or of a queue no worker reads) the export is failed.

    A running export sends a heartbeat every `lost_after / 12` seconds and counts as lost after
    `lost_after / 3` without one; a pending export counts as not taken after `lost_after / 2`. The reaper
    runs at least every `lost_after / 2` seconds (django-q2's schedule), which keeps the total in bound.
    """

    def __init__(self, audits: BufdirExportAuditService, progress: ProgressPublisher, lost_after: float) -> None:
        self._audits = audits
        self._progress = progress
        self.lost_after = lost_after

    @property
    def heartbeat_interval(self) -> float:
        """How often a running export says it is alive."""
        return heartbeat_interval(self.lost_after)

    @property
    def heartbeat_timeout(self) -> dt.timedelta:
        """Silence after which a running export counts as lost."""
        return dt.timedelta(seconds=self.lost_after / 3)

    @property
    def queue_timeout(self) -> dt.timedelta:
        """Wait after which a pending export counts as not taken by any worker."""
        return dt.timedelta(seconds=self.lost_after / 2)

    def reap(self, organisation_id: UUID | None = None) -> list[int]:
        """Fail the lost exports (of one organisation, or all) and push their new state; their ids."""
        now = timezone.now()
        failed = self._audits.reap(heartbeat_before=now - self.heartbeat_timeout,
                                   queued_before=now - self.queue_timeout, organisation_id=organisation_id)
        for audit in failed:
            self._progress.push_state(audit.organisation_id, audit.pk)
        return [audit.pk for audit in failed]
