"""Writes `Endringer`: what changed since the export this one compares with, a summary block then one row a change."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.workbook import Workbook

from exports.history.change_summary import (
    ADDED,
    CHANGED,
    FIXED,
    NEW_DEVIATION,
    REMOVED,
    ChangeRow,
    ChangeSummary,
    spooled_changes,
)
from exports.regulation import category_label
from exports.workbook import styled_cells
from exports.workbook.sheet_layout import prepare_for_print, print_layout

SHEET_CHANGES = "Endringer"
WIDTHS = (38, 12, 26, 60)
MANY_ROWS = 100_000
"""Past this many change rows the sheet says so at the top (all of them are still written)."""


def change_text(kind: str, *, columns: tuple[str, ...]) -> str:
    """What happened to one registration, in words."""
    if kind == CHANGED:
        return _("Changed: %(columns)s") % {"columns": ", ".join(columns)}
    return {ADDED: _("New"), REMOVED: _("Removed"), FIXED: _("Deviation fixed"), NEW_DEVIATION: _("New deviation")}[
        kind
    ]


def write_changes_sheet(workbook: Workbook, *, changes: ChangeSummary, date_format: str) -> Any:
    """Add `Endringer` to a write-only workbook (every change row, however many); the sheet."""
    sheet = workbook.create_sheet(SHEET_CHANGES)
    prepare_for_print(sheet, one_page=False, layout=print_layout(WIDTHS))
    for letter, width in zip("ABCD", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for line in _summary_block(changes):
        sheet.append(styled_cells.row(sheet, line[1:], bold=line[0]))
    if changes.compared_with is None:
        return sheet
    sheet.append([])
    sheet.append(styled_cells.row(sheet, [_("Activity ID"), _("Date"), _("Peer mentor"), _("What")], bold=True))
    for change in spooled_changes(changes.spool):
        sheet.append(_change_row(sheet, change, date_format))
    return sheet


def _change_row(sheet: Any, change: ChangeRow, date_format: str) -> list[Any]:
    """One change as a row of cells."""
    activity_id, day, mentor, kind, columns = change
    return [
        styled_cells.cell(sheet, activity_id),
        styled_cells.cell(sheet, day, number_format=date_format),
        styled_cells.cell(sheet, mentor),
        styled_cells.cell(sheet, change_text(kind, columns=columns)),
    ]


def _summary_block(changes: ChangeSummary) -> list[list[Any]]:
    """The lines above the rows: (bold, values...)."""
    if changes.compared_with is None:
        return [
            [True, _("Changes since the last export")],
            [False, _("First export of the period – nothing to compare with")],
        ]
    compared = changes.compared_with
    heading = (
        _("Compared with the export sent to Bufdir (no. %(id)s)")
        if compared.get("submitted")
        else _("Compared with export no. %(id)s of the same period")
    ) % {"id": compared["id"]}
    lines: list[list[Any]] = [
        [True, _("Changes since the last export")],
        [False, heading],
        [False, _("Bundle SHA-256 then"), compared.get("sha256", "")],
        [],
        [True, _("Counted per category"), _("Then"), _("Now")],
    ]
    categories = list(dict.fromkeys([*changes.counted_now, *changes.counted_then]))
    lines += [
        [False, category_label(category), changes.counted_then.get(category, 0), changes.counted_now.get(category, 0)]
        for category in categories
    ]
    lines += [
        [],
        [True, _("Registrations"), _("Count")],
        [False, _("Added"), changes.added],
        [False, _("Removed"), changes.removed],
        [False, _("Changed"), changes.changed],
        [False, _("Deviations fixed"), changes.fixed],
        [False, _("New deviations"), changes.new_deviations],
    ]
    if changes.rows > MANY_ROWS:
        lines.append([False, _("%(count)s change rows: all are listed below.") % {"count": changes.rows}])
    return [line if line else [False] for line in lines]
