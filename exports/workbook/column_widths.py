"""Column widths of `Aktiviteter` from what the configuration says its values can be, known before the first row.

`Aktiviteter` is streamed in write-only mode, where `<cols>` is written before the first row: the widths cannot
wait for the values. The configuration knows most of them beforehand: the date and time formats, the Ja/Nei
labels, the activity types' labels, Bufdir's categories and counties, the rules' reasons; only free text (names,
descriptions, expressions) is unknown, and gets the configured width or a bounded default and wraps.
"""

from __future__ import annotations

from dataclasses import dataclass

from exports.config.validation import CompiledColumn, CompiledConfig
from exports.geography_data import COUNTIES, MUNICIPALITIES
from exports.regulation import CATEGORIES, UNKNOWN_CATEGORY, category_label

WRAP_WIDTH = 40
"""The widest a column of long text gets; its longer values wrap within it."""
FREE_TEXT_WIDTH = 24
"""A text column whose values the configuration does not know: names, descriptions, expressions."""
_PADDING = 2
_NUMBER_WIDTH = 7
_FIXED_LENGTHS = {
    "activity_id": 36,
    "county_code": 2,
    "municipality_code": 4,
    "branch_municipality_code": 4,
    "country_code": 2,
    "duration_minutes": _NUMBER_WIDTH,
    "participant_count": _NUMBER_WIDTH,
}


@dataclass(frozen=True)
class ColumnLayout:
    """A column's width in Excel's character units and whether its text wraps."""

    width: float
    wraps: bool


def column_layouts(config: CompiledConfig) -> list[ColumnLayout]:
    """The width and wrapping of each configured column, in order."""
    return [column_layout(column, config=config) for column in config.columns]


def column_layout(column: CompiledColumn, *, config: CompiledConfig) -> ColumnLayout:
    """A column as wide as its longest known value and the longest word of its (wrapped) heading, bounded."""
    heading = max((len(word) for word in column.heading.split()), default=0)
    longest = longest_value(column, config=config)
    if column.width:
        wraps = column.format == "text" and (longest is None or longest + _PADDING > column.width)
        return ColumnLayout(width=max(column.width, heading + _PADDING), wraps=wraps)
    if longest is None:
        return ColumnLayout(width=max(FREE_TEXT_WIDTH, heading + _PADDING), wraps=True)
    width = max(longest, heading) + _PADDING
    if width > WRAP_WIDTH and column.format == "text":
        return ColumnLayout(width=max(WRAP_WIDTH, heading + _PADDING), wraps=True)
    return ColumnLayout(width=width, wraps=False)


def longest_value(column: CompiledColumn, *, config: CompiledConfig) -> int | None:
    """How long the column's longest value can be, when the configuration tells; None when it cannot."""
    by_format = {
        "date": len(config.date_format),
        "datetime": len(config.datetime_format),
        "time": len(config.time_format),
        "integer": _NUMBER_WIDTH,
        "boolean": max(len(str(config.true_label)), len(str(config.false_label))),
    }
    if column.format in by_format:
        return by_format[column.format]
    if column.expression is not None or column.source is None:
        return None
    return _longest_of_source(column.source, config)


def _longest_of_source(source: str, config: CompiledConfig) -> int | None:
    """The longest value of a row variable the configuration or Bufdir's lists fix; None for free text."""
    reasons = [rule.reason for rule in (*config.counting_rules, *config.validations)]
    known: dict[str, list[str]] = {
        "activity_label": [str(kind.get("label", code)) for code, kind in config.activity_types.items()],
        "activity_type": list(config.activity_types),
        "category": [*CATEGORIES, UNKNOWN_CATEGORY],
        "category_label": [category_label(category) for category in (*CATEGORIES, UNKNOWN_CATEGORY)],
        "county_name_of_branch": list(COUNTIES.values()),
        "municipality_name": list(MUNICIPALITIES.values()),
        "counts": [str(config.true_label), str(config.false_label)],
        "has_peer_mentor": [str(config.true_label), str(config.false_label)],
        "is_duplicate": [str(config.true_label), str(config.false_label)],
        "peer_mentor_certified": [str(config.true_label), str(config.false_label)],
        "local_date": [config.date_format],
        "peer_mentor_certified_on": [config.date_format],
        "local_time": [config.time_format],
        "started_at": [config.datetime_format],
        "not_counted_reason": ["; ".join(reasons)],
        "data_issues": ["; ".join(reasons)],
    }
    if source in _FIXED_LENGTHS:
        return _FIXED_LENGTHS[source]
    values = known.get(source)
    return max((len(value) for value in values), default=0) if values is not None else None
