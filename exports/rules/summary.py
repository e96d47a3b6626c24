"""Accumulates the counts of `Sammendrag` and the manifest while rows stream past."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from exports.config.cell_safety import clean_text
from exports.domain import RESULT_SCHEMA_VERSION, ExportFacts
from exports.regulation import COUNTING_CATEGORIES
from exports.rules.column_mapper import MappedActivity
from exports.rules.peer_mentor_tally import PeerMentorTally
from exports.rules.row_account import exported_by_outcome

STORED_REASONS = 50
"""How many of the most common reasons an audit keeps for the page and for a later comparison."""


@dataclass
class ExportSummary:
    """Running totals of one export; its memory grows with categories, counties, branches, reasons and peer mentors
    only (one small record per peer mentor, for `Likepersoner`)."""

    read: int = 0
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
    deviations_by_reason: Counter = field(default_factory=Counter)
    broken_rules: Counter = field(default_factory=Counter)
    peer_mentors: PeerMentorTally = field(default_factory=PeerMentorTally)
    """Each peer mentor's activities, for `Likepersoner` (one small record per peer mentor)."""

    def add(self, row: MappedActivity) -> None:
        """Count one mapped activity."""
        self.read += 1
        self.broken_rules.update(row.broken)
        self.peer_mentors.add(row)
        if row.is_deviation:
            self.deviations += 1
            self.deviations_by_reason.update(finding.text for finding in row.findings)
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

    def outcomes(self) -> dict[str, int]:
        """The rows on `Aktiviteter` by outcome: counted, phone and contact, other, not counted by a rule."""
        return exported_by_outcome(
            counted=self.counted, not_counted=self.not_counted, documented_by_category=self.documented_by_category
        )

    def reasons_by_frequency(self) -> list[tuple[str, int]]:
        """Deviation reasons with their row counts, the most common first (ties in order of appearance)."""
        return self.deviations_by_reason.most_common()

    def as_facts(self) -> ExportFacts:
        """The totals as plain JSON-ready values (for the audit record and a later comparison)."""
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "rows": {
                "read": self.read,
                "exported": self.exported,
                "counted": self.counted,
                "not_counted": self.not_counted,
                "deviations": self.deviations,
                "rejected": self.rejected,
                "unreadable": self.unreadable,
            },
            "counted_by_category": self.counted_categories(),
            "exported_by_outcome": self.outcomes(),
            "documented_by_category": dict(sorted(self.documented_by_category.items())),
            "counted_by_county": _by_clean_text(sorted(self.counted_by_county.items())),
            "deviations_by_reason": _by_clean_text(self.reasons_by_frequency()[:STORED_REASONS]),
        }


def _by_clean_text(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The counts keyed by their text as a cell shows it, in order; texts that clean to the same one are summed."""
    summed: dict[str, int] = {}
    for text, count in counts:
        key = clean_text(text).value
        summed[key] = summed.get(key, 0) + count
    return summed
