"""The one way a value becomes a spreadsheet cell: always data, never a formula, always well-formed XML."""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.services.activity_source import OSLO

MAX_TEXT_LENGTH = 32_767
"""The most characters (UTF-16 code units) Excel keeps in one cell."""
MAX_EXACT_INTEGER = 10**15
"""Integers at or past this size lose digits in Excel's numbers; they are written as text."""
TRUNCATION_MARK = "…"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""Leading characters that make Excel or LibreOffice treat typed text as a formula (incl. full-width forms)."""
REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 or Excel refuse: C0 controls other than tab/newline/return, surrogates, U+FFFE/U+FFFF."""
_EXCEL_FIRST_DAY = dt.date(1900, 3, 1)
_BOLD = Font(bold=True)


@dataclass(frozen=True, slots=True)
class CellValue:
    """A value ready for a cell, and what had to change to make it so (None when nothing did)."""

    value: Any
    problem: str | None = None


def clean_text(text: str) -> CellValue:
    """Text without refused characters, cut to what a cell holds."""
    if REFUSED_CHARACTERS.search(text):
        text = REFUSED_CHARACTERS.sub("", text)
    if len(text) * 2 <= MAX_TEXT_LENGTH or _utf16_length(text) <= MAX_TEXT_LENGTH:
        return CellValue(text)
    limit = MAX_TEXT_LENGTH - len(TRUNCATION_MARK)
    cut = text[:limit]
    while (excess := _utf16_length(cut) - limit) > 0:
        cut = cut[: len(cut) - max(1, excess // 2)]
    limit_text = number_format(MAX_TEXT_LENGTH, force_grouping=True)
    return CellValue(cut + TRUNCATION_MARK, _("the text was cut to %(limit)s characters") % {"limit": limit_text})


def clean(value: Any) -> CellValue:
    """Turn any value into one a cell can hold; a value no cell can hold becomes None with a problem."""
    kind = type(value)
    if kind is str:
        return clean_text(value)
    if value is None or kind is bool:
        return CellValue(value)
    if kind is int:
        return CellValue(value if -MAX_EXACT_INTEGER < value < MAX_EXACT_INTEGER else str(value))
    if kind is float:
        if math.isfinite(value):
            return CellValue(value)
        return CellValue(None, _("the number %(value)s cannot be stored in a cell") % {"value": value})
    if kind is Decimal:
        return clean(float(value)) if value.is_finite() else clean(float("nan"))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _clean_temporal(value)
    if isinstance(value, str | Promise):
        return clean_text(str(value))
    if isinstance(value, int):
        return clean(int(value))
    if isinstance(value, dt.timedelta):
        return CellValue(value)
    return CellValue(None, _("a value of type %(type)s cannot be stored in a cell") % {"type": kind.__name__})


def _clean_temporal(value: dt.date | dt.time) -> CellValue:
    """Dates and times without time zones, inside the range Excel shows; others as ISO text."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(OSLO).replace(tzinfo=None)
    elif isinstance(value, dt.time) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if day < _EXCEL_FIRST_DAY:
            return CellValue(value.isoformat(), _("the date %(date)s is before what Excel shows")
                             % {"date": value.isoformat()})
    return CellValue(value)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula or an error code if it were typed in."""
    return text.startswith(FORMULA_PREFIXES) or text in ERROR_CODES


def cell(sheet: WriteOnlyWorksheet, value: Any, *, number_format: str | None = None, bold: bool = False) -> Any:
    """What to append for one value: the plain value when no style is needed, else a styled cell."""
    value = clean(value).value
    text_guard = isinstance(value, str) and is_formula_like(value)
    if not (number_format or bold or text_guard):
        return value
    written = WriteOnlyCell(sheet, value=value)
    if text_guard:
        written.data_type = "s"
        written.quotePrefix = True
    if number_format:
        written.number_format = number_format
    if bold:
        written.font = _BOLD
    return written


def row(sheet: WriteOnlyWorksheet, values: Iterable[Any], *, bold: bool = False) -> list[Any]:
    """One sheet row of values, each through `cell`."""
    return [cell(sheet, value, bold=bold) for value in values]


def is_plain(value: Any) -> bool:
    """Whether `cell` would write the value as it is, unstyled (the cheap test the row sheets make first)."""
    kind = type(value)
    if kind is str:
        return (len(value) * 2 <= MAX_TEXT_LENGTH and not value.startswith(FORMULA_PREFIXES)
                and value not in ERROR_CODES and not REFUSED_CHARACTERS.search(value))
    return value is None or kind is bool or (kind is int and -MAX_EXACT_INTEGER < value < MAX_EXACT_INTEGER)


def _utf16_length(text: str) -> int:
    """The length Excel counts: UTF-16 code units."""
    return len(text) + sum(1 for character in text if ord(character) > 0xFFFF)
