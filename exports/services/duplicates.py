"""Finds repeated registrations (same peer mentor, start time and type) in a start-ordered stream."""
from __future__ import annotations

import datetime as dt

from exports.services.activity_source import ActivityRecord


class DuplicateDetector:
    """Remembers only the keys of the current start instant, so memory stays bounded."""

    def __init__(self) -> None:
        self._instant: dt.datetime | None = None
        self._seen: set[tuple[object, str]] = set()

    def is_duplicate(self, record: ActivityRecord) -> bool:
        """Whether an earlier record in the stream had the same peer mentor, start and type."""
        if record.peer_mentor_id is None or record.status == "rejected":
            return False
        if record.started_at != self._instant:
            self._instant = record.started_at
            self._seen.clear()
        key = (record.peer_mentor_id, record.activity_type)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False
