"""The workbook made for people: filters, frozen headings, print set-up, one set of labels, last year beside."""

from __future__ import annotations

import datetime as dt

import pytest

from exports.domain import Period
from exports.regulation import CATEGORY_LABELS
from exports.workbook.sheet_layout import SCALE_FLOOR
from exports.workbook.summary_sheet import CHART_LINES
from tests import factories
from tests.export_reading import OpenedBundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(run_export):
    """Run one export of an organisation and open its bundle."""

    def run(org, period: Period, storage=None) -> OpenedBundle:
        return run_export(org, period).succeeded_bundle

    return run


@pytest.fixture
def org(db):
    org = factories.organisation("nhf", name="Norges Handikapforbund & co")
    local = factories.branch(org)
    mentor = factories.mentor(org, local)
    for year, days in ((2024, 2), (2025, 5)):
        for day in range(1, days + 1):
            factories.activity(
                org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(year, 3, day, 10, tzinfo=dt.UTC)
            )
    factories.activity(org, peer_mentor=None, local_branch=local, started_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC))
    factories.activity(
        org,
        peer_mentor=mentor,
        local_branch=local,
        activity_type="telefon",
        started_at=dt.datetime(2025, 4, 2, tzinfo=dt.UTC),
    )
    return org


def test_row_sheets_filter_freeze_and_print_with_their_heading_on_every_page(org, export, export_files):
    workbook = export(org, Period.year(2025), export_files).workbook
    for name, rows, columns in (("Aktiviteter", 8, "N"), ("Avvik", 2, "M"), ("Likepersoner", 2, "G")):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{columns}{rows}"
        assert sheet.print_title_rows == "$1:$1"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert SCALE_FLOOR <= int(sheet.page_setup.scale) <= 100  # no fit-to-width below the least type size
        assert not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
        assert sheet.page_setup.pageOrder == "downThenOver"
        assert sheet.print_options.gridLines
        assert sheet.oddHeader.left.text == "Norges Handikapforbund && co"
        assert sheet.oddHeader.right.text == "01.01.2025–31.12.2025"
        assert "&P" in sheet.oddFooter.right.text and "&N" in sheet.oddFooter.right.text
        assert all(cell.font.b and cell.alignment.wrap_text for cell in sheet[1])


def test_sammendrag_fits_one_portrait_page_with_the_chart_under_the_branches(org, export, export_files):
    sheet = export(org, Period.year(2025), export_files).workbook["Sammendrag"]
    assert sheet.page_setup.orientation == "portrait" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 1)
    [chart] = sheet._charts
    anchor = chart.anchor._from
    branches = [row[anchor.col].value for row in sheet.iter_rows(max_row=anchor.row - 1)]
    assert branches[0] == "Lokallag" and all(branches), "the chart stands right under the list of local branches"
    used = {(cell.row - 1, cell.column - 1) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    covered = {(r, c) for r in range(anchor.row, anchor.row + CHART_LINES) for c in range(anchor.col, anchor.col + 3)}
    assert not used & covered, "the chart covers cells"
    counts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, int)]
    assert counts and all(cell.number_format == "#,##0" for cell in counts)


def test_the_earlier_export_of_the_same_length_stands_beside_as_last_year(org, export, export_files):
    first = export(org, Period.year(2025), export_files).workbook["Sammendrag"]
    assert "I fjor" not in {cell.value for row in first.iter_rows() for cell in row}
    export(org, Period.year(2024), export_files)
    export(org, Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31)), export_files)
    sheet = export(org, Period.year(2025), export_files).workbook["Sammendrag"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row[0] == "Kategori")
    assert header[:5] == ["Kategori", "Tellende", "Dokumentert", "Ikke tellende", "I fjor"]
    outreach = next(row for row in rows if row[0] == "Oppsøkende likepersonsarbeid")
    assert outreach[1:5] == [5, 6, 1, 2]
    total = next(row for row in rows if row[0] == "Sum tellende")
    assert total[1] == 5 and total[4] == 2


