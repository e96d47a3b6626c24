"""`Likepersoner` lists each peer mentor by local branch and name, and marks in bold the ones to follow up."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from exports.rules.peer_mentor_tally import PeerMentorLine, PeerMentorTally
from exports.workbook.peer_mentor_sheet import headings, note, write_peer_mentors

DATE_FORMAT = "DD.MM.YYYY"
UNCERTIFIED = "Ikke godkjent likeperson, men har aktiviteter i tellende kategorier"
LATE = "Godkjent først etter noen av aktivitetene i tellende kategorier"


def _line(
    name: str, *branches: str, certified_on: dt.date | None = dt.date(2020, 1, 1), **counts: int
) -> PeerMentorLine:
    """One peer mentor's line of the tally."""
    return PeerMentorLine(name=name, certified_on=certified_on, branches=dict.fromkeys(branches), **counts)


def _written(tmp_path: Path, *lines: PeerMentorLine) -> tuple[int, Any]:
    """The rows `write_peer_mentors` reports and the sheet it wrote, saved and read back."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Likepersoner")
    tally = PeerMentorTally(mentors={uuid.uuid4(): line for line in lines})
    written = write_peer_mentors(sheet, tally=tally, date_format=DATE_FORMAT)
    workbook.save(tmp_path / "likepersoner.xlsx")
    return written, load_workbook(tmp_path / "likepersoner.xlsx")["Likepersoner"]


def test_the_headings_are_in_norwegian():
    assert headings() == [
        "Likeperson",
        "Lokallag",
        "Godkjent fra",
        "Dokumenterte aktiviteter",
        "Tellende aktiviteter",
        "I tellende kategorier",
        "Merknad",
    ]


def test_an_uncertified_peer_mentor_with_counting_work_is_to_be_followed_up():
    assert note(_line("Per", certified_on=None, in_counting_categories=2)) == UNCERTIFIED


def test_a_peer_mentor_certified_after_some_counting_work_is_to_be_followed_up():
    assert (
        note(_line("Per", certified_on=dt.date(2025, 6, 1), in_counting_categories=3, before_certification=1)) == LATE
    )


def test_nothing_is_noted_for_certified_work_or_for_an_uncertified_mentor_outside_counting_categories():
    assert note(_line("Per", in_counting_categories=4)) == ""
    assert note(_line("Åse", certified_on=None, documented=2, in_counting_categories=0)) == ""


def test_each_peer_mentor_is_one_row_under_the_headings_by_branch_then_name(tmp_path):
    written, sheet = _written(
        tmp_path,
        _line("Åse Berg", "Oslo", documented=2, counted=2, in_counting_categories=2),
        _line("kari Holm", "Bergen", "Voss", certified_on=None, documented=3, counted=0, in_counting_categories=1),
        _line("Anders Dal", "Bergen", "Voss", documented=5, counted=4, in_counting_categories=4),
    )

    rows = list(sheet.iter_rows(values_only=True))
    assert written == 3
    assert rows == [
        tuple(headings()),
        ("Anders Dal", "Bergen, Voss", dt.datetime(2020, 1, 1), 5, 4, 4, None),
        ("kari Holm", "Bergen, Voss", "Ikke godkjent", 3, 0, 1, UNCERTIFIED),
        ("Åse Berg", "Oslo", dt.datetime(2020, 1, 1), 2, 2, 2, None),
    ]
    assert sheet["C2"].number_format == DATE_FORMAT


def test_the_row_of_a_peer_mentor_to_follow_up_is_bold_and_the_others_are_not(tmp_path):
    _written_rows, sheet = _written(
        tmp_path,
        _line("Anne", "Bergen", certified_on=dt.date(2025, 5, 1), in_counting_categories=2, before_certification=1),
        _line("Berit", "Bergen", in_counting_categories=2),
    )

    assert [cell.font.b for cell in sheet[1]] == [True] * 7
    assert [cell.font.b for cell in sheet[2]] == [True] * 7
    assert sheet["G2"].value == LATE
    assert not any(cell.font.b for cell in sheet[3])


def test_a_period_without_peer_mentors_writes_only_the_headings(tmp_path):
    written, sheet = _written(tmp_path)

    assert written == 0
    assert list(sheet.iter_rows(values_only=True)) == [tuple(headings())]
