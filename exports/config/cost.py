"""What one row can cost under a configuration, bounded when the configuration is saved.

A row's cost is the text it can carry: each column can hold at most the longest text its source or expression can
give (a whole cell, MAX_TEXT_LENGTH characters, for text from the app or the generated reasons; a few characters for
numbers, dates, booleans and the service's own names), and the rules' reasons and actions go to `Avvik` and into
`not_counted_reason` and `data_issues`. Both sums are bounded here, the one place every path that saves a document
goes through (`config.validation.compile_document`: the admin's form, `save_column_config`, the model's
`full_clean`, the trial). The expressions' own work is bounded by `config.validation` (MAX_DOCUMENT_NODES).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from exports.config.cell_safety import MAX_TEXT_LENGTH
from exports.config.expressions import CONSTANT_NAMES, CompiledExpression
from exports.geography_data import COUNTIES, MUNICIPALITIES
from exports.regulation import CATEGORY_LABELS

CELL = MAX_TEXT_LENGTH
"""The most characters a column can put in one cell: every text is cut to it before it is written."""
MAX_FULL_CELLS = 16
MAX_ROW_TEXT = MAX_FULL_CELLS * CELL
"""The most characters the columns of one row may hold together: 16 columns of whole cells (524,272)."""
MAX_RULE_TEXT = 30_000
"""The most characters the reasons and actions of all rules and data checks may have together."""
SHORT = 32
"""The longest text of a number, date, time or boolean (an integer below 2^63, a float's repr, an ISO datetime)."""
NAME = max(len(name) for name in (*COUNTIES.values(), *MUNICIPALITIES.values()))
"""The longest county or municipality name."""
CATEGORY = 100
"""At least the longest category label in any language (checked by a test)."""
INTEGER_DIGITS = 4_301
"""The longest integer `int()` reads from text (Python's limit of 4,300 digits, and a sign)."""

FIELD_TEXT: dict[str, int] = {
    "activity_id": 36,
    "activity_type": CELL,
    "activity_label": CELL,  # an unknown type's label is the app's code
    "category": max(len(code) for code in CATEGORY_LABELS),
    "category_label": CATEGORY,
    "status": CELL,
    "started_at": SHORT,
    "local_date": SHORT,
    "local_time": SHORT,
    "duration_minutes": SHORT,
    "participant_count": SHORT,
    "country_code": CELL,
    "municipality_code": CELL,
    "municipality_name": NAME,
    "description": CELL,
    "has_peer_mentor": SHORT,
    "peer_mentor_name": CELL,
    "peer_mentor_certified": SHORT,
    "peer_mentor_certified_on": SHORT,
    "branch_name": CELL,
    "county_code": CELL,
    "county_name_of_branch": CELL,  # an unknown county's name is the app's code
    "branch_municipality_code": CELL,
    "is_duplicate": SHORT,
    "counts": SHORT,
    "not_counted_reason": CELL,
    "data_issues": CELL,
}
"""The longest text each field of a row can give a column (texts from the app and generated texts: a whole cell)."""

Problem = tuple[tuple[str | int, ...], str]


def column_text(column: Mapping[str, Any], *, expression: CompiledExpression | None, labels: int, booleans: int) -> int:
    """The most characters one column can put in its cell.

    `labels` is the longest label of the value lists, `booleans` the longer boolean label; a column whose
    expression did not compile counts nothing (its error is reported instead).
    """
    if column["format"] == "boolean":
        return booleans
    if expression is not None:
        longest = expression_text(expression.tree.body, labels=labels)
    elif "expression" in column:
        return 0
    else:
        longest = FIELD_TEXT.get(column.get("source") or "", CELL)
    if column["format"] == "integer":
        longest = min(longest, INTEGER_DIGITS)
    return min(longest, CELL)


def expression_text(node: ast.expr, *, labels: int) -> int:
    """The most characters an accepted expression can give (its depth is bounded, so recursion is too)."""

    def longest(child: ast.expr) -> int:
        return expression_text(child, labels=labels)

    if isinstance(node, ast.Constant):
        return len(node.value) if isinstance(node.value, str) else SHORT
    if isinstance(node, ast.Name):
        return SHORT if node.id in CONSTANT_NAMES else FIELD_TEXT.get(node.id, CELL)
    if isinstance(node, ast.BinOp):  # only `+` joins text, up to what a cell holds; the rest are numbers
        return min(CELL, longest(node.left) + longest(node.right)) if isinstance(node.op, ast.Add) else SHORT
    if isinstance(node, ast.UnaryOp | ast.Compare):
        return SHORT
    if isinstance(node, ast.BoolOp):
        return max(longest(value) for value in node.values)
    if isinstance(node, ast.IfExp):
        return max(longest(node.body), longest(node.orelse))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call_text(node.func.id, [longest(arg) for arg in node.args], labels=labels)
    return CELL


def _call_text(name: str, arguments: Sequence[int], *, labels: int) -> int:
    """The most characters a whitelisted function gives for arguments of at most these lengths."""
    if name == "label":
        return max(labels, arguments[-1])
    if name == "str":
        return max(SHORT, arguments[0])
    if name == "lower":
        return 2 * max(SHORT, arguments[0])  # "İ".lower() is two characters
    if name == "county_name":
        return max(NAME, arguments[0])
    if name in ("len", "int", "is_municipality", "municipality_county"):
        return SHORT
    return CELL


def _longest(labels: Iterable[Any]) -> int:
    """The length of the longest label as a cell shows it."""
    return max((len(str(label)) for label in labels), default=0)


def row_text(document: Mapping[str, Any], *, expressions: Sequence[CompiledExpression | None]) -> list[int]:
    """The most characters each column of the document can hold (`expressions` are the columns' compiled ones)."""
    labels = _longest(label for values in document.get("value_lists", {}).values() for label in values.values())
    booleans = _longest(document["template"]["boolean_labels"].values())
    return [
        column_text(column, expression=expression, labels=labels, booleans=booleans)
        for column, expression in zip(document["columns"], expressions, strict=True)
    ]


def rule_text(document: Mapping[str, Any]) -> int:
    """The characters of all reasons and actions of the document's rules and data checks together."""
    rules: Iterable[Mapping[str, Any]] = (*document.get("counting_rules", ()), *document.get("validations", ()))
    return sum(len(rule["reason"]) + len(rule.get("action", "")) for rule in rules)


def cost_problems(document: Mapping[str, Any], *, expressions: Sequence[CompiledExpression | None]) -> list[Problem]:
    """Where a schema-valid document costs more per row than the budget allows, and why, in words.

    `expressions` are the compiled expressions of the document's columns (None for a column without one).
    """
    problems: list[Problem] = []
    widths = row_text(document, expressions=expressions)
    if sum(widths) > MAX_ROW_TEXT:
        keys = [column["key"] for column in document["columns"]]
        widest = sorted(range(len(widths)), key=lambda index: -widths[index])[:5]
        problems.append(
            (
                ("columns",),
                _(
                    "can together hold up to %(total)s characters in one row, and at most %(max)s are allowed "
                    "(%(cells)s "
                    "whole cells): this costs too much time and memory per row. Each column that shows text "
                    "from the app "
                    "or the reasons (such as description, peer_mentor_name, branch_name or not_counted_reason) "
                    "can hold a "
                    "whole cell of %(cell)s characters. Remove some of these columns; the widest are %(columns)s."
                )
                % {
                    "total": _number(sum(widths)),
                    "max": _number(MAX_ROW_TEXT),
                    "cells": MAX_FULL_CELLS,
                    "cell": _number(CELL),
                    "columns": ", ".join(f"«{keys[index]}» ({_number(widths[index])})" for index in widest),
                },
            )
        )
    rules = rule_text(document)
    if rules > MAX_RULE_TEXT:
        problems.append(
            (
                (),
                _(
                    "has reasons and actions of %(total)s characters in all its counting rules and data checks, and at "
                    "most %(max)s are allowed: each row that fails the rules carries them to Avvik, which "
                    "costs too much "
                    "time and memory per row. Shorten the reasons and actions."
                )
                % {"total": _number(rules), "max": _number(MAX_RULE_TEXT)},
            )
        )
    return problems


def _number(value: int) -> str:
    """A count with the language's digit grouping."""
    return number_format(value, force_grouping=True)
