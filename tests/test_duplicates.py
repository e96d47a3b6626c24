"""DuplicateDetector: same peer mentor, start instant and type in a start-ordered stream."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from exports.services.activity_source import ActivityRecord
from exports.services.duplicates import DuplicateDetector

MENTOR = uuid.uuid4()
NINE = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def record(**fields) -> ActivityRecord:
    """An activity of MENTOR at nine o'clock unless told otherwise."""
    values = {
        "id": uuid.uuid4(), "activity_type": "hjemmebesok", "started_at": NINE, "duration_minutes": 60,
        "participant_count": 1, "country_code": "NO", "municipality_code": "4601", "description": None,
        "status": "registered", "peer_mentor_id": MENTOR, "peer_mentor_name": "Kari",
        "peer_mentor_certified_on": None, "local_branch_name": "Bergen", "local_branch_county_code": "46",
        "local_branch_municipality_code": "4601",
    }
    values.update(fields)
    return ActivityRecord(**values)


def flags(records: list[ActivityRecord]) -> list[bool]:
    """What one detector says about each record of the stream, in order."""
    detector = DuplicateDetector()
    return [detector.is_duplicate(r) for r in records]


def test_the_first_of_a_kind_counts_and_later_copies_are_duplicates():
    first = record()
    assert flags([first, replace(first, id=uuid.uuid4()), replace(first, id=uuid.uuid4())]) == [False, True, True]


def test_another_type_mentor_or_instant_is_not_a_duplicate():
    first = record()
    assert flags([
        first,
        replace(first, id=uuid.uuid4(), activity_type="gruppe"),
        replace(first, id=uuid.uuid4(), peer_mentor_id=uuid.uuid4()),
        replace(first, id=uuid.uuid4(), started_at=NINE + dt.timedelta(minutes=1)),
    ]) == [False, False, False, False]


def test_the_same_instant_in_another_time_zone_is_the_same_start():
    first = record()
    oslo = NINE.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert flags([first, replace(first, id=uuid.uuid4(), started_at=oslo)]) == [False, True]


def test_activities_without_a_peer_mentor_are_never_duplicates():
    lone = record(peer_mentor_id=None)
    assert flags([lone, replace(lone, id=uuid.uuid4())]) == [False, False]


def test_rejected_registrations_neither_are_nor_make_duplicates():
    rejected = record(status="rejected")
    assert flags([rejected, replace(rejected, id=uuid.uuid4()), replace(rejected, id=uuid.uuid4(),
                                                                            status="registered")]) == [
        False, False, False,
    ]


def test_memory_is_only_the_current_instant():
    detector = DuplicateDetector()
    first = record()
    later = record(started_at=NINE + dt.timedelta(hours=1))
    assert [detector.is_duplicate(r) for r in (first, later)] == [False, False]
    # The stream is ordered by start, so a repeat of an earlier instant is not seen again.
    assert detector.is_duplicate(replace(first, id=uuid.uuid4())) is False
