"""The one mapping loop of an export and of a trial: read a period's activities, map each, count what came out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from uuid import UUID

from exports.config.plugins import ExportRulePlugin
from exports.config.validation import CompiledConfig
from exports.domain import Period
from exports.rules.column_mapper import BufdirColumnMapper, MappedActivity
from exports.rules.duplicates import DuplicateDetector
from exports.rules.rule_failures import RuleFailures
from exports.rules.summary import ExportSummary
from exports.source.activities import ActivityRecord, ActivitySource


class ConfigMapping:
    """One configuration applied to rows exactly as an export applies it, with its totals and broken rules."""

    def __init__(
        self, *, mapper: BufdirColumnMapper, compiled: CompiledConfig, plugins: Sequence[ExportRulePlugin]
    ) -> None:
        self.mapper = mapper
        self.compiled = compiled
        self.plugins = plugins
        self.summary = ExportSummary()
        self.failures = RuleFailures()
        self.duplicates = DuplicateDetector.for_config(compiled)

    def map(self, record: ActivityRecord) -> MappedActivity:
        """Map one activity (its duplicate verdict under this configuration's group types) and count it."""
        verdict = self.duplicates.check(record)
        mapped = self.mapper.map_or_flag(
            record,
            config=self.compiled,
            plugins=self.plugins,
            is_duplicate=verdict.same_mentor,
            repeats=verdict.repeats,
        )
        self.summary.add(mapped)
        self.failures.add(mapped)
        return mapped


def mapped_chunks(
    *, source: ActivitySource, organisation_id: UUID, period: Period, chunk_size: int, mappings: Sequence[ConfigMapping]
) -> Iterator[list[tuple[MappedActivity, ...]]]:
    """Each page of the period's activities, every record mapped under each configuration (in that order)."""
    for chunk in source.stream(organisation_id, period=period, chunk_size=chunk_size):
        yield [tuple(mapping.map(record) for mapping in mappings) for record in chunk]
