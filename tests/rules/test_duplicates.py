"""DuplicateDetector in a start-ordered stream: the same peer mentor's copy, and a group registered by two."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest

from exports.rules.duplicates import DuplicateDetector, RepeatedGroup
from exports.source.activities import ActivityRecord
from tests.records import activity_record

MENTOR = uuid.uuid4()
CO_LEADER = uuid.uuid4()
BRANCH = uuid.uuid4()
GROUP_TYPES = ("samtalegruppe", "aktivitetsgruppe", "likepersonskurs")
NINE = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def record(**fields) -> ActivityRecord:
    """An activity of MENTOR at nine o'clock unless told otherwise."""
    values = {
        "started_at": NINE,
        "peer_mentor_id": MENTOR,
        "peer_mentor_name": "Kari",
        "peer_mentor_certified_on": None,
        "local_branch_id": BRANCH,
    }
    return activity_record(**(values | fields))


def flags(records: list[ActivityRecord]) -> list[bool]:
    """What one detector says about each record of the stream, in order."""
    detector = DuplicateDetector(group_types=GROUP_TYPES)
    return [detector.check(r).same_mentor for r in records]


def repeats(records: list[ActivityRecord]) -> list[RepeatedGroup | None]:
    """Which earlier registration of the same group each record repeats (None: none)."""
    detector = DuplicateDetector(group_types=GROUP_TYPES)
    return [detector.check(r).repeats for r in records]


def in_stream_order(*records: ActivityRecord) -> list[ActivityRecord]:
    """The records as a source yields them: by start, then id."""
    return sorted(records, key=lambda r: (r.started_at, r.id))


def test_the_first_of_a_kind_counts_and_later_copies_are_duplicates():
    first = record()
    assert flags([first, replace(first, id=uuid.uuid4()), replace(first, id=uuid.uuid4())]) == [False, True, True]


def test_another_type_mentor_or_instant_is_not_a_duplicate():
    first = record()
    assert flags(
        [
            first,
            replace(first, id=uuid.uuid4(), activity_type="gruppe"),
            replace(first, id=uuid.uuid4(), peer_mentor_id=uuid.uuid4()),
            replace(first, id=uuid.uuid4(), started_at=NINE + dt.timedelta(minutes=1)),
        ]
    ) == [False, False, False, False]


def test_the_same_instant_in_another_time_zone_is_the_same_start():
    first = record()
    oslo = NINE.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert flags([first, replace(first, id=uuid.uuid4(), started_at=oslo)]) == [False, True]


def test_activities_without_a_peer_mentor_are_never_duplicates():
    lone = record(peer_mentor_id=None)
    assert flags([lone, replace(lone, id=uuid.uuid4())]) == [False, False]


def test_rejected_registrations_neither_are_nor_make_duplicates():
    rejected = record(status="rejected")
    assert flags(
        [rejected, replace(rejected, id=uuid.uuid4()), replace(rejected, id=uuid.uuid4(), status="registered")]
    ) == [
        False,
        False,
        False,
    ]


def test_memory_is_only_the_current_instant():
    detector = DuplicateDetector(group_types=GROUP_TYPES)
    first = record(activity_type="samtalegruppe")
    later = record(started_at=NINE + dt.timedelta(hours=1))
    assert [detector.check(r).same_mentor for r in (first, later)] == [False, False]
    # The stream is ordered by start, so a repeat of an earlier instant is not seen again.
    again = detector.check(replace(first, id=uuid.uuid4(), peer_mentor_id=CO_LEADER))
    assert not again.same_mentor and again.repeats is None


def test_a_group_registered_by_two_peer_mentors_counts_once_by_the_first_id():
    group = record(activity_type="samtalegruppe", peer_mentor_name="Kari")
    by_co_leader = replace(group, id=uuid.uuid4(), peer_mentor_id=CO_LEADER, peer_mentor_name="Ola")
    stream = in_stream_order(group, by_co_leader)
    first = stream[0]
    assert repeats(stream) == [None, RepeatedGroup(activity_id=first.id, peer_mentor_name=first.peer_mentor_name)]
    assert flags(stream) == [False, False], "another peer mentor's registration is no same-mentor copy"


