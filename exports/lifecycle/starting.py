"""Starts an export: records a pending audit and queues the django-q2 task that runs it."""

from __future__ import annotations

import logging
import traceback

from django.db import transaction
from django_q.tasks import async_task

from exports.domain import Period
from exports.lifecycle.fault_naming import broker_down_message, database_busy_message, is_database_busy
from exports.lifecycle.state_machine import ExportStateMachine
from exports.models import BufdirExportAudit, Membership
from exports.rules.periods import check_period

logger = logging.getLogger(__name__)


class ExportQueueUnavailable(Exception):
    """The task queue (the broker) did not take the export; its audit is already failed with the message."""

    def __init__(self, message: str, audit: BufdirExportAudit) -> None:
        super().__init__(message)
        self.message = message
        self.audit = audit


def start_export(*, audits: ExportStateMachine, membership: Membership, period: Period) -> BufdirExportAudit:
    """Queue an export of the membership's organisation (never one the user names) for `period`.

    Raises PeriodOutOfBounds for a period the service does not export, ExportAlreadyActive when the
    organisation has a pending or running export, and ExportQueueUnavailable when the broker does not take
    the task: that export is then failed at once (kept on the trail, not left pending for the reaper).
    """
    check_period(period.start, end=period.end)
    user = membership.user
    audit = audits.create(
        organisation_id=membership.organisation_id,
        requested_by_id=user.pk,
        requested_by_label=user.get_username(),
        period=period,
    )

    def enqueue() -> None:
        try:
            task_id = async_task(
                "exports.tasks.run_export",
                audit.pk,
                hook="exports.tasks.export_finished",
                task_name=f"bufdir-export-{audit.pk}",
                group="bufdir-exports",
            )
        except Exception as exc:
            busy = is_database_busy(exc)
            logger.exception("export %s could not be queued", audit.pk)
            message = database_busy_message() if busy else broker_down_message()
            cause = "database busy (locked)" if busy else "broker down"
            audits.fail(audit.pk, message=message, detail=f"phase: queued\ncause: {cause}\n\n{traceback.format_exc()}")
            raise ExportQueueUnavailable(message, audits.get(audit.pk)) from exc
        audits.attach_task(audit.pk, task_id=str(task_id))

    transaction.on_commit(enqueue)
    return audit
