"""What a value may be in a spreadsheet cell: always data, never a formula, always well-formed XML.

The rules only; `workbook.styled_cells` applies them with openpyxl, which only the process that writes cells loads.
"""

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

from exports.source.activities import OSLO

MAX_TEXT_LENGTH = 32_767
"""The most characters (UTF-16 code units) Excel keeps in one cell."""
MAX_EXACT_INTEGER = 10**15
"""Integers at or past this size lose digits in Excel's numbers; they are written as text."""
TRUNCATION_MARK = "…"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""Leading characters that make Excel or LibreOffice treat typed text as a formula (incl. full-width forms)."""
REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 or Excel refuse: C0 controls other than tab/newline/return, surrogates, U+FFFE/U+FFFF."""
_REFUSED_CONTROL_BYTES = bytes((*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))
"""The refused control characters, one byte each in ASCII and UTF-8."""
_REFUSED_ASCII = dict.fromkeys(_REFUSED_CONTROL_BYTES)
"""The refused characters ASCII text can hold, as a `str.translate` table that drops them."""
_REFUSED_NON_CONTROLS = re.compile("[\ud800-\udfff\ufffe\uffff]")
"""The refused characters that are not control characters."""
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
"""Excel's error values: text equal to one would read as an error (the same as openpyxl's `ERROR_CODES`)."""
_EXCEL_FIRST_DAY = dt.date(1900, 3, 1)
_TEMPORAL = {dt.datetime, dt.date, dt.time}


@dataclass(frozen=True, slots=True)
class CellValue:
    """A value ready for a cell, and what had to change to make it so (None when nothing did)."""

    value: Any
    problem: str | None = None


def clean_text(text: str) -> CellValue:
    """Text without refused characters, cut to what a cell holds; linear, with no Python loop over characters."""
    text = without_refused(text)
    if len(text) * 2 <= MAX_TEXT_LENGTH or (len(text) <= MAX_TEXT_LENGTH and utf16_length(text) <= MAX_TEXT_LENGTH):
        return CellValue(text)
    limit_text = number_format(MAX_TEXT_LENGTH, force_grouping=True)
    return CellValue(
        _utf16_prefix(text, MAX_TEXT_LENGTH - len(TRUNCATION_MARK)) + TRUNCATION_MARK,
        _("the text was cut to %(limit)s characters") % {"limit": limit_text},
    )


def without_refused(text: str) -> str:
    """`text` without the characters in `REFUSED_CHARACTERS`, by compiled routines only.

    ASCII text goes through one translation table; other text is searched once, and its control characters (one
    byte each in UTF-8, never part of another character's bytes) are deleted from its UTF-8 bytes, unless it also
    holds surrogates or U+FFFE/U+FFFF, which the pattern removes.
    """
    if text.isascii():
        kept = text.translate(_REFUSED_ASCII)
        return text if len(kept) == len(text) else kept
    if REFUSED_CHARACTERS.search(text) is None:
        return text
    if _REFUSED_NON_CONTROLS.search(text) is not None:
        return REFUSED_CHARACTERS.sub("", text)
    return text.encode("utf-8").translate(None, _REFUSED_CONTROL_BYTES).decode("utf-8")


def bounded(text: str, limit: int = MAX_TEXT_LENGTH + 1) -> str:
    """`text` cut to at most `limit` characters: just past what a cell holds, so the cell still notes the cut."""
    return text if len(text) <= limit else text[:limit]


def bounded_join(separator: str, texts: Iterable[str], limit: int = MAX_TEXT_LENGTH + 1) -> str:
    """`separator.join(texts)` cut to at most `limit` characters, without joining more than the limit needs."""
    parts, size = [], -len(separator)
    for text in texts:
        parts.append(text)
        size += len(separator) + len(text)
        if size >= limit:
            break
    return bounded(separator.join(parts), limit)


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
            return CellValue(
                value.isoformat(), _("the date %(date)s is before what Excel shows") % {"date": value.isoformat()}
            )
    return CellValue(value)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula or an error code if it were typed in."""
    return text.startswith(FORMULA_PREFIXES) or text in ERROR_CODES


def is_plain(value: Any) -> bool:
    """Whether the cell writer would write the value as it is, unstyled (the cheap test made first)."""
    kind = type(value)
    if kind is str:
        return (
            len(value) * 2 <= MAX_TEXT_LENGTH
            and not value.startswith(FORMULA_PREFIXES)
            and value not in ERROR_CODES
            and not REFUSED_CHARACTERS.search(value)
        )
    return value is None or kind is bool or (kind is int and -MAX_EXACT_INTEGER < value < MAX_EXACT_INTEGER)


def utf16_length(text: str) -> int:
    """The length Excel counts: UTF-16 code units (ASCII text without encoding it)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf16_prefix(text: str, limit: int) -> str:
    """The longest start of `text` (without lone surrogates) at most `limit` UTF-16 code units long."""
    text = text[:limit]
    if text.isascii():
        return text
    units = text.encode("utf-16-le")[: 2 * limit]
    if 0xD8 <= units[-1] <= 0xDB:  # a character's first half (high surrogate) is left without its second
        units = units[:-2]
    return units.decode("utf-16-le")


class GuardedRow(tuple[Any, ...]):
    """A row with text a spreadsheet would read as a formula: its cells are written one by one through the guard."""

    __slots__ = ()


def sheet_row(values: Iterable[Any]) -> tuple[Any, ...]:
    """A row as the writer takes it: plain values as they are, empty text as an empty cell, the rest cleaned.

    The row is a `GuardedRow` when some text must be kept from reading as a formula.
    """
    row, guarded = [], False
    for value in values:
        kind = type(value)
        if kind is str and value == "":
            value = None
        elif not (kind in _TEMPORAL and _is_plain_temporal(value) or is_plain(value)):
            value = clean(value).value
            guarded = guarded or (type(value) is str and is_formula_like(value))
        row.append(value)
    return GuardedRow(row) if guarded else tuple(row)


def _is_plain_temporal(value: dt.date | dt.time) -> bool:
    """Whether a date or time is one `clean` keeps as it is: no time zone, not before what Excel shows."""
    if getattr(value, "tzinfo", None) is not None:
        return False
    if isinstance(value, dt.time):
        return True
    return (value.date() if isinstance(value, dt.datetime) else value) >= _EXCEL_FIRST_DAY
