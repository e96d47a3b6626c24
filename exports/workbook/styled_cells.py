"""The one cell writer: values become openpyxl cells by the rules in `cells`, styled only where they must be."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.config.cell_safety import GuardedRow, clean, is_formula_like
from exports.workbook.streamed_sheet import PlainRow, StreamedSheet

_BOLD = Font(bold=True)


def cell(
    sheet: WriteOnlyWorksheet,
    value: Any,
    *,
    number_format: str | None = None,
    bold: bool = False,
    alignment: Alignment | None = None,
) -> Any:
    """What to append for one value: the plain value when no style is needed, else a styled cell."""
    value = clean(value).value
    text_guard = isinstance(value, str) and is_formula_like(value)
    if not (number_format or bold or text_guard or alignment):
        return value
    written = WriteOnlyCell(sheet)
    if number_format:  # before the value, so a date keeps this format instead of openpyxl's default
        written.number_format = number_format
    written.value = value
    if text_guard:
        written.data_type = "s"
        written.quotePrefix = True
    if bold:
        written.font = _BOLD
    if alignment:
        written.alignment = alignment
    return written


def link(sheet: WriteOnlyWorksheet, text: str, target: str) -> Any:
    """A cell holding `text` (through `cell`'s rules) that links to `target`, an address checked by the caller.

    A real cell hyperlink (a relationship of the sheet), never a HYPERLINK formula.
    """
    value = clean(text).value
    written = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and is_formula_like(value):
        written.data_type = "s"
        written.quotePrefix = True
    written.hyperlink = target
    written.style = "Hyperlink"
    return written


def row(
    sheet: WriteOnlyWorksheet, values: Iterable[Any], *, bold: bool = False, alignment: Alignment | None = None
) -> list[Any]:
    """One sheet row of values, each through `cell`."""
    return [cell(sheet, value, bold=bold, alignment=alignment) for value in values]


class RowAppender:
    """Appends rows made by `cells.sheet_row` to a `StreamedSheet` in the given number formats."""

    def __init__(
        self,
        sheet: StreamedSheet,
        number_formats: Sequence[str | None],
        alignments: Sequence[Alignment | None] = (),
        wrap_widths: Sequence[float | None] = (),
    ) -> None:
        self.sheet = sheet
        self._formats = tuple(number_formats)
        self._alignments = (*alignments, *[None] * (len(self._formats) - len(alignments)))
        sheet.use_number_formats(self._formats, alignments=self._alignments, wrap_widths=wrap_widths)

    def append(self, values: tuple[Any, ...]) -> None:
        """Write one row: straight to XML when the sheet takes it plain, else cell by cell through `cell`."""
        if type(values) is not GuardedRow and self.sheet.takes_plain(values):
            self.sheet.append(PlainRow(values))
        else:
            self.sheet.append(
                [
                    None if value is None else cell(self.sheet, value, number_format=fmt, alignment=aligned)
                    for value, fmt, aligned in zip(values, self._formats, self._alignments, strict=False)
                ]
            )
