"""Print set-up and column widths that make a sheet readable on screen and on paper."""
from __future__ import annotations

from typing import cast

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from exports.services.cells import clean_text

COUNT_FORMAT = "#,##0"
"""Whole numbers with the reader's thousands separator (a space in Norwegian Excel and LibreOffice)."""
_MINIMUM_WIDTH = {"date": 11, "datetime": 16, "time": 8, "integer": 9, "boolean": 9, "text": 12}


def column_width(*, heading: str, kind: str, configured: float | None) -> float:
    """The width of a column: the configuration's, else enough for its heading and its kind of value."""
    if configured:
        return configured
    return max(_MINIMUM_WIDTH.get(kind, 12), min(len(heading) + 2, 40))


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


def prepare_for_print(written: WriteOnlyWorksheet, *, one_page: bool) -> None:
    """Landscape A4, fit to the page width (and height when `one_page`); call before the first row."""
    sheet = settings_of(written)
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1 if one_page else 0
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25


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

