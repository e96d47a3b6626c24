"""Configuration trials run by the worker: started from the admin, watched, bounded in time, reaped when lost.

The admin's request only records a pending run and queues the django-q2 task; the task maps the period's rows
(ConfigTrial), stamps the rows done and a heartbeat as it goes, stops at CONFIG_TRIAL_MAX_SECONDS, and stores the
figures on the run. When the trial finds no failure its proof is recorded on the version, for the fingerprint
it ran only (record_trial refuses a version whose document changed meanwhile).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from exports.config.validation import InvalidColumnConfig
from exports.config.versions import document_fingerprint, record_trial
from exports.domain import Period
from exports.lifecycle.config_trial import ConfigTrial
from exports.models import ACTIVE_TRIAL_STATUSES, ConfigTrialRun, OrganisationColumnConfig, TrialStatus

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0
"""Seconds between two stamps of a running trial's rows done and heartbeat."""


class TrialAlreadyRunning(Exception):
    """The version has a trial that is pending or running."""


class TrialStopped(Exception):
    """The trial stopped before its end; the message says why (in the active language)."""


def start_trial(
    *, config: OrganisationColumnConfig, period: Period, requested_by: Any, max_seconds: float
) -> ConfigTrialRun:
    """Record a pending trial of `config` on `period` and queue its task (after the transaction commits)."""
    from django_q.tasks import async_task

    try:
        with transaction.atomic():
            run = ConfigTrialRun.objects.create(
                config=config,
                document_sha256=document_fingerprint(config),
                period_from=period.start,
                period_to=period.end,
                requested_by=requested_by,
            )
    except IntegrityError as exc:
        raise TrialAlreadyRunning(
            _("Version %(version)s is already being tried. Wait for that trial to finish.")
            % {"version": config.version}
        ) from exc

    def enqueue() -> None:
        task_id = async_task(
            "exports.tasks.run_config_trial",
            run.pk,
            hook="exports.tasks.config_trial_finished",
            task_name=f"bufdir-config-trial-{run.pk}",
            group="bufdir-config-trials",
            timeout=int(max_seconds) + 60,
        )
        ConfigTrialRun.objects.filter(pk=run.pk).update(task_id=str(task_id))

    transaction.on_commit(enqueue)
    return run


def latest_trial(config: OrganisationColumnConfig) -> ConfigTrialRun | None:
    """The version's most recent trial, whatever its state."""
    return ConfigTrialRun.objects.filter(config=config).order_by("-created_at", "-pk").first()


def fail_trial(run_id: int, *, message: str) -> bool:
    """Fail a pending or running trial with `message`; whether it was still active."""
    return bool(
        ConfigTrialRun.objects.filter(pk=run_id, status__in=ACTIVE_TRIAL_STATUSES).update(
            status=TrialStatus.FAILED, error_message=message, finished_at=timezone.now()
        )
    )


