"""The streamed sheet writes the same bytes openpyxl writes for the same values, and reads back the same."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.worksheet.dimensions import RowDimension

from exports.config import cell_safety
from exports.workbook.streamed_sheet import PlainRow, add_streamed_sheet
from exports.workbook.styled_cells import RowAppender

FORMATS = ("DD.MM.YYYY", None, "HH:MM", None, "DD.MM.YYYY HH:MM", None, None)
TOP, WRAP = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
ALIGNMENTS = (TOP, WRAP, None, TOP, TOP, WRAP, None)
WRAP_WIDTHS = (None, 20, None, None, None, 3, None)
"""The second and sixth columns wrap: a row with longer text there is as tall as its lines (15 points each)."""
ROWS = [
    (dt.date(2025, 3, 14), "Kari Nordmann", dt.time(9, 5), 90, dt.datetime(2025, 3, 14, 9, 5), True, 1.5),
    (dt.date(1900, 3, 1), "  mellomrom  ", dt.time(0, 0), -7, dt.datetime(2025, 12, 31, 23, 59, 59), False, 0.1),
    (dt.date(2024, 2, 29), "<&>\"' æøå 😀", dt.time(23, 59, 59, 999999), 999_999_999_999_999, None, None, 1e-7),
    (None, "linje\nto\ttab", None, 0, dt.datetime(2025, 1, 1), True, 123456.789),
    ("ikke en dato", "Oslo", "09:00", 3, "tekst", "Ja", -0.0),
    (dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, 10, 0), None, 5, None, None, None),
    (dt.date(2025, 1, 3), dt.timedelta(hours=2), None, Decimal("2.5"), None, None, None),
    (dt.date(2025, 1, 4), "en lang tekst som bryter over flere linjer", None, 1, None, "Nei", None),
    (dt.date(2025, 1, 5), "=en formel som bryter", None, 1, None, None, None),
]
HEIGHTS = {4: 30.0, 8: 45.0, 9: 30.0}
"""Rows 4 (a line break), 8 (three lines of 20 characters) and 9 (two, written by openpyxl) are taller."""


def _reference(path: Path, rows: list[tuple]) -> None:
    """The same rows written the ordinary openpyxl way: a styled cell where a column has a number format."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Aktiviteter")
    for index, values in enumerate(rows, start=1):
        row = []
        for value, number_format, alignment in zip(values, FORMATS, ALIGNMENTS, strict=True):
            if (number_format or alignment) and value is not None:
                cell = WriteOnlyCell(sheet)
                if number_format:
                    cell.number_format = number_format
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type, cell.quotePrefix = "s", True
                if alignment:
                    cell.alignment = alignment
                value = cell
            row.append(value)
        if index in HEIGHTS:
            sheet.row_dimensions[index] = RowDimension(sheet, index=index, ht=HEIGHTS[index])
        sheet.append(row)
        sheet.row_dimensions.pop(index, None)
    workbook.save(path)


def _streamed(path: Path, rows: list[tuple]) -> None:
    """The same rows through the export's writer."""
    workbook = Workbook(write_only=True)
    appender = RowAppender(add_streamed_sheet(workbook, title="Aktiviteter"), FORMATS, ALIGNMENTS, WRAP_WIDTHS)
    for values in rows:
        appender.append(cell_safety.sheet_row(values))
    workbook.save(path)


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_the_streamed_sheet_writes_the_bytes_openpyxl_writes(tmp_path, part):
    rows = [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in ROWS]
    _reference(tmp_path / "reference.xlsx", rows)
    _streamed(tmp_path / "streamed.xlsx", rows)

    assert _part(tmp_path / "streamed.xlsx", part) == _part(tmp_path / "reference.xlsx", part)


def test_most_rows_take_the_plain_path_and_the_rest_still_come_out_the_same(tmp_path):
    workbook = Workbook(write_only=True)
    sheet = add_streamed_sheet(workbook, title="Aktiviteter")
    sheet.use_number_formats(FORMATS)

    taken = [sheet.takes_plain(cell_safety.sheet_row(row)) for row in ROWS]

    assert taken == [True, True, True, True, True, False, False, True, True]  # a datetime or a duration in a plain
    # column is not plain; the formula-like text of the last row is guarded by `cell_safety.sheet_row`, not by the sheet


def test_a_row_written_plain_is_a_plain_row_on_the_sheet(tmp_path):
    workbook = Workbook(write_only=True)
    sheet = add_streamed_sheet(workbook, title="Aktiviteter")
    RowAppender(sheet, FORMATS).append(cell_safety.sheet_row(ROWS[0]))
    workbook.save(tmp_path / "one.xlsx")

    values = next(load_workbook(tmp_path / "one.xlsx", read_only=True)["Aktiviteter"].iter_rows(values_only=True))

    assert values == (
        dt.datetime(2025, 3, 14),
        "Kari Nordmann",
        dt.time(9, 5),
        90,
        dt.datetime(2025, 3, 14, 9, 5),
        True,
        1.5,
    )
    assert isinstance(PlainRow(ROWS[0]), tuple)


def test_empty_text_is_an_empty_cell_as_openpyxl_reads_it(tmp_path):
    _reference(tmp_path / "reference.xlsx", [("", "", None, "", None, "", "")])
    _streamed(tmp_path / "streamed.xlsx", [("", "", None, "", None, "", "")])

    read = [
        next(load_workbook(tmp_path / name, read_only=True)["Aktiviteter"].iter_rows(values_only=True), ())
        for name in ("reference.xlsx", "streamed.xlsx")
    ]

    assert all(value is None for value in read[0])
    assert all(value is None for value in read[1])


def test_formula_like_text_is_never_written_plain(tmp_path):
    row = cell_safety.sheet_row((dt.date(2025, 1, 1), '=HYPERLINK("x")', None, 1, None, "-5", "@SUM(A1)"))
    workbook = Workbook(write_only=True)
    sheet = add_streamed_sheet(workbook, title="Aktiviteter")
    RowAppender(sheet, FORMATS).append(row)
    workbook.save(tmp_path / "guarded.xlsx")

    sheet_xml = _part(tmp_path / "guarded.xlsx", "xl/worksheets/sheet1.xml")

    assert isinstance(row, cell_safety.GuardedRow)
    assert b"<f>" not in sheet_xml
    assert sheet_xml.count(b"quotePrefix") == 0  # the prefix is a style, so it is in styles.xml, not here
    assert b"=HYPERLINK" in sheet_xml
    assert b'quotePrefix="1"' in _part(tmp_path / "guarded.xlsx", "xl/styles.xml")
