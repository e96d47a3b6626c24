"""Try a configuration version on a period before activating it: the counts, with nothing stored."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from exports.categories import COUNTING_CATEGORIES, category_label
from exports.domain import Period
from exports.models import OrganisationColumnConfig
from exports.services.activity_source import ActivityRecord, ActivitySource
from exports.services.column_mapper import BufdirColumnMapper, MappedActivity
from exports.services.config_validation import CompiledConfig, compile_document
from exports.services.duplicates import DuplicateDetector, DuplicateVerdict
from exports.services.plugins import ExportRulePlugin, PluginRegistry
from exports.services.summary import ExportSummary


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


class ConfigTrial:
    """Maps a period's activities with a version (and the active one) without writing or storing anything."""

    def __init__(self, *, source: ActivitySource, mapper: BufdirColumnMapper, plugins: PluginRegistry,
                 chunk_size: int) -> None:
        self.source = source
        self.mapper = mapper
        self.plugins = plugins
        self.chunk_size = chunk_size

    def run(self, *, config: OrganisationColumnConfig, period: Period) -> TrialResult:
        """The trial's figures; raises InvalidColumnConfig when the version does not compile."""
        organisation = config.organisation
        active = OrganisationColumnConfig.objects.filter(organisation=organisation, is_active=True).first()
        compared = active if active is not None and active.pk != config.pk else None
        tried_compiled = compile_document(config.document)
        active_compiled = compile_document(compared.document) if compared is not None else None
        plugins = self.plugins.for_organisation(organisation.slug)
        tried, before, changed = ExportSummary(), ExportSummary(), 0
        duplicates = DuplicateDetector.for_config(tried_compiled)
        active_duplicates = DuplicateDetector.for_config(active_compiled) if active_compiled is not None else None
        for chunk in self.source.stream(organisation.pk, period, self.chunk_size):
            for record in chunk:
                row = self._map(record, tried_compiled, plugins, duplicates.check(record))
                tried.add(row)
                if active_compiled is not None and active_duplicates is not None:
                    old = self._map(record, active_compiled, plugins, active_duplicates.check(record))
                    before.add(old)
                    changed += (row.counts, row.is_deviation) != (old.counts, old.is_deviation)
        compare = compared is not None

        def line(label: str, now: int, then: int) -> TrialLine:
            return TrialLine(label=label, tried=now, active=then if compare else None)

        reasons = dict.fromkeys([*tried.deviations_by_reason, *before.deviations_by_reason])
        return TrialResult(
            config=config, active=compared, period=period, changed_verdicts=changed,
            totals=[line(label, getattr(tried, key), getattr(before, key)) for key, label in _total_labels()],
            counted_by_category=[line(category_label(c), tried.counted_by_category.get(c, 0),
                                      before.counted_by_category.get(c, 0)) for c in COUNTING_CATEGORIES],
            deviations_by_reason=sorted(
                (line(reason, tried.deviations_by_reason.get(reason, 0), before.deviations_by_reason.get(reason, 0))
                 for reason in reasons), key=lambda item: -item.tried),
        )

    def _map(self, record: ActivityRecord, compiled: CompiledConfig, plugins: Sequence[ExportRulePlugin],
             duplicate: DuplicateVerdict) -> MappedActivity:
        """One row's verdict under one configuration."""
        return self.mapper.map_or_flag(record, compiled, plugins=plugins, is_duplicate=duplicate.same_mentor,
                                       repeats=duplicate.repeats)


def _total_labels() -> list[tuple[str, str]]:
    """The totals a trial shows, with their labels in the active language."""
    return [("read", _("Registrations read")), ("exported", _("Rows on Aktiviteter")), ("counted", _("Counted")),
            ("deviations", _("Rows on Avvik")), ("rejected", _("Rejected registrations (only on Avvik)"))]
