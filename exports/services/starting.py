"""Starts an export: records a pending audit and queues the django-q2 task that runs it."""
from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from exports.domain import Period
from exports.models import BufdirExportAudit, Membership
from exports.services.audit import BufdirExportAuditService
from exports.services.period_rule import check_period


def start_export(audits: BufdirExportAuditService, membership: Membership, period: Period) -> BufdirExportAudit:
    """Queue an export of the membership's organisation (never one the user names) for `period`.

    Raises PeriodOutOfBounds for a period the service does not export, and ExportAlreadyActive when the
    organisation has a pending or running export.
    """
    check_period(period.start, period.end)
    user = membership.user
    audit = audits.create(organisation_id=membership.organisation_id, requested_by_id=user.pk,
                          requested_by_label=user.get_username(), period=period)

    def enqueue() -> None:
        task_id = async_task("exports.tasks.run_export", audit.pk, hook="exports.tasks.export_finished",
                             task_name=f"bufdir-export-{audit.pk}", group="bufdir-exports")
        audits.attach_task(audit.pk, str(task_id))

    transaction.on_commit(enqueue)
    return audit
