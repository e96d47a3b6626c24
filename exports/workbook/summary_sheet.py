"""`Sammendrag`: the administrator's questions answered on one printed A4 page, with last year's numbers beside.

Two stacks of blocks side by side, portrait: on the left who and when, the categories, every row accounted for,
the counties and the deviations per reason; on the right the local branches with the chart under them. Long labels
wrap within their column and their rows are made tall enough, so nothing is cut off at a printed size of at least
`MIN_PRINTED_POINTS`. A sheet too long for one page at that size (very many local branches or deviation reasons)
goes on over a second page, said in its first rows, rather than shrinking its type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.chart.title import Title, title_maker
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties

from exports.geography import county_name
from exports.history.comparison import Comparison
from exports.regulation import CATEGORIES, COUNTING_CATEGORIES, UNKNOWN_CATEGORY, category_label
from exports.rules.row_account import NOT_COUNTED_PARTS, OUTCOME_LABELS, row_account
from exports.rules.summary import ExportSummary
from exports.workbook import styled_cells
from exports.workbook.sheet_layout import (
    COUNT_FORMAT,
    FONT_POINTS,
    POINTS_PER_WIDTH,
    SCALE_FLOOR,
    fitted_widths,
    settings_of,
)
from exports.workbook.wrapping import line_count

LEFT_WIDTHS = (26, 10, 13, 10, 8)
"""The most each column of the left stack gets: label, then the numbers (`fitted_widths` narrows them to fit)."""
RIGHT_WIDTHS = (15, 10, 9)
"""The most each column of the right stack (local branch, county, counted) gets; longer names wrap."""
GAP_WIDTH = 1
LINE_POINTS = 13.0
"""Points per line of 11 pt type on `Sammendrag`: rows closer than the default 15 so the page holds more (LibreOffice's
stand-in for Calibri takes 12.8)."""
PAGE_POINTS = 1_050
"""The height of rows one portrait A4 page holds at `SCALE_FLOOR` within the workbook's margins: LibreOffice 7.4
prints 81 rows of 13 points on it, not 82."""
CHARS_PER_WIDTH = 1.1
"""Characters of plain text per unit of column width on one line: LibreOffice's stand-in for Calibri (DejaVu Sans)
fits about 1.25 of Norwegian text, Calibri in Excel about 1.1; bold text is counted at one per unit."""
SPACER_LINES = 0.5
"""The height, in lines, of the empty row between two blocks."""
CHART_LINES = 20
"""The chart's height in lines, under the local branches."""
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_PLAIN = Font()
_VALUE_SPAN = (1, 4)
_REASON_SPAN = (0, 2)
_POINTS_PER_CM = 72 / 2.54
_CHART_FONT = CharacterProperties(sz=FONT_POINTS * 100)


