"""Past Excel's row limit `Aktiviteter` goes on over further sheets, said on `Sammendrag` and in the manifest."""

from __future__ import annotations

import pytest

from exports.container import services
from exports.workbook import plan
from exports.workbook.forked import ForkedWorkbookOpener
from exports.workbook.opener import OpenpyxlWorkbookOpener

pytestmark = pytest.mark.django_db


def _export(run_export, org, generator):
    """Run an export with `generator` writing the workbook; its opened bundle."""
    with services().override(workbook_generator=generator):
        return run_export(org).succeeded_bundle


@pytest.mark.parametrize("generator", [OpenpyxlWorkbookOpener(), ForkedWorkbookOpener()], ids=["inline", "forked"])
def test_activities_past_the_row_limit_go_on_over_further_sheets(
    org_with_activities, run_export, monkeypatch, generator
):
    whole = _export(run_export, org_with_activities, generator)
    monkeypatch.setattr(plan, "MAX_SHEET_ROWS", 11)  # a heading and ten activities per sheet
    split = _export(run_export, org_with_activities, generator)

    book = split.workbook
    assert book.sheetnames == [
        "Sammendrag",
        "Aktiviteter",
        "Aktiviteter 2",
        "Aktiviteter 3",
        "Avvik",
        "Likepersoner",
        "Endringer",
    ]
    sheets = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[1:4]]
    headings = sheets[0][0]
    assert [len(rows) for rows in sheets] == [11, 11, 6]
    assert all(rows[0] == headings for rows in sheets)
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames[1:4])
    whole_rows = list(whole.workbook["Aktiviteter"].iter_rows(values_only=True))
    assert [row for rows in sheets for row in rows[1:]] == whole_rows[1:]
    assert len(whole_rows) == 26

    summary = [row for row in book["Sammendrag"].iter_rows(values_only=True) if row[0]]
    note = next(row for row in summary if str(row[0]).startswith("Aktiviteter"))
    assert "3" in note[0] and "11" in note[0]
    assert note[1] == "Aktiviteter, Aktiviteter 2, Aktiviteter 3"
    assert split.manifest["activity_sheets"] == [
        {"name": "Aktiviteter", "rows": 10},
        {"name": "Aktiviteter 2", "rows": 10},
        {"name": "Aktiviteter 3", "rows": 5},
    ]
    assert whole.manifest["activity_sheets"] == [{"name": "Aktiviteter", "rows": 25}]
    assert not any(
        str(row[0]).startswith("Aktiviteter ")
        for row in whole.workbook["Sammendrag"].iter_rows(values_only=True)
        if row[0]
    )
