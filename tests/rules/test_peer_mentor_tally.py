"""The tally counts each peer mentor's listed activities, branches and certification gaps for `Likepersoner`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from exports.rules.column_mapper import Finding, MappedActivity
from exports.rules.peer_mentor_tally import MAX_BRANCHES, NAME_LENGTH, PeerMentorTally
from exports.source.activities import OSLO
from tests.records import activity_record

KARI = uuid.UUID("8d6c3f1e-0000-4000-8000-0000000000a1")
OLA = uuid.UUID("8d6c3f1e-0000-4000-8000-0000000000a2")
DAY = dt.datetime(2025, 6, 2, 10, 0, tzinfo=OSLO)


def row(
    *,
    category: str = "oppsokende",
    counts: bool = True,
    listed: bool = True,
    local_start: dt.datetime = DAY,
    **fields: Any,
) -> MappedActivity:
    """A mapped activity of Kari's in Bergen, certified in 2020, unless the fields say otherwise."""
    reasons = () if counts or not listed else (Finding(text="Mangler noe", action="Rett det"),)
    return MappedActivity(
        record=activity_record(**({"started_at": local_start, "peer_mentor_id": KARI} | fields)),
        category=category,
        local_start=local_start,
        listed=listed,
        counts=counts,
        reasons=reasons,
    )


def test_a_row_without_a_peer_mentor_counts_for_nobody():
    tally = PeerMentorTally()
    tally.add(row(peer_mentor_id=None, peer_mentor_name=None))
    assert len(tally) == 0 and tally.lines() == []


def test_documented_counted_and_counting_category_rows_are_counted_apart():
    tally = PeerMentorTally()
    tally.add(row())
    tally.add(row(category="kontakt", counts=False))
    tally.add(row(category="samtalegruppe", counts=False))
    tally.add(row(category="annet", counts=False))
    [kari] = tally.lines()
    assert (kari.name, kari.documented, kari.counted, kari.in_counting_categories) == ("Kari Nordmann", 4, 1, 2)
    assert not kari.uncertified_with_counting_work and not kari.certified_after_counting_work


def test_a_row_not_on_aktiviteter_names_the_branch_but_is_not_documented():
    tally = PeerMentorTally()
    tally.add(row(listed=False, counts=False, status="rejected", local_branch_name="Voss"))
    [kari] = tally.lines()
    assert list(kari.branches) == ["Voss"]
    assert (kari.documented, kari.counted, kari.in_counting_categories) == (0, 0, 0)


def test_an_uncertified_peer_mentor_is_marked_only_for_work_in_a_counting_category():
    tally = PeerMentorTally()
    tally.add(row(peer_mentor_id=KARI, peer_mentor_certified_on=None, category="kontakt", counts=False))
    tally.add(row(peer_mentor_id=OLA, peer_mentor_name="Ola", peer_mentor_certified_on=None, counts=False))
    lines = {line.name: line for line in tally.lines()}
    assert not lines["Kari Nordmann"].uncertified_with_counting_work
    assert lines["Ola"].uncertified_with_counting_work and lines["Ola"].before_certification == 1


def test_work_before_the_certification_day_is_marked_and_work_on_that_day_is_not():
    certified = dt.date(2025, 6, 2)
    tally = PeerMentorTally()
    tally.add(row(peer_mentor_certified_on=certified, local_start=dt.datetime(2025, 6, 2, 0, 30, tzinfo=OSLO)))
    [on_the_day] = tally.lines()
    assert on_the_day.before_certification == 0 and not on_the_day.certified_after_counting_work
    tally.add(row(peer_mentor_certified_on=certified, local_start=dt.datetime(2025, 6, 1, 23, 30, tzinfo=OSLO)))
    [after_the_work] = tally.lines()
    assert after_the_work.before_certification == 1 and after_the_work.certified_after_counting_work
    assert not after_the_work.uncertified_with_counting_work


def test_the_first_records_name_and_certification_stay_for_the_peer_mentor():
    tally = PeerMentorTally()
    tally.add(row(peer_mentor_name="Kari Nordmann", peer_mentor_certified_on=dt.date(2020, 1, 1)))
    tally.add(row(peer_mentor_name="Kari N.", peer_mentor_certified_on=None))
    [kari] = tally.lines()
    assert (kari.name, kari.certified_on, kari.documented) == ("Kari Nordmann", dt.date(2020, 1, 1), 2)


def test_branches_are_listed_once_each_in_order_of_first_appearance_and_at_most_ten():
    tally = PeerMentorTally()
    names = ["Bergen", "Voss", "Bergen", "", *(f"Lag {number:02}" for number in range(12))]
    for name in names:
        tally.add(row(local_branch_name=name or None))
    [kari] = tally.lines()
    assert list(kari.branches) == ["Bergen", "Voss", *(f"Lag {number:02}" for number in range(8))]
    assert len(kari.branches) == MAX_BRANCHES
    assert kari.documented == len(names)


def test_long_names_are_cut_to_the_kept_length():
    tally = PeerMentorTally()
    tally.add(row(peer_mentor_name="K" * (NAME_LENGTH + 50), local_branch_name="B" * (NAME_LENGTH + 1)))
    [kari] = tally.lines()
    assert kari.name == "K" * NAME_LENGTH
    assert list(kari.branches) == ["B" * NAME_LENGTH]


def test_lines_are_ordered_by_branch_then_name_without_regard_to_case():
    tally = PeerMentorTally()
    people = [
        (uuid.uuid4(), "Per", "oslo"),
        (uuid.uuid4(), "anne", "Oslo"),
        (uuid.uuid4(), "Zara", "Bergen"),
        (uuid.uuid4(), "Bjørn", "bergen"),
    ]
    for mentor_id, name, branch in people:
        tally.add(row(peer_mentor_id=mentor_id, peer_mentor_name=name, local_branch_name=branch))
    assert [line.name for line in tally.lines()] == ["Bjørn", "Zara", "anne", "Per"]
    assert len(tally) == 4
