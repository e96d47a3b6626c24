"""A write-only sheet that writes rows of plain values straight to its XML, as openpyxl would, without a Cell each.

openpyxl's `append` makes a `Cell` per value, binds and checks the value, works out its coordinate and style, and
only then writes it: most of the time an export spends writing `Aktiviteter`. The rows made by `cells.sheet_row`
are already checked and the columns' styles are known once per sheet, so this sheet writes such a row as one lxml
element, with the elements and attributes openpyxl writes and openpyxl's own number and date conversions. Every
other row goes through openpyxl's own path. `tests/test_streamed_sheet.py` holds the sheet to the bytes openpyxl
writes for the same values.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

from lxml.etree import Element, SubElement
from openpyxl import LXML
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.constants import XML_NS

_TEMPORAL = (dt.datetime, dt.date, dt.time)
_PRESERVE = {f"{{{XML_NS}}}space": "preserve"}
_NO_ATTRIBUTES: dict[str, str] = {}


class PlainRow(tuple[Any, ...]):
    """A row `StreamedSheet.takes_plain`, written in the columns' number formats."""

    __slots__ = ()


class StreamedSheet(WriteOnlyWorksheet):
    """A write-only sheet that writes a `PlainRow` straight to XML when it can; every other row as openpyxl does."""

    _writer: Any  # openpyxl's private parts this sheet uses; its stubs leave them out
    _values_to_row: Callable[[Iterable[Any], int], Iterable[Cell]]
    _already_saved: Callable[[], None]

    def __init__(self, parent: Workbook, title: str) -> None:
        super().__init__(parent, title)
        self._epoch = parent.epoch
        self.use_number_formats(())

    def use_number_formats(self, number_formats: Sequence[str | None]) -> None:
        """The number format of each column's cells in plain rows (None: none), set before the first of them."""
        self._letters = tuple(get_column_letter(index + 1) for index in range(len(number_formats)))
        self._styles = tuple(None if fmt is None else self._style_id(fmt) for fmt in number_formats)
        self._takes_dates = tuple(fmt is not None and is_date_format(fmt) for fmt in number_formats)

    def _style_id(self, number_format: str) -> str:
        """The workbook's style id of cells with this number format, as openpyxl registers it."""
        model = Cell(self, row=1, column=1)
        model.number_format = number_format
        return str(model.style_id)

    def takes_plain(self, row: tuple[Any, ...]) -> bool:
        """Whether this sheet writes every value itself: text, numbers, booleans, and naive dates in date columns."""
        if not LXML or len(row) > len(self._styles):
            return False
        for value, takes_dates in zip(row, self._takes_dates, strict=False):
            kind = type(value)
            if not (value is None or kind is str or kind is int or kind is float or kind is bool
                    or (takes_dates and kind in _TEMPORAL and getattr(value, "tzinfo", None) is None)):
                return False
        return True

    def _write_rows(self) -> Generator[None, Any, None]:
        """openpyxl's own loop (`WriteOnlyWorksheet._write_rows`), with plain rows written straight to XML."""
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = yield
                    if type(row) is PlainRow:
                        xf.write(self._row_element(row, row_idx))
                    else:
                        self._writer.write_row(xf, self._values_to_row(row, row_idx), row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _row_element(self, row: PlainRow, row_idx: int) -> Any:
        """The `<row>` openpyxl would write for these values (`openpyxl.cell._writer.lxml_write_cell`)."""
        number = str(row_idx)
        element = Element("row", {"r": number})
        for letter, style, value in zip(self._letters, self._styles, row, strict=False):
            if value is None:
                continue
            attributes = {"r": letter + number}
            if style is not None:
                attributes["s"] = style
            kind = type(value)
            if kind is str:
                attributes["t"] = "inlineStr"
                text = SubElement(SubElement(SubElement(element, "c", attributes), "is"), "t",
                                  _PRESERVE if value != value.strip() else _NO_ATTRIBUTES)
                text.text = value
                continue
            if kind is bool:
                attributes["t"] = "b"
            else:
                attributes["t"] = "n"
                if not (kind is int or kind is float):
                    value = to_excel(value, self._epoch)
            SubElement(SubElement(element, "c", attributes), "v").text = safe_string(value)
        return element


def add_streamed_sheet(workbook: Workbook, title: str, index: int | None = None) -> StreamedSheet:
    """A new `StreamedSheet` in a write-only workbook, placed where `create_sheet` would place it."""
    sheet = StreamedSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet=sheet, index=index)  # type: ignore[attr-defined]  # what create_sheet calls
    return sheet