class TrialRunner:
    """Runs one recorded trial in the worker: pending -> running -> succeeded (figures stored) or failed."""

    def __init__(self, *, trial: ConfigTrial, max_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.trial = trial
        self.max_seconds = max_seconds
        self.clock = clock

    def run(self, run_id: int) -> str:
        """Run the trial recorded by `run_id`; its final status."""
        now = timezone.now()
        if not ConfigTrialRun.objects.filter(pk=run_id, status=TrialStatus.PENDING).update(
            status=TrialStatus.RUNNING, started_at=now, heartbeat_at=now
        ):
            return _status(run_id)
        run = ConfigTrialRun.objects.select_related("config__organisation", "requested_by").get(pk=run_id)
        try:
            if document_fingerprint(run.config) != run.document_sha256:
                raise TrialStopped(
                    _("Version %(version)s changed after the trial was started. Try it again.")
                    % {"version": run.config.version}
                )
            result = self.trial.run(
                config=run.config, period=Period(run.period_from, run.period_to), watch=self._watch(run_id)
            )
        except (TrialStopped, InvalidColumnConfig) as exc:
            fail_trial(run_id, message=str(exc))
            return str(TrialStatus.FAILED)
        except Exception:
            logger.exception("configuration trial %s failed", run_id)
            fail_trial(
                run_id,
                message=_(
                    "The trial stopped on an unexpected error. Try again; if it happens again, "
                    "contact your system administrator."
                ),
            )
            return str(TrialStatus.FAILED)
        with transaction.atomic():
            finished = ConfigTrialRun.objects.filter(pk=run_id, status=TrialStatus.RUNNING).update(
                status=TrialStatus.SUCCEEDED,
                result=result.figures.to_json(),
                rows_done=result.figures.rows_read,
                finished_at=timezone.now(),
            )
            if finished:
                record_trial(config=result.config, proof=result.figures, tried_by=run.requested_by)
        return str(TrialStatus.SUCCEEDED) if finished else _status(run_id)

    def _watch(self, run_id: int) -> Callable[[int], None]:
        """Stamp rows done and a heartbeat about every second; stop at the time bound or when the run was failed."""
        started = last = self.clock()

        def watch(rows: int) -> None:
            nonlocal last
            now = self.clock()
            if now - started > self.max_seconds:
                raise TrialStopped(
                    _(
                        "The trial was stopped after %(seconds)s seconds, the longest a trial may run "
                        "(CONFIG_TRIAL_MAX_SECONDS), having read %(rows)s registrations. Try a shorter period."
                    )
                    % {"seconds": number_format(self.max_seconds), "rows": number_format(rows, force_grouping=True)}
                )
            if now - last >= PROGRESS_EVERY:
                last = now
                if not ConfigTrialRun.objects.filter(pk=run_id, status=TrialStatus.RUNNING).update(
                    rows_done=rows, heartbeat_at=timezone.now()
                ):
                    raise TrialStopped(_("The trial was stopped."))

        return watch


def _status(run_id: int) -> str:
    """The run's status as stored («missing» for a run deleted with its version)."""
    status = ConfigTrialRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    return str(status) if status is not None else "missing"


def reap_lost_trials(*, lost_after: float, max_seconds: float) -> list[int]:
    """Fail trials no worker took, whose worker stopped answering, or that outlived their bound; their ids.

    The bounds are the exports' reaper bounds (EXPORT_LOST_AFTER_SECONDS): pending for `lost_after / 2`, silent
    for `lost_after / 3`, and running past CONFIG_TRIAL_MAX_SECONDS plus `lost_after / 3`.
    """
    now = timezone.now()
    active = ConfigTrialRun.objects.filter(status__in=ACTIVE_TRIAL_STATUSES)
    silent = now - dt.timedelta(seconds=lost_after / 3)
    lost = [
        (
            pk,
            _(
                "No worker took the trial: the export service's worker is not running. Try again when it is "
                "running, or contact your system administrator."
            ),
        )
        for pk in active.filter(
            status=TrialStatus.PENDING, created_at__lt=now - dt.timedelta(seconds=lost_after / 2)
        ).values_list("pk", flat=True)
    ]
    lost += [
        (pk, _("The worker running the trial stopped answering (it was stopped or crashed). Try again."))
        for pk in active.filter(status=TrialStatus.RUNNING, heartbeat_at__lt=silent).values_list("pk", flat=True)
    ]
    lost += [
        (
            pk,
            _(
                "The trial ran longer than %(seconds)s seconds (CONFIG_TRIAL_MAX_SECONDS) and was stopped. "
                "Try a shorter period."
            )
            % {"seconds": number_format(max_seconds)},
        )
        for pk in active.filter(
            status=TrialStatus.RUNNING, started_at__lt=silent - dt.timedelta(seconds=max_seconds)
        ).values_list("pk", flat=True)
    ]
    return [pk for pk, message in lost if fail_trial(pk, message=message)]
