"""Writes the Bufdir workbook (Aktiviteter, Sammendrag, Avvik, Likepersoner) with openpyxl in write-only mode."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.writer.excel import ExcelWriter

from exports.config import cell_safety
from exports.config.activity_links import activity_link
from exports.config.cell_safety import without_refused
from exports.config.validation import CompiledConfig
from exports.geography import county_name
from exports.regulation import category_label
from exports.rules.column_mapper import MappedActivity, said_once
from exports.rules.summary import ExportSummary
from exports.workbook import plan, styled_cells
from exports.workbook.changes_sheet import write_changes_sheet
from exports.workbook.column_widths import WRAP_WIDTH, column_layouts
from exports.workbook.deviation_spool import DeviationSpool
from exports.workbook.peer_mentor_sheet import PEER_MENTOR_WIDTHS, write_peer_mentors
from exports.workbook.plan import (
    SHEET_ACTIVITIES,
    SHEET_DEVIATIONS,
    SHEET_PEER_MENTORS,
    SHEET_SUMMARY,
    WorkbookFacts,
    activity_sheet_name,
    activity_sheets,
)
from exports.workbook.sheet_layout import (
    add_filter,
    add_header_and_footer,
    prepare_for_print,
    print_layout,
    repeat_heading_row,
)
from exports.workbook.streamed_sheet import add_streamed_sheet
from exports.workbook.summary_sheet import SummarySheet
from exports.workbook.wrapping import row_height

DEVIATION_COLUMNS = 12
LINK_TEXT_WIDTH = 14
MAX_LINKS = 65_530
"""The most hyperlinks Excel keeps on one sheet; rows of `Avvik` past it show the address as text."""
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_PADDING = 2


class OpenpyxlWorkbookWriter:
    """One workbook being written: rows are appended as they stream, the summary at the end."""

    def __init__(self, path: Path, config: CompiledConfig) -> None:
        self.path = path
        self.config = config
        self.workbook = Workbook(write_only=True)
        self.summary = self.workbook.create_sheet(SHEET_SUMMARY)
        self.activities = add_streamed_sheet(self.workbook, title=SHEET_ACTIVITIES)
        self.deviations = self.workbook.create_sheet(SHEET_DEVIATIONS)
        self.peer_mentors = self.workbook.create_sheet(SHEET_PEER_MENTORS)
        self._spool = DeviationSpool(path.with_name(f"{path.stem}-avvik.sqlite3"))
        self._formats = [self._number_format(column.format) for column in config.columns]
        self._layouts = column_layouts(config)
        self._alignments = [_WRAP if layout.wraps else _TOP for layout in self._layouts]
        self._deviation_lengths = [
            0,
            0,
            len(config.date_format),
            len(config.time_format),
            *[0] * (DEVIATION_COLUMNS - 4),
            *([LINK_TEXT_WIDTH] if config.activity_url else []),
        ]
        self._category_labels: dict[str, str] = {}
        self._rows_per_sheet = plan.MAX_SHEET_ROWS - 1
        self._rows_on_sheet = 0
        self._activity_sheet_count = 1
        self._finished_activity_sheets: list[tuple[Any, int]] = []
        self._write_headers()

    def _number_format(self, kind: str) -> str | None:
        """The Excel number format of a column format."""
        return {
            "date": self.config.date_format,
            "datetime": self.config.datetime_format,
            "time": self.config.time_format,
        }.get(kind)

    def _write_headers(self) -> None:
        """Print set-up, widths and headings of `Aktiviteter`, print set-up of `Sammendrag` (before their rows)."""
        self._start_activity_sheet(self.activities)
        prepare_for_print(self.summary, one_page=True)

    def _start_deviations(self) -> None:
        """Print set-up, widths as measured while the rows came, and headings of `Avvik`, before its first row."""
        headings = self._deviation_headings()
        widths: list[float] = []
        for index, heading in enumerate(headings):
            longest = self._deviation_lengths[index]
            word = max((len(part) for part in heading.split()), default=0)
            widths.append(min(max(longest, word) + _PADDING, WRAP_WIDTH))
            self.deviations.column_dimensions[_letter(index)].width = widths[-1]
        prepare_for_print(self.deviations, one_page=False, layout=print_layout(widths))
        repeat_heading_row(self.deviations)
        self._deviation_widths = widths
        _append_wrapped(
            self.deviations, styled_cells.row(self.deviations, headings, bold=True, alignment=_WRAP), widths, row=1
        )
        prepare_for_print(self.peer_mentors, one_page=False, layout=print_layout(list(PEER_MENTOR_WIDTHS)))
        repeat_heading_row(self.peer_mentors)
        for index, width in enumerate(PEER_MENTOR_WIDTHS):
            self.peer_mentors.column_dimensions[_letter(index)].width = width

    def _deviation_headings(self) -> list[str]:
        """The headings of `Avvik` (a link to the registration when the configuration names the app's address)."""
        return [
            _("Reason"),
            _("What to do"),
            _("Date"),
            _("Start time"),
            _("Activity type"),
            _("Category"),
            _("Peer mentor"),
            _("Local branch"),
            _("County"),
            _("Municipality number"),
            _("Counts"),
            _("Activity ID"),
            *([_("Link")] if self.config.activity_url else []),
        ]

    def add(self, row: MappedActivity) -> None:
        """Write one mapped activity to `Aktiviteter` and, when it deviates, to `Avvik`."""
        if row.listed:
            self.add_listed(row.values)
        if row.is_deviation:
            self.add_deviation(row)

    def _start_activity_sheet(self, sheet: Any) -> None:
        """Print set-up, column widths, frozen heading row and the (wrapped) headings of a sheet of activities."""
        widths = [layout.width for layout in self._layouts]
        prepare_for_print(sheet, one_page=False, layout=print_layout(widths))
        repeat_heading_row(sheet)
        for index, width in enumerate(widths):
            sheet.column_dimensions[_letter(index)].width = width
        wrap_widths = [layout.width if layout.wraps else None for layout in self._layouts]
        self._activity_rows = styled_cells.RowAppender(sheet, self._formats, self._alignments, wrap_widths)
        headings = styled_cells.row(sheet, (c.heading for c in self.config.columns), bold=True, alignment=_WRAP)
        _append_wrapped(sheet, headings, widths, row=1)

    def _next_activity_sheet(self) -> None:
        """Go on on a new sheet of activities, placed after the last one, when this one is full."""
        self._finished_activity_sheets.append((self.activities, self._rows_on_sheet))
        self._activity_sheet_count += 1
        name = activity_sheet_name(self._activity_sheet_count - 1)
        self.activities = add_streamed_sheet(
            self.workbook, title=name, index=self._activity_sheet_count
        )  # after Sammendrag
        self._start_activity_sheet(self.activities)
        self._rows_on_sheet = 0

    def add_listed(self, values: tuple[Any, ...]) -> None:
        """One row of `Aktiviteter` from a mapped activity's values."""
        if self._rows_on_sheet == self._rows_per_sheet:
            self._next_activity_sheet()
        self._rows_on_sheet += 1
        self._activity_rows.append(cell_safety.sheet_row(values))

    def add_deviation(self, row: MappedActivity) -> None:
        """Keep one row of `Avvik` until the end, when the most common problem is known."""
        record = row.record
        activity_type = self.config.activity_types.get(record.activity_type)
        details = (
            row.local_start.date(),
            row.local_start.time().replace(tzinfo=None),
            activity_type["label"] if activity_type else cell_safety.bounded(record.activity_type),
            self._category_label(row.category),
            cell_safety.bounded(record.peer_mentor_name or ""),
            row.branch_name,
            county_name(row.county_code),
            cell_safety.bounded(record.municipality_code or ""),
            self.config.true_label if row.counts else self.config.false_label,
            str(record.id),
        )
        findings = [(cell_safety.clean_text(f.text).value, f.action) for f in row.findings]
        self._measure_deviation(
            [text for text, _action in findings], list(dict.fromkeys(action for _text, action in findings)), details
        )
        self._spool.add(reasons=[text for text, _action in findings], payload=(dict(findings), details))

    def _measure_deviation(self, reasons: list[str], actions: list[str], details: tuple[Any, ...]) -> None:
        """Keep the longest text of each column of `Avvik`: its widths are set when it is written, at the end."""
        lengths = self._deviation_lengths
        for index, length in (
            (0, len("; ".join(reasons))),
            (1, len(" ".join(actions))),
            *((4 + offset, len(str(value))) for offset, value in enumerate(details[2:])),
        ):
            lengths[index] = max(lengths[index], length)

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
            "count": len(sheets),
            "rows": f"{plan.MAX_SHEET_ROWS:,}".replace(",", " "),
        }
        return [[note, ", ".join(name for name, _rows in sheets)]]

    def _write_deviations(self, totals: ExportSummary) -> int:
        """`Avvik`, the rows whose problem is most common first, each reason once with what to do about it."""
        sheet, written = self.deviations, 0
        self._start_deviations()
        ranked = [cell_safety.clean_text(reason).value for reason, _count in totals.reasons_by_frequency()]
        template, link_text = self.config.activity_url, _("Open in the app")
        for reasons, (actions, details) in self._spool.by_frequency(ranked):
            day, time, *rest = details
            link = []
            if template:
                target = activity_link(template, activity_id=details[-1])
                link = [
                    styled_cells.link(sheet, link_text, target)
                    if written < MAX_LINKS
                    else styled_cells.cell(sheet, target, alignment=_WRAP)
                ]
            _append_wrapped(
                sheet,
                [
                    styled_cells.cell(sheet, cell_safety.bounded_join("; ", reasons), alignment=_WRAP),
                    styled_cells.cell(
                        sheet,
                        cell_safety.bounded_join(" ", said_once(actions[reason] for reason in reasons)),
                        alignment=_WRAP,
                    ),
                    styled_cells.cell(sheet, day, number_format=self.config.date_format, alignment=_TOP),
                    styled_cells.cell(sheet, time, number_format=self.config.time_format, alignment=_TOP),
                    *styled_cells.row(sheet, rest, alignment=_WRAP),
                    *link,
                ],
                self._deviation_widths,
                row=written + 2,
            )
            written += 1
        self._spool.close()
        return written

    def discard(self) -> None:
        """Drop what was kept for a workbook that may not be finished: the spool and the sheets' temporary files."""
        self._spool.close()
        for sheet in self.workbook.worksheets:
            writer = getattr(sheet, "_writer", None)
            if writer is not None and not getattr(sheet, "closed", True):
                with suppress(Exception):  # the failure that discards the workbook may have broken the sheet too
                    sheet.close()  # ends its XML stream, so nothing is left to fail when it is collected
            sheet_file = getattr(writer, "out", None)
            if isinstance(sheet_file, str):
                with suppress(OSError):
                    os.remove(sheet_file)

    def close(self, facts: WorkbookFacts, *, totals: ExportSummary) -> None:
        """Write `Sammendrag` with its chart, then `Avvik` and `Likepersoner`, set up printing and save the workbook."""
        SummarySheet(
            self.summary, date_format=self.config.date_format, datetime_format=self.config.datetime_format
        ).write(facts=facts, totals=totals, notes=self._split_note(totals.exported))
        deviations = self._write_deviations(totals)
        changes = (
            ()
            if facts.changes is None
            else (write_changes_sheet(self.workbook, changes=facts.changes, date_format=self.config.date_format),)
        )
        mentors = write_peer_mentors(self.peer_mentors, tally=totals.peer_mentors, date_format=self.config.date_format)
        activity_sheets = [*self._finished_activity_sheets, (self.activities, self._rows_on_sheet)]
        for sheet, rows in activity_sheets:
            add_filter(sheet, columns=len(self.config.columns), rows=rows + 1)
        add_filter(self.deviations, columns=len(self._deviation_widths), rows=deviations + 1)
        add_filter(self.peer_mentors, columns=len(PEER_MENTOR_WIDTHS), rows=mentors + 1)
        period = f"{facts.period_from.strftime('%d.%m.%Y')}–{facts.period_to.strftime('%d.%m.%Y')}"
        for sheet in (
            *(sheet for sheet, _rows in activity_sheets),
            self.summary,
            self.deviations,
            self.peer_mentors,
            *changes,
        ):
            add_header_and_footer(
                sheet, organisation=facts.organisation_name, period=period, page_label=_("Page {page} of {pages}")
            )
        describe_workbook(self.workbook.properties, facts=facts, period=period)
        self._save()

    def _save(self) -> None:
        """Save with fast deflate: the sheets' XML compresses a third less well at level 1, in a third of the time."""
        self.workbook.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
            ExcelWriter(self.workbook, archive).save()


