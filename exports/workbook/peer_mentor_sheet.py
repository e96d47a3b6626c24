"""The sheet `Likepersoner`: each peer mentor with activities in the period, the ones to follow up marked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.rules.peer_mentor_tally import PeerMentorLine, PeerMentorTally
from exports.workbook import styled_cells
from exports.workbook.sheet_layout import COUNT_FORMAT

HEADING_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
PEER_MENTOR_WIDTHS = (28, 28, 14, 14, 12, 16, 52)


def headings() -> list[str]:
    """The headings of `Likepersoner`."""
    return [
        _("Peer mentor"),
        _("Local branch"),
        _("Certified from"),
        _("Activities documented"),
        _("Activities counted"),
        _("In counting categories"),
        _("Note"),
    ]


def note(line: PeerMentorLine) -> str:
    """What to follow up about one peer mentor ("" when nothing)."""
    if line.uncertified_with_counting_work:
        return _("Not a certified peer mentor, but has activities in counting categories")
    if line.certified_after_counting_work:
        return _("Certified only after some of the activities in counting categories")
    return ""


def write_peer_mentors(sheet: WriteOnlyWorksheet, *, tally: PeerMentorTally, date_format: str) -> int:
    """The heading row and one row per peer mentor (bold when there is a note); the rows written."""
    sheet.append(styled_cells.row(sheet, headings(), bold=True, alignment=HEADING_ALIGNMENT))
    not_certified = _("Not certified")
    written = 0
    for line in tally.lines():
        remark = note(line)
        bold = bool(remark)
        certified = (
            styled_cells.cell(sheet, line.certified_on, number_format=date_format, bold=bold)
            if line.certified_on
            else styled_cells.cell(sheet, not_certified, bold=bold)
        )
        sheet.append(
            [
                styled_cells.cell(sheet, line.name, bold=bold),
                styled_cells.cell(sheet, ", ".join(line.branches), bold=bold),
                certified,
                styled_cells.cell(sheet, line.documented, number_format=COUNT_FORMAT, bold=bold),
                styled_cells.cell(sheet, line.counted, number_format=COUNT_FORMAT, bold=bold),
                styled_cells.cell(sheet, line.in_counting_categories, number_format=COUNT_FORMAT, bold=bold),
                styled_cells.cell(sheet, remark or None, bold=bold),
            ]
        )
        written += 1
    return written
