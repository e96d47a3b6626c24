"""The reaper: fails exports whose worker died (heartbeat stopped), that are stuck, or that no worker took."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.lifecycle.progress import ProgressPublisher
from exports.lifecycle.state_machine import ExportStateMachine
from exports.lifecycle.workdirs import ExportWorkdirs
from exports.models import ACTIVE_STATUSES, BufdirExportAudit, ExportStatus


def heartbeat_interval(lost_after: float) -> float:
    """How often a running export says it is alive, for a reaper bound of `lost_after` seconds."""
    return max(0.05, lost_after / 12)


class ExportReaper:
    """Within `lost_after` seconds of a worker's death (or of a queue no worker reads) the export is failed.

    A running export sends a heartbeat from a side thread every `lost_after / 12` seconds for its whole
    life, however long one row or one step takes, and counts as lost after `lost_after / 3` without one; a
    pending export counts as not taken after `lost_after / 2`. The reaper runs at least every
    `lost_after / 2` seconds (django-q2's schedule), which keeps the total in bound. An export whose
    process is alive but that has not moved on (a chunk of rows, a phase) for `stuck_after` seconds is
    failed as stuck. The same schedule sweeps the temporary folders of exports that no longer run.
    """

    def __init__(
        self,
        audits: ExportStateMachine,
        progress: ProgressPublisher,
        lost_after: float,
        stuck_after: float = 30 * 60,
        workdirs: ExportWorkdirs | None = None,
    ) -> None:
        self._audits = audits
        self._progress = progress
        self.lost_after = lost_after
        self.stuck_after = stuck_after
        self._workdirs = workdirs or ExportWorkdirs()

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
        """Fail the lost and stuck exports (of one organisation, or all) and push their new state; their ids."""
        now = timezone.now()
        failed = self._fail_lost(
            heartbeat_before=now - self.heartbeat_timeout,
            queued_before=now - self.queue_timeout,
            progress_before=now - dt.timedelta(seconds=self.stuck_after),
            organisation_id=organisation_id,
        )
        for audit in failed:
            self._progress.push_state(audit.organisation_id, audit_id=audit.pk)
        return [audit.pk for audit in failed]

    def _fail_lost(
        self,
        *,
        heartbeat_before: dt.datetime,
        queued_before: dt.datetime,
        progress_before: dt.datetime | None = None,
        organisation_id: UUID | None = None,
    ) -> list[BufdirExportAudit]:
        """Fail running exports whose heartbeat stopped or that stopped moving on (stuck), and pending ones
        no worker took, each with its message, through the state machine; the audits failed here."""
        active = BufdirExportAudit.objects.filter(status__in=ACTIVE_STATUSES)
        if organisation_id is not None:
            active = active.filter(organisation_id=organisation_id)
        running = active.filter(status=ExportStatus.RUNNING)
        lost = [
            (
                pk,
                _("The worker running the export stopped answering (it was stopped or crashed). Start a new export."),
                "lost: no heartbeat since before " + heartbeat_before.isoformat(),
            )
            for pk in running.filter(heartbeat_at__lt=heartbeat_before).values_list("pk", flat=True)
        ]
        if progress_before is not None:
            minutes = max(1, round((timezone.now() - progress_before).total_seconds() / 60))
            lost += [
                (
                    pk,
                    _(
                        "The export made no progress for %(minutes)s minutes and was stopped as stuck. "
                        "Start a new export; if it happens again, contact your system administrator."
                    )
                    % {"minutes": minutes},
                    "stuck: alive, but no progress since before " + progress_before.isoformat(),
                )
                for pk in running.filter(
                    heartbeat_at__gte=heartbeat_before, progressed_at__lt=progress_before
                ).values_list("pk", flat=True)
            ]
        lost += [
            (
                pk,
                _(
                    "No worker took the export: the export service's worker is not running. "
                    "Start a new export when it is running again, or contact your system administrator."
                ),
                "not taken: pending since before " + queued_before.isoformat(),
            )
            for pk in active.filter(status=ExportStatus.PENDING, created_at__lt=queued_before).values_list(
                "pk", flat=True
            )
        ]
        return [
            self._audits.get(pk)
            for pk, message, detail in lost
            if self._audits.fail(pk, message=message, detail=detail)
        ]

    def sweep(self) -> list[Path]:
        """Remove the temporary folders that exports no longer running left behind (a killed process)."""
        return self._workdirs.sweep(active=self._audits.active_ids)


logger = logging.getLogger(__name__)


@contextmanager
def keep_alive(beat: Callable[[], object], *, interval: float) -> Iterator[None]:
    """Call `beat` every `interval` seconds from a side thread until the block ends (failures are logged).

    A beat that returns False (the export is no longer running: cancelled, or failed by the reaper, as
    stuck too) ends the beating; the export itself notices at its next step (it asks the audit then).
    """
    done = threading.Event()

    def run() -> None:
        try:
            while not done.wait(max(interval, 0.01)):
                try:
                    alive = beat()
                except Exception:
                    logger.warning("export heartbeat failed", exc_info=True)
                    continue
                if alive is False:
                    return
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name="export-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
