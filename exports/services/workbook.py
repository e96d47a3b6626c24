"""Writes the Bufdir workbook (Aktiviteter, Sammendrag, Avvik, Likepersoner) with openpyxl in write-only mode."""
from __future__ import annotations

import datetime as dt
import os
import zipfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from exports.categories import category_label
from exports.geography import county_name
from exports.services import cell_writer, cells, workbook_plan
from exports.services.activity_links import activity_link
from exports.services.column_mapper import MappedActivity
from exports.services.config_validation import CompiledConfig
from exports.services.deviation_spool import DeviationSpool
from exports.services.peer_mentor_sheet import PEER_MENTOR_WIDTHS, write_peer_mentors
from exports.services.said_once import said_once
from exports.services.sheet_layout import (
    add_filter,
    add_header_and_footer,
    column_width,
    prepare_for_print,
    repeat_heading_row,
)
from exports.services.streamed_sheet import add_streamed_sheet
from exports.services.summary import ExportSummary
from exports.services.summary_sheet import SummarySheet
from exports.services.workbook_plan import (
    SHEET_ACTIVITIES,
    SHEET_DEVIATIONS,
    SHEET_PEER_MENTORS,
    SHEET_SUMMARY,
    WorkbookFacts,
    activity_sheet_name,
    activity_sheets,
)

DEVIATION_WIDTHS = (46, 50, 11, 8, 20, 26, 22, 20, 14, 11, 9, 37)
LINK_WIDTH = 14
MAX_LINKS = 65_530
"""The most hyperlinks Excel keeps on one sheet; rows of `Avvik` past it show the address as text."""