def test_every_sheet_uses_the_same_category_labels(org, export, export_files):
    bundle = export(org, Period.year(2025), export_files)
    labels = {str(label) for label in CATEGORY_LABELS.values()}
    on_activities = {row["Bufdir-kategori"] for row in bundle.rows("Aktiviteter")}
    on_avvik = {row["Kategori"] for row in bundle.rows("Avvik")}
    on_summary = {row[0].value for row in bundle.workbook["Sammendrag"].iter_rows() if row[0].value in labels}
    assert on_activities <= labels and on_avvik <= labels
    assert on_activities | on_avvik <= on_summary
    assert "Likepersonstelefon og kontakttjeneste" in on_activities


def test_sammendrag_states_every_total_in_its_first_column(org, export):
    bundle = export(org, Period.year(2025))
    summary: dict = {}
    for row in bundle.workbook["Sammendrag"].iter_rows(values_only=True):
        summary.setdefault(row[0], row[1])
    rows = bundle.manifest["rows"]
    assert summary["Rader i Aktiviteter"] == rows["exported"] == 7
    assert summary["Rader i Avvik"] == rows["deviations"] == 1
    assert summary["Avviste registreringer (bare i Avvik)"] == rows["rejected"]
    assert summary["Sum tellende"] == rows["counted"] == 5
    assert summary["Organisasjonsnummer"] == "938477566"


def test_each_total_on_sammendrag_has_a_row_saying_what_it_is(org, export):
    rows = [list(row) for row in export(org, Period.year(2025)).workbook["Sammendrag"].iter_rows(values_only=True)]
    by_label = {row[0]: row[1:5] for row in rows if row[0]}
    assert by_label["Kategori"] == ["Tellende", "Dokumentert", "Ikke tellende", None]
    assert by_label["Sum tellende"] == [5, None, None, None]
    assert by_label["Sum dokumentert"] == [None, 7, None, None]
    assert by_label["Sum ikke tellende"] == [None, None, 2, None]


def test_sammendrag_accounts_for_every_row_read_and_beside_it_last_year(org, export):
    local = org.branches.get()
    factories.activity(
        org,
        peer_mentor=None,
        local_branch=local,
        activity_type="stand",
        started_at=dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC),
    )
    factories.activity(
        org,
        peer_mentor=None,
        local_branch=local,
        status="rejected",
        started_at=dt.datetime(2025, 5, 2, 10, tzinfo=dt.UTC),
    )
    export(org, Period.year(2024))
    bundle = export(org, Period.year(2025))
    rows = [list(row) for row in bundle.workbook["Sammendrag"].iter_rows(values_only=True)]
    heading = next(index for index, row in enumerate(rows) if row[0] == "Alle rader, fordelt")
    block = {row[0]: row[1:3] for row in rows[heading : heading + 10] if row[0]}
    assert block == {
        "Alle rader, fordelt": ["Rader", "I fjor"],
        "Tellende": [5, 2],
        "Telefon- og kontakttjeneste (føres for seg, telles aldri)": [1, 0],
        "Andre aktiviteter (dokumenteres, telles aldri)": [1, 0],
        "Telles ikke etter en telleregel (står i Avvik)": [1, 0],
        "Rader i Aktiviteter": [8, 2],
        "Avviste registreringer (bare i Avvik)": [1, 0],
        "Uleselige rader (bare i Avvik)": [0, 0],
        "Registreringer lest": [9, 2],
    }
    parts = (
        "Tellende",
        "Telefon- og kontakttjeneste (føres for seg, telles aldri)",
        "Andre aktiviteter (dokumenteres, telles aldri)",
        "Telles ikke etter en telleregel (står i Avvik)",
    )
    assert (
        sum(block[label][0] for label in parts)
        == block["Rader i Aktiviteter"][0]
        == bundle.manifest["rows"]["exported"]
    )
    assert bundle.manifest["exported_by_outcome"] == {
        "counted": 5,
        "phone_and_contact": 1,
        "other": 1,
        "not_counted_by_rule": 1,
    }
    assert (
        sum(
            block[label][0]
            for label in (
                "Rader i Aktiviteter",
                "Avviste registreringer (bare i Avvik)",
                "Uleselige rader (bare i Avvik)",
            )
        )
        == block["Registreringer lest"][0]
    )
