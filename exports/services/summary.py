"""Accumulates the counts of `Sammendrag` and the manifest while rows stream past."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from exports.services.column_mapper import MappedActivity
from exports.services.config_schema import COUNTING_CATEGORIES


@dataclass
class ExportSummary:
    """Running totals of one export; its memory grows with categories, counties and branches only."""

    exported: int = 0
    counted: int = 0
    not_counted: int = 0
    deviations: int = 0
    rejected: int = 0
    unreadable: int = 0
    counted_by_category: Counter = field(default_factory=Counter)
    documented_by_category: Counter = field(default_factory=Counter)
    counted_by_county: Counter = field(default_factory=Counter)
    counted_by_branch: Counter = field(default_factory=Counter)

    def add(self, row: MappedActivity) -> None:
        """Count one mapped activity."""
        if row.is_deviation:
            self.deviations += 1
        if not row.listed:
            if row.record.status == "rejected":
                self.rejected += 1
            else:
                self.unreadable += 1
            return
        self.exported += 1
        self.documented_by_category[row.category] += 1
        if row.counts:
            self.counted += 1
            self.counted_by_category[row.category] += 1
            self.counted_by_county[row.county_code] += 1
            self.counted_by_branch[(row.branch_name, row.county_code)] += 1
        else:
            self.not_counted += 1

    def counted_categories(self) -> dict[str, int]:
        """Counted activities for each of Bufdir's four counting categories, zeros included."""
        return {category: self.counted_by_category.get(category, 0) for category in COUNTING_CATEGORIES}
