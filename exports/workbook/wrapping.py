"""How many lines a wrapped text takes in a column, and the row height that shows them all.

Neither LibreOffice (7.4, when it prints an .xlsx) nor Excel (until a cell is edited) grows a row to fit its
wrapped text: a row with more lines than its height shows runs them into the next row. So the rows of text that
wraps get an explicit height. A column `width` wide holds about `width` characters of 11 pt type (Calibri in
Excel; LibreOffice's stand-in fits more), so lines are counted by wrapping at word boundaries to `width`.
"""

from __future__ import annotations

from collections.abc import Iterable

LINE_HEIGHT = 15.0
"""Points per line of 11 pt type: Excel's default row height for Calibri 11."""
MAX_LINES = 27
"""At most this many lines per row (409 points, Excel's tallest row)."""


def line_count(text: str, width: float) -> int:
    """The lines `text` takes when wrapped at word boundaries in a column `width` characters wide."""
    per_line = max(int(width), 1)
    if len(text) <= per_line and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split(" "):
            length = len(word)
            if used and used + 1 + length > per_line:
                lines += 1
                used = 0
            if used:
                used += 1
            used += length
            while used > per_line:  # a word longer than the line breaks within it
                lines += 1
                used -= per_line
    return min(lines, MAX_LINES)


def row_height(values: Iterable[tuple[object, float | None]]) -> float | None:
    """The height of a row whose (value, wrap width) pairs need more than one line; None when one line will do."""
    lines = 1
    for value, width in values:
        if width is not None and type(value) is str and (len(value) > width or "\n" in value):
            lines = max(lines, line_count(value, width))
    return LINE_HEIGHT * lines if lines > 1 else None
