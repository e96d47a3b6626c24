"""Try a configuration version on a period before activating it: the counts and broken rules, nothing exported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _

from exports.config.expression_failures import BrokenExpression, ExpressionPlace
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
class TrialFigures:
    """A trial's figures beside the active version's: computed by the trial, stored on its run, shown by the page."""

    period: Period
    active_version: int | None
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

    def to_json(self) -> dict[str, Any]:
        """The figures and failures as JSON for the trial's run (labels and reasons already in the active language)."""

        def lines(items: list[TrialLine]) -> list[dict[str, Any]]:
            return [{"label": line.label, "tried": line.tried, "active": line.active} for line in items]

        return {
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "active_version": self.active_version,
            "totals": lines(self.totals),
            "counted_by_category": lines(self.counted_by_category),
            "deviations_by_reason": lines(self.deviations_by_reason),
            "changed_verdicts": self.changed_verdicts,
            "rows_read": self.rows_read,
            "failures": [
                {
                    "place": str(failure.broken.place),
                    "name": failure.broken.name,
                    "reason": failure.broken.reason,
                    "technical": failure.broken.technical,
                    "rows": failure.rows,
                    "example_activity_id": failure.example_activity_id,
                }
                for failure in self.failures
            ],
            "failure_message": self.failure_message,
            "document_sha256": self.document_sha256,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrialFigures:
        """The figures as `to_json` stored them."""

        def lines(items: list[dict[str, Any]]) -> list[TrialLine]:
            return [TrialLine(label=item["label"], tried=item["tried"], active=item["active"]) for item in items]

        start, end = (dt.date.fromisoformat(day) for day in data["period"])
        return cls(
            period=Period(start, end),
            active_version=data["active_version"],
            totals=lines(data["totals"]),
            counted_by_category=lines(data["counted_by_category"]),
            deviations_by_reason=lines(data["deviations_by_reason"]),
            changed_verdicts=data["changed_verdicts"],
            rows_read=data["rows_read"],
            failure_message=data["failure_message"],
            document_sha256=data["document_sha256"],
            failures=[
                RuleFailure(
                    broken=BrokenExpression(
                        place=ExpressionPlace(item["place"]),
                        name=item["name"],
                        reason=item["reason"],
                        technical=item["technical"],
                    ),
                    rows=item["rows"],
                    example_activity_id=item["example_activity_id"],
                )
                for item in data["failures"]
            ],
        )


@dataclass(frozen=True, kw_only=True)
class TrialResult:
    """A finished trial: the version tried, the active version it was compared with, and the figures."""

    config: OrganisationColumnConfig
    active: OrganisationColumnConfig | None
    figures: TrialFigures


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
        figures = TrialFigures(
            active_version=compared.version if compared is not None else None,
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
        return TrialResult(config=config, active=compared, figures=figures)


class WatchedSource:
    """A source whose chunks are cut into slices of WATCH_SLICE rows, the watch called before each."""

    def __init__(self, *, source: ActivitySource, watch: TrialWatch) -> None:
        self.source = source
        self.watch = watch

    def count(self, organisation_id: UUID, *, period: Period) -> int:
        """The source's count."""
        return self.source.count(organisation_id, period=period)

    def stream(self, organisation_id: UUID, *, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        """The source's rows in slices, each one watched before it is handed on."""
        done = 0
        for chunk in self.source.stream(organisation_id, period=period, chunk_size=chunk_size):
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
