"""Print set-up and column widths that make a sheet readable on screen and on paper."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from exports.config.cell_safety import clean_text

COUNT_FORMAT = "#,##0"
"""Whole numbers with the reader's thousands separator (a space in Norwegian Excel and LibreOffice)."""
FONT_POINTS = 11
"""The workbook's type size: openpyxl's default font, Calibri 11."""
MIN_PRINTED_POINTS = 8
"""The least type size on paper: a sheet is never scaled below it, its columns flow over more pages instead."""
SCALE_FLOOR = math.ceil(100 * (MIN_PRINTED_POINTS + 0.2) / FONT_POINTS)
"""The least print scale in per cent: 75, 8.25 pt (LibreOffice prints 11 pt at 73 % as 7.99; at 74 %, 8.1 pt,
LibreOffice 7.4 counts more pages than it prints a long sheet on, and prints the rest blank after it)."""
POINTS_PER_WIDTH = 7.0
"""Points per unit of column width at 100 %: LibreOffice's unit with its stand-in for Calibri (Excel's is 5.25)."""
_SIDE_MARGIN, _END_MARGIN, _HEADER_MARGIN = 0.35, 0.6, 0.25
"""Margins in inches: the side margins leave a page at `SCALE_FLOOR` as wide (104 units) as 0.4 left at 74 %."""
_A4 = (595.3, 841.9)
_INCH = 72
_REPEATED_COLUMN_SHARE = 0.2
_MIN_FITTED, _FIT_PADDING = 6, 2
_MINIMUM_WIDTH = {"date": 11, "datetime": 16, "time": 8, "integer": 9, "boolean": 9, "text": 12}


@dataclass(frozen=True)
class PrintLayout:
    """How a sheet of rows prints: orientation, scale (per cent), pages side by side, first column repeated."""

    orientation: Literal["portrait", "landscape"]
    scale: int
    pages_wide: int
    repeat_first_column: bool


def column_width(*, heading: str, kind: str, configured: float | None) -> float:
    """The width of a column: the configuration's, else enough for its heading and its kind of value."""
    if configured:
        return configured
    return max(_MINIMUM_WIDTH.get(kind, 12), min(len(heading) + 2, 40))


def print_layout(widths: Sequence[float]) -> PrintLayout:
    """The layout that prints the columns on the fewest pages per row at no less than `MIN_PRINTED_POINTS`.

    The scale is the largest (at most 100 %) that fits the columns to one page width, but never below
    `SCALE_FLOOR`: wider sheets flow over several pages wide, with the first column repeated on each when it is
    narrow and takes no extra page width.
    Landscape and portrait are both tried; the one with fewer pages side by side per printable height wins.
    """
    points = [width * POINTS_PER_WIDTH for width in widths] or [0.0]
    candidates = []
    orientations: tuple[tuple[Literal["portrait", "landscape"], tuple[float, float]], ...] = (
        ("landscape", (_A4[1], _A4[0])),
        ("portrait", _A4),
    )
    for orientation, (page_width, page_height) in orientations:
        body_width = page_width - 2 * _SIDE_MARGIN * _INCH
        body_height = page_height - 2 * _END_MARGIN * _INCH
        fit = math.floor(100 * body_width / sum(points))
        scale = max(SCALE_FLOOR, min(100, fit))
        room = body_width * 100 / scale
        wide = _pages_wide(points, room, repeated=0.0)
        repeat = (
            wide > 1
            and points[0] <= _REPEATED_COLUMN_SHARE * room
            and _pages_wide(points, room, repeated=points[0]) == wide
        )
        candidates.append(
            (
                wide / body_height,
                PrintLayout(orientation=orientation, scale=scale, pages_wide=wide, repeat_first_column=repeat),
            )
        )
    return min(candidates, key=lambda candidate: candidate[0])[1]


