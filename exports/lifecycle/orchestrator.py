"""BufdirExportOrchestrator: runs the export pipeline for one request and returns its result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from pathlib import Path

from django.db import DatabaseError
from django.utils import timezone
from django.utils.text import slugify

from exports.config.plugins import PluginRegistry
from exports.config.repository import ColumnConfigRepository
from exports.delivery.bundler import Bundler, ManifestFacts
from exports.delivery.deviation_records import DeviationRecords
from exports.delivery.storage import ExportStorage
from exports.delivery.submissions import active_submission, manifest_entry
from exports.domain import (
    PHASE_PERCENT,
    ExportError,
    ExportFailure,
    ExportNotRun,
    ExportProgress,
    ExportRequest,
    ExportResult,
    ExportStopped,
    ExportSuccess,
    ExportTotals,
    Phase,
    mapping_percent,
)
from exports.history.changes import compare, prune_row_digests
from exports.history.comparison import earlier_comparison
from exports.history.row_digests import RowDigestRecorder
from exports.lifecycle.fault_naming import SourceFaultsNamed, name_fault
from exports.lifecycle.progress import ProgressPublisher
from exports.lifecycle.reaper import keep_alive
from exports.lifecycle.shutdown import ServiceStopping, settle_connections
from exports.lifecycle.state_machine import ExportStateMachine
from exports.lifecycle.workdirs import ExportWorkdirs
from exports.models import Organisation
from exports.rules.column_mapper import BufdirColumnMapper
from exports.rules.mapping_pass import ConfigMapping, mapped_chunks
from exports.rules.periods import PeriodOutOfBounds, check_period
from exports.source.activities import ActivitySource, check_rows_read
from exports.workbook.plan import WorkbookFacts, WorkbookOpener
from operations.log_context import set_log_phase

logger = logging.getLogger(__name__)


class BufdirExportOrchestrator:
    """Streams, maps, writes, bundles and stores one export, recording every phase on its audit."""

    def __init__(
        self,
        *,
        source: ActivitySource,
        configs: ColumnConfigRepository,
        mapper: BufdirColumnMapper,
        plugins: PluginRegistry,
        workbooks: WorkbookOpener,
        bundler: Bundler,
        storage: ExportStorage,
        audits: ExportStateMachine,
        progress: ProgressPublisher,
        chunk_size: int,
        heartbeat_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        workdirs: ExportWorkdirs | None = None,
        stop_window: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self.source = source
        self.configs = configs
        self.mapper = mapper
        self.plugins = plugins
        self.workbooks = workbooks
        self.bundler = bundler
        self.storage = storage
        self.audits = audits
        self.progress = progress
        self.chunk_size = chunk_size
        self.heartbeat_interval = heartbeat_interval
        self.clock = clock
        self.workdirs = workdirs or ExportWorkdirs()
        self.stop_window = stop_window

    def run(
        self, request: ExportRequest, *, on_progress: Callable[[ExportProgress], None] | None = None
    ) -> ExportResult:
        """Run the pipeline; every failure ends as an ExportFailure with the audit marked failed.

        An export that is no longer pending is not run at all, and one that leaves the running state
        while it runs (cancelled, or failed by the reaper) stops without writing: both are ExportNotRun.
        From start to end a side thread says the export is alive (whatever one row or step costs), and
        the export's temporary files live in a folder of its own, removed whatever the export ends with.
        """
        if not self.audits.start(request.audit_id):
            logger.warning("export %s is no longer pending; the worker does not run it", request.audit_id)
            return ExportNotRun(audit_id=request.audit_id)
        with (
            keep_alive(lambda: self.audits.heartbeat(request.audit_id), interval=self.heartbeat_interval),
            self.workdirs.workdir(request.audit_id) as workdir,
        ):
            return self._guarded(request, workdir, on_progress)

    def _guarded(
        self, request: ExportRequest, workdir: Path, on_progress: Callable[[ExportProgress], None] | None
    ) -> ExportResult:
        """Run the pipeline and record how it ended: each failure named by its phase and cause."""
        phase = Phase.QUEUED
        last_heartbeat = self.clock()

        def advance(next_phase: Phase, done: int, total: int | None, percent: int) -> None:
            nonlocal phase, last_heartbeat
            if self.clock() - last_heartbeat >= self.heartbeat_interval:
                if not self.audits.heartbeat(request.audit_id, progressed=True):
                    raise ExportStopped(request.audit_id)
                last_heartbeat = self.clock()
            if next_phase != phase:
                self.audits.record_phase(request.audit_id, phase=next_phase)
                set_log_phase(next_phase)
            phase = next_phase
            event = ExportProgress(
                audit_id=request.audit_id, phase=next_phase, rows_processed=done, rows_total=total, percent=percent
            )
            self.progress.publish(request.organisation_id, event=event)
            if on_progress is not None:
                on_progress(event)

        detail = ""
        try:
            with self.stop_window():  # a worker being stopped raises ServiceStopping in here (see shutdown.py)
                advance(Phase.LOADING_CONFIG, 0, None, PHASE_PERCENT[Phase.LOADING_CONFIG])
                return self._run(request, advance, workdir)
        except ServiceStopping as exc:
            logger.warning("export %s failed: the worker is stopping (%s)", request.audit_id, exc.reason)
            settle_connections()
            message, detail = exc.message, exc.detail
        except ExportStopped:
            logger.info("export %s left the running state while it ran; stopped", request.audit_id)
            return ExportNotRun(audit_id=request.audit_id)
        except ExportError as exc:
            message, detail = str(exc), exc.detail
        except Exception as exc:
            fault = name_fault(exc, phase=phase)
            logger.exception("export %s failed in phase %s: %s", request.audit_id, fault.phase, fault.cause)
            message, detail = fault.message, fault.detail(exc)
        if not self.audits.fail(request.audit_id, message=message, detail=detail):
            return ExportNotRun(audit_id=request.audit_id)
        self.progress.push_state(request.organisation_id, audit_id=request.audit_id)
        return ExportFailure(audit_id=request.audit_id, error_message=message)

    def _run(
        self, request: ExportRequest, advance: Callable[[Phase, int, int | None, int], None], workdir: Path
    ) -> ExportResult:
        """The pipeline itself; raises on failure."""
        try:
            check_period(request.period.start, end=request.period.end)
        except PeriodOutOfBounds as exc:
            raise ExportError(str(exc)) from exc
        organisation = Organisation.objects.get(pk=request.organisation_id)
        config, compiled = self.configs.active_for(organisation.pk)
        self.audits.use_config(request.audit_id, config=config)
        plugins = self.plugins.for_organisation(organisation.slug)
        advance(Phase.QUERYING, 0, None, PHASE_PERCENT[Phase.QUERYING])
        total = self.source.count(organisation.pk, period=request.period)
        slug = slugify(organisation.slug)[:60] or "organisasjon"  # a file-name part: no path from the admin
        name = f"bufdir-{slug}-{request.period.start.isoformat()}-{request.period.end.isoformat()}"
        mapping, done = ConfigMapping(mapper=self.mapper, compiled=compiled, plugins=plugins), 0
        summary = mapping.summary
        with ExitStack() as unfinished:
            workbook_path = workdir / f"{name}.xlsx"
            writer = self.workbooks.open(workbook_path, config=compiled)
            unfinished.callback(writer.discard)
            digests = RowDigestRecorder(request.audit_id)
            unfinished.callback(digests.discard)
            deviations = DeviationRecords(workdir / "avvik-rader.pickle", compiled)
            unfinished.callback(deviations.discard)
            advance(Phase.MAPPING, 0, total, mapping_percent(0, total=total))
            for rows in mapped_chunks(
                source=SourceFaultsNamed(self.source),
                organisation_id=organisation.pk,
                period=request.period,
                chunk_size=self.chunk_size,
                mappings=(mapping,),
            ):
                for (mapped,) in rows:
                    writer.add(mapped)
                    digests.add(mapped)
                    deviations.add(mapped)
                done += len(rows)
                advance(Phase.MAPPING, done, total, mapping_percent(done, total=total))
            check_rows_read(counted=total, read=done)  # a short (or changed) read is never stored as a success
            if mapping.failures:
                error = mapping.failures.error()
                logger.error(
                    "export %s: configuration version %s failed on rows:\n%s",
                    request.audit_id,
                    config.version,
                    error.detail,
                )
                raise error
            digests.flush()
            advance(Phase.WRITING, done, total, PHASE_PERCENT[Phase.WRITING])
            changes = compare(
                audit_id=request.audit_id,
                organisation_id=organisation.pk,
                period_from=request.period.start,
                period_to=request.period.end,
                headings=[column.heading for column in compiled.columns],
                counted_now=summary.counted_categories(),
                spool=workdir / "endringer.pickle",
                tick=lambda: advance(Phase.WRITING, done, total, PHASE_PERCENT[Phase.WRITING]),
            )
            generated_at = timezone.localtime()
            writer.close(
                WorkbookFacts(
                    organisation_name=organisation.name,
                    org_number=organisation.org_number,
                    period_from=request.period.start,
                    period_to=request.period.end,
                    config_version=config.version,
                    template_name=compiled.template_name,
                    generated_at=generated_at,
                    comparison=earlier_comparison(
                        organisation_id=organisation.pk, period=request.period, exclude_audit_id=request.audit_id
                    ),
                    changes=changes,
                ),
                totals=summary,
            )
            deviations.save(audit_id=request.audit_id, totals=summary)
            try:
                advance(Phase.BUNDLING, done, total, PHASE_PERCENT[Phase.BUNDLING])
                facts = ManifestFacts(
                    organisation_id=str(organisation.pk),
                    organisation_slug=organisation.slug,
                    organisation_name=organisation.name,
                    org_number=organisation.org_number,
                    period_from=request.period.start,
                    period_to=request.period.end,
                    config_id=config.pk,
                    config_version=config.version,
                    generated_at=generated_at,
                    requested_by=request.requested_by,
                    submitted=manifest_entry(
                        active_submission(
                            organisation_id=organisation.pk,
                            period_from=request.period.start,
                            period_to=request.period.end,
                        )
                    ),
                )
                bundle = self.bundler.bundle(workbook_path, facts=facts, totals=summary, target=workdir / f"{name}.zip")
                advance(Phase.STORING, done, total, PHASE_PERCENT[Phase.STORING])
                key = self.storage.save(slug, audit_id=request.audit_id, bundle=bundle.path)
            except BaseException:
                DeviationRecords.forget(request.audit_id)  # only a succeeded export keeps its deviations
                raise
            digests.keep()
        totals = ExportTotals(
            exported=summary.exported,
            counted=summary.counted,
            not_counted=summary.not_counted,
            deviations=summary.deviations,
            facts={**summary.as_facts(), "changes": changes.as_dict()},
        )
        try:
            finished = self.audits.succeed(
                request.audit_id, totals=totals, file_key=key, sha256=bundle.sha256, size=bundle.bytes
            )
        except BaseException:
            self.storage.delete(key)
            DeviationRecords.forget(request.audit_id)
            raise
        if not finished:
            self.storage.delete(key)
            DeviationRecords.forget(request.audit_id)
            raise ExportStopped(request.audit_id)
        try:  # the export has succeeded whatever happens here: the fingerprints are only tidied
            prune_row_digests(
                organisation_id=organisation.pk,
                period_from=request.period.start,
                period_to=request.period.end,
                keep_audit_id=request.audit_id,
            )
        except DatabaseError:
            logger.exception("export %s: earlier row fingerprints of the period were not removed", request.audit_id)
        self.progress.push_state(request.organisation_id, audit_id=request.audit_id)
        return ExportSuccess(
            audit_id=request.audit_id,
            file_key=key,
            sha256=bundle.sha256,
            rows_exported=summary.exported,
            rows_counted=summary.counted,
        )