class SummarySheet:
    """Builds `Sammendrag` in two stacks of blocks and a chart under the right one, then writes it."""

    def __init__(self, sheet: WriteOnlyWorksheet, *, date_format: str, datetime_format: str) -> None:
        self.sheet = sheet
        self.date_format = date_format
        self.datetime_format = datetime_format

    def text(self, value: Any, *, bold: bool = False) -> Any:
        """A text cell."""
        return styled_cells.cell(self.sheet, value, bold=bold)

    def wrapped(self, value: Any, *, bold: bool = False, number_format: str | None = None) -> Any:
        """A cell that wraps within its column (its row is made tall enough when the sheet is written)."""
        written = styled_cells.cell(self.sheet, value, bold=True, alignment=_WRAP, number_format=number_format)
        if not bold:
            written.font = _PLAIN
        return written

    def count(self, value: int | None, *, bold: bool = False) -> Any:
        """A whole number with thousands separators (empty when there is nothing to compare with)."""
        if value is None:
            return None
        return styled_cells.cell(self.sheet, value, number_format=COUNT_FORMAT, bold=bold, alignment=_TOP)

    def headings(self, *values: str) -> list[Any]:
        """A row of bold headings, each wrapping at its spaces."""
        return [self.wrapped(value, bold=True) for value in values]

    def write(self, *, facts: Any, totals: ExportSummary, notes: Sequence[Sequence[Any]] = ()) -> None:
        """Lay out and write the whole sheet; `notes` are lines of text under the first blocks."""
        comparison: Comparison | None = facts.comparison
        tables, chart_rows = self._tables(totals, comparison)
        for note in notes:
            tables += [[], [self.wrapped(value) for value in note]]
        earlier = (
            max([LEFT_WIDTHS[-1], *(len(word) + 2 for word in comparison.heading.split())])
            if comparison
            else LEFT_WIDTHS[-1]
        )
        left_widths = fitted_widths(tables, bounds=(*LEFT_WIDTHS[:-1], earlier))
        right = self._branches(totals)
        right_widths = fitted_widths(right, bounds=RIGHT_WIDTHS)
        who = self._who(facts)
        deviations = self._deviations(totals, comparison)
        left = [*who, [], *tables, [], *deviations]
        spans = dict.fromkeys(range(1, len(who)), _VALUE_SPAN)
        spans |= dict.fromkeys(range(len(left) - len(deviations), len(left)), _REASON_SPAN)
        lines = [
            max(
                _lines(left[index], left_widths, spans.get(index)) if index < len(left) else SPACER_LINES,
                _lines(right[index], right_widths, None) if index < len(right) else SPACER_LINES,
            )
            for index in range(max(len(left), len(right)))
        ]
        chart_row = len(right) + 2
        one_page = max(sum(lines), sum(lines[: chart_row - 1]) + CHART_LINES) * LINE_POINTS <= PAGE_POINTS
        if not one_page:
            left.insert(
                1,
                [
                    self.text(
                        _("Sammendrag goes on over the next page: at readable type it does not fit one page"), bold=True
                    )
                ],
            )
            spans = {index + 1 if index else index: span for index, span in spans.items()}
            lines.insert(1, 1)
            chart_row += 1
            right.insert(1, [])
        self._page_setup(one_page=one_page)
        first_right = len(left_widths) + GAP_WIDTH
        settings = settings_of(self.sheet)
        for column, width in enumerate([*left_widths, GAP_WIDTH, *right_widths], start=1):
            settings.column_dimensions[get_column_letter(column)].width = width
        for index, row_lines in enumerate(lines):
            settings.row_dimensions[index + 1].height = LINE_POINTS * row_lines
            values = list(left[index]) if index < len(left) else []
            if index < len(right) and right[index]:
                values += [None] * (first_right - len(values)) + list(right[index])
            span = spans.get(index)
            if span and index < len(left) and len(left[index]) > span[0]:
                settings.merged_cells.add(
                    f"{get_column_letter(span[0] + 1)}{index + 1}:{get_column_letter(span[1] + 1)}{index + 1}"
                )
            self.sheet.append(values)
        offset = len(who) + 1 + (0 if one_page else 1)
        self._chart(
            chart_rows[0] + offset,
            chart_rows[1] + offset,
            anchor=f"{get_column_letter(first_right + 1)}{chart_row}",
            width=sum(right_widths),
        )

    def _page_setup(self, *, one_page: bool) -> None:
        """Portrait A4: fitted to one page when it fits at readable type, else at the least readable scale."""
        sheet = settings_of(self.sheet)
        sheet.page_setup.orientation = "portrait"
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=one_page)
        if one_page:
            sheet.page_setup.fitToWidth = sheet.page_setup.fitToHeight = 1
        else:
            sheet.page_setup.scale = SCALE_FLOOR

    def _who(self, facts: Any) -> list[list[Any]]:
        """Who and when: the title, then a label and its value (spanning the number columns) per row."""
        date, datetime = self.date_format, self.datetime_format
        return [
            [self.text(_("Bufdir report: peer-support activities"), bold=True)],
            [self.text(_("Organisation")), self.wrapped(facts.organisation_name)],
            [self.text(_("Organisation number")), self.wrapped(facts.org_number)],
            [self.text(_("Period from")), self.wrapped(facts.period_from, number_format=date)],
            [self.text(_("Period to")), self.wrapped(facts.period_to, number_format=date)],
            [
                self.text(_("Column configuration")),
                self.wrapped(
                    _("%(name)s (version %(version)s)") % {"name": facts.template_name, "version": facts.config_version}
                ),
            ],
            [self.text(_("Generated")), self.wrapped(facts.generated_at.replace(tzinfo=None), number_format=datetime)],
        ]

    def _tables(self, totals: ExportSummary, comparison: Comparison | None) -> tuple[list[list[Any]], tuple[int, int]]:
        """Counted and documented per category, every row accounted for, counted per county.

        Returns the rows and the first and last counting category's row within them (from 1).
        """
        earlier = [comparison.heading] if comparison else []
        rows: list[list[Any]] = [
            self.headings(_("Category"), _("Counted"), _("Documented"), _("Not counted"), *earlier),
        ]
        first_category = len(rows) + 1
        last_category = first_category + len(COUNTING_CATEGORIES) - 1
        shown = [*CATEGORIES, *([UNKNOWN_CATEGORY] if totals.documented_by_category.get(UNKNOWN_CATEGORY) else [])]
        for category in shown:
            documented = totals.documented_by_category.get(category, 0)
            counted = totals.counted_by_category.get(category, 0)
            before = None
            if comparison and category in COUNTING_CATEGORIES:
                before = comparison.counted_by_category.get(category, 0)
            rows.append(
                [
                    self.wrapped(category_label(category)),
                    self.count(counted),
                    self.count(documented),
                    self.count(documented - counted),
                    self.count(before),
                ]
            )
        rows += [
            [
                self.wrapped(_("Total counted"), bold=True),
                self.count(totals.counted, bold=True),
                None,
                None,
                self.count(comparison.rows.get("counted") if comparison else None, bold=True),
            ],
            [self.wrapped(_("Total documented"), bold=True), None, self.count(totals.exported, bold=True)],
            [self.wrapped(_("Total not counted"), bold=True), None, None, self.count(totals.not_counted, bold=True)],
        ]
        rows += self._totals(totals, comparison)
        rows += [[], self.headings(_("County"), _("County code"), _("Counted"), *earlier)]
        for code, number in sorted(totals.counted_by_county.items()):
            before = comparison.counted_by_county.get(code, 0) if comparison else None
            rows.append(
                [
                    self.wrapped(county_name(code) or _("(no county)")),
                    self.text(code),
                    self.count(number),
                    self.count(before),
                ]
            )
        return rows, (first_category, last_category)

    def _branches(self, totals: ExportSummary) -> list[list[Any]]:
        """Counted per local branch."""
        rows = [self.headings(_("Local branch"), _("County"), _("Counted"))]
        for (branch, code), number in sorted(totals.counted_by_branch.items()):
            rows.append(
                [self.wrapped(branch or _("(no local branch)")), self.wrapped(county_name(code)), self.count(number)]
            )
        return rows

    def _deviations(self, totals: ExportSummary, comparison: Comparison | None) -> list[list[Any]]:
        """Rows on `Avvik` per reason, the most common first, and the row totals: each reason spans three columns."""
        earlier = [comparison.heading] if comparison else []
        gap = [None] * (_REASON_SPAN[1] - _REASON_SPAN[0])
        rows = [[self.wrapped(_("Rows on Avvik, per reason"), bold=True), *gap, *self.headings(_("Rows"), *earlier)]]
        for reason, number in totals.reasons_by_frequency():
            before = comparison.deviations_by_reason.get(reason, 0) if comparison else None
            rows.append([self.wrapped(reason), *gap, self.count(number), self.count(before)])
        if not totals.deviations_by_reason:
            rows.append([self.wrapped(_("No deviations"))])
        before = comparison.rows.get("deviations") if comparison else None
        rows.append(
            [
                self.wrapped(_("Rows on Avvik"), bold=True),
                *gap,
                self.count(totals.deviations, bold=True),
                self.count(before, bold=True),
            ]
        )
        return rows

    def _totals(self, totals: ExportSummary, comparison: Comparison | None) -> list[list[Any]]:
        """Every row read, accounted for: the rows on `Aktiviteter` by outcome, then what is only on `Avvik`."""
        earlier = [comparison.heading] if comparison else []
        before = row_account(comparison.result).as_dict() if comparison else {}
        account = row_account(totals.as_facts()).as_dict()

        def total(key: str, *, bold: bool = False) -> list[Any]:
            return [
                self.wrapped(str(OUTCOME_LABELS[key]), bold=bold),
                self.count(account[key], bold=bold),
                self.count(before.get(key), bold=bold),
            ]

        return [
            [],
            self.headings(_("Every row, accounted for"), _("Rows"), *earlier),
            total("counted"),
            *(total(key) for key in NOT_COUNTED_PARTS),
            total("exported", bold=True),
            total("rejected"),
            total("unreadable"),
            total("read", bold=True),
            [],
            [
                self.wrapped(_("Rows on Avvik"), bold=True),
                self.count(totals.deviations, bold=True),
                self.count(comparison.rows.get("deviations") if comparison else None, bold=True),
            ],
        ]

    def _chart(self, first_row: int, last_row: int, *, anchor: str, width: float) -> None:
        """Counted activities per category, under the local branches so it covers nothing."""
        chart = BarChart()
        chart.type = "col"
        chart.title = _titled(_("Counted activities per category"))
        chart.y_axis.title = _titled(_("Activities"))
        chart.x_axis.txPr = chart.y_axis.txPr = RichText(
            p=[Paragraph(pPr=ParagraphProperties(defRPr=_CHART_FONT), endParaRPr=_CHART_FONT)]
        )
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = COUNT_FORMAT
        chart.add_data(Reference(self.sheet, min_col=2, min_row=first_row - 1, max_row=last_row), titles_from_data=True)
        chart.set_categories(Reference(self.sheet, min_col=1, min_row=first_row, max_row=last_row))
        chart.width = round(width * POINTS_PER_WIDTH / _POINTS_PER_CM)
        chart.height = round((CHART_LINES - 1) * LINE_POINTS / _POINTS_PER_CM)
        settings_of(self.sheet).add_chart(chart, anchor)


def _titled(text: str) -> Title:
    """A chart or axis title in the sheet's type size."""
    title = title_maker(text)
    rich = title.tx.rich if title.tx else None
    for paragraph in rich.p if rich else []:
        paragraph.pPr = ParagraphProperties(defRPr=_CHART_FONT)
        for run in paragraph.r or []:
            run.rPr = _CHART_FONT
    return title


def _lines(row: Sequence[Any], widths: Sequence[float], span: tuple[int, int] | None) -> float:
    """The lines the tallest wrapped cell of a row takes (half a line for an empty row between blocks).

    The cell at `span`'s start spans its columns.
    """
    if not any(value is not None for value in row):
        return SPACER_LINES
    lines, column = 1, 0
    while column < len(row):
        cell, width = row[column], widths[column] if column < len(widths) else 0.0
        if span and column == span[0]:
            width = sum(widths[span[0] : span[1] + 1])
        alignment = getattr(cell, "alignment", None)
        if alignment is not None and alignment.wrap_text and isinstance(cell.value, str):
            per_line = width * (1.0 if cell.font.b else CHARS_PER_WIDTH)
            lines = max(lines, line_count(cell.value, per_line))
        column = span[1] + 1 if span and column == span[0] else column + 1
    return lines
