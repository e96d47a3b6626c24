"""`Endringer` says what it compares with, the counts then and now, and one row in words for every change."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from exports.history.change_summary import ADDED, CHANGED, FIXED, NEW_DEVIATION, REMOVED, ChangeRow, ChangeSummary
from exports.workbook.changes_sheet import SHEET_CHANGES, WIDTHS, change_text, write_changes_sheet

DATE_FORMAT = "DD.MM.YYYY"


def _spool(path: Path, *batches: list[ChangeRow]) -> str:
    """A spool file of change rows in pickled batches, as the comparison writes it; its path."""
    with path.open("wb") as handle:
        for batch in batches:
            pickle.dump(batch, handle)
    return str(path)


def _written(tmp_path: Path, changes: ChangeSummary) -> Any:
    """`Endringer` written into a write-only workbook, saved, and read back."""
    workbook = Workbook(write_only=True)
    sheet = write_changes_sheet(workbook, changes=changes, date_format=DATE_FORMAT)
    assert sheet.title == SHEET_CHANGES
    workbook.save(tmp_path / "endringer.xlsx")
    return load_workbook(tmp_path / "endringer.xlsx")[SHEET_CHANGES]


def _values(sheet: Any) -> list[tuple[Any, ...]]:
    """The sheet's rows without their trailing empty cells."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append(tuple(values))
    return rows


def _compared(tmp_path: Path, **fields: Any) -> ChangeSummary:
    """A summary compared with export no. 12, sent to Bufdir, with three change rows spooled."""
    spool = _spool(
        tmp_path / "endringer.pickle",
        [("id-1", dt.date(2025, 3, 1), "Kari Nordmann", ADDED, ())],
        [
            ("id-2", dt.date(2025, 4, 2), "Ola Nordmann", CHANGED, ("Dato", "Varighet (min)")),
            ("id-3", dt.date(2025, 5, 3), "Kari Nordmann", FIXED, ()),
        ],
    )
    values: dict[str, Any] = {
        "compared_with": {"id": 12, "submitted": True, "sha256": "ab" * 32},
        "counted_then": {"oppsokende": 10, "kurs": 2},
        "counted_now": {"oppsokende": 11, "samtalegruppe": 1},
        "added": 1,
        "removed": 0,
        "changed": 1,
        "fixed": 1,
        "new_deviations": 0,
        "rows": 3,
        "spool": spool,
    }
    return ChangeSummary(**(values | fields))


def test_each_kind_of_change_is_said_in_norwegian():
    kinds = (ADDED, REMOVED, FIXED, NEW_DEVIATION)

    assert [change_text(kind, columns=()) for kind in kinds] == ["Ny", "Fjernet", "Avvik rettet", "Nytt avvik"]


def test_a_changed_registration_names_the_columns_that_changed():
    assert change_text(CHANGED, columns=("Dato", "Varighet (min)")) == "Endret: Dato, Varighet (min)"


def test_the_first_export_of_a_period_says_there_is_nothing_to_compare_with_and_lists_no_rows(tmp_path):
    sheet = _written(tmp_path, ChangeSummary())

    assert _values(sheet) == [
        ("Endringer siden forrige eksport",),
        ("Første eksport av perioden – ingenting å sammenligne med",),
    ]
    assert sheet["A1"].font.b is True and not sheet["A2"].font.b


def test_a_compared_export_shows_what_it_compares_with_the_counts_and_every_change_in_order(tmp_path):
    sheet = _written(tmp_path, _compared(tmp_path))

    assert _values(sheet) == [
        ("Endringer siden forrige eksport",),
        ("Sammenlignet med eksporten som ble sendt til Bufdir (nr. 12)",),
        ("SHA-256 for pakken den gang", "ab" * 32),
        (),
        ("Tellende per kategori", "Da", "Nå"),
        ("Oppsøkende likepersonsarbeid", 10, 11),
        ("Samtalegruppe", 0, 1),
        ("Likepersonskurs", 2, 0),
        (),
        ("Registreringer", "Antall"),
        ("Lagt til", 1),
        ("Fjernet", 0),
        ("Endret", 1),
        ("Avvik rettet", 1),
        ("Nye avvik", 0),
        (),
        ("Aktivitets-ID", "Dato", "Likeperson", "Hva"),
        ("id-1", dt.datetime(2025, 3, 1), "Kari Nordmann", "Ny"),
        ("id-2", dt.datetime(2025, 4, 2), "Ola Nordmann", "Endret: Dato, Varighet (min)"),
        ("id-3", dt.datetime(2025, 5, 3), "Kari Nordmann", "Avvik rettet"),
    ]


def test_headings_are_bold_dates_take_the_configured_format_and_columns_their_widths(tmp_path):
    sheet = _written(tmp_path, _compared(tmp_path))

    assert [sheet.cell(row=17, column=column).font.b for column in range(1, 5)] == [True] * 4
    assert sheet["A5"].font.b and not sheet["A6"].font.b
    assert sheet["B18"].number_format == DATE_FORMAT
    assert [sheet.column_dimensions[letter].width for letter in "ABCD"] == list(WIDTHS)


def test_an_export_not_sent_to_bufdir_is_named_by_its_number_of_the_same_period(tmp_path):
    sheet = _written(tmp_path, _compared(tmp_path, compared_with={"id": 7}))

    assert _values(sheet)[1:3] == [
        ("Sammenlignet med eksport nr. 7 av samme periode",),
        ("SHA-256 for pakken den gang",),
    ]


def test_very_many_change_rows_are_announced_above_the_rows(tmp_path):
    many = _written(tmp_path, _compared(tmp_path, rows=100_001))
    few = _written(tmp_path, _compared(tmp_path, rows=100_000))

    assert ("100001 endringsrader: alle står nedenfor.",) in _values(many)
    assert not any("endringsrader" in str(row) for row in _values(few))


def test_a_peer_mentor_name_that_looks_like_a_formula_is_written_as_text(tmp_path):
    spool = _spool(tmp_path / "formel.pickle", [("id-9", dt.date(2025, 6, 1), "=1+2", REMOVED, ())])
    sheet = _written(tmp_path, _compared(tmp_path, spool=spool))

    last = _values(sheet)[-1]
    assert last == ("id-9", dt.datetime(2025, 6, 1), "=1+2", "Fjernet")
    assert sheet.cell(row=sheet.max_row, column=3).data_type == "s"
