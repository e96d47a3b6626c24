"""Try a configuration version on a period before activating it: the counts and broken rules, nothing exported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import UUID

from django.utils.translation import gettext as _

from exports.config.plugins import PluginRegistry
from exports.config.validation import compile_document
from exports.config.versions import document_fingerprint
from exports.domain import Period
from exports.models import OrganisationColumnConfig
from exports.regulation import COUNTING_CATEGORIES, category_label
from exports.rules.column_mapper import BufdirColumnMapper
from exports.rules.mapping_pass import ConfigMapping, mapped_chunks
from exports.rules.rule_failures import RuleFailure
from exports.rules.summary import ExportSummary
from exports.source.activities import ActivityRecord, ActivitySource

WATCH_SLICE = 100
"""Rows mapped between two calls of a trial's watch (at most about 100 x 13 ms x 2 configurations = 2.6 s)."""

TrialWatch = Callable[[int], None]
"""Called with the rows read so far before each slice of rows is mapped; raises to stop the trial."""


@dataclass(frozen=True, kw_only=True)
class TrialLine:
    """One figure of the trial beside the active version's, and the difference."""

    label: str
    tried: int
    active: int | None

    @property
    def difference(self) -> int | None:
        """Tried minus active (None without an active version to compare with)."""
        return None if self.active is None else self.tried - self.active


@dataclass(frozen=True, kw_only=True)
class TrialResult:
    """What a version would export for a period, beside what the active version exports."""

    config: OrganisationColumnConfig
    active: OrganisationColumnConfig | None
    period: Period
    totals: list[TrialLine]
    counted_by_category: list[TrialLine]
    deviations_by_reason: list[TrialLine]
    changed_verdicts: int
    rows_read: int
    failures: list[RuleFailure]
    """The rules and columns of the tried version that could not be computed (the export would fail on them)."""
    failure_message: str
    document_sha256: str
    """The fingerprint of the document that was tried (see config.versions.document_fingerprint)."""

    @property
    def proves(self) -> bool:
        """Whether the trial proves the version: rows were read and no rule or column failed on them."""
        return self.rows_read > 0 and not self.failures


class ConfigTrial:
    """Maps a period's activities with a version (and the active one) exactly as an export does, writing nothing."""

    def __init__(
        self, *, source: ActivitySource, mapper: BufdirColumnMapper, plugins: PluginRegistry, chunk_size: int
    ) -> None:
        self.source = source
        self.mapper = mapper
        self.plugins = plugins
        self.chunk_size = chunk_size

    def run(self, *, config: OrganisationColumnConfig, period: Period, watch: TrialWatch | None = None) -> TrialResult:
        """The trial's figures and broken rules; raises InvalidColumnConfig when the version does not compile.

        `watch` (the worker's progress, heartbeat and time bound) is called every WATCH_SLICE rows.
        """
        organisation = config.organisation
        active = OrganisationColumnConfig.objects.filter(organisation=organisation, is_active=True).first()
        compared = active if active is not None and active.pk != config.pk else None
        fingerprint = document_fingerprint(config)
        plugins = self.plugins.for_organisation(organisation.slug)
        tried = ConfigMapping(mapper=self.mapper, compiled=compile_document(config.document), plugins=plugins)
        mappings = [tried]
        if compared is not None:
            mappings.append(
                ConfigMapping(mapper=self.mapper, compiled=compile_document(compared.document), plugins=plugins)
            )
        changed = 0
        source = self.source if watch is None else WatchedSource(source=self.source, watch=watch)
        for rows in mapped_chunks(
            source=source, organisation_id=organisation.pk, period=period, chunk_size=self.chunk_size, mappings=mappings
        ):
            if compared is not None:
                changed += sum((row.counts, row.is_deviation) != (old.counts, old.is_deviation) for row, old in rows)
        now, before = tried.summary, mappings[-1].summary if compared is not None else ExportSummary()
        compare = compared is not None

        def line(label: str, tried_value: int, active_value: int) -> TrialLine:
            return TrialLine(label=label, tried=tried_value, active=active_value if compare else None)

        reasons = dict.fromkeys([*now.deviations_by_reason, *before.deviations_by_reason])
        return TrialResult(
            config=config,
            active=compared,
            period=period,
            changed_verdicts=changed,
            rows_read=now.read,
            failures=tried.failures.most_common(),
            failure_message=tried.failures.in_words() if tried.failures else "",
            document_sha256=fingerprint,
            totals=[line(label, getattr(now, key), getattr(before, key)) for key, label in _total_labels()],
            counted_by_category=[
                line(category_label(c), now.counted_by_category.get(c, 0), before.counted_by_category.get(c, 0))
                for c in COUNTING_CATEGORIES
            ],
            deviations_by_reason=sorted(
                (
                    line(reason, now.deviations_by_reason.get(reason, 0), before.deviations_by_reason.get(reason, 0))
                    for reason in reasons
                ),
                key=lambda item: -item.tried,
            ),
        )


class WatchedSource:
    """A source whose chunks are cut into slices of WATCH_SLICE rows, the watch called before each."""

    def __init__(self, *, source: ActivitySource, watch: TrialWatch) -> None:
        self.source = source
        self.watch = watch

    def count(self, organisation_id: UUID, period: Period) -> int:
        """The source's count."""
        return self.source.count(organisation_id, period)

    def stream(self, organisation_id: UUID, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """The source's rows in slices, each one watched before it is handed on."""
        done = 0
        for chunk in self.source.stream(organisation_id, period, chunk_size):
            for start in range(0, len(chunk), WATCH_SLICE):
                self.watch(done)
                part = chunk[start : start + WATCH_SLICE]
                yield part
                done += len(part)
        self.watch(done)


def _total_labels() -> list[tuple[str, str]]:
    """The totals a trial shows, with their labels in the active language."""
    return [
        ("read", _("Registrations read")),
        ("exported", _("Rows on Aktiviteter")),
        ("counted", _("Counted")),
        ("deviations", _("Rows on Avvik")),
        ("rejected", _("Rejected registrations (only on Avvik)")),
    ]
