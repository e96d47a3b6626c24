"""`Sammendrag`: the administrator's questions answered on one printed page, with last year's numbers beside."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.categories import CATEGORIES, COUNTING_CATEGORIES, UNKNOWN_CATEGORY, category_label
from exports.geography import county_name
from exports.services import cell_writer
from exports.services.comparison import Comparison
from exports.services.row_account import NOT_COUNTED_PARTS, OUTCOME_LABELS, row_account
from exports.services.sheet_layout import COUNT_FORMAT, fitted_widths, settings_of
from exports.services.summary import ExportSummary
from exports.services.wrapping import row_height

BLOCK_WIDTHS = ((40, 16, 13, 13, 10), (26, 16, 10), (52, 10, 10))
"""Three blocks side by side: who/categories/counties, local branches, deviations with the chart below; the most
each column gets (`fitted_widths` narrows them to their values, so the page prints at a larger scale)."""
GAP_WIDTH = 2
_WRAP = Alignment(wrap_text=True, vertical="top")
_PLAIN = Font()

class SummarySheet:
    """Builds `Sammendrag` in two blocks side by side and a chart to their right, then writes it."""

    def __init__(self, sheet: WriteOnlyWorksheet, *, date_format: str, datetime_format: str) -> None:
        self.sheet = sheet
        self.date_format = date_format
        self.datetime_format = datetime_format

    def text(self, value: Any, *, bold: bool = False) -> Any:
        """A text cell."""
        return cell_writer.cell(self.sheet, value, bold=bold)

    def wrapped(self, value: str, *, bold: bool = False) -> Any:
        """A text cell that wraps within its column (its row is made tall enough when the sheet is written)."""
        written = cell_writer.cell(self.sheet, value, bold=True)
        if not bold:
            written.font = _PLAIN
        written.alignment = _WRAP
        return written

    def count(self, value: int | None, *, bold: bool = False) -> Any:
        """A whole number with thousands separators (empty when there is nothing to compare with)."""
        if value is None:
            return None
        return cell_writer.cell(self.sheet, value, number_format=COUNT_FORMAT, bold=bold)

    def headings(self, *values: str) -> list[Any]:
        """A row of bold headings."""
        return [self.text(value, bold=True) for value in values]

    def write(self, *, facts: Any, totals: ExportSummary, notes: Sequence[Sequence[Any]] = ()) -> None:
        """Lay out and write the whole sheet; `notes` are lines of text under the first block."""
        comparison: Comparison | None = facts.comparison
        left, chart_rows = self._left(facts, totals, comparison)
        if notes:
            left += [[], *([self.text(value) for value in note] for note in notes)]
        blocks = (left, self._branches(totals), self._deviations(totals, comparison))
        starts, column, block_widths = [], 0, []
        for block, bounds in zip(blocks, BLOCK_WIDTHS, strict=True):
            starts.append(column)
            block_widths.append(fitted_widths(block, bounds))
            for width in block_widths[-1]:
                column += 1
                settings_of(self.sheet).column_dimensions[get_column_letter(column)].width = width
            column += 1
            settings_of(self.sheet).column_dimensions[get_column_letter(column)].width = GAP_WIDTH
        for index in range(max(len(block) for block in blocks)):
            height = row_height((cell.value, width) for block, widths in zip(blocks, block_widths, strict=True)
                                if index < len(block) for cell, width in zip(block[index], widths, strict=False)
                                if getattr(getattr(cell, "alignment", None), "wrap_text", False))
            if height:
                settings_of(self.sheet).row_dimensions[index + 1].height = height
            values: list[Any] = []
            for start, block in zip(starts, blocks, strict=True):
                if index < len(block) and block[index]:
                    values += [None] * (start - len(values)) + list(block[index])
            self.sheet.append(values)
        self._chart(*chart_rows, anchor=f"{get_column_letter(starts[2] + 1)}{len(blocks[2]) + 2}")

    def _left(self, facts: Any, totals: ExportSummary, comparison: Comparison | None
              ) -> tuple[list[list[Any]], tuple[int, int]]:
        """Who and when, counted and documented per category, counted per county."""
        earlier = [comparison.heading] if comparison else []
        date, datetime = self.date_format, self.datetime_format
        rows: list[list[Any]] = [
            [self.text(_("Bufdir report: peer-support activities"), bold=True)],
            [self.text(_("Organisation")), self.text(facts.organisation_name)],
            [self.text(_("Organisation number")), self.text(facts.org_number)],
            [self.text(_("Period from")), cell_writer.cell(self.sheet, facts.period_from, number_format=date)],
            [self.text(_("Period to")), cell_writer.cell(self.sheet, facts.period_to, number_format=date)],
            [self.text(_("Column configuration")),
             self.text(_("%(name)s (version %(version)s)") % {"name": facts.template_name,
                                                             "version": facts.config_version})],
            [self.text(_("Generated")),
             cell_writer.cell(self.sheet, facts.generated_at.replace(tzinfo=None), number_format=datetime)],
            [],
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
            rows.append([self.text(category_label(category)), self.count(counted), self.count(documented),
                         self.count(documented - counted), self.count(before)])
        rows += [
            [self.text(_("Total counted"), bold=True), self.count(totals.counted, bold=True), None, None,
             self.count(comparison.rows.get("counted") if comparison else None, bold=True)],
            [self.text(_("Total documented"), bold=True), None, self.count(totals.exported, bold=True)],
            [self.text(_("Total not counted"), bold=True), None, None, self.count(totals.not_counted, bold=True)],
        ]
        rows += [[], self.headings(_("County"), _("County code"), _("Counted"), *earlier)]
        for code, number in sorted(totals.counted_by_county.items()):
            before = comparison.counted_by_county.get(code, 0) if comparison else None
            rows.append([self.text(county_name(code) or _("(no county)")), self.text(code), self.count(number),
                         self.count(before)])
        return [*rows, *self._totals(totals, comparison)], (first_category, last_category)

    def _branches(self, totals: ExportSummary) -> list[list[Any]]:
        """Counted per local branch."""
        rows = [self.headings(_("Local branch"), _("County"), _("Counted"))]
        for (branch, code), number in sorted(totals.counted_by_branch.items()):
            rows.append([self.text(branch or _("(no local branch)")), self.text(county_name(code)),
                         self.count(number)])
        return rows

    def _deviations(self, totals: ExportSummary, comparison: Comparison | None) -> list[list[Any]]:
        """Rows on `Avvik` per reason, the most common first, and the row totals."""
        earlier = [comparison.heading] if comparison else []
        rows = [self.headings(_("Rows on Avvik, per reason"), _("Rows"), *earlier)]
        for reason, number in totals.reasons_by_frequency():
            before = comparison.deviations_by_reason.get(reason, 0) if comparison else None
            rows.append([self.wrapped(reason), self.count(number), self.count(before)])
        if not totals.deviations_by_reason:
            rows.append([self.text(_("No deviations"))])

        before = comparison.rows.get("deviations") if comparison else None
        return [*rows, [self.text(_("Rows on Avvik"), bold=True), self.count(totals.deviations, bold=True),
                        self.count(before, bold=True)]]

    def _totals(self, totals: ExportSummary, comparison: Comparison | None) -> list[list[Any]]:
        """Every row read, accounted for: the rows on `Aktiviteter` by outcome, then what is only on `Avvik`."""
        earlier = [comparison.heading] if comparison else []
        before = row_account(comparison.result).as_dict() if comparison else {}
        account = row_account(totals.as_facts()).as_dict()

        def total(key: str, *, bold: bool = False) -> list[Any]:
            return [self.wrapped(str(OUTCOME_LABELS[key]), bold=bold), self.count(account[key], bold=bold),
                    self.count(before.get(key), bold=bold)]

        return [[], self.headings(_("Every row, accounted for"), _("Rows"), *earlier),
                total("counted"),
                *(total(key) for key in NOT_COUNTED_PARTS),
                total("exported", bold=True),
                total("rejected"),
                total("unreadable"),
                total("read", bold=True),
                [],
                [self.text(_("Rows on Avvik"), bold=True), self.count(totals.deviations, bold=True),
                 self.count(comparison.rows.get("deviations") if comparison else None, bold=True)]]

    def _chart(self, first_row: int, last_row: int, *, anchor: str) -> None:
        """Counted activities per category, to the right of the tables so it covers nothing."""
        chart = BarChart()
        chart.type = "col"
        chart.title = _("Counted activities per category")
        chart.y_axis.title = _("Activities")
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = COUNT_FORMAT
        chart.add_data(Reference(self.sheet, min_col=2, min_row=first_row - 1, max_row=last_row),
                       titles_from_data=True)
        chart.set_categories(Reference(self.sheet, min_col=1, min_row=first_row, max_row=last_row))
        chart.width, chart.height = 16, 9
        settings_of(self.sheet).add_chart(chart, anchor)
