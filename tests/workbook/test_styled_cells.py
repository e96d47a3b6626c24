"""The row sheets' cheap test agrees with the one cell writer: a value it passes is written unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from exports.config import cell_safety
from exports.workbook import styled_cells

VALUES = [
    "Oslo",
    "",
    " leading space",
    "=SUM(A1)",
    "+47 99",
    "-5",
    "@x",
    "\tTab",
    "#N/A",
    "#DIV/0!",
    "ok\x07bell",
    "\ufeffbom",
    "x" * 16_383,
    "x" * 16_384,
    "😀" * 9_000,
    0,
    -1,
    10**15 - 1,
    10**15,
    -(10**15),
    True,
    False,
    None,
    1.5,
    float("nan"),
    Decimal("2"),
    dt.date(2025, 1, 1),
    dt.time(10, 30),
    object(),
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:20] for v in VALUES])
def test_a_plain_value_is_what_the_cell_writer_would_write(value):
    sheet = Workbook(write_only=True).create_sheet("Aktiviteter")
    written = styled_cells.cell(sheet, value)
    if cell_safety.is_plain(value):
        assert written is value


def test_ordinary_text_numbers_and_blanks_are_plain():
    assert all(cell_safety.is_plain(v) for v in ("Oslo", "", "Kari Nordmann", 0, 90, True, None))
    assert not any(cell_safety.is_plain(v) for v in ("=SUM(A1)", "-5", "#N/A", "ok\x07bell", 10**15, 1.5))