@pytest.mark.parametrize("activity_type", GROUP_TYPES)
def test_every_group_type_and_course_days_are_one_activity(activity_type):
    group = record(activity_type=activity_type)
    stream = in_stream_order(group, *(replace(group, id=uuid.uuid4(), peer_mentor_id=uuid.uuid4()) for _ in range(2)))
    assert [repeat.activity_id if repeat else None for repeat in repeats(stream)] == [None, stream[0].id, stream[0].id]


def test_another_branch_type_or_start_is_another_group():
    group = record(activity_type="samtalegruppe")
    other = {"id": uuid.uuid4(), "peer_mentor_id": CO_LEADER}
    assert repeats([group, replace(group, **other, local_branch_id=uuid.uuid4())]) == [None, None]
    assert repeats([group, replace(group, **other, activity_type="aktivitetsgruppe")]) == [None, None]
    assert repeats([group, replace(group, **other, started_at=NINE + dt.timedelta(minutes=15))]) == [None, None]


def test_outreach_by_two_peer_mentors_at_once_is_two_activities():
    visit = record(activity_type="hjemmebesok")
    assert repeats([visit, replace(visit, id=uuid.uuid4(), peer_mentor_id=CO_LEADER)]) == [None, None]


def test_a_same_mentor_copy_of_a_group_is_the_copy_rule_not_a_group_repeat():
    group = record(activity_type="aktivitetsgruppe")
    copy = replace(group, id=uuid.uuid4())
    detector = DuplicateDetector(group_types=GROUP_TYPES)
    verdicts = [detector.check(r) for r in in_stream_order(group, copy)]
    assert [(v.same_mentor, v.repeats) for v in verdicts] == [(False, None), (True, None)]


def test_the_co_leaders_own_copy_is_both_a_copy_and_a_repeat():
    group = record(activity_type="samtalegruppe", id=uuid.UUID(int=1))
    by_co_leader = replace(group, id=uuid.UUID(int=2), peer_mentor_id=CO_LEADER)
    co_leaders_copy = replace(by_co_leader, id=uuid.UUID(int=3))
    detector = DuplicateDetector(group_types=GROUP_TYPES)
    verdicts = [detector.check(r) for r in (group, by_co_leader, co_leaders_copy)]
    assert [v.same_mentor for v in verdicts] == [False, False, True]
    assert [v.repeats.activity_id if v.repeats else None for v in verdicts] == [None, group.id, group.id]


def test_without_peer_mentor_branch_or_when_rejected_a_registration_neither_is_nor_makes_a_repeat():
    group = record(activity_type="samtalegruppe", id=uuid.UUID(int=1))
    later = {"id": uuid.UUID(int=2), "peer_mentor_id": CO_LEADER}
    for first in (replace(group, peer_mentor_id=None), replace(group, status="rejected")):
        assert repeats([first, replace(group, **later)]) == [None, None]
    assert repeats([replace(group, local_branch_id=None), replace(group, **later, local_branch_id=None)]) == [
        None,
        None,
    ]
    assert repeats([group, replace(group, **later, status="rejected")]) == [None, None]


def test_without_group_types_no_registration_repeats_a_group():
    group = record(activity_type="samtalegruppe")
    detector = DuplicateDetector()
    assert [detector.check(r).repeats for r in (group, replace(group, id=uuid.uuid4(), peer_mentor_id=CO_LEADER))] == [
        None,
        None,
    ]


def test_memory_holds_one_instant_however_long_the_stream():
    detector = DuplicateDetector(group_types=GROUP_TYPES)
    for minute in range(2000):
        start = NINE + dt.timedelta(minutes=minute)
        for mentor in (MENTOR, CO_LEADER):
            detector.check(record(activity_type="samtalegruppe", started_at=start, peer_mentor_id=mentor))
    assert len(detector._seen) == 2 and len(detector._groups) == 1