def _append_wrapped(sheet: Any, values: list[Any], widths: Sequence[float], *, row: int) -> None:
    """Append row number `row`, as tall as its wrapped text needs (every column of `values` wraps)."""
    height = row_height((getattr(value, "value", value), width) for value, width in zip(values, widths, strict=False))
    if height is not None:
        sheet.row_dimensions[row] = RowDimension(sheet, index=row, ht=height)
    sheet.append(values)
    if height is not None:
        del sheet.row_dimensions[row]


def _letter(index: int) -> str:
    """The spreadsheet column letter of a zero-based index."""
    return get_column_letter(index + 1)


WORKBOOK_LANGUAGE = "nb-NO"


def describe_workbook(properties: DocumentProperties, *, facts: WorkbookFacts, period: str) -> None:
    """Name the service as the author and the organisation and period in the title, in the active language.

    The organisation's name loses the characters XML refuses, as it does in the cells.
    """
    organisation = without_refused(facts.organisation_name)
    author = _("Bufdir export")
    properties.creator = author
    properties.lastModifiedBy = author
    properties.title = _("Bufdir report %(organisation)s %(period)s") % {"organisation": organisation, "period": period}
    properties.subject = _("Peer-support activities of %(organisation)s for Bufdir") % {"organisation": organisation}
    properties.description = _("Made by the Bufdir export with column configuration version %(version)s.") % {
        "version": facts.config_version
    }
    properties.language = WORKBOOK_LANGUAGE
