"""Finds repeated registrations in a start-ordered stream: the same peer mentor's copy, and a group registered twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from exports.config.validation import CompiledConfig
from exports.regulation import GROUP_CATEGORIES
from exports.source.activities import ActivityRecord


@dataclass(frozen=True, slots=True)
class RepeatedGroup:
    """The registration a later registration of the same group repeats: the one that counts."""

    activity_id: UUID
    peer_mentor_name: str


@dataclass(frozen=True, slots=True)
class DuplicateVerdict:
    """What the stream so far says about one record."""

    same_mentor: bool
    """An earlier record had the same peer mentor, start and type (the configuration's `is_duplicate`)."""
    repeats: RepeatedGroup | None
    """An earlier registration of the same group (type, start, local branch) by another peer mentor."""


_NEITHER = DuplicateVerdict(same_mentor=False, repeats=None)
_COPY = DuplicateVerdict(same_mentor=True, repeats=None)


def group_types(config: CompiledConfig) -> frozenset[str]:
    """The configuration's activity types that are group activities or course days."""
    return frozenset(code for code, spec in config.activity_types.items() if spec["category"] in GROUP_CATEGORIES)


class DuplicateDetector:
    """Remembers only the keys of the current start instant, so memory stays bounded.

    The stream is ordered by start and id, so the first registration seen of a start is the first by id.
    """

    def __init__(self, *, group_types: Collection[str] = ()) -> None:
        self._group_types = frozenset(group_types)
        self._instant: dt.datetime | None = None
        self._seen: set[tuple[UUID, str]] = set()
        self._groups: dict[tuple[str, UUID], tuple[UUID, UUID, str]] = {}

    @classmethod
    def for_config(cls, config: CompiledConfig) -> DuplicateDetector:
        """A detector that knows which of the configuration's activity types are groups."""
        return cls(group_types=group_types(config))

    def check(self, record: ActivityRecord) -> DuplicateVerdict:
        """Whether an earlier record of the stream is the same activity (see `DuplicateVerdict`)."""
        mentor = record.peer_mentor_id
        if mentor is None or record.status == "rejected":
            return _NEITHER
        if record.started_at != self._instant:
            self._instant = record.started_at
            self._seen.clear()
            self._groups.clear()
        key = (mentor, record.activity_type)
        same_mentor = key in self._seen
        self._seen.add(key)
        branch = record.local_branch_id
        if branch is None or record.activity_type not in self._group_types:
            return _COPY if same_mentor else _NEITHER
        first = self._groups.setdefault(
            (record.activity_type, branch), (record.id, mentor, record.peer_mentor_name or "")
        )
        if first[1] == mentor:
            return _COPY if same_mentor else _NEITHER
        return DuplicateVerdict(
            same_mentor=same_mentor, repeats=RepeatedGroup(activity_id=first[0], peer_mentor_name=first[2])
        )