def fitted_widths(rows: Sequence[Sequence[Any]], *, bounds: Sequence[float]) -> list[float]:
    """Widths of a block of columns that fit its values, each at most its bound (longer text wraps or runs on).

    Text that is the last of at most two values in its row (a title, a label's value) may run on over the empty
    columns to the block's end, so it widens the block's last column only as far as it needs; numbers are
    measured as printed, with thousands separators.
    """
    widths = [float(_MIN_FITTED) for _bound in bounds]
    running_on: list[tuple[int, int]] = []
    for row in rows:
        values = [getattr(value, "value", value) for value in row]
        filled = [index for index, value in enumerate(values) if value not in (None, "")]
        for index in filled:
            length = _printed_length(values[index])
            if index == filled[-1] and len(filled) <= 2 and isinstance(values[index], str) and index < len(bounds) - 1:
                running_on.append((index, length))
            elif index < len(bounds):
                widths[index] = max(widths[index], min(length + _FIT_PADDING, bounds[index]))
    for index, length in running_on:
        short = length + _FIT_PADDING - sum(widths[index:])
        if short > 0:
            widths[-1] = min(widths[-1] + short, bounds[-1])
    return widths


def _printed_length(value: Any) -> int:
    """The characters a value takes on the sheet (whole numbers with thousands separators, dates as dd.mm.yyyy)."""
    if isinstance(value, bool) or not isinstance(value, int | float | dt.date):
        return len(str(value))
    if isinstance(value, dt.date):
        return 16 if isinstance(value, dt.datetime) else 10
    return len(f"{value:,.0f}")


def _pages_wide(points: Sequence[float], room: float, *, repeated: float) -> int:
    """How many pages side by side the columns take, each page filled with whole columns from the left."""
    pages, used = 1, 0.0
    for width in points:
        if used and used + width > room:
            pages, used = pages + 1, repeated
        used += width
    return pages


def settings_of(sheet: WriteOnlyWorksheet) -> Worksheet:
    """The write-only sheet as the Worksheet whose print set-up, filter and column widths it shares.

    openpyxl gives write-only sheets these attributes at run time; types-openpyxl declares them on Worksheet only.
    """
    return cast(Worksheet, sheet)


def _item(item: HeaderFooterItem | None) -> HeaderFooterItem:
    """A header or footer item (openpyxl creates all of them with the sheet)."""
    if item is None:
        raise ValueError("the sheet has no header or footer item")
    return item


def prepare_for_print(written: WriteOnlyWorksheet, *, one_page: bool, layout: PrintLayout | None = None) -> None:
    """A4 set-up, before the first row: fit to one page when `one_page`, else `layout`'s scale, down then over."""
    sheet = settings_of(written)
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if one_page or layout is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 1 if one_page else 0
    else:
        sheet.page_setup.orientation = layout.orientation
        sheet.page_setup.scale = layout.scale
        sheet.page_setup.pageOrder = "downThenOver"
        sheet.print_options.gridLines = True
        if layout.repeat_first_column:
            sheet.print_title_cols = "A:A"
    sheet.page_margins.left = sheet.page_margins.right = _SIDE_MARGIN
    sheet.page_margins.top = sheet.page_margins.bottom = _END_MARGIN
    sheet.page_margins.header = sheet.page_margins.footer = _HEADER_MARGIN


def repeat_heading_row(sheet: WriteOnlyWorksheet) -> None:
    """Freeze the heading row on screen and repeat it on every printed page."""
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"


def add_filter(sheet: WriteOnlyWorksheet, *, columns: int, rows: int) -> None:
    """Filter buttons on the heading row over every written row."""
    last_column = get_column_letter(max(columns, 1))
    settings_of(sheet).auto_filter.ref = f"A1:{last_column}{max(rows, 1)}"


def add_header_and_footer(sheet: WriteOnlyWorksheet, *, organisation: str, period: str, page_label: str) -> None:
    """The organisation and the period at the top, the sheet and the page number at the bottom of every page."""
    header, footer = _item(sheet.oddHeader), _item(sheet.oddFooter)
    header.left.text = _escape(organisation)
    header.right.text = _escape(period)
    footer.left.text = "&A"
    footer.right.text = _escape(page_label).replace("{page}", "&P").replace("{pages}", "&N")


def _escape(text: str) -> str:
    """Text fit for a header: no refused characters, short (Excel allows 255 per header), ampersands doubled."""
    text = clean_text(text).value
    if len(text) > 80:
        text = text[:79] + "…"
    return text.replace("&", "&&")
