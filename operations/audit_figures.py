"""Figures about every export, computed from the audit trail by a few aggregate queries (no row reaches Python).

The audit rows are shared by every web server and worker, so the figures are the same whichever process
is asked. A failure's phase is the last phase its trail recorded before it failed; its cause is read
from the start of the audit's error_detail, where the reaper (`lost:`, `stuck:`, `not taken:`), the
orchestrator's fault naming and the start (`cause: …`) and django-q2's task timeout leave it (CAUSES).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, FloatField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import Func
from django.db.models.functions import Cast, Coalesce, Greatest

from exports.domain import Phase
from exports.models import BufdirExportAudit, BufdirExportAuditEvent, ExportStatus

DURATION_BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)
RATE_BUCKETS = (10.0, 50.0, 100.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 25000.0, 50000.0, 100000.0)
FINISHED = (ExportStatus.SUCCEEDED, ExportStatus.FAILED, ExportStatus.CANCELLED)
CAUSES: dict[str, tuple[str, str]] = {
    # the reaper (exports.lifecycle.state_machine.reap)
    "worker_lost": ("error_detail__startswith", "lost:"),
    "stuck": ("error_detail__startswith", "stuck:"),
    "not_taken": ("error_detail__startswith", "not taken:"),
    # the orchestrator's fault naming and the start (exports.lifecycle.fault_naming, exports.lifecycle.starting)
    "disk_full": ("error_detail__contains", "\ncause: disk full"),
    "database_busy": ("error_detail__contains", "\ncause: database busy"),
    "broker_down": ("error_detail__contains", "\ncause: broker down"),
    "source_unreadable": ("error_detail__contains", "\ncause: source could not be read"),
    "writer_failed": ("error_detail__contains", "\ncause: writer failed"),
    "unexpected_error": ("error_detail__contains", "\ncause: unexpected error"),
    "configuration_error": ("error_detail__contains", "\ncause: configuration error"),
    "rows_mismatch": ("error_detail__contains", "\ncause: rows missing or added while read"),
    # a worker told to stop while the export ran (exports.lifecycle.shutdown)
    "service_restarted": ("error_detail__startswith", "service stopping:"),
    # django-q2 stopped the task at its timeout (exports.tasks.export_finished)
    "task_timeout": ("error_detail__contains", "exceeded maximum timeout"),
}
REAPER_CAUSES = ("worker_lost", "stuck", "not_taken")
_ENDINGS = (Phase.DONE, Phase.FAILED, Phase.CANCELLED)


class SecondsBetween(Func):
    """Seconds from the first datetime expression to the second, as a float (SQLite and PostgreSQL)."""

    output_field = FloatField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        """julianday() arithmetic on SQLite, EXTRACT(EPOCH …) elsewhere."""
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            sql = f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)"
        else:
            sql = f"CAST(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) AS double precision)"
        return sql, [*end_params, *start_params]


@dataclass(frozen=True)
class Histogram:
    """Cumulative counts at each upper bound (the last is +Inf), their sum and how many were observed."""

    bounds: tuple[float, ...]
    cumulative: tuple[int, ...]
    total: float
    count: int


def outcome_counts() -> dict[str, int]:
    """How many exports were requested, started by a worker, succeeded, failed and were cancelled."""
    figures = BufdirExportAudit.objects.aggregate(
        requested=Count("pk"),
        started=Count("pk", filter=Q(started_at__isnull=False)),
        **{str(status): Count("pk", filter=Q(status=status)) for status in FINISHED},
    )
    return {name: int(value or 0) for name, value in figures.items()}


def active_counts() -> dict[str, int]:
    """How many exports are pending and running now."""
    rows = (
        BufdirExportAudit.objects.filter(status__in=BufdirExportAudit.ACTIVE_STATUSES)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {str(status): 0 for status in BufdirExportAudit.ACTIVE_STATUSES}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def _reached_phase() -> Subquery:
    """The last phase an export's trail recorded before it ended (`queued` when it never started one)."""
    return Subquery(
        BufdirExportAuditEvent.objects.filter(audit=OuterRef("pk"))
        .exclude(phase__in=_ENDINGS)
        .order_by("-at", "-id")
        .values("phase")[:1]
    )


def _cause() -> Case:
    """A failure's cause category, from its error_detail (CAUSES; `other` for any other failure)."""
    return Case(
        *(When(**{lookup: text}, then=Value(cause)) for cause, (lookup, text) in CAUSES.items()), default=Value("other")
    )


def failure_counts() -> dict[tuple[str, str], int]:
    """Failed exports by (phase reached, cause category)."""
    rows = (
        BufdirExportAudit.objects.filter(status=ExportStatus.FAILED)
        .annotate(reached=Coalesce(_reached_phase(), Value(str(Phase.QUEUED))), cause=_cause())
        .values("reached", "cause")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["reached"], row["cause"]): row["n"] for row in rows}


def cancellation_counts() -> dict[str, int]:
    """Cancelled exports by the phase they had reached."""
    rows = (
        BufdirExportAudit.objects.filter(status=ExportStatus.CANCELLED)
        .annotate(reached=Coalesce(_reached_phase(), Value(str(Phase.QUEUED))))
        .values("reached")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["reached"]: row["n"] for row in rows}


def _histograms(queryset: Any, field: str, bounds: Sequence[float], group: str) -> dict[str, Histogram]:
    """One histogram of `field` per value of `group`, from one aggregate query."""
    aggregates = {f"le{index}": Count("pk", filter=Q(**{f"{field}__lte": bound})) for index, bound in enumerate(bounds)}
    rows = queryset.values(group).annotate(total=Sum(field), count=Count("pk"), **aggregates).order_by()
    return {
        row[group]: Histogram(
            tuple(bounds),
            (*(row[f"le{index}"] for index in range(len(bounds))), row["count"]),
            float(row["total"] or 0.0),
            row["count"],
        )
        for row in rows
    }


def _finished_runs() -> Any:
    """Exports a worker started and that have ended, with their duration in seconds."""
    return BufdirExportAudit.objects.filter(
        status__in=FINISHED, started_at__isnull=False, finished_at__isnull=False
    ).annotate(seconds=Greatest(SecondsBetween(F("started_at"), F("finished_at")), Value(0.0)))


def duration_histograms() -> dict[str, Histogram]:
    """Seconds from a worker's start to the end, per outcome (succeeded, failed, cancelled)."""
    return _histograms(_finished_runs(), "seconds", DURATION_BUCKETS, "status")


def rate_histogram() -> Histogram | None:
    """Rows read per second of the succeeded exports (None before the first)."""
    rows = Cast(Coalesce("rows_total", "rows_processed"), FloatField())
    succeeded = (
        _finished_runs()
        .filter(status=ExportStatus.SUCCEEDED)
        .annotate(rate=rows / Greatest(F("seconds"), Value(0.001)))
    )
    return _histograms(succeeded, "rate", RATE_BUCKETS, "status").get(str(ExportStatus.SUCCEEDED))
