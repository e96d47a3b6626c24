"""A write-only sheet that writes rows of plain values straight to its XML, as openpyxl would, without a Cell each.

openpyxl's `append` makes a `Cell` per value, binds and checks the value, works out its coordinate and style, and
only then writes it: most of the time an export spends writing `Aktiviteter`. The rows made by `cell_safety.sheet_row`
are already checked and the columns' styles are known once per sheet, so this sheet writes such a row as one lxml
element, with the elements and attributes openpyxl writes and openpyxl's own number and date conversions. Every
other row goes through openpyxl's own path. `tests/workbook/test_streamed_sheet.py` holds the sheet to the bytes
openpyxl writes for the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any, cast

from lxml.etree import Element, SubElement
from openpyxl import LXML
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import XML_NS

from exports.workbook.wrapping import row_height

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

    def use_number_formats(
        self,
        number_formats: Sequence[str | None],
        *,
        alignments: Sequence[Alignment | None] = (),
        wrap_widths: Sequence[float | None] = (),
    ) -> None:
        """Each column's number format and alignment in plain rows (None: none), set before the first of them.

        A row whose text in a column of `wrap_widths` (None: does not wrap) takes more than one line gets the
        height of its lines (`wrapping.row_height`), whichever way it is written.
        """
        self._letters = tuple(get_column_letter(index + 1) for index in range(len(number_formats)))
        self._wraps = tuple((index, width) for index, width in enumerate(wrap_widths) if width is not None)
        aligned = (*alignments, *[None] * (len(number_formats) - len(alignments)))
        self._styles = tuple(
            None if fmt is None and alignment is None else self._style_id(fmt, alignment)
            for fmt, alignment in zip(number_formats, aligned, strict=False)
        )
        self._takes_dates = tuple(fmt is not None and is_date_format(fmt) for fmt in number_formats)

    def _style_id(self, number_format: str | None, alignment: Alignment | None) -> str:
        """The workbook's style id of cells with this number format and alignment, as openpyxl registers it."""
        model = Cell(self, row=1, column=1)
        if number_format is not None:
            model.number_format = number_format
        if alignment is not None:
            model.alignment = alignment
        return str(model.style_id)

    def takes_plain(self, row: tuple[Any, ...]) -> bool:
        """Whether this sheet writes every value itself: text, numbers, booleans, and naive dates in date columns."""
        if not LXML or len(row) > len(self._styles):
            return False
        for value, takes_dates in zip(row, self._takes_dates, strict=False):
            kind = type(value)
            if not (
                value is None
                or kind is str
                or kind is int
                or kind is float
                or kind is bool
                or (takes_dates and kind in _TEMPORAL and getattr(value, "tzinfo", None) is None)
            ):
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
                        self._write_other_row(xf, row, row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _height(self, values: Sequence[Any]) -> float | None:
        """The height a row of plain values needs for its wrapped text; None for one line."""
        if not self._wraps:
            return None
        return row_height((values[index], width) for index, width in self._wraps if index < len(values))

    def _write_other_row(self, xf: Any, row: Any, row_idx: int) -> None:
        """A row openpyxl writes, with the height of its wrapped text as a row dimension while it is written."""
        row = list(row)
        dimensions = self._as_worksheet.row_dimensions
        height = None if row_idx in dimensions else self._height([getattr(value, "value", value) for value in row])
        if height is not None:
            dimensions[row_idx] = RowDimension(self._as_worksheet, index=row_idx, ht=height)
        self._writer.write_row(xf, self._values_to_row(row, row_idx), row_idx)
        if height is not None:
            del dimensions[row_idx]

    @property
    def _as_worksheet(self) -> Worksheet:
        """This sheet as the Worksheet whose row dimensions it shares (types-openpyxl declares them there only)."""
        return cast(Worksheet, self)

    def _row_element(self, row: PlainRow, row_idx: int) -> Any:
        """The `<row>` openpyxl would write for these values (`openpyxl.cell._writer.lxml_write_cell`)."""
        number = str(row_idx)
        height = self._height(row)
        element = Element(
            "row",
            {"r": number}
            if height is None
            else {"r": number, **dict(RowDimension(self._as_worksheet, index=row_idx, ht=height))},
        )
        for letter, style, value in zip(self._letters, self._styles, row, strict=False):
            if value is None:
                continue
            attributes = {"r": letter + number}
            if style is not None:
                attributes["s"] = style
            kind = type(value)
            if kind is str:
                attributes["t"] = "inlineStr"
                text = SubElement(
                    SubElement(SubElement(element, "c", attributes), "is"),
                    "t",
                    _PRESERVE if value != value.strip() else _NO_ATTRIBUTES,
                )
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


def add_streamed_sheet(workbook: Workbook, *, title: str, index: int | None = None) -> StreamedSheet:
    """A new `StreamedSheet` in a write-only workbook, placed where `create_sheet` would place it."""
    sheet = StreamedSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet=sheet, index=index)  # type: ignore[attr-defined]  # what create_sheet calls
    return sheet
