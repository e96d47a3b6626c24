"""Writes the Bufdir workbook (Aktiviteter, Sammendrag, Avvik) with openpyxl in write-only mode."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.categories import CATEGORIES, COUNTING_CATEGORIES, UNKNOWN_CATEGORY, category_label
from exports.geography import county_name
from exports.services.column_mapper import MappedActivity
from exports.services.config_validation import CompiledConfig
from exports.services.deviation_spool import DeviationSpool
from exports.services.summary import ExportSummary

SHEET_ACTIVITIES = "Aktiviteter"
SHEET_SUMMARY = "Sammendrag"
SHEET_DEVIATIONS = "Avvik"
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class WorkbookFacts:
    """What `Sammendrag` states about the export."""

    organisation_name: str
    org_number: str
    period_from: dt.date
    period_to: dt.date
    config_version: int
    template_name: str
    generated_at: dt.datetime


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None, bold: bool = False) -> Any:
    """A cell whose text is always text (never a formula) and free of characters Excel refuses."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not (number_format or bold or (isinstance(value, str) and value.startswith("="))):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = _BOLD
    return cell


class WorkbookWriter:
    """One workbook being written: rows are appended as they stream, the summary at the end."""

    def __init__(self, path: Path, config: CompiledConfig) -> None:
        self.path = path
        self.config = config
        self.workbook = Workbook(write_only=True)
        self.activities = self.workbook.create_sheet(SHEET_ACTIVITIES)
        self.summary = self.workbook.create_sheet(SHEET_SUMMARY)
        self.deviations = self.workbook.create_sheet(SHEET_DEVIATIONS)
        self._spool = DeviationSpool(path.with_name(f"{path.stem}-avvik.sqlite3"))
        self._formats = [self._number_format(column.format) for column in config.columns]
        self._write_headers()

    def _number_format(self, kind: str) -> str | None:
        """The Excel number format of a column format."""
        return {"date": self.config.date_format, "datetime": self.config.datetime_format,
                "time": self.config.time_format}.get(kind)

    def _write_headers(self) -> None:
        """Headings of the two row sheets, with column widths."""
        for index, column in enumerate(self.config.columns):
            self.activities.column_dimensions[_letter(index)].width = column.width or max(16, len(column.heading) + 2)
        self.activities.freeze_panes = "A2"
        self.activities.append([_cell(self.activities, c.heading, bold=True) for c in self.config.columns])
        headings = [_("Reason"), _("What to do"), _("Date"), _("Start time"), _("Activity type"), _("Category"),
                    _("Peer mentor"), _("Local branch"), _("County"), _("Municipality number"), _("Counts"),
                    _("Activity ID")]
        for index, width in enumerate((50, 60, 12, 10, 22, 30, 24, 24, 16, 14, 9, 38)):
            self.deviations.column_dimensions[_letter(index)].width = width
        self.deviations.freeze_panes = "A2"
        self.deviations.append([_cell(self.deviations, h, bold=True) for h in headings])

    def add(self, row: MappedActivity) -> None:
        """Write one mapped activity to `Aktiviteter` and, when it deviates, to `Avvik`."""
        if row.listed:
            self.activities.append(
                [_cell(self.activities, value, fmt) for value, fmt in zip(row.values, self._formats)]
            )
        if row.is_deviation:
            self._add_deviation(row)

    def _add_deviation(self, row: MappedActivity) -> None:
        """Keep one row of `Avvik` until the end, when the most common problem is known."""
        record = row.record
        activity_type = self.config.activity_types.get(record.activity_type)
        details = (
            row.local_start.date(),
            row.local_start.time().replace(tzinfo=None),
            activity_type["label"] if activity_type else record.activity_type,
            category_label(row.category),
            record.peer_mentor_name or "",
            row.branch_name,
            county_name(row.county_code),
            record.municipality_code or "",
            self.config.true_label if row.counts else self.config.false_label,
            str(record.id),
        )
        findings = row.findings
        self._spool.add(reasons=[f.text for f in findings],
                        payload=({f.text: f.action for f in findings}, details))

    def _write_deviations(self, totals: ExportSummary) -> None:
        """`Avvik`, the rows whose problem is most common first, each reason once with what to do about it."""
        sheet = self.deviations
        ranked = [reason for reason, _count in totals.reasons_by_frequency()]
        for reasons, (actions, details) in self._spool.by_frequency(ranked):
            day, time, *rest = details
            sheet.append([
                _cell(sheet, "; ".join(reasons)),
                _cell(sheet, " ".join(dict.fromkeys(actions[reason] for reason in reasons))),
                _cell(sheet, day, self.config.date_format),
                _cell(sheet, time, self.config.time_format),
                *(_cell(sheet, value) for value in rest),
            ])
        self._spool.close()

    def close(self, facts: WorkbookFacts, totals: ExportSummary) -> None:
        """Write `Sammendrag` with its chart, then `Avvik`, and save the workbook."""
        self._write_summary(facts, totals)
        self._write_deviations(totals)
        self.workbook.save(self.path)

    def _write_summary(self, facts: WorkbookFacts, totals: ExportSummary) -> None:
        """The period, the organisation, totals per category, county and branch, and a chart."""
        sheet = self.summary
        sheet.column_dimensions["A"].width = 40
        for letter in "BCD":
            sheet.column_dimensions[letter].width = 22
        rows: list[list[Any]] = [
            [_cell(sheet, _("Bufdir report: peer-support activities"), bold=True)],
            [_("Organisation"), facts.organisation_name],
            [_("Organisation number"), facts.org_number],
            [_("Period from"), _cell(sheet, facts.period_from, self.config.date_format)],
            [_("Period to"), _cell(sheet, facts.period_to, self.config.date_format)],
            [_("Column configuration"), f"{facts.template_name} (versjon {facts.config_version})"],
            [_("Generated"), _cell(sheet, facts.generated_at.replace(tzinfo=None), self.config.datetime_format)],
            [],
            [_cell(sheet, h, bold=True) for h in (_("Category"), _("Counted activities"))],
        ]
        first_category_row = len(rows) + 1
        rows += [[category_label(c), totals.counted_by_category.get(c, 0)] for c in COUNTING_CATEGORIES]
        last_category_row = len(rows)
        rows += [[_cell(sheet, _("Total counted"), bold=True), _cell(sheet, totals.counted, bold=True)], []]
        rows.append([_cell(sheet, h, bold=True) for h in (_("Category"), _("Documented"), _("Counted"),
                                                          _("Not counted"))])
        for category in (*CATEGORIES, UNKNOWN_CATEGORY):
            documented = totals.documented_by_category.get(category, 0)
            if documented or category in CATEGORIES:
                counted = totals.counted_by_category.get(category, 0)
                rows.append([category_label(category), documented, counted, documented - counted])
        rows += [[], [_cell(sheet, h, bold=True) for h in (_("County"), _("County code"), _("Counted activities"))]]
        for code, count in sorted(totals.counted_by_county.items()):
            rows.append([county_name(code), code, count])
        rows += [[], [_cell(sheet, h, bold=True) for h in (_("Local branch"), _("County"), _("Counted activities"))]]
        for (branch, code), count in sorted(totals.counted_by_branch.items()):
            rows.append([_cell(sheet, branch), county_name(code), count])
        rows += [
            [],
            [_cell(sheet, _("Totals"), bold=True)],
            [_("Rows on Aktiviteter"), totals.exported],
            [_("Counted"), totals.counted],
            [_("Not counted"), totals.not_counted],
            [_("Rows on Avvik"), totals.deviations],
            [_("Rejected registrations (only on Avvik)"), totals.rejected],
            [_("Unreadable rows (only on Avvik)"), totals.unreadable],
        ]
        for row in rows:
            sheet.append(row)
        chart = BarChart()
        chart.type = "col"
        chart.title = _("Counted activities per category")
        chart.y_axis.title = _("Activities")
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.add_data(Reference(sheet, min_col=2, min_row=first_category_row - 1, max_row=last_category_row),
                       titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=first_category_row, max_row=last_category_row))
        chart.width, chart.height = 18, 9
        sheet.add_chart(chart, "F2")


def _letter(index: int) -> str:
    """The spreadsheet column letter of a zero-based index."""
    return get_column_letter(index + 1)


class WorkbookGenerator:
    """Starts workbooks; holds no state of its own."""

    def open(self, path: Path, config: CompiledConfig) -> WorkbookWriter:
        """A writer for a new workbook at `path`."""
        return WorkbookWriter(path, config)
