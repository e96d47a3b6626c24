"""Counts each peer mentor's activities while rows stream past, for the sheet `Likepersoner`.

One small record per peer mentor is kept in the exporting process: an organisation has thousands of peer
mentors at most, not millions, so this grows with the people, never with the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from exports.config.cell_safety import bounded
from exports.regulation import COUNTING_CATEGORIES

if TYPE_CHECKING:
    from exports.rules.column_mapper import MappedActivity

NAME_LENGTH = 200
"""The most characters of a peer mentor's or local branch's name kept for the sheet (one line each)."""
MAX_BRANCHES = 10
"""The most local branches listed for one peer mentor."""


@dataclass(slots=True)
class PeerMentorLine:
    """One peer mentor's activities in the period."""

    name: str
    certified_on: dt.date | None
    branches: dict[str, None] = field(default_factory=dict)
    documented: int = 0
    counted: int = 0
    in_counting_categories: int = 0
    before_certification: int = 0
    """Activities in a counting category dated before the peer mentor was certified (or with no certification)."""

    @property
    def uncertified_with_counting_work(self) -> bool:
        """Whether the peer mentor is not certified but has activities in a counting category."""
        return self.certified_on is None and self.in_counting_categories > 0

    @property
    def certified_after_counting_work(self) -> bool:
        """Whether the peer mentor was certified only after some of the activities in a counting category."""
        return self.certified_on is not None and self.before_certification > 0


@dataclass
class PeerMentorTally:
    """Every peer mentor with activities read in the period, by the peer mentor's id."""

    mentors: dict[UUID, PeerMentorLine] = field(default_factory=dict)

    def add(self, row: MappedActivity) -> None:
        """Count one mapped activity for its peer mentor (a row without one counts for nobody)."""
        record = row.record
        if record.peer_mentor_id is None:
            return
        line = self.mentors.get(record.peer_mentor_id)
        if line is None:
            line = self.mentors[record.peer_mentor_id] = PeerMentorLine(
                name=bounded(record.peer_mentor_name or "", NAME_LENGTH), certified_on=record.peer_mentor_certified_on
            )
        branch = bounded(record.local_branch_name or "", NAME_LENGTH)
        if branch and branch not in line.branches and len(line.branches) < MAX_BRANCHES:
            line.branches[branch] = None
        if not row.listed:
            return
        line.documented += 1
        line.counted += row.counts
        if row.category in COUNTING_CATEGORIES:
            line.in_counting_categories += 1
            if line.certified_on is None or line.certified_on > row.local_start.date():
                line.before_certification += 1

    def lines(self) -> list[PeerMentorLine]:
        """The peer mentors by local branch, then name: the ones to follow up are marked, not moved."""
        return sorted(
            self.mentors.values(), key=lambda line: (", ".join(line.branches).casefold(), line.name.casefold())
        )

    def __len__(self) -> int:
        return len(self.mentors)
