"""The demo organisation's workbook printed by LibreOffice to PDF and read back: what a case worker gets on paper.

Needs LibreOffice (`soffice`) and poppler-utils (`pdftotext`), which scripts/ensure-services.sh installs; without
them the test fails, it does not skip: a workbook nobody has printed is not known to print.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import pytest

from exports.demo.generator import seed_demo
from exports.domain import Period
from exports.models import Organisation
from exports.workbook.sheet_layout import MIN_PRINTED_POINTS
from tests.pdf_reading import PrintedPage, convert_to_pdf, pages_per_sheet, read_pages

pytestmark = [pytest.mark.django_db, pytest.mark.libreoffice]

DEMO_ACTIVITIES = 3_000
SUMMARY_LEAST_POINTS = MIN_PRINTED_POINTS
"""`Sammendrag` is one portrait page of two stacks of blocks, about 100 characters wide, fitted to the page: the
demo's prints at 8.2 pt (it printed at 5.5 pt as three blocks side by side on a landscape page)."""
_BODY_HEIGHT = {"portrait": 841.9 - 2 * 0.6 * 72, "landscape": 595.3 - 2 * 0.6 * 72}
"""Printable height of A4 within the workbook's top and bottom margins, in points."""


def _flat(value: object) -> str:
    """Text with every run of white space made one space: a wrapped cell's lines read as one."""
    return " ".join(str(value).split())


def _text(pages: list[PrintedPage], sheet: str) -> str:
    """All text printed on a sheet's pages, flattened."""
    return _flat(" ".join(page.text for page in pages if page.sheet == sheet))


def _pages_bound(workbook: Path, sheet_part: str) -> int:
    """The most pages a sheet of rows should take: its pages side by side × (its rows' height / page height + 1)."""
    with zipfile.ZipFile(workbook) as archive:
        xml = archive.read(sheet_part).decode("utf-8")
    setup = re.search(r"<pageSetup ([^>]*)/>", xml)
    assert setup is not None
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', setup.group(1)))
    scale = int(attributes["scale"]) / 100
    heights = [float(height) if height else 15.0 for height in re.findall(r'<row r="\d+"(?: ht="([\d.]+)")?', xml)]
    widths = [float(width) for width in re.findall(r'<col width="([\d.]+)"', xml)]
    body_width = (841.9 if attributes["orientation"] == "landscape" else 595.3) - 2 * 0.35 * 72
    wide = math.ceil(sum(widths) * 7.0 * scale / body_width) + 1
    tall = math.ceil(sum(heights) * scale / (_BODY_HEIGHT[attributes["orientation"]] - heights[0] * scale)) + 1
    return wide * tall


def test_the_demo_workbook_prints_readably_on_a4_with_nothing_cut_off(run_export, tmp_path):
    seeded = seed_demo(activity_count=DEMO_ACTIVITIES)
    bundle = run_export(Organisation.objects.get(slug="nhf"), Period.year(seeded.today.year - 1)).succeeded_bundle
    name, data = next((name, data) for name, data in bundle.files.items() if name.endswith(".xlsx"))
    workbook = tmp_path / Path(name).name
    workbook.write_bytes(data)

    pages = read_pages(convert_to_pdf(workbook, out_dir=tmp_path, profile=tmp_path / "profile"))
    per_sheet = pages_per_sheet(pages)

    assert pages[0].sheet == "Sammendrag" and per_sheet["Sammendrag"] == 1, per_sheet
    assert bundle.workbook.active.title == "Sammendrag"
    least = {
        sheet: min(size for page in pages if page.sheet == sheet for size in page.sizes) for sheet in per_sheet if sheet
    }  # a blank page names no sheet and has no text
    assert least["Aktiviteter"] >= MIN_PRINTED_POINTS and least["Avvik"] >= MIN_PRINTED_POINTS, least
    assert least["Sammendrag"] >= SUMMARY_LEAST_POINTS, least
    for sheet, part in (("Aktiviteter", "xl/worksheets/sheet2.xml"), ("Avvik", "xl/worksheets/sheet3.xml")):
        assert per_sheet[sheet] <= _pages_bound(workbook, part), (sheet, per_sheet)
    assert "" not in per_sheet, per_sheet  # at 74 % LibreOffice 7.4 printed blank pages after a long sheet

    avvik = bundle.rows("Avvik")
    actions = {_flat(row["Slik retter du det"]) for row in avvik}
    reasons = {_flat(row["Årsak"]) for row in avvik}
    assert len(avvik) > 20 and len(actions) > 5
    printed_avvik = _text(pages, "Avvik")
    assert [text for text in actions | reasons if text not in printed_avvik] == []

    activities = bundle.rows("Aktiviteter")
    printed_activities = _text(pages, "Aktiviteter")
    for column in ("Fylke", "Lokallag", "Aktivitet", "Bufdir-kategori", "Likeperson", "Årsak til ikke tellende"):
        values = {_flat(row[column]) for row in activities if row[column]}
        assert values and [value for value in values if value not in printed_activities] == [], column
    for sheet in ("Aktiviteter", "Avvik"):
        headings = [cell.value for cell in next(bundle.workbook[sheet].iter_rows(max_row=1))]
        assert [heading for heading in headings if _flat(heading) not in _text(pages, sheet)] == [], sheet

    summary = [
        _flat(cell.value)
        for row in bundle.workbook["Sammendrag"].iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert [text for text in summary if text not in _text(pages, "Sammendrag")] == []