class WorkbookWriter:
    """One workbook being written: rows are appended as they stream, the summary at the end."""

    def __init__(self, path: Path, config: CompiledConfig) -> None:
        self.path = path
        self.config = config
        self.workbook = Workbook(write_only=True)
        self.activities = add_streamed_sheet(self.workbook, SHEET_ACTIVITIES)
        self.summary = self.workbook.create_sheet(SHEET_SUMMARY)
        self.deviations = self.workbook.create_sheet(SHEET_DEVIATIONS)
        self.peer_mentors = self.workbook.create_sheet(SHEET_PEER_MENTORS)
        self._deviation_widths = DEVIATION_WIDTHS + ((LINK_WIDTH,) if config.activity_url else ())
        self._spool = DeviationSpool(path.with_name(f"{path.stem}-avvik.sqlite3"))
        self._formats = [self._number_format(column.format) for column in config.columns]
        self._category_labels: dict[str, str] = {}
        self._rows_per_sheet = workbook_plan.MAX_SHEET_ROWS - 1
        self._rows_on_sheet = 0
        self._activity_sheet_count = 1
        self._finished_activity_sheets: list[tuple[Any, int]] = []
        self._write_headers()

    def _number_format(self, kind: str) -> str | None:
        """The Excel number format of a column format."""
        return {"date": self.config.date_format, "datetime": self.config.datetime_format,
                "time": self.config.time_format}.get(kind)

    def _write_headers(self) -> None:
        """Print set-up, widths and headings of the row sheets (all before their first row)."""
        self._start_activity_sheet(self.activities)
        prepare_for_print(self.summary, one_page=True)
        prepare_for_print(self.deviations, one_page=False)
        repeat_heading_row(self.deviations)
        for index, width in enumerate(self._deviation_widths):
            self.deviations.column_dimensions[_letter(index)].width = width
        self.deviations.append(cell_writer.row(self.deviations, self._deviation_headings(), bold=True))
        prepare_for_print(self.peer_mentors, one_page=False)
        repeat_heading_row(self.peer_mentors)
        for index, width in enumerate(PEER_MENTOR_WIDTHS):
            self.peer_mentors.column_dimensions[_letter(index)].width = width

    def _deviation_headings(self) -> list[str]:
        """The headings of `Avvik` (a link to the registration when the configuration names the app's address)."""
        return [_("Reason"), _("What to do"), _("Date"), _("Start time"), _("Activity type"), _("Category"),
                _("Peer mentor"), _("Local branch"), _("County"), _("Municipality number"), _("Counts"),
                _("Activity ID"), *([_("Link")] if self.config.activity_url else [])]

    def add(self, row: MappedActivity) -> None:
        """Write one mapped activity to `Aktiviteter` and, when it deviates, to `Avvik`."""
        if row.listed:
            self.add_listed(row.values)
        if row.is_deviation:
            self.add_deviation(row)

    def _start_activity_sheet(self, sheet: Any) -> None:
        """Print set-up, column widths, frozen heading row and the headings of a sheet of activities."""
        prepare_for_print(sheet, one_page=False)
        repeat_heading_row(sheet)
        for index, column in enumerate(self.config.columns):
            sheet.column_dimensions[_letter(index)].width = column_width(
                heading=column.heading, kind=column.format, configured=column.width)
        sheet.append(cell_writer.row(sheet, (c.heading for c in self.config.columns), bold=True))
        self._activity_rows = cell_writer.RowAppender(sheet, self._formats)

    def _next_activity_sheet(self) -> None:
        """Go on on a new sheet of activities, placed after the last one, when this one is full."""
        self._finished_activity_sheets.append((self.activities, self._rows_on_sheet))
        self._activity_sheet_count += 1
        index = self._activity_sheet_count - 1
        self.activities = add_streamed_sheet(self.workbook, activity_sheet_name(index), index)
        self._start_activity_sheet(self.activities)
        self._rows_on_sheet = 0

    def add_listed(self, values: tuple[Any, ...]) -> None:
        """One row of `Aktiviteter` from a mapped activity's values."""
        if self._rows_on_sheet == self._rows_per_sheet:
            self._next_activity_sheet()
        self._rows_on_sheet += 1
        self._activity_rows.append(cells.sheet_row(values))

    def add_deviation(self, row: MappedActivity) -> None:
        """Keep one row of `Avvik` until the end, when the most common problem is known."""
        record = row.record
        activity_type = self.config.activity_types.get(record.activity_type)
        details = (
            row.local_start.date(),
            row.local_start.time().replace(tzinfo=None),
            activity_type["label"] if activity_type else cells.bounded(record.activity_type),
            self._category_label(row.category),
            cells.bounded(record.peer_mentor_name or ""),
            row.branch_name,
            county_name(row.county_code),
            cells.bounded(record.municipality_code or ""),
            self.config.true_label if row.counts else self.config.false_label,
            str(record.id),
        )
        findings = [(cells.clean_text(f.text).value, f.action) for f in row.findings]
        self._spool.add(reasons=[text for text, _action in findings], payload=(dict(findings), details))

    def _category_label(self, category: str) -> str:
        """A category's label, translated once per export."""
        label = self._category_labels.get(category)
        if label is None:
            label = self._category_labels[category] = category_label(category)
        return label

    @staticmethod
    def _split_note(rows: int) -> list[list[Any]]:
        """A line on `Sammendrag` naming the sheets `Aktiviteter` is split over, when it is."""
        sheets = activity_sheets(rows)
        if len(sheets) == 1:
            return []
        note = _("Aktiviteter is split over %(count)s sheets (Excel shows at most %(rows)s rows on one sheet)") % {
            "count": len(sheets), "rows": f"{workbook_plan.MAX_SHEET_ROWS:,}".replace(",", " ")}
        return [[note, ", ".join(name for name, _rows in sheets)]]

    def _write_deviations(self, totals: ExportSummary) -> int:
        """`Avvik`, the rows whose problem is most common first, each reason once with what to do about it."""
        sheet, written = self.deviations, 0
        ranked = [cells.clean_text(reason).value for reason, _count in totals.reasons_by_frequency()]
        template, link_text = self.config.activity_url, _("Open in the app")
        for reasons, (actions, details) in self._spool.by_frequency(ranked):
            day, time, *rest = details
            link = []
            if template:
                target = activity_link(template, details[-1])
                link = [cell_writer.link(sheet, link_text, target) if written < MAX_LINKS
                        else cell_writer.cell(sheet, target)]
            sheet.append([
                cell_writer.cell(sheet, cells.bounded_join("; ", reasons)),
                cell_writer.cell(sheet, cells.bounded_join(" ", said_once(actions[reason] for reason in reasons))),
                cell_writer.cell(sheet, day, number_format=self.config.date_format),
                cell_writer.cell(sheet, time, number_format=self.config.time_format),
                *cell_writer.row(sheet, rest),
                *link,
            ])
            written += 1
        self._spool.close()
        return written

    def discard(self) -> None:
        """Drop what was kept for a workbook that may not be finished: the spool and the sheets' temporary files."""
        self._spool.close()
        for sheet in self.workbook.worksheets:
            sheet_file = getattr(getattr(sheet, "_writer", None), "out", None)
            if isinstance(sheet_file, str):
                with suppress(OSError):
                    os.remove(sheet_file)

    def close(self, facts: WorkbookFacts, totals: ExportSummary) -> None:
        """Write `Sammendrag` with its chart, then `Avvik` and `Likepersoner`, set up printing and save the workbook."""
        SummarySheet(self.summary, date_format=self.config.date_format,
                     datetime_format=self.config.datetime_format).write(
            facts=facts, totals=totals, notes=self._split_note(totals.exported))
        deviations = self._write_deviations(totals)
        mentors = write_peer_mentors(self.peer_mentors, totals.peer_mentors, date_format=self.config.date_format)
        activity_sheets = [*self._finished_activity_sheets, (self.activities, self._rows_on_sheet)]
        for sheet, rows in activity_sheets:
            add_filter(sheet, columns=len(self.config.columns), rows=rows + 1)
        add_filter(self.deviations, columns=len(self._deviation_widths), rows=deviations + 1)
        add_filter(self.peer_mentors, columns=len(PEER_MENTOR_WIDTHS), rows=mentors + 1)
        period = f"{facts.period_from.strftime('%d.%m.%Y')}–{facts.period_to.strftime('%d.%m.%Y')}"
        for sheet in (*(sheet for sheet, _rows in activity_sheets), self.summary, self.deviations,
                      self.peer_mentors):
            add_header_and_footer(sheet, organisation=facts.organisation_name, period=period,
                                  page_label=_("Page {page} of {pages}"))
        self._save()

    def _save(self) -> None:
        """Save with fast deflate: the sheets' XML compresses a third less well at level 1, in a third of the time."""
        self.workbook.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
            ExcelWriter(self.workbook, archive).save()


def _letter(index: int) -> str:
    """The spreadsheet column letter of a zero-based index."""
    return get_column_letter(index + 1)
