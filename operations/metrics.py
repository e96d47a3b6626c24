"""The Prometheus collector: every figure computed when scraped, from the audit trail, the broker and readiness.

Nothing is counted in a process, so every web server answers with the same figures whichever process
ran the exports.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from prometheus_client.utils import floatToGoString

from operations import audit_figures
from operations.audit_figures import Histogram

logger = logging.getLogger(__name__)


def _buckets(histogram: Histogram) -> list[tuple[str, float]]:
    """prometheus-client's bucket list: (upper bound, cumulative count), +Inf last."""
    return [
        *(
            (floatToGoString(bound), count)
            for bound, count in zip(histogram.bounds, histogram.cumulative, strict=False)
        ),
        ("+Inf", histogram.count),
    ]


class ExportMetricsCollector(Collector):
    """Exports by outcome, durations, throughput, active exports, the broker's queue, the reaper and readiness."""

    def collect(self) -> Iterator[Metric]:
        """Compute every figure now."""
        yield from self._outcomes()
        yield from self._histograms()
        yield from self._queue()
        yield from self._readiness()

    def _outcomes(self) -> Iterator[Metric]:
        """Counters of the exports by outcome (with the failure's phase and cause), and the active ones."""
        counts = audit_figures.outcome_counts()
        for name, text in (
            ("requested", "Exports requested (audit records created)."),
            ("started", "Exports a worker started."),
            ("succeeded", "Exports that succeeded."),
        ):
            counter = CounterMetricFamily(f"bufdir_exports_{name}", text)
            counter.add_metric([], counts[name])
            yield counter
        failed = CounterMetricFamily(
            "bufdir_exports_failed", "Exports that failed, by the phase reached and cause.", labels=["phase", "cause"]
        )
        reaped = CounterMetricFamily(
            "bufdir_reaper_actions", "Exports the reaper failed, by reason.", labels=["reason"]
        )
        reaped_by_reason = dict.fromkeys(audit_figures.REAPER_CAUSES, 0)
        for (phase, cause), count in sorted(audit_figures.failure_counts().items()):
            failed.add_metric([phase, cause], count)
            if cause in reaped_by_reason:
                reaped_by_reason[cause] += count
        for reason, count in reaped_by_reason.items():
            reaped.add_metric([reason], count)
        cancelled = CounterMetricFamily(
            "bufdir_exports_cancelled", "Exports cancelled, by the phase reached.", labels=["phase"]
        )
        for phase, count in sorted(audit_figures.cancellation_counts().items()):
            cancelled.add_metric([phase], count)
        active = GaugeMetricFamily("bufdir_exports_active", "Exports pending or running now.", labels=["status"])
        for status, count in audit_figures.active_counts().items():
            active.add_metric([status], count)
        yield from (failed, cancelled, reaped, active)

    def _histograms(self) -> Iterator[Metric]:
        """Durations per outcome and rows per second of the succeeded exports."""
        duration = HistogramMetricFamily(
            "bufdir_export_duration_seconds",
            "Seconds from a worker's start to the export's end, by outcome.",
            labels=["status"],
        )
        for status, histogram in sorted(audit_figures.duration_histograms().items()):
            duration.add_metric([status], _buckets(histogram), histogram.total)
        yield duration
        rate = HistogramMetricFamily("bufdir_export_rows_per_second", "Rows read per second by succeeded exports.")
        rates = audit_figures.rate_histogram()
        if rates is not None:
            rate.add_metric([], _buckets(rates), rates.total)
        yield rate

    def _queue(self) -> Iterator[Metric]:
        """Tasks waiting in django-q2's broker, and (ORM broker) those taken but not yet acknowledged."""
        from django_q.brokers import get_broker

        gauge = GaugeMetricFamily("bufdir_queue_tasks", "Tasks in django-q2's broker.", labels=["state"])
        try:
            broker = get_broker()
            gauge.add_metric(["queued"], broker.queue_size())
            taken: Any = broker.lock_size()
            if taken is not None:
                gauge.add_metric(["taken"], taken)
        except Exception:
            logger.warning("the broker's queue size could not be read", exc_info=True)
        yield gauge

    def _readiness(self) -> Iterator[Metric]:
        """Readiness as a whole and per check, and the workers seen alive."""
        from operations.health import readiness
        from operations.heartbeat import alive_workers

        report = readiness()
        ready = GaugeMetricFamily("bufdir_ready", "1 when every readiness check passes, else 0.")
        ready.add_metric([], int(report.ok))
        checks = GaugeMetricFamily("bufdir_ready_check", "1 when the readiness check passes, else 0.", labels=["check"])
        seconds = GaugeMetricFamily(
            "bufdir_ready_check_seconds", "How long the readiness check took.", labels=["check"]
        )
        for check in report.checks:
            checks.add_metric([check.name], int(check.ok))
            seconds.add_metric([check.name], check.ms / 1000)
        yield from (ready, checks, seconds)
        workers = GaugeMetricFamily("bufdir_workers_alive", "django-q2 worker processes seen within the bound.")
        workers.add_metric([], alive_workers())
        yield workers


def registry() -> CollectorRegistry:
    """A registry holding only the export collector (no per-process figures)."""
    collectors = CollectorRegistry(auto_describe=False)
    collectors.register(ExportMetricsCollector())
    return collectors
